package container

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/testcontainers/testcontainers-go"

	"github.com/scimcheck/scimcheck/reference/container/containertest"
)

// requireDocker skips the test when no Docker engine answers, or fails it when
// SCIMCHECK_REQUIRE_DOCKER=1 (as .ci/run sets).
func requireDocker(t testing.TB) {
	t.Helper()
	dockerOnce.Do(func() { dockerErr = Available(context.Background()) })
	if dockerErr == nil {
		return
	}
	if os.Getenv("SCIMCHECK_REQUIRE_DOCKER") == "1" {
		t.Fatalf("docker is not available: %v (SCIMCHECK_REQUIRE_DOCKER=1 makes this a failure)", dockerErr)
	}
	t.Skipf("docker is not available: %v; set SCIMCHECK_REQUIRE_DOCKER=1 to make this a failure", dockerErr)
}

var (
	dockerOnce sync.Once
	dockerErr  error

	binOnce sync.Once
	binPath string
	binErr  error

	refOnce  sync.Once
	refImage string
	refErr   error
	refLog   bytes.Buffer

	silentOnce  sync.Once
	silentDir   string
	silentImage string
	silentErr   error
)

// testBinary returns the path of a static linux scimcheck binary: $SCIMCHECK_TEST_BINARY,
// or one built once per test binary exactly as BuildImage builds it by default.
func testBinary(t testing.TB) string {
	t.Helper()
	requireDocker(t)
	binOnce.Do(func() {
		if binPath = os.Getenv("SCIMCHECK_TEST_BINARY"); binPath != "" {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		root, err := moduleRoot(ctx)
		if err != nil {
			binErr = err
			return
		}
		dir, err := tempDir()
		if err != nil {
			binErr = err
			return
		}
		binPath, binErr = goBuild(ctx, root, runtime.GOARCH, dir, io.Discard)
	})
	require.NoError(t, binErr)
	return binPath
}

// referenceImage builds the reference image once per test binary and returns its name.
func referenceImage(t testing.TB) string {
	t.Helper()
	bin := testBinary(t)
	refOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		refImage, refErr = BuildImage(ctx, WithBinary(bin), WithBuildLog(&refLog))
	})
	require.NoError(t, refErr, "build log:\n%s", refLog.String())
	return refImage
}

// silentServer builds testdata/silent (a server that accepts connections and never
// answers) and returns a build context directory holding it with a Dockerfile, and the
// name of an image built from that directory.
func silentServer(t testing.TB) (dir, image string) {
	t.Helper()
	requireDocker(t)
	silentOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		silentDir, silentErr = tempDir()
		if silentErr != nil {
			return
		}
		cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", filepath.Join(silentDir, "silent"), "./testdata/silent")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH)
		if out, err := cmd.CombinedOutput(); err != nil {
			silentErr = fmt.Errorf("go build ./testdata/silent: %v\n%s", err, out)
			return
		}
		dockerfile := "FROM scratch\nCOPY silent /silent\nUSER 65532:65532\nEXPOSE 8080\nENTRYPOINT [\"/silent\"]\n"
		if silentErr = os.WriteFile(filepath.Join(silentDir, "Dockerfile"), []byte(dockerfile), 0o644); silentErr != nil {
			return
		}
		raw, err := os.ReadFile(filepath.Join(silentDir, "silent"))
		if err != nil {
			silentErr = err
			return
		}
		cli, err := testcontainers.NewDockerClientWithOpts(ctx)
		if err != nil {
			silentErr = err
			return
		}
		defer cli.Close()
		silentImage = "scimcheck-silent:test-" + NewRunID() // per process: runs may share an engine
		silentErr = buildFromFiles(ctx, cli, silentImage, []contextFile{
			{name: "Dockerfile", mode: 0o644, data: []byte(dockerfile)},
			{name: "silent", mode: 0o755, data: raw},
		}, map[string]string{LabelRole: "test-image"}, &bytes.Buffer{})
	})
	require.NoError(t, silentErr)
	return silentDir, silentImage
}

// requireNoContainers fails unless no container, running or not, carries run id.
func requireNoContainers(t testing.TB, runID string) {
	t.Helper()
	require.NotEmpty(t, runID)
	ids, err := RunContainers(context.Background(), runID)
	require.NoError(t, err)
	require.Empty(t, ids, "containers left behind by run %s", runID)
}

var tempDirs []string

// tempDir makes a directory that TestMain removes after the tests.
func tempDir() (string, error) {
	dir, err := os.MkdirTemp("", "scimcheck-container-test-")
	if err == nil {
		tempDirs = append(tempDirs, dir)
	}
	return dir, err
}

// TestMain turns testcontainers' Ryuk reaper off unless the environment chose (as the
// scimcheck command does: the tests remove what they start by its LabelRun label), runs the
// tests, then removes the directories of tempDir and the images the tests built.
func TestMain(m *testing.M) {
	containertest.ReaperOff()
	before := containertest.ImageTags(ImageRepository)
	code := m.Run()
	for tag := range containertest.ImageTags(ImageRepository) {
		if !before[tag] {
			containertest.RemoveImage(tag) // a reference image these tests built
		}
	}
	if silentImage != "" {
		containertest.RemoveImage(silentImage)
	}
	for _, dir := range tempDirs {
		os.RemoveAll(dir)
	}
	os.Exit(code)
}
