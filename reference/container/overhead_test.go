package container

import (
	"context"
	"io"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/moby/moby/client"
	"github.com/stretchr/testify/require"
	"github.com/testcontainers/testcontainers-go"
)

// timedRun starts the reference container from img and returns how long creating and
// starting took, how long it then took to answer, and how long removing it took.
func timedRun(tb testing.TB, img string) (start, ready, remove time.Duration) {
	tb.Helper()
	var started, readied time.Time
	hooks := testcontainers.WithAdditionalLifecycleHooks(testcontainers.ContainerLifecycleHooks{
		// User post-hooks run before testcontainers' own, so this one runs before the wait.
		PostStarts:  []testcontainers.ContainerHook{func(context.Context, testcontainers.Container) error { started = time.Now(); return nil }},
		PostReadies: []testcontainers.ContainerHook{func(context.Context, testcontainers.Container) error { readied = time.Now(); return nil }},
	})
	t0 := time.Now()
	ctr, err := Run(context.Background(), img, hooks)
	if err != nil {
		_ = testcontainers.TerminateContainer(ctr)
		require.NoError(tb, err)
	}
	t1 := time.Now()
	require.NoError(tb, testcontainers.TerminateContainer(ctr))
	return started.Sub(t0), readied.Sub(started), time.Since(t1)
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// TestOverhead measures what a reference container costs: building the binary and the
// image (cold, then cached), starting the container, waiting until it answers, removing it.
// The figures go to the test log (go test -v -run TestOverhead ./reference/container/).
func TestOverhead(t *testing.T) {
	requireDocker(t)
	ctx := context.Background()
	cli, err := testcontainers.NewDockerClientWithOpts(ctx)
	require.NoError(t, err)
	defer cli.Close()
	ver, err := cli.ServerVersion(ctx, client.ServerVersionOptions{})
	require.NoError(t, err)

	goBuildTime := "n/a (prebuilt $SCIMCHECK_TEST_BINARY)"
	if os.Getenv("SCIMCHECK_TEST_BINARY") == "" {
		root, err := moduleRoot(ctx)
		require.NoError(t, err)
		t0 := time.Now()
		_, err = goBuild(ctx, root, ver.Arch, t.TempDir(), io.Discard)
		require.NoError(t, err)
		goBuildTime = time.Since(t0).Round(time.Millisecond).String() + " (warm Go build cache)"
	}
	raw, err := os.ReadFile(testBinary(t))
	require.NoError(t, err)

	tag := "scimcheck-overhead:" + NewRunID()
	t0 := time.Now()
	err = buildWith(ctx, cli, referenceFiles(raw), client.ImageBuildOptions{Tags: []string{tag}, NoCache: true, Labels: referenceLabels()}, io.Discard)
	cold := time.Since(t0)
	t.Cleanup(func() {
		_, _ = cli.ImageRemove(context.Background(), tag, client.ImageRemoveOptions{Force: true, PruneChildren: true})
	})
	require.NoError(t, err)

	img := referenceImage(t)
	t0 = time.Now()
	// The image built from these bytes exists: BuildImage hashes the binary, finds the tag
	// and builds nothing. (Building from source adds a go build, a no-op but for the link.)
	again, err := BuildImage(ctx, WithBinary(testBinary(t)))
	cached := time.Since(t0)
	require.NoError(t, err)
	require.Equal(t, img, again, "same binary, same image")

	const runs = 3
	var starts, readies, removes []time.Duration
	for range runs {
		s, r, rm := timedRun(t, img)
		starts, readies, removes = append(starts, s), append(readies, r), append(removes, rm)
	}
	ms := func(d time.Duration) string { return d.Round(time.Millisecond).String() }
	t.Logf("reference container overhead (docker %s, %s/%s, median of %d runs):", ver.Version, ver.Os, ver.Arch, runs)
	t.Logf("  go build of the static binary:   %s", goBuildTime)
	t.Logf("  image build, cold (no cache):    %s (binary %.1f MB)", ms(cold), float64(len(raw))/1e6)
	t.Logf("  BuildImage, image cached:        %s (plus the go build when building from source)", ms(cached))
	t.Logf("  container create + start:        %s", ms(median(starts)))
	t.Logf("  start to ready (authenticated):  %s", ms(median(readies)))
	t.Logf("  create + start + ready:          %s", ms(median(starts)+median(readies)))
	t.Logf("  terminate (stop + remove):       %s", ms(median(removes)))
}

// BenchmarkReferenceContainer reports the time from Run to ready and to removal.
func BenchmarkReferenceContainer(b *testing.B) {
	img := referenceImage(b)
	var start, ready, remove time.Duration
	n := 0
	for b.Loop() {
		s, r, rm := timedRun(b, img)
		start, ready, remove = start+s, ready+r, remove+rm
		n++
	}
	b.ReportMetric(float64(start.Milliseconds())/float64(n), "start-ms/op")
	b.ReportMetric(float64(ready.Milliseconds())/float64(n), "ready-ms/op")
	b.ReportMetric(float64(remove.Milliseconds())/float64(n), "remove-ms/op")
}
