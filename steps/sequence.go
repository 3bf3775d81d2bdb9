package steps

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/scimcheck/scimcheck/steps/expect"
	"github.com/scimcheck/scimcheck/steps/scim"
)

// sequenceBecause returns the requirement the Then steps after a sequence of kind enforce.
func sequenceBecause(kind string) string {
	switch kind {
	case "assignment":
		return becauseCreate
	case "profile push":
		return becausePut
	case "password sync":
		return "Okta syncs passwords with GET, then PATCH (or PUT in AIW apps), and needs 200 or 204 (okta-wire §9.5)"
	case "deactivation":
		return becauseDeactivate
	case "reactivation":
		return becauseActivate
	case "group rename":
		return becauseRename
	case "group push", "membership push", "push now":
		return becauseMemberOp
	case "group delete":
		return becauseGroupDelete
	case "group link":
		return becauseGroupFind
	case "import":
		return becauseImport
	}
	return ""
}

// sequence is one of Okta's request sequences (an admin-level step: an assignment, a
// deactivation, a group push…) as it runs and as the Then steps read it afterwards: it sends
// the requests, names, when one fails, which one it was and what Okta would do about it, and
// keeps what the Then steps check.
type sequence struct {
	w     *world
	title string // e.g. `Okta's assignment of "ada"`
	n     int    // requests sent so far

	kind      string // "assignment", "deactivation", "reactivation", "group push", …
	alias     string
	priorID   string // the app id the alias had before the sequence ("" if none)
	foundID   string // the id the look-up found (assignment)
	exchanges []*scim.Exchange
	posted    *scim.Exchange // the POST /Users, if the sequence created the user
	activated *scim.Exchange // the activation PATCH or PUT
	deactived *scim.Exchange // the deactivation PATCH or PUT
	patches   []memberPatch  // membership PATCHes of a group push
}

// begin starts a sequence of kind for alias, recorded for the Then steps.
func (w *world) begin(kind, alias, title string) *sequence {
	if b := sequenceBecause(kind); b != "" {
		w.because = b
	}
	q := &sequence{w: w, title: title, kind: kind, alias: alias}
	if u, ok := w.users[alias]; ok {
		q.priorID = u.id
	}
	w.sequences = append(w.sequences, q)
	return q
}

// send sends request number q.n+1 of the sequence. what says what the request is for, e.g.
// "POST /Users, creating the user".
func (q *sequence) send(ctx context.Context, what string, r scim.Request) (*scim.Exchange, error) {
	q.n++
	ex, err := q.w.send(ctx, r)
	if ex != nil {
		q.exchanges = append(q.exchanges, ex)
	}
	if err != nil {
		return ex, q.fail(what, "the task fails and stays in Dashboard › Tasks until the admin retries it (okta-wire §9.1)", err)
	}
	return ex, nil
}

// fail returns the error for request q.n of the sequence failing a check, at okta grade
// unless the check named its own grade. okta says what Okta does when the request fails; the
// check's own consequence, when it has one, says it better.
func (q *sequence) fail(what, okta string, err error) error {
	err = expect.Graded(err, expect.Check{Grade: expect.GradeOkta, Okta: okta})
	if errors.As(err, new(*expect.Failure)) {
		okta = "" // the failure says it, with its grade
	}
	return &sequenceError{title: q.title, kind: q.kind, n: q.n, what: what, okta: okta, err: err}
}

// sequenceError is a failure inside one of Okta's request sequences. It wraps the check's error
// (an *expect.Failure, or a transport error), so errors.As still finds it.
type sequenceError struct {
	title string
	kind  string // the sequence's kind, e.g. "assignment"
	n     int
	what  string
	okta  string
	err   error
}

// Error returns the sequence and request that failed, the check's report, and what Okta does
// (the check's report says it when the check failed; a transport failure does not).
func (e *sequenceError) Error() string {
	s := fmt.Sprintf("%s failed at request %d of the sequence (%s):\n%v", e.title, e.n, e.what, e.err)
	if e.okta != "" {
		s += "\n  what Okta does: " + e.okta
	}
	return s
}

// Unwrap returns the check's error.
func (e *sequenceError) Unwrap() error { return e.err }

// get is a GET of path with Okta's headers.
func get(path string) scim.Request { return scim.Request{Method: http.MethodGet, Path: path} }

// write is a request with a body and Okta's headers.
func write(method, path string, body []byte) scim.Request {
	return scim.Request{Method: method, Path: path, Body: body}
}

// lookupRequest is Okta's existence check for a userName (okta-wire §2.2).
func lookupRequest(userName string, plus bool) scim.Request {
	return get("/Users?" + scim.FilterQuery("userName", userName, plus))
}

// userPath returns /Users/{id}, the id path-escaped.
func userPath(id string) string { return "/Users/" + url.PathEscape(id) }

// groupPath returns /Groups/{id}, the id path-escaped.
func groupPath(id string) string { return "/Groups/" + url.PathEscape(id) }
