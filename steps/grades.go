package steps

import (
	"errors"
	"slices"
	"sync"

	"github.com/scimcheck/scimcheck/steps/expect"
)

// Grades. A check that names no grade of its own takes its scenario's: the scenario's tag
// @review or @rfc, else okta. A failure inside one of Okta's request sequences is at okta grade
// unless its check says otherwise: Okta's runtime sent that request and the task fails.

// What each grade means for a failure whose check says nothing more precise.
const (
	oktaOkta = "Okta's provisioning needs this: without it the task fails, or Okta acts on a wrong answer, " +
		"as the requirement above says"
	oktaReview = "provisioning works, but Okta's OIN review rejects it: the SPEC test or the QA test plan " +
		"checks this (okta-wire §8)"
	oktaRFC = "provisioning works and Okta's OIN review passes: Okta neither sends this nor checks it, " +
		"but RFC 7643/7644 requires it and other SCIM clients may depend on it"
)

// scenarioGrade returns the grade that a scenario with tags gives the checks that name none:
// GradeReview for @review, GradeRFC for @rfc, else GradeOkta.
func scenarioGrade(tags []string) expect.Grade {
	switch {
	case slices.Contains(tags, "@rfc"):
		return expect.GradeRFC
	case slices.Contains(tags, "@review"):
		return expect.GradeReview
	}
	return expect.GradeOkta
}

// gradeDefault grades a failure whose check named no grade with the scenario's, and gives it
// that grade's consequence when it has none.
func (w *world) gradeDefault(err error) error {
	var f *expect.Failure
	if !errors.As(err, &f) {
		return err
	}
	if f.Grade == "" {
		f.Grade = w.grade
	}
	if f.Okta == "" {
		switch f.Grade {
		case expect.GradeOkta:
			f.Okta = oktaOkta
		case expect.GradeReview:
			f.Okta = oktaReview
		case expect.GradeRFC:
			f.Okta = oktaRFC
		}
	}
	return err
}

// tolerate is how a step that replays Okta treats a failed check: at okta grade it returns
// err, and the step fails; below okta grade (Okta's engine accepts the answer) it records the
// failure as a finding of the run and returns nil, so that Okta's sequence goes on.
func (w *world) tolerate(err error) error {
	var f *expect.Failure
	if err == nil || !errors.As(err, &f) || f.Grade.AtLeast(expect.GradeOkta) {
		return err
	}
	w.diagnoseFailure(f)
	w.suite.findings.note(w, f)
	return nil
}

// Finding is a check below okta grade that failed in passing, in a step that replays Okta and
// tolerates it as Okta's engine does. Each is recorded once per run and root cause.
type Finding struct {
	// Failure is the first failure seen, with its grade, check, diagnosis and consequence.
	Failure *expect.Failure
	// Scenario is the scenario that first saw it; Transcript is that exchange, redacted.
	Scenario, Transcript string
	// Seen is how many times it was seen in the run.
	Seen int
}

// findings collects a run's findings by root cause. It is safe for concurrent scenarios.
type findings struct {
	mu    sync.Mutex
	order []string
	byKey map[string]*Finding
}

// note records f, seen by the scenario of w.
func (fs *findings) note(w *world, f *expect.Failure) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	key := f.Key()
	if got, ok := fs.byKey[key]; ok {
		got.Seen++
		return
	}
	if fs.byKey == nil {
		fs.byKey = map[string]*Finding{}
	}
	fn := &Finding{Failure: f, Scenario: w.name, Seen: 1}
	if ex := w.exchangeOf(f.RequestLine); ex != nil {
		fn.Transcript = ex.Transcript()
	}
	fs.byKey[key] = fn
	fs.order = append(fs.order, key)
}

// Findings returns the run's findings so far, in the order they were first seen.
func (s *Suite) Findings() []Finding {
	fs := &s.findings
	fs.mu.Lock()
	defer fs.mu.Unlock()
	out := make([]Finding, 0, len(fs.order))
	for _, k := range fs.order {
		out = append(out, *fs.byKey[k])
	}
	return out
}
