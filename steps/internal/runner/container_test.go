package runner

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/testcontainers/testcontainers-go"
)

// The container tests start real containers. They skip when no Docker engine answers, and
// fail instead when SCIMCHECK_REQUIRE_DOCKER=1 (as CI sets). No image is pulled: the images
// are built locally FROM scratch around static binaries.

func TestReferenceContainerPassesEverything(t *testing.T) {
	cleanEnv(t)
	img := referenceImage(t)
	eng, runID := testEngine(img)
	serverLog := filepath.Join(t.TempDir(), "server.log")

	start := time.Now()
	r := runWith(t, eng, "--reference-container", "--server-log", serverLog)
	t.Logf("--reference-container, the full suite: %v", time.Since(start).Round(time.Millisecond))
	requireAllPass(t, r)
	assert.Contains(t, r.stdout, "(the reference server, in container ")
	assert.Contains(t, r.stdout, " of "+img+"; ")
	assert.NotContains(t, r.stdout, "in process")
	assert.Empty(t, r.stderr)
	assertQuiet(t, r)
	requireNoContainers(t, runID)

	raw, err := os.ReadFile(serverLog)
	require.NoError(t, err)
	assert.Contains(t, string(raw), "scimcheck reference server listening on")
	assert.Contains(t, string(raw), "path=/scim/v2/Users")
	assert.NotContains(t, string(raw), "Bearer")
}

func TestImageNeverReadyExits3(t *testing.T) {
	cleanEnv(t)
	_, silent := silentServer(t)
	eng, runID := testEngine("")
	t.Setenv("SCIMCHECK_TOKEN", "hush-hush-token")

	start := time.Now()
	r := runWith(t, eng, "--image", silent, "--container-env", "SCIMCHECK_TOKEN", "--container-env", "DB_URL=postgres://u:db-pass-word@db",
		"--container-startup-timeout", "2s")
	elapsed := time.Since(start)
	t.Logf("failed after %v:\n%s", elapsed.Round(time.Millisecond), r.stderr)
	assert.Equal(t, ExitError, r.code, r.dump())
	assert.Less(t, elapsed, 2*time.Second+15*time.Second, "fails within the startup timeout plus start and removal")
	assert.Contains(t, r.stderr, "container did not answer HTTP on port 8080 (GET /scim/v2) within 2s")
	assert.Contains(t, r.stderr, "last log lines:")
	assert.Contains(t, r.stderr, "silent: listening on :8080 with token [REDACTED]")
	for _, s := range []string{r.stdout, r.stderr} {
		assert.NotContains(t, s, "hush-hush-token")
		assert.NotContains(t, s, "db-pass-word")
	}
	assert.NotContains(t, r.stdout, "Capability", "nothing ran")
	assertQuiet(t, r)
	requireNoContainers(t, runID)
}

func TestImageOfTheReferenceServerPasses(t *testing.T) {
	cleanEnv(t)
	img := referenceImage(t)
	eng, runID := testEngine(img)
	const token = "image-run-token-0123"
	t.Setenv("SCIMCHECK_TOKEN", token)

	start := time.Now()
	r := runWith(t, eng, "--image", img, "--container-env", "SCIMCHECK_TOKEN="+token)
	t.Logf("--image of the reference image, the full suite: %v", time.Since(start).Round(time.Millisecond))
	requireAllPass(t, r)
	assert.Contains(t, r.stdout, "(image "+img+", in container ")
	assert.NotContains(t, r.stdout, token)
	assert.Empty(t, r.stderr)
	requireNoContainers(t, runID)
}

