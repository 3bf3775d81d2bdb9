package runner

import (
	"strings"

	"github.com/cucumber/godog"
	messages "github.com/cucumber/messages/go/v34"

	rpt "github.com/scimcheck/scimcheck/steps/report"
)

// The steps of an outcome: each step's keyword, text and argument as the feature file has
// them, and its status and message as godog reports them.

// stepsOf returns the steps of p, all "skipped" until they run, and remembers where each
// is. The caller holds ob.mu.
func (ob *observer) stepsOf(p *godog.Scenario) []rpt.Step {
	steps := make([]rpt.Step, len(p.Steps))
	prev := messages.PickleStepType("")
	for i, st := range p.Steps {
		steps[i] = rpt.Step{Keyword: keyword(st.Type, prev), Text: st.Text, Argument: stepArgument(st.Argument), Status: "skipped"}
		prev = st.Type
		ob.stepAt[st.Id] = i
	}
	return steps
}

// logStep records the status and message of step st in its outcome's steps, for a scenario
// that was not run too.
func (ob *observer) logStep(st *godog.Step, status godog.StepResultStatus, err error) {
	ob.mu.Lock()
	defer ob.mu.Unlock()
	i, ok := ob.stepAt[st.Id]
	out := ob.outcomes[ob.byStep[st.Id]]
	if !ok || out == nil || i >= len(out.steps) {
		return
	}
	step := &out.steps[i]
	step.Status = status.String()
	switch {
	case err != nil && status == godog.StepSkipped:
		step.Message = skipReason(err)
	case err != nil:
		step.Message = err.Error()
	}
}

// keyword returns the Gherkin keyword that reads like a step of type t after a step of type
// prev: Given, When, Then, or And when the type repeats.
func keyword(t, prev messages.PickleStepType) string {
	if t == prev && t != messages.PickleStepType_UNKNOWN {
		return "And"
	}
	switch t {
	case messages.PickleStepType_CONTEXT:
		return "Given"
	case messages.PickleStepType_ACTION:
		return "When"
	case messages.PickleStepType_OUTCOME:
		return "Then"
	}
	return "*"
}

// stepArgument returns a step's doc string, or its data table as "| a | b |" lines; "" for
// none.
func stepArgument(a *messages.PickleStepArgument) string {
	switch {
	case a == nil:
		return ""
	case a.DocString != nil:
		return a.DocString.Content
	case a.DataTable != nil:
		var b strings.Builder
		for _, row := range a.DataTable.Rows {
			b.WriteString("|")
			for _, c := range row.Cells {
				b.WriteString(" " + c.Value + " |")
			}
			b.WriteString("\n")
		}
		return strings.TrimSuffix(b.String(), "\n")
	}
	return ""
}
