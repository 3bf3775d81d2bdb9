package container

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/testcontainers/testcontainers-go"
)

// scimDo sends one SCIM request with token (none when empty) and returns the status and
// the decoded JSON body (nil when the body is not JSON).
func scimDo(t *testing.T, method, url, token string, body string) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var doc map[string]any
	_ = json.Unmarshal(raw, &doc)
	return resp.StatusCode, doc
}

func TestRunAnswersAuthenticatedSCIM(t *testing.T) {
	img := referenceImage(t)
	ctx := context.Background()

	ctr, err := Run(ctx, img, WithToken("s3cret-token"), WithStartupTimeout(30*time.Second))
	t.Cleanup(func() {
		require.NoError(t, testcontainers.TerminateContainer(ctr))
		requireNoContainers(t, ctr.RunID())
	})
	require.NoError(t, err)
	assert.Equal(t, "s3cret-token", ctr.Token())

	base, err := ctr.BaseURL(ctx)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(base, "http://127.0.0.1:"), base)
	assert.True(t, strings.HasSuffix(base, "/scim/v2"), base)

	status, created := scimDo(t, http.MethodPost, base+"/Users", ctr.Token(),
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ada@example.com","active":true,
		  "name":{"givenName":"Ada","familyName":"Lovelace"},"emails":[{"value":"ada@example.com","primary":true,"type":"work"}]}`)
	require.Equal(t, http.StatusCreated, status, "%v", created)
	id, _ := created["id"].(string)
	require.NotEmpty(t, id)

	status, got := scimDo(t, http.MethodGet, base+"/Users/"+id, ctr.Token(), "")
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "ada@example.com", got["userName"])

	status, _ = scimDo(t, http.MethodGet, base+"/Users/"+id, "", "")
	assert.Equal(t, http.StatusUnauthorized, status, "no token")
	status, _ = scimDo(t, http.MethodGet, base+"/Users/"+id, "wrong-token", "")
	assert.Equal(t, http.StatusUnauthorized, status, "wrong token")

	inspect, err := ctr.Inspect(ctx)
	require.NoError(t, err)
	assert.Equal(t, ctr.RunID(), inspect.Config.Labels[LabelRun])
	assert.Equal(t, "reference", inspect.Config.Labels[LabelRole])
	assert.Equal(t, "65532:65532", inspect.Config.User, "non-root")
}

func TestRunSeedDataAndQuirks(t *testing.T) {
	img := referenceImage(t)
	ctx := context.Background()
	seed := filepath.Join(t.TempDir(), "seed.json")
	require.NoError(t, os.WriteFile(seed, []byte(`{"Users":[{"id":"u-seeded","userName":"seeded@example.com","active":true}]}`), 0o644))

	ctr, err := Run(ctx, img, WithSeedData(seed), WithQuirks("create-returns-200"))
	t.Cleanup(func() { require.NoError(t, testcontainers.TerminateContainer(ctr)) })
	require.NoError(t, err)
	base, err := ctr.BaseURL(ctx)
	require.NoError(t, err)

	status, got := scimDo(t, http.MethodGet, base+"/Users/u-seeded", ctr.Token(), "")
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "seeded@example.com", got["userName"])

	status, _ = scimDo(t, http.MethodPost, base+"/Users", ctr.Token(),
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"quirky@example.com"}`)
	assert.Equal(t, http.StatusOK, status, "create-returns-200 answers a create with 200")
}

func TestRunFailsClearlyAndLeavesNothing(t *testing.T) {
	img := referenceImage(t)
	start := time.Now()
	ctr, err := Run(context.Background(), img, WithToken("tok-never-shown"), WithQuirks("no-such-quirk"),
		WithStartupTimeout(20*time.Second))
	require.Error(t, err)
	require.NotNil(t, ctr, "the container comes back with the error, to be terminated")
	require.NoError(t, testcontainers.TerminateContainer(ctr))
	requireNoContainers(t, ctr.RunID())

	assert.Less(t, time.Since(start), 15*time.Second, "an exiting server fails fast")
	msg := err.Error()
	assert.Contains(t, msg, "exited with code 2")
	assert.Contains(t, msg, "last log lines")
	assert.Contains(t, msg, "no-such-quirk")
	assert.NotContains(t, msg, "tok-never-shown")
}

func TestRunInterruptedLeavesNothing(t *testing.T) {
	_, silent := silentServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(1500*time.Millisecond, cancel)
	start := time.Now()
	// The silent server never answers, so Run is still waiting when ctx is cancelled.
	ctr, err := Run(ctx, silent)
	require.Error(t, err)
	assert.Less(t, time.Since(start), 10*time.Second)
	require.NoError(t, testcontainers.TerminateContainer(ctr))
	if ctr != nil {
		requireNoContainers(t, ctr.RunID())
	}
}

func TestOptionsValidate(t *testing.T) {
	_, err := Run(context.Background(), "unused", WithToken("  "))
	assert.ErrorContains(t, err, "empty token")
	_, err = Run(context.Background(), "unused", WithStartupTimeout(0))
	assert.ErrorContains(t, err, "not positive")
	req := testcontainers.GenericContainerRequest{}
	assert.ErrorContains(t, WithSeedData(filepath.Join(t.TempDir(), "missing.json"))(&req), "seed data")
	require.NoError(t, WithQuirks("a", "b")(&req))
	assert.Equal(t, []string{"--quirk", "a", "--quirk", "b"}, req.Cmd)
}
