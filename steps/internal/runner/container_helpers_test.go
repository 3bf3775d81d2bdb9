package runner

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/moby/moby/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/testcontainers/testcontainers-go"
	tclog "github.com/testcontainers/testcontainers-go/log"

	"github.com/scimcheck/scimcheck/reference/container"
	"github.com/scimcheck/scimcheck/reference/container/containertest"
)

var (
	dockerOnce sync.Once
	dockerErr  error

	refOnce  sync.Once
	refImage string
	refErr   error

	silentOnce  sync.Once
	silentDir   string
	silentImage string
	silentErr   error
)

// requireDocker skips the test when no Docker engine answers, or fails it when
// SCIMCHECK_REQUIRE_DOCKER=1.
func requireDocker(t *testing.T) {
	t.Helper()
	dockerOnce.Do(func() { dockerErr = container.Available(context.Background()) })
	if dockerErr == nil {
		return
	}
	if os.Getenv("SCIMCHECK_REQUIRE_DOCKER") == "1" {
		t.Fatalf("docker is not available: %v (SCIMCHECK_REQUIRE_DOCKER=1 makes this a failure)", dockerErr)
	}
	t.Skipf("docker is not available: %v; set SCIMCHECK_REQUIRE_DOCKER=1 to make this a failure", dockerErr)
}

// referenceImage builds the reference image once per test binary, from $SCIMCHECK_TEST_BINARY
// or a static binary built from this module, and returns its name; testEngine makes
// --reference-container use it rather than build one per run.
func referenceImage(t *testing.T) string {
	t.Helper()
	requireDocker(t)
	refOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		bin := os.Getenv("SCIMCHECK_TEST_BINARY")
		if bin == "" {
			dir, err := os.MkdirTemp("", "scimcheck-runner-test-")
			if err != nil {
				refErr = err
				return
			}
			defer os.RemoveAll(dir) // the image holds a copy
			bin = filepath.Join(dir, "scimcheck")
			if refErr = goBuildStatic(ctx, "../../..", "."+string(filepath.Separator), bin); refErr != nil {
				return
			}
		}
		// A repository of its own: the reference/container tests, which may run at the same
		// time, build the same binary into container.ImageRepository and remove theirs.
		refImage, refErr = container.BuildImage(ctx, container.WithBinary(bin), container.WithRepository(testRepository()))
	})
	require.NoError(t, refErr)
	return refImage
}

// goBuildStatic builds the main package pkg of the module at dir as a static linux binary
// for this machine's architecture into out.
func goBuildStatic(ctx context.Context, dir, pkg, out string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-buildvcs=false", "-ldflags=-s -w", "-o", out, pkg)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH)
	if raw, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %v\n%s", pkg, err, raw)
	}
	return nil
}

// silentServer returns a build context holding reference/container/testdata/silent (a
// server that accepts connections and never answers; it prints $SCIMCHECK_TOKEN) with a
// Dockerfile, and the name of an image built from it.
func silentServer(t *testing.T) (dir, image string) {
	t.Helper()
	requireDocker(t)
	silentOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		if silentDir, silentErr = os.MkdirTemp("", "scimcheck-silent-"); silentErr != nil {
			return
		}
		if silentErr = goBuildStatic(ctx, "../../../reference/container", "./testdata/silent", filepath.Join(silentDir, "silent")); silentErr != nil {
			return
		}
		dockerfile := "FROM scratch\nCOPY silent /silent\nUSER 65532:65532\nEXPOSE 8080\nENTRYPOINT [\"/silent\"]\n"
		if silentErr = os.WriteFile(filepath.Join(silentDir, "Dockerfile"), []byte(dockerfile), 0o644); silentErr != nil {
			return
		}
		silentImage = "scimcheck-silent:runner-" + container.NewRunID() // per process: runs may share an engine
		silentErr = buildImage(ctx, silentDir, silentImage)
	})
	require.NoError(t, silentErr)
	return silentDir, silentImage
}

// buildImage builds the Dockerfile in dir (regular files only) as the image tag.
func buildImage(ctx context.Context, dir, tag string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		raw, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return err
		}
		if err := tw.WriteHeader(&tar.Header{Name: e.Name(), Mode: 0o755, Size: int64(len(raw)), ModTime: time.Unix(0, 0)}); err != nil {
			return err
		}
		if _, err := tw.Write(raw); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	cli, err := testcontainers.NewDockerClientWithOpts(ctx)
	if err != nil {
		return err
	}
	defer cli.Close()
	res, err := cli.ImageBuild(ctx, &buf, client.ImageBuildOptions{
		Tags: []string{tag}, Dockerfile: "Dockerfile", Remove: true, ForceRemove: true,
		Labels: map[string]string{container.LabelRole: "test-image"},
	})
	if err != nil {
		return fmt.Errorf("docker build %s: %w", tag, err)
	}
	out, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if _, err := cli.ImageInspect(ctx, tag); err != nil {
		return fmt.Errorf("docker build %s: no image afterwards: %w\n%s", tag, err, out)
	}
	return nil
}

