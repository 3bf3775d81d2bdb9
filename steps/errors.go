package steps

import (
	"fmt"
	"mime"
	"net/http"
	"strings"
)

// Errors (features/okta/errors.feature, okta-wire §1.2, §1.4, §9.2): credentials refused with 401, unknown ids with 404, every error a SCIM Error Okta can parse; the diagnoses of status and error-body failures.

// The requirements of these checks: the "because" line of their failure messages.
const (
	becauseAuth      = `a request without valid credentials is refused with 401 and a SCIM error whose detail Okta shows the admin (okta-wire §1.4, §8.2 step 21)`
	becauseUnknownID = `an id the app does not know is answered 404 in the SCIM Error schema (detail set, status "404" or 404): ` +
		`Okta reads users and groups by id to see whether they still exist, and its spec test sends unknown ids (okta-wire §8.2 steps 7 and 23, §9.2)`
	becauseError = `Okta parses every answer as JSON, error answers included, and shows the admin their detail; ` +
		`errors use the SCIM Error schema with status as a string or a number (okta-wire §1.2, §9.2, RFC 7644 §3.12)`
)

// diagnoseAuth: a request without valid credentials was served, or refused without a body.
func diagnoseAuth(c *clue) diagnosis {
	switch st := c.status(); {
	case c.statusCheck(http.StatusUnauthorized) && st >= 200 && st <= 299:
		return found("auth-not-enforced", "the server accepted a request with a wrong or missing token: it must refuse it with 401, "+
			"or anyone who can reach it can read and change your users")
	case st == http.StatusUnauthorized && strings.Contains(c.f.Unreadable, "empty"):
		return found("unauthorized-without-body", "a 401 must carry a SCIM Error body (schemas, detail, status): Okta shows its detail to the admin, and this one was empty")
	}
	return diagnosis{}
}

// diagnoseErrorBody: an answer Okta cannot parse.
func diagnoseErrorBody(c *clue) diagnosis {
	if strings.HasPrefix(c.f.Unreadable, "the body is not JSON") && c.status() >= 400 {
		return found("error-not-json", "error answers must be JSON in the SCIM Error schema, not text: Okta cannot parse a plain-text body "+
			`("Unrecognized token") and the admin never sees why the task failed`)
	}
	return diagnosis{}
}

// diagnoseServerError: a 5xx, for an unknown id or for anything.
func diagnoseServerError(c *clue) diagnosis {
	st := c.status()
	if st < 500 {
		return diagnosis{}
	}
	if kind, id := c.target(); id != "" && (c.w.deleted[id] || c.w.userByID(id) == nil && c.w.groupByID(id) == nil) {
		return found("unknown-id-5xx", fmt.Sprintf("an id the server does not know must be answered 404 in the SCIM Error schema, not %d: "+
			"Okta reads a %s by id to see whether it still exists, and its spec test sends ids such as 010101001010101011001010101011", st, strings.TrimSuffix(strings.ToLower(kind), "s")))
	}
	return found("server-error", fmt.Sprintf("the server answered %s: Okta marks the task failed and retries it only when the admin clicks Retry; "+
		"the server's own log says why", c.ex.ShownStatus()))
}

// diagnoseMediaType: a 415 for the media type Okta or its spec test labels bodies with.
func diagnoseMediaType(c *clue) diagnosis {
	if c.status() != http.StatusUnsupportedMediaType {
		return diagnosis{}
	}
	mt, _, _ := mime.ParseMediaType(c.ex.Request.Header.Get("Content-Type"))
	switch mt {
	case "application/scim+json":
		return found("refuses-scim-json", "the server refuses Content-Type application/scim+json (415): Okta labels every POST, PUT and PATCH "+
			"application/scim+json; charset=utf-8, so every write fails")
	case "application/json":
		return found("refuses-json", "the server refuses Content-Type application/json (415): Okta's spec test labels its POST /Users "+
			"application/json, so the test Okta asks of every OIN integration fails")
	}
	return diagnosis{}
}

// diagnoseStatus: the wrong success code, and 404s that should be 200.
func diagnoseStatus(c *clue) diagnosis {
	st := c.status()
	kind, id := c.target()
	switch {
	case c.method() == http.MethodDelete && c.statusCheck(http.StatusNoContent) && st == http.StatusOK:
		return found("delete-200", "DELETE must answer 204 No Content with an empty body, not 200: Okta's spec test checks for 204")
	case c.method() == http.MethodPatch && c.f.Path == "HTTP status" && c.f.Expected == "200" && st == http.StatusNoContent:
		return found("patch-204", "PATCH must answer 200 with the updated resource: Okta's 2023 spec test reads active and members "+
			"from the PATCH answer, so 204 No Content fails it")
	case st == http.StatusNotFound && kind == "Users" && c.deactivated(id):
		return found("deactivated-user-404", "deactivated users must stay readable: GET /Users/{id} must answer 200 with active false, not 404; "+
			"Okta's CRUD test reads them back, and Okta reactivates them through that id")
	case st == http.StatusNotFound && id == "" && c.query().Get("filter") != "":
		return found("filter-no-match-404", "a look-up that matches nobody must answer 200 with totalResults 0 and Resources [], not 404: "+
			"Okta's spec test fails on 404")
	}
	return diagnosis{}
}

// diagnoseMisc: meta.version and the password.
func diagnoseMisc(c *clue) diagnosis {
	switch {
	case c.f.Path == "meta.version" && strings.HasPrefix(c.f.Expected, "a value other than"):
		return found("version-unchanged", "meta.version (the ETag) must change on every write: it was the same after Okta's PUT, so a client "+
			"sending If-Match cannot tell a changed user from an unchanged one")
	case c.f.Path == "password" && strings.HasPrefix(c.f.Expected, "absent"):
		return found("password-returned", "the server returned the password: it is write-only and must never be returned, not even Okta's random placeholder")
	}
	return diagnosis{}
}
