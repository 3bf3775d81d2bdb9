package steps_test

import (
	"bytes"
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cucumber/godog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimcheck/scimcheck/features"
	"github.com/scimcheck/scimcheck/reference"
	"github.com/scimcheck/scimcheck/reference/server"
	"github.com/scimcheck/scimcheck/steps"
	"github.com/scimcheck/scimcheck/steps/scim"
)

// newSuite starts an in-process reference server with quirks switched on and returns a Suite
// pointed at it. Both are stopped when the test ends.
func newSuite(t *testing.T, quirks reference.Quirks) *steps.Suite {
	t.Helper()
	run := startReference(t, quirks)
	c, err := scim.New(scim.Config{
		BaseURL:  run.URL,
		Secret:   run.Token,
		Timeout:  20 * time.Second,
		Retry429: scim.Retry429{MaxAttempts: 1},
	})
	require.NoError(t, err)
	return &steps.Suite{Client: c, Seed: 42, RunID: "t" + strconv.Itoa(os.Getpid()%10000), BatchSize: 100}
}

// startReference starts an in-process reference server with quirks switched on, stopped when
// the test ends.
func startReference(t testing.TB, quirks reference.Quirks) *server.Running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	run, err := server.Start(ctx, server.Config{Options: server.Options{Quirks: quirks}})
	require.NoError(t, err)
	t.Cleanup(func() {
		cancel()
		_ = run.Close()
	})
	return run
}

// referenceServer starts a correct reference server and returns it, its URL and its token.
func referenceServer(t *testing.T) (*server.Running, string, string) {
	t.Helper()
	run := startReference(t, nil)
	return run, run.URL, run.Token
}

// randomSeed returns the scenario order seed: $SCIMCHECK_ORDER_SEED, or the clock's.
func randomSeed(t *testing.T) int64 {
	t.Helper()
	seed := time.Now().UnixNano()
	if v := os.Getenv("SCIMCHECK_ORDER_SEED"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		require.NoError(t, err, "SCIMCHECK_ORDER_SEED")
		seed = n
	}
	t.Logf("scenario order: SCIMCHECK_ORDER_SEED=%d", seed)
	return seed
}

// TestFeaturesPassOnReference runs every scenario of features/okta, in random order, against
// the reference server: each must pass.
func TestFeaturesPassOnReference(t *testing.T) {
	s := newSuite(t, nil)
	status := godog.TestSuite{
		Name:                "okta",
		ScenarioInitializer: s.InitializeScenario,
		Options: &godog.Options{
			Format:      "progress",
			Output:      &bytes.Buffer{},
			Paths:       []string{"okta"},
			FS:          features.FS,
			TestingT:    t,
			Strict:      true,
			Concurrency: 1,
			Randomize:   randomSeed(t),
		},
	}.Run()
	assert.Zero(t, status, "godog exit status")
	results := s.Results()
	require.NotEmpty(t, results)
	for _, r := range results {
		assert.Equal(t, "passed", r.Status, "%s / %s: %s", r.Feature, r.Name, r.Message)
		assert.NotEmpty(t, r.Feature)
		assert.NotEmpty(t, r.Steps, r.Name)
	}
	assert.Greater(t, s.Requests(), int64(len(results)))
	assert.False(t, strings.Contains(results[0].Feature, ".feature"), "feature names come from the Feature: line")
}

// TestFeaturesConcurrently runs every scenario four at a time against one reference server:
// scenarios share nothing but the target, so each must still pass.
func TestFeaturesConcurrently(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	s := newSuite(t, nil)
	var out bytes.Buffer
	status := godog.TestSuite{
		Name:                "okta",
		ScenarioInitializer: s.InitializeScenario,
		Options: &godog.Options{
			Format:      "progress",
			Output:      &out,
			Paths:       []string{"okta"},
			FS:          features.FS,
			Strict:      true,
			Concurrency: 4,
			Randomize:   randomSeed(t),
		},
	}.Run()
	for _, r := range s.Results() {
		assert.Equal(t, "passed", r.Status, "%s / %s: %s", r.Feature, r.Name, r.Message)
	}
	assert.Zero(t, status, out.String())
}