// testEngine returns the Docker engine of a test's runs: they label their containers with a
// fresh run id, which it returns too, and --reference-container uses the image img (when
// not empty) instead of building one.
func testEngine(img string) (*engine, string) {
	id := container.NewRunID()
	eng := &engine{newRunID: func() string { return id }}
	if img != "" {
		eng.buildReference = func(context.Context) (string, error) { return img, nil }
	}
	return eng, id
}

// runWith is runArgs with the Docker engine eng.
func runWith(t *testing.T, eng *engine, args ...string) result {
	t.Helper()
	var out, errb syncBuffer
	ctx, cancel := context.WithTimeout(context.Background(), runLimit)
	defer cancel()
	code := command(ctx, args, &out, &errb, eng)
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

// requireNoContainers fails unless no container, running or not, carries the run id.
func requireNoContainers(t *testing.T, runID string) {
	t.Helper()
	ids, err := container.RunContainers(context.Background(), runID)
	require.NoError(t, err)
	require.Empty(t, ids, "containers left behind by run %s", runID)
}

// cleanEnv keeps the caller's $SCIMCHECK_TOKEN and $SCIMCHECK_TARGET out of a test.
func cleanEnv(t *testing.T) {
	t.Helper()
	t.Setenv("SCIMCHECK_TOKEN", "")
	t.Setenv("SCIMCHECK_TARGET", "")
}

// requireAllPass fails unless r passed with every capability of the table "pass".
func requireAllPass(t *testing.T, r result) {
	t.Helper()
	require.Equal(t, ExitPass, r.code, r.dump())
	for _, c := range capabilities() {
		assert.Regexp(t, `(?m)^`+regexp.QuoteMeta(c.title)+` +works `, r.stdout)
	}
	assert.Regexp(t, `(?m)^[0-9]+ passed, 0 failed, 0 blocked, 0 skipped, 0 not selected;`, r.stdout)
}

// assertQuiet checks that testcontainers printed nothing.
func assertQuiet(t *testing.T, r result) {
	t.Helper()
	for _, s := range []string{r.stdout, r.stderr} {
		assert.NotContains(t, s, "Testcontainers")
		assert.NotContains(t, s, "🐳")
		assert.NotContains(t, s, "Connected to docker")
	}
}

// interruptWhen runs Command with args and cancels its context once stop(stdout) holds,
// then returns what it printed.
func interruptWhen(t *testing.T, eng *engine, stop func(stdout string) bool, args ...string) result {
	t.Helper()
	var out, errb syncBuffer
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	done := make(chan int, 1)
	go func() { done <- command(ctx, args, &out, &errb, eng) }()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(runLimit)
	for {
		select {
		case code := <-done:
			return result{code: code, stdout: out.String(), stderr: errb.String()}
		case <-tick.C:
			if stop(out.String()) {
				cancel(errors.New("test interrupt"))
			}
		case <-deadline:
			cancel(errors.New("test deadline"))
			t.Fatalf("run did not end within %s\nstdout:\n%s\nstderr:\n%s", runLimit, out.String(), errb.String())
		}
	}
}

// parseRunFlags parses args with --target and the container flags, as Command does.
func parseRunFlags(t *testing.T, args ...string) (Options, error) {
	t.Helper()
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var o Options
	o.Target = os.Getenv("SCIMCHECK_TARGET")
	fs.StringVar(&o.Target, "target", o.Target, "")
	cf := addContainerFlags(fs, &o.Container)
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	err := cf.apply(fs, &o)
	return o, err
}

// testRepository returns where the tests tag the reference images they build: a repository of
// this test process alone, so that TestMain's clean-up never removes the image of another
// `go test` running on the same engine (two worktrees, or CI beside a developer).
func testRepository() string { return fmt.Sprintf("scimcheck-reference-runner-test-%d", os.Getpid()) }

// TestMain turns testcontainers' Ryuk reaper off unless the environment chose, as the
// scimcheck command does (the tests remove what they start by its org.scimcheck.run label),
// runs the tests, then removes the silent server's image and build directory.
func TestMain(m *testing.M) {
	if args, ok := childArgs(); ok { // hostile_test.go: the test binary as the scimcheck command
		os.Exit(runChild(args))
	}
	containertest.ReaperOff()
	tclog.SetDefault(tclog.NewNoopLogger()) // as main does: testcontainers' banner off the console
	code := m.Run()
	for tag := range containertest.ImageTags(testRepository()) {
		containertest.RemoveImage(tag) // the reference images these tests built
	}
	if silentImage != "" {
		containertest.RemoveImage(silentImage)
	}
	if silentDir != "" {
		os.RemoveAll(silentDir)
	}
	containertest.RemoveDanglingImages(container.LabelRole + "=test-image")
	os.Exit(code)
}