func TestNoContainerLeftBehind(t *testing.T) {
	cleanEnv(t)
	img := referenceImage(t)

	t.Run("passed", func(t *testing.T) {
		eng, runID := testEngine(img)
		r := runWith(t, eng, "--reference-container", "--tags", "@connection")
		require.Equal(t, ExitPass, r.code, r.dump())
		requireNoContainers(t, runID)
	})

	t.Run("failed, reference container with a quirk", func(t *testing.T) {
		eng, runID := testEngine(img)
		r := runWith(t, eng, "--reference-container", "--quirk", "internal-error", "--tags", "@connection", "--seed", "7")
		require.Equal(t, ExitFail, r.code, r.dump())
		assert.Contains(t, r.stdout, "; with quirks internal-error)")
		assert.Regexp(t, `scimcheck run --reference-container --quirk internal-error --name '\^.+\$' --seed 7 --trace-dir -`, r.stdout)
		requireNoContainers(t, runID)
	})

	t.Run("stopped, image that refuses the token", func(t *testing.T) {
		eng, runID := testEngine(img)
		t.Setenv("SCIMCHECK_TOKEN", "the-harness-token")
		r := runWith(t, eng, "--image", img, "--container-env", "SCIMCHECK_TOKEN=the-server-token", "--tags", "@connection")
		require.Equal(t, ExitError, r.code, r.dump())
		assert.Contains(t, r.stdout, "401: the target refused the credential")
		assert.Contains(t, r.stderr, "nothing was run: no scenario can pass", "the probe stops a pointless run")
		for _, s := range []string{r.stdout, r.stderr} {
			assert.NotContains(t, s, "the-server-token", "a --container-env value whose name says token")
			assert.NotContains(t, s, "the-harness-token")
		}
		requireNoContainers(t, runID)
	})

	t.Run("failed, image with a quirk in its command", func(t *testing.T) {
		eng, runID := testEngine(img)
		// No $SCIMCHECK_TOKEN: --container-token-env makes up the credential and hands it over.
		r := runWith(t, eng, "--image", img, "--container-cmd", "serve --addr 0.0.0.0:8080 --quirk deactivated-user-404",
			"--container-token-env", "SCIMCHECK_TOKEN", "--tags", "@deactivate-users")
		require.Equal(t, ExitFail, r.code, r.dump())
		assert.Regexp(t, `(?m)^Deactivate users +broken `, r.stdout)
		assert.Contains(t, r.stdout, "--container-cmd 'serve --addr 0.0.0.0:8080 --quirk deactivated-user-404' --container-token-env SCIMCHECK_TOKEN --name ")
		requireNoContainers(t, runID)
	})

	t.Run("server exits at start", func(t *testing.T) {
		eng, runID := testEngine(img)
		// Without $SCIMCHECK_TOKEN in the container, `scimcheck serve` refuses to start.
		r := runWith(t, eng, "--image", img, "--container-token-env", "WRONG_NAME", "--container-startup-timeout", "20s")
		require.Equal(t, ExitError, r.code, r.dump())
		assert.Contains(t, r.stderr, "container exited with code 2 before answering HTTP on port 8080")
		assert.Contains(t, r.stderr, "no credential configured")
		requireNoContainers(t, runID)
	})

	t.Run("interrupted while the scenarios run", func(t *testing.T) {
		eng, runID := testEngine(img)
		r := interruptWhen(t, eng, func(stdout string) bool {
			_, dots, _ := strings.Cut(stdout, "probe:")
			return strings.Count(dots, ".") > 30
		},
			"--reference-container", "--format", "progress")
		require.Equal(t, ExitInterrupted, r.code, r.dump())
		assert.Contains(t, r.stdout, "probe:", "the scenarios had started")
		assert.Contains(t, r.stderr, "interrupted (test interrupt): the results above are incomplete")
		requireNoContainers(t, runID)
	})

	t.Run("interrupted while the container starts", func(t *testing.T) {
		dir, _ := silentServer(t)
		eng, runID := testEngine("")
		t.Setenv("SCIMCHECK_TOKEN", "tok-tok-tok")
		start := time.Now()
		r := interruptWhen(t, eng, func(string) bool { return time.Since(start) > 1500*time.Millisecond },
			"--dockerfile", dir, "--container-startup-timeout", "1m")
		require.Equal(t, ExitInterrupted, r.code, r.dump())
		assert.Contains(t, r.stderr, "interrupted while starting the target")
		assert.Less(t, time.Since(start), 15*time.Second)
		requireNoContainers(t, runID)
		cli, err := testcontainers.NewDockerClientWithOpts(context.Background())
		require.NoError(t, err)
		defer cli.Close()
		_, err = cli.ImageInspect(context.Background(), "scimcheck-target:"+runID)
		assert.True(t, cerrdefs.IsNotFound(err), "the image built from --dockerfile is removed: %v", err)
	})
}

