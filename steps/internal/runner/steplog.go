package runner

import (
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/cucumber/godog"
	messages "github.com/cucumber/messages/go/v34"

	rpt "github.com/scimcheck/scimcheck/steps/report"
)

// stepLog records the steps of every scenario, in order, with their outcome. Steps that never
// ran stay "skipped". It is safe for concurrent scenarios.
type stepLog struct {
	mu    sync.Mutex
	steps map[*scenario][]rpt.Step
	where map[string]stepRef // pickle step id → its place
}

// stepRef is the place of one step in a stepLog.
type stepRef struct {
	sc *scenario
	i  int
}

// newStepLog returns an empty stepLog.
func newStepLog() *stepLog {
	return &stepLog{steps: map[*scenario][]rpt.Step{}, where: map[string]stepRef{}}
}

// register adds the hooks that fill the log; byPickle maps godog's pickle ids to scenarios.
func (l *stepLog) register(sc *godog.ScenarioContext, byPickle map[string]*scenario) {
	sc.Before(func(ctx context.Context, p *godog.Scenario) (context.Context, error) {
		s := byPickle[p.Id]
		if s == nil {
			return ctx, nil
		}
		l.mu.Lock()
		defer l.mu.Unlock()
		steps := make([]rpt.Step, len(p.Steps))
		prev := messages.PickleStepType("")
		for i, st := range p.Steps {
			steps[i] = rpt.Step{Keyword: keyword(st.Type, prev), Text: st.Text, Argument: stepArgument(st.Argument), Status: "skipped"}
			prev = st.Type
			l.where[st.Id] = stepRef{s, i}
		}
		l.steps[s] = steps
		return ctx, nil
	})
	sc.StepContext().After(func(ctx context.Context, st *godog.Step, status godog.StepResultStatus, err error) (context.Context, error) {
		l.mu.Lock()
		defer l.mu.Unlock()
		ref, ok := l.where[st.Id]
		if !ok {
			return ctx, nil
		}
		step := &l.steps[ref.sc][ref.i]
		step.Status = status.String()
		switch {
		case err != nil && status == godog.StepSkipped:
			step.Message = skipReason(err)
		case err != nil:
			step.Message = err.Error()
		}
		return ctx, nil
	})
}

// of returns a copy of the steps recorded for sc.
func (l *stepLog) of(sc *scenario) []rpt.Step {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.steps[sc])
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
