package container

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/testcontainers/testcontainers-go"
)

// referenceTarget returns TargetOptions that run the reference image as a server under test.
func referenceTarget(t *testing.T, token string) TargetOptions {
	return TargetOptions{
		Image:          referenceImage(t),
		Cmd:            []string{"serve", "--addr", "0.0.0.0:8080"},
		Env:            map[string]string{"SCIMCHECK_TOKEN": token},
		StartupTimeout: 30 * time.Second,
	}
}

func TestStartTargetImageAnswersAndTerminates(t *testing.T) {
	opts := referenceTarget(t, "target-token")
	opts.WaitPath = "/scim/v2/ServiceProviderConfig"
	tgt, err := StartTarget(context.Background(), opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = tgt.Terminate(context.Background()) })

	assert.True(t, strings.HasPrefix(tgt.BaseURL(), "http://127.0.0.1:"), tgt.BaseURL())
	assert.True(t, strings.HasSuffix(tgt.BaseURL(), "/scim/v2"), tgt.BaseURL())
	status, _ := scimDo(t, http.MethodGet, tgt.BaseURL()+"/ServiceProviderConfig", "target-token", "")
	assert.Equal(t, http.StatusOK, status)
	ids, err := RunContainers(context.Background(), tgt.RunID)
	require.NoError(t, err)
	assert.Len(t, ids, 1)

	require.NoError(t, tgt.Terminate(context.Background()))
	require.NoError(t, tgt.Terminate(context.Background()), "a second Terminate is a no-op")
	requireNoContainers(t, tgt.RunID)
}

func TestStartTargetNeverReadyFailsWithinTimeout(t *testing.T) {
	dir, _ := silentServer(t)
	runID := NewRunID()
	start := time.Now()
	tgt, err := StartTarget(context.Background(), TargetOptions{
		DockerfileDir:  dir,
		Env:            map[string]string{"SCIMCHECK_TOKEN": "hush-hush-token"},
		StartupTimeout: 3 * time.Second,
		RunID:          runID,
	})
	elapsed := time.Since(start)
	require.Error(t, err)
	assert.Nil(t, tgt)
	requireNoContainers(t, runID)

	t.Logf("failed after %v:\n%v", elapsed.Round(time.Millisecond), err)
	assert.Less(t, elapsed, 3*time.Second+20*time.Second, "fails within the startup timeout plus build and removal")
	msg := err.Error()
	assert.Contains(t, msg, "container did not answer HTTP on port 8080 (GET /scim/v2) within 3s")
	assert.Contains(t, msg, "last log lines:")
	assert.Contains(t, msg, "silent: listening on :8080 with token "+redacted)
	assert.NotContains(t, msg, "hush-hush-token")
}

func TestStartTargetExitedServerFailsFast(t *testing.T) {
	opts := referenceTarget(t, "exit-token")
	opts.Cmd = []string{"serve", "--no-such-flag"}
	opts.RunID = NewRunID()
	start := time.Now()
	_, err := StartTarget(context.Background(), opts)
	require.Error(t, err)
	assert.Less(t, time.Since(start), 15*time.Second)
	requireNoContainers(t, opts.RunID)
	assert.Contains(t, err.Error(), "container exited with code 2 before answering HTTP on port 8080")
	assert.Contains(t, err.Error(), "no-such-flag")
}

func TestStartTargetInterruptedLeavesNothing(t *testing.T) {
	_, silent := silentServer(t)
	// Cancel at several moments: before create, around create and start, during the wait.
	for _, after := range []time.Duration{0, 10 * time.Millisecond, 50 * time.Millisecond, 150 * time.Millisecond, 400 * time.Millisecond, 1500 * time.Millisecond} {
		t.Run(fmt.Sprint(after), func(t *testing.T) {
			runID := NewRunID()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			time.AfterFunc(after, cancel)
			start := time.Now()
			tgt, err := StartTarget(ctx, TargetOptions{Image: silent, RunID: runID, StartupTimeout: time.Minute})
			require.Error(t, err)
			assert.Nil(t, tgt)
			assert.Less(t, time.Since(start), 15*time.Second)
			requireNoContainers(t, runID)
		})
	}
}

