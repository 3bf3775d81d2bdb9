package steps_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimcheck/scimcheck/reference"
	"github.com/scimcheck/scimcheck/steps"
	"github.com/scimcheck/scimcheck/steps/scim"
)

// exploreSuite returns a suite with seed against a fresh in-process reference server with
// quirks switched on.
func exploreSuite(t testing.TB, quirks reference.Quirks, seed int64) *steps.Suite {
	t.Helper()
	run := startReference(t, quirks)
	c, err := scim.New(scim.Config{BaseURL: run.URL, Secret: run.Token, Timeout: 20 * time.Second, Retry429: scim.Retry429{MaxAttempts: 1}})
	require.NoError(t, err)
	t.Cleanup(c.CloseIdleConnections)
	return &steps.Suite{Client: c, Seed: seed, RunID: "xp", BatchSize: 100}
}

// TestExploreFindsNothingOnTheReference: against the correct reference server, 20 seeds of
// 300 actions (odd seeds as an OIN app, even ones as an AIW app) find no divergence and no
// finding, and together draw every kind of action. With -short, 4 seeds.
func TestExploreFindsNothingOnTheReference(t *testing.T) {
	seeds := 20
	if testing.Short() {
		seeds = 4
	}
	drawn := make([]map[string]int, seeds)
	t.Run("seed", func(t *testing.T) {
		for i := range seeds {
			seed := int64(i + 1)
			t.Run(fmt.Sprint(seed), func(t *testing.T) {
				t.Parallel()
				s := exploreSuite(t, nil, seed)
				x, err := s.Explore(context.Background(), steps.ExploreOptions{AIW: seed%2 == 0})
				require.NoError(t, err)
				if d := x.Divergence; d != nil {
					t.Fatalf("a false divergence after action %d:\n%s\nshrunk: %q\n%s", d.Found, d.Message, d.Steps, d.Transcript)
				}
				assert.Equal(t, steps.DefaultExploreSteps, x.Actions, "the sequence never runs out of valid actions")
				assert.Empty(t, s.Findings(), "the reference server has no finding below okta grade either")
				assert.Empty(t, x.Cleanup, "everything the exploration created was cleaned up")
				drawn[i] = x.Drawn
			})
		}
	})
	total := map[string]int{}
	for _, d := range drawn {
		for k, n := range d {
			total[k] += n
		}
	}
	for _, k := range steps.ExploreActions() {
		assert.Positive(t, total[k], "no seed drew a %q action: its checks are never shown to run", k)
	}
}

// TestExploreIsDeterministic: the same seed against the same behaviour draws the same
// sequence and shrinks to the same scenario; against another behaviour it draws the same
// sequence up to the divergence.
func TestExploreIsDeterministic(t *testing.T) {
	explore := func(quirks reference.Quirks) *steps.Exploration {
		x, err := exploreSuite(t, quirks, 11).Explore(context.Background(), steps.ExploreOptions{})
		require.NoError(t, err)
		return x
	}
	broken := reference.Quirks{reference.QuirkRemoveAllMembers: true}
	a, b, fixed := explore(broken), explore(broken), explore(nil)
	require.NotNil(t, a.Divergence, "seed 11 finds %s", reference.QuirkRemoveAllMembers)
	require.NotNil(t, b.Divergence)
	assert.Equal(t, a.Sequence, b.Sequence)
	assert.Equal(t, a.Divergence.Steps, b.Divergence.Steps, "the same shrunk scenario")
	assert.Equal(t, a.Divergence.ShrinkRuns, b.Divergence.ShrinkRuns)
	assert.Equal(t, a.Sequence, fixed.Sequence[:len(a.Sequence)], "the sequence does not depend on the answers")
	assert.Equal(t, a.FeatureName(), b.FeatureName())
	assert.Contains(t, string(a.Feature("scimcheck explore --seed 11")), "Scenario: explore seed 11: remove-drops-others")
}

// TestExploreStopsWhenTheContextEnds: a stopped exploration is an error, not a divergence.
func TestExploreStopsWhenTheContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	x, err := exploreSuite(t, nil, 3).Explore(ctx, steps.ExploreOptions{})
	require.Error(t, err)
	assert.Nil(t, x)
}

