package runner

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cucumber/godog"
	messages "github.com/cucumber/messages/go/v34"

	"github.com/scimcheck/scimcheck/steps"
	"github.com/scimcheck/scimcheck/steps/expect"
	rpt "github.com/scimcheck/scimcheck/steps/report"
	"github.com/scimcheck/scimcheck/steps/scim"
)

// Scenario statuses.
const (
	statusPassed  = "passed"
	statusFailed  = "failed"
	statusSkipped = "skipped"
	// statusInterrupted: the run stopped (Ctrl-C, --deadline) while the scenario ran, so it
	// has no verdict: neither passed nor failed.
	statusInterrupted = "interrupted"
)

// outcome is what became of one selected scenario: the run's one record of it, which every
// output renders from. A status of "" means it did not run.
type outcome struct {
	status  string // statusPassed, statusFailed or statusSkipped; "" when it did not run
	message string // the failure message, or why it was skipped
	// harness, when set, says how scimcheck itself failed on the scenario (a panic, a step
	// without a definition): the verdict on the target is void.
	harness  string
	duration time.Duration
	// waived is why --expected-failures expects the failure; set by run.outcome, never here.
	waived string

	// steps are the scenario's steps in order, each with its keyword, text, argument, status
	// and message; steps that never ran stay "skipped". A scenario that was not run has its
	// steps all the same.
	steps []rpt.Step
	// failure is the failed check (nil for a transport failure or no failure), grade how much
	// it matters and cause its root cause (see failureOf); setup reports that it failed in a
	// Given step, Okta's set-up of the scenario.
	failure *expect.Failure
	grade   expect.Grade
	cause   string
	setup   bool
	// noAnswer reports that the failure was a request that got no usable answer (a
	// *scim.TransportError): a fault of the target, like a failed check.
	noAnswer bool
	// blockedBy is the root cause of the okta-grade set-up failure that blocked the scenario
	// (blocker); set by verdict.
	blockedBy string
	blocker   *expect.Failure
}

// observer follows godog's hooks and records an outcome per selected scenario, keyed by its
// godog pickle id. It is safe for concurrent scenarios.
type observer struct {
	byPickle map[string]*scenario // godog pickle id → scenario
	byStep   map[string]string    // pickle step id → pickle id
	stepAt   map[string]int       // pickle step id → its index in its outcome's steps

	// stopped returns why the run stopped (Ctrl-C, --deadline), "" while it goes on.
	stopped func() string

	mu       sync.Mutex
	started  map[string]time.Time
	notRun   map[string]bool     // pickle ids that began after the run stopped: they stay not run
	outcomes map[string]*outcome // pickle id → outcome
}

// newObserver returns an observer for the pickles of the run's parse.
// stopped says why the run stopped, "" while it goes on.
func newObserver(byPickle map[string]*scenario, byStep map[string]string, stopped func() string) *observer {
	return &observer{
		byPickle: byPickle, byStep: byStep, stepAt: map[string]int{}, stopped: stopped,
		started: map[string]time.Time{}, notRun: map[string]bool{}, outcomes: map[string]*outcome{},
	}
}

// registerFirst adds the hook that must run before the suite's: a scenario that begins after
// the run stopped is skipped at once, and stays "not run" in every output.
func (ob *observer) registerFirst(sc *godog.ScenarioContext) {
	sc.Before(func(ctx context.Context, p *godog.Scenario) (context.Context, error) {
		why := ob.stopped()
		if why == "" {
			return ctx, nil
		}
		ob.mu.Lock()
		defer ob.mu.Unlock()
		ob.notRun[p.Id] = true
		return ctx, fmt.Errorf("%w: not run: %s", godog.ErrSkip, why)
	})
}

// register adds the observer's hooks to sc; call it after the suite registered its own, so
// that the observer sees the errors of the suite's hooks too.
func (ob *observer) register(sc *godog.ScenarioContext) {
	sc.Before(func(ctx context.Context, p *godog.Scenario) (context.Context, error) {
		ob.begin(p)
		return ctx, nil
	})
	sc.StepContext().After(func(ctx context.Context, st *godog.Step, status godog.StepResultStatus, err error) (context.Context, error) {
		ob.step(st, status, err)
		ob.logStep(st, status, err)
		return ctx, nil
	})
	sc.After(func(ctx context.Context, p *godog.Scenario, err error) (context.Context, error) {
		ob.end(p, err)
		return ctx, nil
	})
}

// begin records the start of a scenario and its steps, all "skipped" until they run.
func (ob *observer) begin(p *godog.Scenario) {
	ob.mu.Lock()
	defer ob.mu.Unlock()
	ob.started[p.Id] = time.Now()
	if out := ob.get(p.Id); out != nil {
		out.steps = ob.stepsOf(p)
	}
}

// get returns the outcome of the scenario of pickle id, creating it; nil for an unknown
// pickle. The caller holds ob.mu.
func (ob *observer) get(pickleID string) *outcome {
	if ob.byPickle[pickleID] == nil {
		return nil
	}
	out := ob.outcomes[pickleID]
	if out == nil {
		out = &outcome{}
		ob.outcomes[pickleID] = out
	}
	return out
}

