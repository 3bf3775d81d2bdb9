package steps

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cucumber/godog"
	messages "github.com/cucumber/messages/go/v34"

	"github.com/scimcheck/scimcheck/steps/expect"
	"github.com/scimcheck/scimcheck/steps/scim"
)

// Scenario statuses of a Result.
const (
	StatusPassed  = "passed"
	StatusFailed  = "failed"
	StatusSkipped = "skipped"
	// StatusInterrupted: the run stopped (Suite.Stopped) while the scenario ran, so it has no
	// verdict: neither passed nor failed.
	StatusInterrupted = "interrupted"
)

// Result is what became of one scenario: the one record of it, kept by the Suite from godog's
// hooks, that every report renders from.
type Result struct {
	// ID is the scenario's godog pickle id, unique within a run (two outline rows may share a name).
	ID      string
	Name    string
	Feature string
	Tags    []string
	// Status is StatusPassed, StatusFailed, StatusSkipped or StatusInterrupted; "" while the
	// scenario runs.
	Status string
	// Message is the failure message, or why the scenario was skipped or interrupted.
	Message string
	// Harness, when set, says how scimcheck itself failed on the scenario (a panic, a step
	// without a definition, a HarnessError): the verdict on the target is void.
	Harness  string
	Duration time.Duration
	// Steps are the scenario's steps in order; those that never ran stay "skipped".
	Steps []StepResult
	// Failure is the failed check (nil for a request without a usable answer, or no
	// failure), Grade how much the failure matters and Cause its root cause: the check's key,
	// "no-answer: <kind>" or "unrecognised: …". Setup reports that it failed in a Given step,
	// Okta's set-up of the scenario; NoAnswer that a request got no usable answer (a
	// *scim.TransportError), a fault of the target like a failed check.
	Failure  *expect.Failure
	Grade    expect.Grade
	Cause    string
	Setup    bool
	NoAnswer bool
	// Detours are the okta-grade failures of Okta's own set-up that the scenario went around to
	// reach its subject: the scenario is blocked by them even when its subject passed.
	Detours []*expect.Failure
	// Cleanup notes what the cleanup after the scenario could not undo; never a failure.
	Cleanup []string
}

// StepResult is the outcome of one step, with its keyword, text and argument as the feature
// file has them.
type StepResult struct {
	Keyword  string // Given, When, Then or And
	Text     string
	Argument string // its doc string, or its data table as "| a | b |" lines; "" for none
	Status   string // "passed", "failed", "skipped", "undefined", "pending", "ambiguous"
	Message  string
}

// initResults makes the maps of the Suite's results, once.
func (s *Suite) initResults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.byID == nil {
		s.byID, s.stepAt, s.started, s.notRun = map[string]*Result{}, map[string]stepPlace{}, map[string]time.Time{}, map[string]bool{}
	}
}

// stepPlace is where a pickle step's result is kept.
type stepPlace struct {
	pickle string
	i      int
}

