package steps_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scimcheck/scimcheck/reference"
	"github.com/scimcheck/scimcheck/steps"
	"github.com/scimcheck/scimcheck/steps/scim"
)

// exploreSuite returns a suite against a fresh in-process reference server with quirks on.
func exploreSuite(t testing.TB, quirks reference.Quirks, seed int64) *steps.Suite {
	t.Helper()
	run := startReference(t.(*testing.T), quirks)
	c, err := scim.New(scim.Config{BaseURL: run.URL, Secret: run.Token, Timeout: 20 * time.Second, Retry429: scim.Retry429{MaxAttempts: 1}})
	require.NoError(t, err)
	return &steps.Suite{Client: c, Seed: seed, RunID: "xp", BatchSize: 100}
}

func TestExploreQuick(t *testing.T) {
	for _, aiw := range []bool{false, true} {
		for seed := int64(1); seed <= 3; seed++ {
			s := exploreSuite(t, nil, seed)
			start := time.Now()
			x, err := s.Explore(context.Background(), steps.ExploreOptions{AIW: aiw, Progress: func(f string, a ...any) { t.Logf(f, a...) }})
			require.NoError(t, err)
			t.Logf("seed %d aiw %v: %d actions, %d requests in %s", seed, aiw, x.Actions, s.Requests(), time.Since(start))
			if x.Divergence != nil {
				t.Errorf("seed %d: %s\n%v\n%s", seed, x.Divergence.Diagnosis, x.Divergence.Steps, x.Divergence.Message)
				fmt.Println(x.Divergence.Transcript)
			}
		}
	}
}

func TestExploreQuirkQuick(t *testing.T) {
	for _, q := range []reference.Quirk{reference.QuirkInactiveHiddenInFilter, reference.QuirkRemoveAllMembers, reference.QuirkRenameIgnored, reference.QuirkPatchActiveIgnored, reference.QuirkUserNameChangeRejected} {
		s := exploreSuite(t, reference.Quirks{q: true}, 1)
		start := time.Now()
		x, err := s.Explore(context.Background(), steps.ExploreOptions{})
		require.NoError(t, err)
		if x.Divergence == nil {
			t.Logf("%s: nothing in %d actions", q, x.Actions)
			continue
		}
		d := x.Divergence
		t.Logf("%s: found after %d, shrunk to %d actions / %d steps in %d runs, %s\n%s\n%s\n%s", q, d.Found, d.Actions, len(d.Steps), d.ShrinkRuns, time.Since(start), d.Diagnosis, d.Cause, fmt.Sprint(d.Steps))
	}
}