// BenchmarkExplore explores the in-process reference server, 300 actions a time, and
// reports actions per second (each action with its check of the app).
func BenchmarkExplore(b *testing.B) {
	actions := 0
	start := time.Now()
	for i := range b.N {
		s := exploreSuite(b, nil, int64(i+1))
		x, err := s.Explore(context.Background(), steps.ExploreOptions{})
		require.NoError(b, err)
		actions += x.Actions
	}
	b.ReportMetric(float64(actions)/time.Since(start).Seconds(), "actions/s")
}

// BenchmarkExploreShrink explores the reference server with remove-drops-all-members until
// the divergence and shrinks it, and reports the time and trial runs shrinking took.
func BenchmarkExploreShrink(b *testing.B) {
	var shrink time.Duration
	runs, steps_ := 0, 0
	for range b.N {
		s := exploreSuite(b, reference.Quirks{reference.QuirkRemoveAllMembers: true}, 1)
		x, err := s.Explore(context.Background(), steps.ExploreOptions{})
		require.NoError(b, err)
		require.NotNil(b, x.Divergence)
		shrink += x.Divergence.ShrinkTime
		runs += x.Divergence.ShrinkRuns
		steps_ = len(x.Divergence.Steps)
	}
	b.ReportMetric(float64(shrink.Milliseconds())/float64(b.N), "shrink-ms")
	b.ReportMetric(float64(runs)/float64(b.N), "shrink-runs")
	b.ReportMetric(float64(steps_), "steps")
}

// TestExploreToleratesWhatOktaTolerates: with a quirk below okta grade (review, rfc or none)
// switched on, no action diverges: Okta's engine accepts those answers, and explore notes
// them as findings instead. The quirks run as OIN and AIW apps in turn. With -short, three of them.
func TestExploreToleratesWhatOktaTolerates(t *testing.T) {
	var quirks []reference.Quirk
	for _, info := range reference.QuirkCatalogue() {
		if info.Grade != "okta" {
			quirks = append(quirks, info.Name)
		}
	}
	if testing.Short() {
		quirks = []reference.Quirk{reference.QuirkItemsPerPageEchoesCount, reference.QuirkGroupDelete200, reference.QuirkPatch204}
	}
	noted := map[reference.Quirk][]string{}
	var mu sync.Mutex
	t.Run("quirk", func(t *testing.T) {
		for i, q := range quirks {
			t.Run(string(q), func(t *testing.T) {
				t.Parallel()
				s := exploreSuite(t, reference.Quirks{q: true}, 1)
				x, err := s.Explore(context.Background(), steps.ExploreOptions{AIW: i%2 == 1}) // OIN and AIW in turn
				require.NoError(t, err)
				if d := x.Divergence; d != nil {
					t.Fatalf("%s is below okta grade, yet explore diverged after action %d:\n%s\nshrunk: %q", q, d.Found, d.Message, d.Steps)
				}
				mu.Lock()
				defer mu.Unlock()
				for _, f := range s.Findings() {
					noted[q] = append(noted[q], f.Failure.Key())
				}
			})
		}
	})
	assert.Contains(t, noted[reference.QuirkItemsPerPageEchoesCount], "items-per-page-echoes-count", "a finding in passing")
	assert.Contains(t, noted[reference.QuirkGroupDelete200], "delete-200", "a finding in passing")
}

// TestExploreKeepsTheShortestSoFarWhenStopped: a run stopped while it shrinks (its deadline,
// Ctrl-C) still returns the divergence, with the shortest sequence found so far.
func TestExploreKeepsTheShortestSoFarWhenStopped(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := exploreSuite(t, reference.Quirks{reference.QuirkRemoveAllMembers: true}, 1)
	x, err := s.Explore(ctx, steps.ExploreOptions{Progress: func(format string, _ ...any) {
		if strings.HasPrefix(format, "shrunk to") {
			cancel() // after the first shrink run, which keeps the sequence up to the divergence
		}
	}})
	require.NoError(t, err)
	d := x.Divergence
	require.NotNil(t, d)
	assert.True(t, d.Reproduced)
	assert.Contains(t, d.Stopped, "explore stopped")
	assert.Equal(t, d.Found, d.Actions, "the sequence up to the divergence, unshrunk")
	assert.Equal(t, "remove-drops-others", d.Cause)
	assert.Contains(t, string(x.Feature("scimcheck explore --seed 1")), "# shrinking stopped early, so a shorter sequence may exist")
}
