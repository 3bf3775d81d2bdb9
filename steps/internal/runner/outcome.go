package runner

import (
	"time"

	"github.com/scimcheck/scimcheck/steps"
	"github.com/scimcheck/scimcheck/steps/expect"
	rpt "github.com/scimcheck/scimcheck/steps/report"
)

// Scenario statuses, as steps.Result has them.
const (
	statusPassed  = steps.StatusPassed
	statusFailed  = steps.StatusFailed
	statusSkipped = steps.StatusSkipped
	// statusInterrupted: the run stopped (Ctrl-C, --deadline) while the scenario ran, so it
	// has no verdict: neither passed nor failed.
	statusInterrupted = steps.StatusInterrupted
)

// outcome is what became of one selected scenario, as every output renders it: the
// steps.Result the Suite recorded (outcomeOf), and the run's verdict on it (blocked, waived).
// A status of "" means it did not run.
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
	// it matters and cause its root cause (see steps.Result); setup reports that it failed in a
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

// outcomeOf returns the outcome of the scenario whose Result is res; the zero Result (a
// scenario that did not run) gives the zero outcome.
func outcomeOf(res steps.Result) outcome {
	o := outcome{
		status: res.Status, message: res.Message, harness: res.Harness, duration: res.Duration,
		failure: res.Failure, grade: res.Grade, cause: res.Cause, setup: res.Setup, noAnswer: res.NoAnswer,
	}
	for _, st := range res.Steps {
		o.steps = append(o.steps, rpt.Step{Keyword: st.Keyword, Text: st.Text, Argument: st.Argument, Status: st.Status, Message: st.Message})
	}
	return o
}