func TestNoDockerExits3(t *testing.T) {
	cleanEnv(t)
	eng := &engine{available: func(context.Context) error {
		return errors.New("no docker engine answers (tried $DOCKER_HOST, …): connection refused")
	}}
	for _, args := range [][]string{{"--reference-container"}, {"--image", "acme/scim:1.4", "--container-token-env", "API_TOKEN"}} {
		r := runWith(t, eng, args...)
		assert.Equal(t, ExitError, r.code, r.dump())
		assert.Contains(t, r.stderr, "scimcheck run: docker is not available, and "+args[0]+" needs it")
		assert.Contains(t, r.stderr, "start the Docker engine")
		assert.NotContains(t, r.stdout, "seed:", "nothing ran")
	}
}

func TestContainerUsageErrors(t *testing.T) {
	cleanEnv(t)
	t.Setenv("UNSET_FOR_TEST", "")
	os.Unsetenv("UNSET_FOR_TEST")
	dir := t.TempDir()
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"reference and target", map[string]string{"SCIMCHECK_TOKEN": "t"}, []string{"--reference-container", "--target", "http://127.0.0.1:1/scim/v2"},
			"--reference-container runs the bundled reference server in a container; it cannot be combined with --target, --image or --dockerfile"},
		{"reference and image", nil, []string{"--reference-container", "--image", "x"}, "it cannot be combined with --target, --image or --dockerfile"},
		{"reference and dockerfile", nil, []string{"--reference-container", "--dockerfile", dir}, "it cannot be combined with --target, --image or --dockerfile"},
		{"image and dockerfile", map[string]string{"SCIMCHECK_TOKEN": "t"}, []string{"--image", "x", "--dockerfile", dir}, "--image and --dockerfile both name the server under test"},
		{"image and target", map[string]string{"SCIMCHECK_TOKEN": "t"}, []string{"--image", "x", "--target", "http://127.0.0.1:1"}, "it cannot be combined with --target"},
		{"image without token", nil, []string{"--image", "x"}, "--image needs the credential the server accepts: set SCIMCHECK_TOKEN"},
		{"dockerfile without a Dockerfile", map[string]string{"SCIMCHECK_TOKEN": "t"}, []string{"--dockerfile", dir}, "--dockerfile " + dir + ": no Dockerfile there"},
		{"container flags without a container", nil, []string{"--container-port", "3000"}, "configure the container of --image or --dockerfile"},
		{"base path without a container", nil, []string{"--base-path", "/api"}, "configure the container of --image or --dockerfile"},
		{"command without a container", nil, []string{"--container-cmd", "serve"}, "configure the container of --image or --dockerfile"},
		{"empty command", map[string]string{"SCIMCHECK_TOKEN": "t"}, []string{"--image", "x", "--container-cmd", " "}, "--container-cmd is empty"},
		{"quirk with image", map[string]string{"SCIMCHECK_TOKEN": "t"}, []string{"--image", "x", "--quirk", "internal-error"}, "cannot be combined with --image"},
		{"server log with image", map[string]string{"SCIMCHECK_TOKEN": "t"}, []string{"--image", "x", "--server-log", filepath.Join(dir, "l")}, "cannot be combined with --image"},
		{"port out of range", map[string]string{"SCIMCHECK_TOKEN": "t"}, []string{"--image", "x", "--container-port", "70000"}, "--container-port 70000"},
		{"zero startup timeout", nil, []string{"--reference-container", "--container-startup-timeout", "0s"}, "--container-startup-timeout must be positive"},
		{"env without a name", map[string]string{"SCIMCHECK_TOKEN": "t"}, []string{"--image", "x", "--container-env", "=s3cr3t-value"}, `--container-env: "" is not a variable name`},
		{"env passed on but unset", map[string]string{"SCIMCHECK_TOKEN": "t"}, []string{"--image", "x", "--container-env", "UNSET_FOR_TEST"}, "--container-env UNSET_FOR_TEST: $UNSET_FOR_TEST is not set"},
		{"env twice", map[string]string{"SCIMCHECK_TOKEN": "t"}, []string{"--image", "x", "--container-env", "A=s3cr3t-value", "--container-env", "A=other-s3cr3t"}, "--container-env A is given twice"},
		{"token env also in env", nil, []string{"--image", "x", "--container-env", "API_TOKEN=s3cr3t-value", "--container-token-env", "API_TOKEN"}, "--container-env sets API_TOKEN too"},
		{"bad token env name", nil, []string{"--image", "x", "--container-token-env", "A B"}, `--container-token-env: "A B" is not a variable name`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			r := runArgs(t, tc.args...)
			assert.Equal(t, ExitUsage, r.code, r.dump())
			assert.Contains(t, r.stderr, tc.want)
			assert.NotContains(t, r.stderr, "s3cr3t", "a usage error never quotes a --container-env value")
			assert.NotContains(t, r.stdout, "seed:", "nothing may run after a usage error")
		})
	}
}