// step records the result of one step. godog reports a scenario skipped from its second step
// on as passing to After hooks, so the status is built step by step.
func (ob *observer) step(st *godog.Step, status godog.StepResultStatus, err error) {
	ob.mu.Lock()
	defer ob.mu.Unlock()
	pickle := ob.byStep[st.Id]
	if ob.notRun[pickle] {
		return
	}
	out := ob.get(pickle)
	if out == nil {
		return
	}
	if out.status == "" {
		out.status = statusPassed
	}
	why := ob.stopped()
	switch {
	case out.status == statusInterrupted:
	case why != "" && out.harness == "" && out.status != statusFailed && (status == godog.StepFailed || status == godog.StepSkipped):
		out.status, out.message = statusInterrupted, "interrupted while it ran ("+why+"): no verdict"
	case isPanic(err):
		out.harnessBug(fmt.Sprintf("panic in step %q: %v", st.Text, err))
	case status == godog.StepFailed && isHarnessError(err):
		out.harnessBug(fmt.Sprintf("step %q: %v", st.Text, err))
	case status == godog.StepUndefined:
		out.harnessBug(fmt.Sprintf("step %q has no definition in package steps", st.Text))
	case status == godog.StepPending || status == godog.StepAmbiguous:
		out.harnessBug(fmt.Sprintf("step %q is %s: %v", st.Text, status, err))
	case status == godog.StepFailed && out.status != statusFailed:
		out.failedOn(err)
		out.setup = st.Type == messages.PickleStepType_CONTEXT
	case status == godog.StepSkipped && out.status == statusPassed:
		out.status = statusSkipped
		if err != nil {
			out.message = skipReason(err)
		}
	}
}

// failedOn marks the outcome failed on the target by err (see failureOf).
func (out *outcome) failedOn(err error) {
	out.status, out.message = statusFailed, errText(err)
	out.failure, out.grade, out.cause = failureOf(err)
	out.noAnswer = errors.As(err, new(*scim.TransportError))
}

// harnessBug marks the outcome failed by scimcheck itself, for the reason msg.
func (out *outcome) harnessBug(msg string) {
	out.status, out.harness, out.message = statusFailed, msg, msg
}

// end records the end of a scenario. err is the last step's error merged with the errors of
// the After hooks that ran before the observer's.
func (ob *observer) end(p *godog.Scenario, err error) {
	ob.mu.Lock()
	defer ob.mu.Unlock()
	if ob.notRun[p.Id] {
		return
	}
	out := ob.get(p.Id)
	if out == nil {
		return
	}
	if t, ok := ob.started[p.Id]; ok {
		out.duration = time.Since(t)
	}
	switch {
	case out.harness != "", out.status == statusInterrupted:
	case isPanic(err):
		out.harnessBug(fmt.Sprintf("panic in a scenario hook: %v", err))
	case isHarnessError(err):
		out.harnessBug(fmt.Sprintf("in a scenario hook: %v", err))
	case err != nil && !errors.Is(err, godog.ErrSkip) && out.status != statusFailed:
		out.failedOn(err)
	case out.status == "":
		out.status = statusPassed
	}
}

// outcomeOf returns a copy of the outcome recorded for the scenario of pickle id; one with
// status "" when it did not run. Call it once the run is over.
func (ob *observer) outcomeOf(pickleID string) outcome {
	ob.mu.Lock()
	defer ob.mu.Unlock()
	out := ob.outcomes[pickleID]
	if out == nil {
		return outcome{}
	}
	o := *out
	o.steps = slices.Clone(out.steps)
	return o
}

// isPanic reports whether err, or an error it wraps, is godog's record of a recovered panic.
// godog does not export that type, so it is recognised by name.
func isPanic(err error) bool {
	return inChain(err, func(e error) bool { return fmt.Sprintf("%T", e) == "*godog.traceError" })
}

// isHarnessError reports whether err, or an error it wraps, is a *steps.HarnessError: a fault
// of scimcheck's own, never a verdict on the target.
func isHarnessError(err error) bool {
	return inChain(err, func(e error) bool { _, ok := e.(*steps.HarnessError); return ok })
}

// inChain reports whether match holds for err or any error it wraps.
func inChain(err error, match func(error) bool) bool {
	for err != nil {
		if match(err) {
			return true
		}
		switch u := err.(type) {
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				if inChain(e, match) {
					return true
				}
			}
			return false
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		default:
			return false
		}
	}
	return false
}

// errText returns err's message, or "" for nil.
func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// skipReason returns why a step was skipped: its error without godog's "skipped" prefix.
func skipReason(err error) string {
	msg := strings.TrimPrefix(err.Error(), "before scenario hook failed: ")
	msg = strings.TrimPrefix(msg, godog.ErrSkip.Error())
	return strings.TrimSpace(strings.TrimLeft(msg, ":"))
}