// skipStopped is the first hook of every scenario: one that begins after the run stopped is
// skipped at once, and stays not run (no Result).
func (s *Suite) skipStopped(ctx context.Context, p *godog.Scenario) (context.Context, error) {
	why := s.stopped()
	if why == "" {
		return ctx, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.notRun[p.Id] = true
	return ctx, fmt.Errorf("%w: not run: %s", godog.ErrSkip, why)
}

// stopped returns why the run stopped, "" while it goes on.
func (s *Suite) stopped() string {
	if s.Stopped == nil {
		return ""
	}
	return s.Stopped()
}

// beginResult records the start of a scenario and its steps, all "skipped" until they run.
func (s *Suite) beginResult(ctx context.Context, p *godog.Scenario) (context.Context, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := &Result{ID: p.Id, Name: p.Name, Feature: s.featureName(p.Uri), Steps: make([]StepResult, len(p.Steps))}
	for _, t := range p.Tags {
		r.Tags = append(r.Tags, t.Name)
	}
	prev := messages.PickleStepType("")
	for i, st := range p.Steps {
		r.Steps[i] = StepResult{Keyword: keyword(st.Type, prev), Text: st.Text, Argument: stepArgument(st.Argument), Status: StatusSkipped}
		prev = st.Type
		s.stepAt[st.Id] = stepPlace{p.Id, i}
	}
	s.started[p.Id] = time.Now()
	s.byID[p.Id] = r
	return ctx, nil
}

// stepResult records the result of one step. godog reports a scenario skipped from its second
// step on as passing to After hooks, so the status is built step by step.
func (s *Suite) stepResult(ctx context.Context, st *godog.Step, status godog.StepResultStatus, err error) (context.Context, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	at, ok := s.stepAt[st.Id]
	r := s.byID[at.pickle]
	if !ok || r == nil {
		return ctx, nil
	}
	if at.i < len(r.Steps) {
		step := &r.Steps[at.i]
		step.Status = status.String()
		switch {
		case err != nil && status == godog.StepSkipped:
			step.Message = skipReason(err)
		case err != nil:
			step.Message = err.Error()
		}
	}
	if s.notRun[at.pickle] {
		return ctx, nil
	}
	if r.Status == "" {
		r.Status = StatusPassed
	}
	why := s.stopped()
	switch {
	case r.Status == StatusInterrupted:
	case why != "" && r.Harness == "" && r.Status != StatusFailed && (status == godog.StepFailed || status == godog.StepSkipped):
		r.Status, r.Message = StatusInterrupted, "interrupted while it ran ("+why+"): no verdict"
	case isPanic(err):
		r.harnessBug(fmt.Sprintf("panic in step %q: %v", st.Text, err))
	case status == godog.StepFailed && isHarnessError(err):
		r.harnessBug(fmt.Sprintf("step %q: %v", st.Text, err))
	case status == godog.StepUndefined:
		r.harnessBug(fmt.Sprintf("step %q has no definition in package steps", st.Text))
	case status == godog.StepPending || status == godog.StepAmbiguous:
		r.harnessBug(fmt.Sprintf("step %q is %s: %v", st.Text, status, err))
	case status == godog.StepFailed && r.Status != StatusFailed:
		r.failedOn(err)
		r.Setup = st.Type == messages.PickleStepType_CONTEXT
	case status == godog.StepSkipped && r.Status == StatusPassed:
		r.Status = StatusSkipped
		if err != nil {
			r.Message = skipReason(err)
		}
	}
	return ctx, nil
}

// endResult records the end of a scenario. err is the last step's error merged with the
// errors of the After hooks that ran before this one, the Suite's and Suite.Hooks' included.
func (s *Suite) endResult(ctx context.Context, p *godog.Scenario, err error) (context.Context, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.byID[p.Id]
	if s.notRun[p.Id] || r == nil {
		return ctx, nil
	}
	if t, ok := s.started[p.Id]; ok {
		r.Duration = time.Since(t)
	}
	if w, ok := ctx.Value(worldKey{}).(*world); ok {
		r.Detours, r.Cleanup = w.detours, w.cleanupNotes
	}
	switch {
	case r.Harness != "", r.Status == StatusInterrupted:
	case isPanic(err):
		r.harnessBug(fmt.Sprintf("panic in a scenario hook: %v", err))
	case isHarnessError(err):
		r.harnessBug(fmt.Sprintf("in a scenario hook: %v", err))
	case err != nil && !errors.Is(err, godog.ErrSkip) && r.Status != StatusFailed:
		r.failedOn(err)
	case r.Status == "":
		r.Status = StatusPassed
	}
	s.done = append(s.done, p.Id)
	return ctx, nil
}

// failedOn marks r failed on the target by err.
func (r *Result) failedOn(err error) {
	r.Status, r.Message = StatusFailed, errText(err)
	r.Failure, r.Grade, r.Cause = failureOf(err)
	r.NoAnswer = errors.As(err, new(*scim.TransportError))
}

// harnessBug marks r failed by scimcheck itself, for the reason msg.
func (r *Result) harnessBug(msg string) {
	r.Status, r.Harness, r.Message = StatusFailed, msg, msg
}

// clone returns a copy of r that shares nothing the Suite changes.
func (r *Result) clone() Result {
	c := *r
	c.Steps = slices.Clone(r.Steps)
	return c
}

// ResultOf returns the outcome of the scenario whose pickle id is id, Status "" while it
// runs, and false when it never began (not selected, or not run after the run stopped).
func (s *Suite) ResultOf(id string) (Result, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.byID[id]
	if r == nil || s.notRun[id] {
		return Result{}, false
	}
	return r.clone(), true
}

// Results returns the outcomes of the scenarios that ended, in completion order.
func (s *Suite) Results() []Result {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Result, 0, len(s.done))
	for _, id := range s.done {
		out = append(out, s.byID[id].clone())
	}
	return out
}

// failureOf returns what the step error err says about the target: the *expect.Failure it
// wraps, if any, the grade of the failure (okta for a request without a usable answer or an
// error nothing recognises) and its root cause.
func failureOf(err error) (f *expect.Failure, grade expect.Grade, cause string) {
	if errors.As(err, &f) {
		grade = f.Grade
		if grade == "" {
			grade = expect.GradeOkta
		}
		return f, grade, f.Key()
	}
	var te *scim.TransportError
	if errors.As(err, &te) {
		return nil, expect.GradeOkta, "no-answer: " + string(te.Kind)
	}
	line, _, _ := strings.Cut(errText(err), "\n")
	return nil, expect.GradeOkta, "unrecognised: " + line
}
