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

	"github.com/scimcheck/scimcheck/steps/expect"
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

	mu       sync.Mutex
	results  []Result
	findings findings
	requests atomic.Int64
	names    sync.Map     // feature URI → Feature name
	gate     sync.RWMutex // held shared by every scenario, exclusively by @exclusive ones
}

// Result is the outcome of one scenario.
type Result struct {
	// ID is the scenario's godog pickle id, unique within a run (two outline rows may share a name).
	ID      string
	Name    string
	Feature string
	Tags    []string
	Status  string // "passed", "failed" or "skipped"
	Message string // the failure message, or why it was skipped
	// Grade is how much a failure matters (okta, review or rfc); "" unless Status is "failed".
	Grade    expect.Grade
	Duration time.Duration
	Steps    []StepResult
	// Detours are the okta-grade failures of Okta's own set-up that the scenario went around to
	// reach its subject: the scenario is blocked by them even when its subject passed.
	Detours []*expect.Failure
}

// StepResult is the outcome of one step.
type StepResult struct {
	Text    string
	Status  string // "passed", "failed", "skipped", "undefined", "pending"
	Message string
}

// ResultOf returns the outcome of the scenario whose pickle id is id, and false when it has
// not ended.
func (s *Suite) ResultOf(id string) (Result, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.results {
		if r.ID == id {
			return r, true
		}
	}
	return Result{}, false
}

// Results returns the outcomes recorded so far, in completion order.
func (s *Suite) Results() []Result {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Result(nil), s.results...)
}

// Requests returns how many HTTP requests the scenarios sent so far, retries after a 429 and
// cleanup included. It is safe to call while scenarios run.
func (s *Suite) Requests() int64 { return s.requests.Load() }

func (s *Suite) record(r Result) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.results = append(s.results, r)
}

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
