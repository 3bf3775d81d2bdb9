package steps

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/cucumber/godog"

	"github.com/scimcheck/scimcheck/steps/expect"
	"github.com/scimcheck/scimcheck/steps/scim"
)

// One trial of `scimcheck explore`: a sequence of actions run in one scenario world, the app
// checked against Okta's model after each (explore_check.go).

// trial is one run of a sequence of actions in a world of its own.
type trial struct {
	w     *world
	ctx   context.Context
	model *model
	// done is how many actions ran; steps the steps that ran, with their exchanges.
	done  int
	steps []ranStep
}

// ranStep is one step of a trial: its text with keyword ("" for an action that sends
// nothing, described in note) and the exchanges it made.
type ranStep struct {
	text, note string
	check      bool // a check of the app against the model, not part of an action
	exchanges  []*scim.Exchange
}

// divergence is a difference a trial found between the app and the model: the step that
// found it and its error.
type divergence struct {
	action int    // 1-based index of the action after which it was found
	step   string // the step that failed, with its keyword
	err    error
	key    string // the root cause (expect.Failure.Key), what shrinking must keep
	grade  expect.Grade
}

// newTrial returns a trial in a fresh world named name, replaying Okta as an OIN app, or as
// an AIW app when aiw.
func (s *Suite) newTrial(ctx context.Context, name string, aiw bool) *trial {
	tags := []string{"@explore", "@oin"}
	if aiw {
		tags[1] = "@aiw"
	}
	w := newWorld(s, name, "explore/"+name+".feature", name, tags)
	w.feature = "explore"
	return &trial{w: w, ctx: worldToContext(ctx, w), model: newModel()}
}

// close cleans up what the trial created and returns notes on what could not be.
func (t *trial) close() []string { return t.w.cleanup() }

// run runs a and then checks the app against the model. It returns the divergence, nil when
// there is none, and an error for a harness bug or a stopped run.
func (t *trial) run(a action) (*divergence, error) {
	t.done++
	prior := t.model.users[a.user]
	t.model.apply(a)
	texts := a.steps()
	if len(texts) == 0 {
		t.steps = append(t.steps, ranStep{note: a.String()})
	}
	for _, text := range texts {
		if f, err := t.step(text, false); f != nil || err != nil {
			return f, err
		}
	}
	if a.kind == actAssign && (prior == stateAppOnly || prior == stateInactive) {
		// the app holds the user: Okta's look-up must find it, and Okta links it
		if f, err := t.step(fmt.Sprintf(`Then Okta linked %q to the existing app user without a POST`, a.user), true); f != nil || err != nil {
			return f, err
		}
	}
	if a.kind == actImport && a.attr == "users" && t.model.crowd {
		if f, err := t.step(`Then the import saw each of this scenario's users exactly once`, true); f != nil || err != nil {
			return f, err
		}
	}
	return t.check()
}

// step runs one step text through the step definitions, as godog would, and records it. It
// returns the divergence when the step failed.
func (t *trial) step(text string, check bool) (*divergence, error) {
	from := len(t.w.exchanges)
	err := t.w.runStep(t.ctx, text)
	t.steps = append(t.steps, ranStep{text: text, check: check, exchanges: t.w.exchanges[from:len(t.w.exchanges):len(t.w.exchanges)]})
	return t.failed(text, err)
}

// failed turns the error of step text into a divergence, or returns it when it is no verdict
// on the target: a harness error, or a run that was stopped.
func (t *trial) failed(text string, err error) (*divergence, error) {
	var he *HarnessError
	switch {
	case err == nil:
		return nil, nil
	case errors.As(err, &he):
		return nil, err
	case errors.Is(err, godog.ErrSkip), t.ctx.Err() != nil:
		return nil, fmt.Errorf("explore stopped: %w", context.Cause(t.ctx))
	}
	f := &divergence{action: t.done, step: text, err: err, key: "transport failure", grade: expect.GradeOkta}
	var ef *expect.Failure
	if errors.As(err, &ef) {
		f.key = ef.Key()
		if ef.Grade != "" {
			f.grade = ef.Grade
		}
	}
	return f, nil
}

// diagnosis returns the first line of the failure that names the defect, or its first line.
func (f *divergence) diagnosis() string {
	first, _, _ := strings.Cut(f.err.Error(), "\n")
	if d, ok := strings.CutPrefix(first, "diagnosis: "); ok {
		return d
	}
	var ef *expect.Failure
	if errors.As(f.err, &ef) {
		return ef.Finding()
	}
	return first
}

// runStep runs the step definition whose pattern matches text (a step without its keyword
// is matched too), with the groups it captures as arguments, as godog calls it. Errors: the
// step's own, or a *HarnessError when no definition matches or a step panicked.
func (w *world) runStep(ctx context.Context, text string) (err error) {
	if kw, rest, ok := strings.Cut(text, " "); ok && (kw == "Given" || kw == "When" || kw == "Then" || kw == "And") {
		text = rest
	}
	defer func() {
		if p := recover(); p != nil {
			err = HarnessErrorf("scimcheck harness bug: step %q panicked: %v", text, p)
		}
	}()
	for _, d := range stepDefs {
		m := d.expr.FindStringSubmatch(text)
		if m == nil {
			continue
		}
		args := m[1:]
		num := func(i int) int { n, _ := strconv.Atoi(args[i]); return n }
		switch f := d.fn.(type) {
		case func(context.Context) error:
			return f(ctx)
		case func(context.Context, string) error:
			return f(ctx, args[0])
		case func(context.Context, int) error:
			return f(ctx, num(0))
		case func(context.Context, string, string) error:
			return f(ctx, args[0], args[1])
		case func(context.Context, string, int) error:
			return f(ctx, args[0], num(1))
		case func(context.Context, string, string, string) error:
			return f(ctx, args[0], args[1], args[2])
		}
		return HarnessErrorf("scimcheck harness bug: explore cannot call the step %q (%T)", text, d.fn)
	}
	return HarnessErrorf("scimcheck harness bug: explore wrote the step %q, which no step definition matches", text)
}

// transcript renders the trial's steps with one line per exchange (request line and status),
// and the whole of the last exchange of the failing step, redacted.
func (t *trial) transcript() string {
	var b strings.Builder
	for i, s := range t.steps {
		if s.text == "" {
			fmt.Fprintf(&b, "(%s)\n", s.note)
			continue
		}
		b.WriteString(s.text + "\n")
		for _, ex := range s.exchanges {
			fmt.Fprintf(&b, "  %s → %s\n", ex.RequestLine(), ex.ShownStatus())
		}
		if i == len(t.steps)-1 && len(s.exchanges) > 0 {
			b.WriteString("\nthe last exchange in full:\n" + s.exchanges[len(s.exchanges)-1].Transcript())
		}
	}
	return b.String()
}