func TestContainerFlagsApply(t *testing.T) {
	cleanEnv(t)
	t.Setenv("SCIMCHECK_TARGET", "http://127.0.0.1:1/scim/v2")
	t.Setenv("PASSED_ON", "from-my-env")

	o, err := parseRunFlags(t, "--image", "acme/scim:1.4", "--container-port", "3000", "--base-path", "/api/scim/v2",
		"--container-cmd", " serve  --addr 0.0.0.0:3000 ",
		"--container-env", "A=1", "--container-env", "PASSED_ON", "--container-env", "EMPTY=", "--container-token-env", "API_TOKEN",
		"--container-startup-timeout", "5s")
	require.NoError(t, err)
	assert.Empty(t, o.Target, "$SCIMCHECK_TARGET does not apply when --image names the server")
	assert.Equal(t, ContainerOptions{
		Image: "acme/scim:1.4", Port: 3000, BasePath: "/api/scim/v2", TokenEnv: "API_TOKEN", StartupTimeout: 5 * time.Second,
		Cmd: []string{"serve", "--addr", "0.0.0.0:3000"},
		Env: map[string]string{"A": "1", "PASSED_ON": "from-my-env", "EMPTY": ""},
	}, o.Container)
	assert.Equal(t, []string{"--image", "acme/scim:1.4", "--container-port", "3000", "--base-path", "/api/scim/v2",
		"--container-cmd", "serve --addr 0.0.0.0:3000",
		"--container-env", "A", "--container-env", "EMPTY", "--container-env", "PASSED_ON", "--container-token-env", "API_TOKEN",
		"--container-startup-timeout", "5s"}, o.Container.rerunArgs())

	o, err = parseRunFlags(t, "--reference-container")
	require.NoError(t, err)
	assert.Equal(t, []string{"--reference-container"}, o.Container.rerunArgs())
	assert.Empty(t, ContainerOptions{}.rerunArgs())

	o, err = parseRunFlags(t)
	require.NoError(t, err)
	assert.Equal(t, "http://127.0.0.1:1/scim/v2", o.Target, "$SCIMCHECK_TARGET applies without a container flag")
	assert.False(t, o.Container.enabled())
}

func TestContainerSecretsAreRedacted(t *testing.T) {
	env := map[string]string{"API_KEY": "k3y-value", "DB_PASSWORD": "pw", "PORT": "8080", "LOG_LEVEL": "debug"}
	assert.ElementsMatch(t, []string{"k3y-value"}, credentialValues(env), "credential names only, four characters or more")
	assert.ElementsMatch(t, []string{"k3y-value", "8080", "debug"}, logSecrets(env), "every value in quoted logs")
	rd, err := outputRedactor("bearer", "the-token", env)
	require.NoError(t, err)
	assert.Equal(t, "[REDACTED] [REDACTED] 8080 debug", rd.String("the-token k3y-value 8080 debug"))
}

func TestCommandHelpContainers(t *testing.T) {
	r := runArgs(t, "--help")
	assert.Equal(t, ExitPass, r.code)
	for _, want := range []string{
		"-reference-container", "-image image", "-dockerfile dir", "-container-port port", "-container-env NAME=VALUE",
		"-container-token-env NAME", "-container-cmd command", "-base-path path", "-container-startup-timeout duration", "(default 1m0s)",
		"scimcheck run --reference-container", "scimcheck run --image acme/scim:1.4 --container-port 3000",
		"--container-env values are never printed",
	} {
		assert.Contains(t, r.stdout, want)
	}
}