func TestStartTargetTLS(t *testing.T) {
	_, silent := silentServer(t)
	tgt, err := StartTarget(context.Background(), TargetOptions{
		Image: silent, Env: map[string]string{"SILENT_MODE": "tls"}, TLS: true, StartupTimeout: 30 * time.Second,
	})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, tgt.Terminate(context.Background())) })
	require.True(t, strings.HasPrefix(tgt.BaseURL(), "https://127.0.0.1:"), tgt.BaseURL())

	insecure := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // the test server's self-signed certificate
	}}
	resp, err := insecure.Get(tgt.BaseURL() + "/Users")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

func TestTerminateAfterCancelRemoves(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	tgt, err := StartTarget(ctx, referenceTarget(t, "cancel-token"))
	require.NoError(t, err)
	cancel() // Ctrl-C while the scenarios run
	require.NoError(t, tgt.Terminate(ctx))
	requireNoContainers(t, tgt.RunID)
}

func TestStartTargetMissingImage(t *testing.T) {
	requireDocker(t)
	runID := NewRunID()
	_, err := StartTarget(context.Background(), TargetOptions{Image: "scimcheck-no-such-image:never", RunID: runID, StartupTimeout: 5 * time.Second})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "start target image scimcheck-no-such-image:never: the image is not present locally and pulling it failed")
	requireNoContainers(t, runID)
}

func TestTargetOptionsDefaults(t *testing.T) {
	_, err := TargetOptions{}.withDefaults()
	assert.ErrorContains(t, err, "no image")
	_, err = TargetOptions{Image: "a", DockerfileDir: "b"}.withDefaults()
	assert.ErrorContains(t, err, "pick one")
	_, err = TargetOptions{Image: "a", Port: 70000}.withDefaults()
	assert.ErrorContains(t, err, "out of range")

	o, err := TargetOptions{Image: "a"}.withDefaults()
	require.NoError(t, err)
	assert.Equal(t, 8080, o.Port)
	assert.Equal(t, "/scim/v2", o.BasePath)
	assert.Equal(t, "/scim/v2", o.WaitPath)
	assert.Equal(t, DefaultStartupTimeout, o.StartupTimeout)
	assert.Len(t, o.RunID, 16)

	o, err = TargetOptions{Image: "a", BasePath: "api/scim/", WaitPath: "health"}.withDefaults()
	require.NoError(t, err)
	assert.Equal(t, "/api/scim", o.BasePath)
	assert.Equal(t, "/health", o.WaitPath)
	o, err = TargetOptions{Image: "a", BasePath: "/"}.withDefaults()
	require.NoError(t, err)
	assert.Equal(t, "", o.BasePath)
	assert.Equal(t, "/", o.WaitPath)
}

func TestLogTailRedacts(t *testing.T) {
	logs := "first abcd-secret\n" + strings.Repeat("noise\n", 30) + "token=abcd-secret-long and abcd-secret\nlast\n"
	got := tailLines(strings.NewReader(logs), 3, []string{"abcd-secret", "abcd-secret-long", ""})
	assert.Equal(t, "  first "+redacted+"\n"+strings.Repeat("  noise\n", 4)+"  ... (25 lines left out)\n"+
		"  noise\n  token="+redacted+" and "+redacted+"\n  last\n", got)
	assert.Equal(t, "  a\n  b\n", tailLines(strings.NewReader("a\nb\n"), 3, nil), "short logs are quoted whole")

	secrets := secretValues(map[string]string{"SCIMCHECK_TOKEN": "t0k3n", "API_KEY": "k3y-value", "PORT": "8080", "DB_PASSWORD": "pw"})
	assert.ElementsMatch(t, []string{"t0k3n", "k3y-value"}, secrets, "short values are not redacted")
	assert.Equal(t, "; the container logged nothing", logSuffix(" \n"))
}

func TestTerminateNilIsSafe(t *testing.T) {
	var tgt *Target
	assert.NoError(t, tgt.Terminate(context.Background()))
	assert.NoError(t, testcontainers.TerminateContainer(nil))
}
