package container_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/testcontainers/testcontainers-go"

	"github.com/scimcheck/scimcheck/reference/container"
)

// A known-good SCIM server for another project's tests.
func ExampleRun() {
	ctx := context.Background()
	img, err := container.BuildImage(ctx) // or container.RunReference(ctx, ...) in one go
	if err != nil {
		fmt.Println(err)
		return
	}
	ctr, err := container.Run(ctx, img, container.WithToken("s3cret"), container.WithQuirks("username-case-sensitive"))
	defer func() { _ = testcontainers.TerminateContainer(ctr) }()
	if err != nil {
		fmt.Println(err)
		return
	}
	base, _ := ctr.BaseURL(ctx)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/Users?count=1", nil)
	req.Header.Set("Authorization", "Bearer "+ctr.Token())
	if resp, err := http.DefaultClient.Do(req); err == nil {
		fmt.Println(resp.Status)
		resp.Body.Close()
	}
}

// A server under test from its image, as `scimcheck run --image` starts it.
func ExampleStartTarget() {
	ctx := context.Background()
	tgt, err := container.StartTarget(ctx, container.TargetOptions{
		Image:          "acme/scim-server:1.4",
		Port:           3000,
		Env:            map[string]string{"API_TOKEN": os.Getenv("SCIMCHECK_TOKEN")},
		BasePath:       "/api/scim/v2",
		StartupTimeout: 30 * time.Second,
	})
	if err != nil {
		fmt.Println(err) // says why, quoting the container's last log lines
		return
	}
	defer func() { _ = tgt.Terminate(context.Background()) }() // also after Ctrl-C
	fmt.Println(tgt.BaseURL())
}

func TestRunReference(t *testing.T) {
	if err := container.Available(context.Background()); err != nil {
		if os.Getenv("SCIMCHECK_REQUIRE_DOCKER") == "1" {
			t.Fatalf("docker is not available: %v (SCIMCHECK_REQUIRE_DOCKER=1 makes this a failure)", err)
		}
		t.Skipf("docker is not available: %v; set SCIMCHECK_REQUIRE_DOCKER=1 to make this a failure", err)
	}
	ctx := context.Background()
	ctr, err := container.RunReference(ctx, container.WithToken("wrapper-token"))
	t.Cleanup(func() { require.NoError(t, testcontainers.TerminateContainer(ctr)) })
	require.NoError(t, err)
	base, err := ctr.BaseURL(ctx)
	require.NoError(t, err)

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/ServiceProviderConfig", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+ctr.Token())
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}
