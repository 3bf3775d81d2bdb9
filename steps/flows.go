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

// flowBecause returns the requirement the Then steps after a flow of kind enforce.
func flowBecause(kind string) string {
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

// sequence runs one of Okta's request sequences (an admin-level step) and names, when a
// request fails, which one it was and what Okta would do about it.
type sequence struct {
	w     *world
	f     *flow
	title string // e.g. `Okta's assignment of "ada"`
	n     int    // requests sent so far
}

// begin starts a flow of kind for alias, recorded for the Then steps.
func (w *world) begin(kind, alias, title string) *sequence {
	if b := flowBecause(kind); b != "" {
		w.because = b
	}
	f := &flow{kind: kind, alias: alias}
	if u, ok := w.users[alias]; ok {
		f.priorID = u.id
	}
	w.flows = append(w.flows, f)
	return &sequence{w: w, f: f, title: title}
}

// send sends request number q.n+1 of the sequence. what says what the request is for, e.g.
// "POST /Users, creating the user".
func (q *sequence) send(ctx context.Context, what string, r scim.Request) (*scim.Exchange, error) {
	q.n++
	ex, err := q.w.send(ctx, r)
	if ex != nil {
		q.f.exchanges = append(q.f.exchanges, ex)
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
	return &flowError{title: q.title, kind: q.f.kind, n: q.n, what: what, okta: okta, err: err}
}

// tolerate returns nil for a failed check below okta grade, which Okta's engine accepts
// (see world.tolerate), and err otherwise.
func (q *sequence) tolerate(err error) error { return q.w.tolerate(err) }

// flowError is a failure inside one of Okta's request sequences. It wraps the check's error
// (an *expect.Failure, or a transport error), so errors.As still finds it.
type flowError struct {
	title string
	kind  string // the flow's kind, e.g. "assignment"
	n     int
	what  string
	okta  string
	err   error
}

// Error returns the sequence and request that failed, the check's report, and what Okta does
// (the check's report says it when the check failed; a transport failure does not).
func (e *flowError) Error() string {
	s := fmt.Sprintf("%s failed at request %d of the sequence (%s):\n%v", e.title, e.n, e.what, e.err)
	if e.okta != "" {
		s += "\n  what Okta does: " + e.okta
	}
	return s
}

// Unwrap returns the check's error.
func (e *flowError) Unwrap() error { return e.err }

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
