package steps

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sync"

	"github.com/scimcheck/scimcheck/steps/expect"
	"github.com/scimcheck/scimcheck/steps/scim"
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

// checkItemsPerPage: a ListResponse's itemsPerPage counts the resources on the page. Okta pages
// by startIndex and totalResults, so only its review notices (okta-wire §7, §9.4 [C3]).
var checkItemsPerPage = expect.Check{
	ID:    "list-items-per-page",
	Grade: expect.GradeReview,
	Okta: "Okta's runtime pages by startIndex and totalResults and does not read itemsPerPage, so provisioning works; " +
		"Okta QA rejected a server whose itemsPerPage echoed count (okta-wire §7, §9.4)",
}

// checkUserReadable: GET /Users/{id} answers 200, for a deactivated user too. Okta reads every
// user by id before it updates, deactivates or reactivates it (okta-wire §3.1, §4, §5 [C]), so
// it is at okta grade in any scenario, whatever the scenario's own subject.
var checkUserReadable = expect.Check{
	ID:    "user-readable",
	Grade: expect.GradeOkta,
	Okta: "Okta reads the user by id before every update, deactivation and reactivation: the task fails, " +
		"and a deactivated user cannot be reactivated through the id Okta stored",
}

// checkCreated201: a POST that creates answers 201, not 200. Okta's runtime takes either and
// stores the id (okta-wire §2.3, §6.1 [C]); its spec test checks for 201 (§8.2 step 11).
var checkCreated201 = expect.Check{
	ID:    "create-201",
	Grade: expect.GradeReview,
	Okta:  "Okta's runtime accepts 200 or 201 with the created resource, so provisioning works; Okta's SPEC test checks for 201",
}

// created201 checks that the POST of ex answered 201 Created, at checkCreated201's grade.
func created201(ex *scim.Exchange, because string) error {
	return expect.Graded(expect.Status(ex, http.StatusCreated, because), checkCreated201)
}

// checkPasswordNeverReturned: the password is never returned (RFC 7643 §4.1.1). Okta does not
// read it back, so only the RFC cares; it is a finding in any scenario.
var checkPasswordNeverReturned = expect.Check{
	ID:    "password-never-returned",
	Grade: expect.GradeRFC,
	Okta:  "Okta never reads the password back, so provisioning and the OIN review are unaffected; RFC 7643 says it is returned \"never\"",
}

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

// checkNotFoundIsEmpty: a look-up that matches nobody answers 200 with totalResults 0. Okta's
// runtime also takes a 404 SCIM error as "not found" (okta-wire §2.2 [C]); its SPEC test does
// not (§8.2 step 5).
var checkNotFoundIsEmpty = expect.Check{
	ID:    "filter-no-match-404", // the diagnosis rule of that id names it
	Grade: expect.GradeReview,
	Okta: "Okta's runtime takes a 404 SCIM error as \"not found\" and goes on, so provisioning works; Okta's SPEC test " +
		"needs 200 with totalResults 0 and fails on 404 (okta-wire §2.2, §8.2 step 5)",
}

// checkDelete204: DELETE /Groups/{id} answers 204. Okta documents 204 (okta-wire §6.6 [C]) and
// takes any 2xx for its other group writes (§6.4, §6.5 [C]); that it takes a 200 here too is
// inferred [I]. Its 2023 SPEC test checks for 204 (§8.3).
var checkDelete204 = expect.Check{
	ID:    "delete-200", // the diagnosis rule of that id names it
	Grade: expect.GradeReview,
	Okta: "Okta's runtime takes a 2xx answer to its DELETE as done, so the group is unlinked and deleted; Okta's SPEC test " +
		"checks for 204 No Content (okta-wire §6.6, §8.3)",
}

// oktaFindsNobody: Then Okta finds nobody: the latest look-up answered "not found" the way
// Okta's runtime reads it, 200 with totalResults 0 or a 404 SCIM error (then a finding).
func oktaFindsNobody(ctx context.Context) error {
	w := worldFromContext(ctx)
	ex, err := w.response()
	if err != nil {
		return err
	}
	because := w.requirement()
	if ex.Response.StatusCode == http.StatusNotFound && expect.Contains(ex, "schemas", expect.ErrorSchema, "") == nil {
		return w.tolerate(expect.Graded(expect.Status(ex, http.StatusOK, because), checkNotFoundIsEmpty))
	}
	if err := expect.Status(ex, http.StatusOK, because); err != nil {
		return err
	}
	if err := w.tolerantList(ex, because); err != nil {
		return err
	}
	return expect.Equal(ex, "totalResults", 0, because)
}

// oktaDeleteSucceeded: Then Okta's DELETE succeeded: 204, or another 2xx (then a finding).
func oktaDeleteSucceeded(ctx context.Context) error {
	w := worldFromContext(ctx)
	ex, err := w.response()
	if err != nil {
		return err
	}
	if st := ex.Response.StatusCode; st >= 200 && st <= 299 && st != http.StatusNoContent {
		return w.tolerate(expect.Graded(expect.Status(ex, http.StatusNoContent, becauseGroupDelete), checkDelete204))
	}
	return expect.Status(ex, http.StatusNoContent, w.requirement())
}
