package expect

import (
	"errors"
	"fmt"
	"strings"
)

// Grade says how much a failed check matters, from the evidence behind it (okta-wire.md's
// [C]/[C3]/[I] marks and the RFCs).
type Grade string

// The grades, most severe first.
const (
	// GradeOkta: Okta's runtime breaks or does harm: a task fails, the wrong account is
	// linked, access is not revoked, a member is lost or doubled.
	GradeOkta Grade = "okta"
	// GradeReview: Okta's OIN review rejects it (the SPEC test, the CRUD test, the QA test
	// plan), but provisioning works.
	GradeReview Grade = "review"
	// GradeRFC: RFC 7643/7644 requires it; Okta neither checks nor cares.
	GradeRFC Grade = "rfc"
)

// Grades lists the grades, most severe first.
func Grades() []Grade { return []Grade{GradeOkta, GradeReview, GradeRFC} }

// ParseGrade returns the grade named s ("okta", "review" or "rfc"). Errors: any other name.
func ParseGrade(s string) (Grade, error) {
	for _, g := range Grades() {
		if string(g) == s {
			return g, nil
		}
	}
	return "", fmt.Errorf("unknown grade %q: want okta, review or rfc", s)
}

// AtLeast reports whether g is as severe as min or more. An empty grade counts as GradeOkta.
func (g Grade) AtLeast(min Grade) bool { return g.Rank() <= min.Rank() }

// Rank orders the grades: 0 for okta (and empty), 1 for review, 2 for rfc.
func (g Grade) Rank() int {
	switch g {
	case GradeReview:
		return 1
	case GradeRFC:
		return 2
	}
	return 0
}

// Check names one check and says how much its failure matters: what the check is, its grade,
// and what Okta does when a server fails it. A check that fails returns a *Failure carrying
// these fields (see Graded), so that every report renders them and none parses a message.
type Check struct {
	// ID is stable and short, e.g. "list-items-per-page".
	ID string
	// Grade is how much a failure matters.
	Grade Grade
	// Okta is the consequence, true of this check at its grade: what Okta's runtime does (okta),
	// or that provisioning works and what rejects it (review, rfc).
	Okta string
	// Diagnosis, when set, names the defect in the vendor's terms whenever the check fails:
	// a check about one thing needs no rule to recognise it. Its cause is the check's ID.
	Diagnosis string
}

// Graded returns err with c's id, grade and consequence on its *Failure, where the failure
// has none of its own yet; err unchanged when it is nil or holds no *Failure.
func Graded(err error, c Check) error {
	var f *Failure
	if errors.As(err, &f) {
		if f.Check == "" {
			f.Check = c.ID
		}
		if f.Grade == "" {
			f.Grade = c.Grade
		}
		if f.Okta == "" {
			f.Okta = c.Okta
		}
		if f.Diagnosis == "" && c.Diagnosis != "" {
			f.Diagnosis, f.Cause = c.Diagnosis, c.ID
		}
	}
	return err
}

// GradeOf returns the grade of the *Failure err holds, and false when err holds none or the
// failure has no grade.
func GradeOf(err error) (Grade, bool) {
	var f *Failure
	if errors.As(err, &f) && f.Grade != "" {
		return f.Grade, true
	}
	return "", false
}

// Key returns the root cause f stands for, the key reports group failures by: its Cause when a
// diagnosis named the defect, else its Check, else the JSON path and request (method and
// endpoint, ids left out) it failed on.
func (f *Failure) Key() string {
	switch {
	case f.Cause != "":
		return f.Cause
	case f.Check != "":
		return f.Check
	}
	method, target, _ := strings.Cut(f.RequestLine, " ")
	target, _, _ = strings.Cut(target, " ")
	target, _, _ = strings.Cut(target, "?")
	parts := strings.Split(target, "/")
	for i, p := range parts {
		if i > 0 && p != "" && (parts[i-1] == "Users" || parts[i-1] == "Groups") {
			parts[i] = "{id}"
		}
	}
	return fmt.Sprintf("unrecognised: %s %s, %s", method, strings.Join(parts, "/"), f.Path)
}
