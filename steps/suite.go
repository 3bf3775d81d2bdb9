// Package steps is the godog glue of scimcheck: the per-scenario world, and step definitions
// that send Okta's exact request sequences through package scim and check the answers with
// package expect. Suite.InitializeScenario registers every step.
package steps

import (
	"errors"
	"fmt"
	"io/fs"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cucumber/godog"

	"github.com/scimcheck/scimcheck/steps/scim"
)

// Suite holds what every scenario of one run shares. It is safe for concurrent scenarios.
type Suite struct {
	// Client talks to the target. Required.
	Client *scim.Client
	// Seed derives all generated data (names, passwords, Okta ids); the same seed and scenario
	// give the same data.
	Seed int64
	// RunID namespaces every name this run creates (e.g. "scN4K2"), so a run against a real
	// tenant never touches data it did not create.
	RunID string
	// BatchSize is the most membership changes Okta puts in one group PATCH (default 100).
	BatchSize int
	// SetupWidth is how many requests of one scenario's set-up (the users a group push or an
	// import needs) and cleanup are in flight at once; 0 or 1: one at a time. The requests a
	// scenario is about always go one at a time, in Okta's order.
	SetupWidth int
	// Recorder, when set, receives every exchange of every scenario, in order (transcripts),
	// with the scenario's id (Result.ID: its godog pickle id, unique within a run where two
	// outline rows may share a name). Scenarios may run concurrently: it must be safe for
	// concurrent use.
	Recorder func(scenarioID string, ex *scim.Exchange)
	// ScenarioTimeout bounds each scenario, from the moment it may start (an @exclusive one
	// waits for the others first) to its last step; cleanup has its own limit. A request still
	// unanswered then fails the scenario with "no answer within …". 0: no limit.
	ScenarioTimeout time.Duration
	// Features is where the feature files live, to name each Result's feature; nil means
	// features.FS.
	Features fs.FS

	// Stopped, when set, returns why the run stopped (Ctrl-C, a deadline), "" while it goes on:
	// a scenario that begins after that is not run (no Result), one running then is
	// interrupted (StatusInterrupted, no verdict).
	Stopped func() string
	// Hooks, when set, adds hooks of the caller's to each scenario, after the Suite's own and
	// before the one that records the Result, so that the Result sees their errors too.
	Hooks func(sc *godog.ScenarioContext)

	mu       sync.Mutex           // guards the results below
	byID     map[string]*Result   // pickle id → its Result, from its start
	stepAt   map[string]stepPlace // pickle step id → where its StepResult is
	started  map[string]time.Time // pickle id → when it began
	notRun   map[string]bool      // pickle ids that began after the run stopped
	done     []string             // pickle ids of the ended scenarios, in completion order
	findings findings
	requests atomic.Int64
	names    sync.Map     // feature URI → Feature name
	gate     sync.RWMutex // held shared by every scenario, exclusively by @exclusive ones
}

// Requests returns how many HTTP requests the scenarios sent so far, retries after a 429 and
// cleanup included. It is safe to call while scenarios run.
func (s *Suite) Requests() int64 { return s.requests.Load() }

// HarnessError is an error package steps returns for a fault of its own, not of the target: a
// feature naming an unknown placeholder, a step used out of order, a Suite set up wrong. It is
// never a verdict on the target; the runner reports it as a harness error.
type HarnessError struct{ err error }

// Error returns the message, which starts with "scimcheck harness error".
func (e *HarnessError) Error() string { return e.err.Error() }

// Unwrap returns the error it wraps (a %w argument of its format), if any.
func (e *HarnessError) Unwrap() error { return errors.Unwrap(e.err) }

// HarnessErrorf returns a *HarnessError formatted like fmt.Errorf.
func HarnessErrorf(format string, args ...any) error {
	return &HarnessError{err: fmt.Errorf(format, args...)}
}
