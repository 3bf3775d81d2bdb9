package steps

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/scimcheck/scimcheck/steps/expect"
)

// Suite.Explore: model-based testing of Okta's provisioning. It draws a random sequence of
// Okta's admin actions (and events in the vendor's app), runs each with the flows the scenarios
// use, checks the app against what Okta believes after each, and on the first divergence
// shrinks the sequence to a short one that still fails the same way (explore_shrink.go), ready
// to be written as a feature file (explore_feature.go).

// DefaultExploreSteps is how many actions an exploration draws unless told otherwise.
const DefaultExploreSteps = 300

// ExploreOptions configure Suite.Explore. The zero value explores 300 actions as an OIN app.
type ExploreOptions struct {
	// Steps is how many actions to draw; 0 means DefaultExploreSteps.
	Steps int
	// AIW replays an App Integration Wizard app (PUT everywhere) instead of an OIN app (PATCH).
	AIW bool
	// Actions are the kinds of action to draw (ExploreActions); empty means every kind.
	Actions []string
	// MaxShrinkRuns bounds how many trial runs shrinking may make; 0 means 400.
	MaxShrinkRuns int
	// Progress, when set, is told what happens: each divergence, each successful shrink.
	Progress func(format string, args ...any)
}

// Exploration is the outcome of Suite.Explore.
type Exploration struct {
	// Seed is the suite's seed, which drew the sequence.
	Seed int64
	// Mode is "oin" or "aiw".
	Mode string
	// Actions is how many actions ran: all of Steps, or up to the one the divergence followed.
	Actions int
	// Sequence is the drawn actions that ran, described.
	Sequence []string
	// Drawn counts the actions that ran by kind (ExploreActions).
	Drawn map[string]int
	// Cleanup holds notes on what could not be cleaned up.
	Cleanup []string
	// Divergence is the first divergence, shrunk; nil when the app always held what Okta
	// believes.
	Divergence *Divergence
}

// Divergence is a difference between the app and Okta's model, with the shortest sequence
// found that still shows it.
type Divergence struct {
	// Diagnosis names the defect (the failure's first line without "diagnosis: ").
	Diagnosis string
	// Cause is the root cause, the key shrinking kept (expect.Failure.Key).
	Cause string
	// Grade is the failure's grade: okta.
	Grade expect.Grade
	// Message is the failure of the shrunk run, in full.
	Message string
	// Found is the 1-based index of the action the divergence was found after.
	Found int
	// Steps are the shrunk scenario's steps, each with its keyword (Given, When, Then).
	Steps []string
	// Actions is how many actions the shrunk scenario keeps, of Found.
	Actions int
	// Transcript is the shrunk run's transcript: each step, its requests, the last exchange in
	// full, redacted.
	Transcript string
	// ShrinkRuns is how many trial runs shrinking made; ShrinkTime how long it took.
	ShrinkRuns int
	ShrinkTime time.Duration
	// Reproduced is false when the divergence did not show again in a fresh run, so the
	// sequence could not be shrunk: Steps is then the whole sequence.
	Reproduced bool
	// Stopped says why shrinking stopped early (the run's deadline, an interruption): Steps
	// is then the shortest sequence found so far. "" when it ran to the end.
	Stopped string
}

// Explore draws s.Seed's sequence of opts.Steps actions and runs it against s.Client in one
// world, checking the app after each action; on the first divergence it shrinks the sequence
// (when ctx ends while it shrinks, it keeps the shortest found so far, see Divergence.Stopped).
// The findings below okta grade that the flows tolerate are noted on the suite (Findings).
// Errors: a harness bug, or ctx ended before a divergence was found.
func (s *Suite) Explore(ctx context.Context, opts ExploreOptions) (*Exploration, error) {
	if s.Client == nil {
		return nil, HarnessErrorf("scimcheck harness error: Suite.Client is nil")
	}
	if opts.Steps <= 0 {
		opts.Steps = DefaultExploreSteps
	}
	if opts.MaxShrinkRuns <= 0 {
		opts.MaxShrinkRuns = 400
	}
	if opts.Progress == nil {
		opts.Progress = func(string, ...any) {}
	}
	for _, k := range opts.Actions {
		if !slices.Contains(ExploreActions(), k) {
			return nil, HarnessErrorf("scimcheck harness error: unknown explore action %q", k)
		}
	}
	out := &Exploration{Seed: s.Seed, Mode: "oin", Drawn: map[string]int{}}
	if opts.AIW {
		out.Mode = "aiw"
	}
	gen := newGenerator(s.Seed, opts.Actions)
	t := s.newTrial(ctx, fmt.Sprintf("explore seed %d", s.Seed), opts.AIW)
	var seq []action
	var found *divergence
	for range opts.Steps {
		a, ok := gen.next(t.model)
		if !ok {
			break
		}
		seq = append(seq, a)
		out.Sequence = append(out.Sequence, a.String())
		out.Drawn[a.kind]++
		f, err := t.run(a)
		if err != nil {
			out.Cleanup = t.close()
			return nil, err
		}
		if f != nil {
			found = f
			break
		}
	}
	out.Actions = t.done
	out.Cleanup = t.close()
	if found == nil {
		return out, nil
	}
	opts.Progress("divergence after action %d of %d: %s", found.action, opts.Steps, found.diagnosis())
	d, err := s.shrink(ctx, t, seq, found, opts)
	if err != nil {
		return nil, err
	}
	out.Divergence = d
	return out, nil
}
