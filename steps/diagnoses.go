package steps

import (
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"
)

// diagnosisRules name the defect behind a failed check in the vendor's terms, most specific
// first; diagnose uses the first that answers. Each returns "" when it does not apply. The
// mutation matrix (matrix_test.go) proves that every quirk of the reference server gets its
// diagnosis.
var diagnosisRules = []func(c *clue) diagnosis{
	// Authentication and error bodies (okta-wire §1.2, §1.4, §9.2).
	diagnoseAuth,
	diagnoseErrorBody,
	// Status codes.
	diagnoseServerError,
	diagnoseMediaType,
	diagnoseCreate,
	diagnoseStatus,
	diagnoseListRequest,
	diagnosePatchRefused,
	diagnosePutRefused,
	// Values.
	diagnoseCounts,
	diagnoseActive,
	diagnoseMisc,
	diagnoseLookup,
	diagnoseUserWrite,
	diagnoseMembers,
	diagnoseGroupName,
}

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
		"the server's own log says why", c.ex.Response.Status))
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

// diagnoseCreate: a POST answered 200, or 2xx with nothing in it.
func diagnoseCreate(c *clue) diagnosis {
	if c.method() != http.MethodPost {
		return diagnosis{}
	}
	st := c.status()
	switch {
	case strings.Contains(c.f.Unreadable, "empty") && st >= 200 && st <= 299:
		return found("create-empty-body", fmt.Sprintf("POST answered %s with an empty body: Okta needs the created resource with its id, "+
			`and fails the task with "Create new user returned empty user"`, c.ex.Response.Status))
	case c.statusCheck(http.StatusCreated) && st == http.StatusOK:
		return found("create-200", "a POST that creates must answer 201 Created, not 200 OK: Okta's spec test checks for 201")
	case c.statusCheck(http.StatusConflict) && st >= 200 && st <= 299:
		return found("no-409-on-duplicate", "a second POST for a userName the app already holds must be refused with 409 Conflict; "+
			"this server created a duplicate user instead")
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

// deactivated reports whether id is a user of the scenario that Okta deactivated, by its flows
// or by a PATCH or PUT setting active false.
func (c *clue) deactivated(id string) bool {
	u := c.w.userByID(id)
	if u == nil {
		return false
	}
	if !u.active {
		return true
	}
	writes := c.w.writesBefore(c.ex, id)
	return len(writes) > 0 && strings.Contains(string(writes[len(writes)-1].Request.Body), `"active":false`)
}

// diagnoseListRequest: a list request refused for its query string.
func diagnoseListRequest(c *clue) diagnosis {
	_, id := c.target()
	if c.method() != http.MethodGet || id != "" || c.status() != http.StatusBadRequest {
		return diagnosis{}
	}
	q := c.query()
	switch {
	case strings.Contains(c.rawQuery(), "+"):
		return found("plus-not-decoded", `a "+" in the query string must be decoded as a space: Okta's look-ups may send filter=userName+eq+"…", `+
			"which this server refuses, so Okta never finds the user")
	case q.Get("startIndex") == "" || q.Get("count") == "":
		return found("paging-params-required", "startIndex and count are optional (RFC 7644 §3.4.2.4): a list request without them must answer 200; "+
			"Okta's spec test sends GET /Groups and its userName filters without them")
	}
	return diagnosis{}
}

// diagnosePatchRefused: a PATCH Okta sends, refused.
func diagnosePatchRefused(c *clue) diagnosis {
	st := c.status()
	if c.method() != http.MethodPatch || st < 400 || st > 499 || st == http.StatusNotFound {
		return diagnosis{}
	}
	kind, id := c.target()
	g := c.w.groupByID(id)
	changes, pathless := 0, false
	for _, op := range c.operations() {
		name, path := op.Get("op").String(), op.Get("path").String()
		value := op.Get("value")
		switch {
		case name != strings.ToLower(name) && path == "":
			return found("op-case-sensitive", fmt.Sprintf(`PATCH op names are case-insensitive (RFC 7644 §3.5.2), and operations without a path must be supported: `+
				`%q must work like %q, with or without a path`, name, strings.ToLower(name)))
		case name != strings.ToLower(name):
			return found("op-case-sensitive", fmt.Sprintf(`PATCH op names are case-insensitive (RFC 7644 §3.5.2): %q must work like %q`, name, strings.ToLower(name)))
		case path == "" && kind == "Groups" && value.Get("id").Exists() && mentionsID(c):
			return found("rename-rejects-id", `a rename whose value carries the group's own id must be accepted: Okta sends `+
				`{"op":"replace","value":{"id":…,"displayName":…}} with every membership push`)
		case path == "" && g != nil && value.Get("displayName").String() == g.displayName && st == http.StatusConflict:
			return found("unchanged-name-conflict", "a rename to the group's current name must succeed: Okta sends one with every membership push, "+
				"and a uniqueness check on displayName must not count the group itself")
		case path == "":
			pathless = true
		case strings.HasPrefix(path, "members") && value.IsArray():
			changes += len(value.Array())
			if g != nil && name == "add" && st == http.StatusConflict {
				return found("member-add-conflict", "adding a member who is already in the group must be a no-op, not an error: Okta POSTs a group "+
					"with its members and then PATCH-adds the same members")
			}
		case strings.HasPrefix(path, "members["):
			changes++
			if g != nil && name == "remove" && !g.hasMember(filteredMember(path)) {
				return found("remove-non-member-error", "removing a user who is not a member must be a no-op, not an error: Okta may remove members "+
					"the app no longer has")
			}
		}
	}
	switch {
	case pathless:
		return found("pathless-patch-rejected", `PATCH operations without a path must be supported: Okta deactivates with {"op":"replace","value":{"active":false}}, `+
			"activates and renames groups the same way")
	case changes >= 10: // a refused PATCH that carries many member changes: a size limit
		return found("member-patch-limit", fmt.Sprintf("the server refused a membership PATCH of %d changes: Okta sends up to its batch size "+
			"(100 by default, configurable up to 1000) in one PATCH, so a lower limit breaks every push of a large group", changes))
	}
	return diagnosis{}
}

// filteredMember returns the id in a members[value eq "id"] path.
func filteredMember(path string) string {
	_, v, _ := strings.Cut(path, " eq ")
	return strings.Trim(strings.TrimSuffix(v, "]"), `"`)
}

// mentionsID reports whether an error answer is about the id attribute.
func mentionsID(c *clue) bool {
	body := c.got()
	return body.Get("scimType").String() == "mutability" || strings.Contains(body.Get("detail").String(), `"id"`)
}

// hasMember reports whether Okta's view of g holds the user with app id.
func (g *group) hasMember(id string) bool {
	for _, u := range g.members {
		if u.id == id {
			return true
		}
	}
	return false
}

// diagnosePutRefused: Okta's read-modify-write PUT, refused.
func diagnosePutRefused(c *clue) diagnosis {
	st := c.status()
	if c.method() != http.MethodPut || st < 400 || st > 499 || st == http.StatusNotFound {
		return diagnosis{}
	}
	body := c.sent()
	_, id := c.target()
	switch u := c.w.userByID(id); {
	case hasEmptyString(body):
		return found("empty-value-rejected", `an attribute emptied in Okta arrives as "" and must be cleared, not refused with `+strconv.Itoa(st)+
			`: Okta QA's "push empty values" test expects no error`)
	case u != nil && u.oldUserName != "" && body.Get("userName").String() == u.userName:
		return found("username-change-rejected", "userName changes must be accepted: Okta pushes a new userName for the same id as an ordinary profile PUT")
	case body.Get("id").Exists() || body.Get("meta").Exists() || body.Get("groups").Exists():
		return found("put-rejects-read-only", "a PUT must accept and ignore the read-only attributes Okta echoes back (id, meta, groups, emails[].display): "+
			"Okta PUTs the object its GET returned, with its changes written over it")
	}
	return diagnosis{}
}

// hasEmptyString reports whether v holds "" anywhere.
func hasEmptyString(v gjson.Result) bool {
	found := false
	var walk func(r gjson.Result)
	walk = func(r gjson.Result) {
		switch {
		case r.Type == gjson.String && r.Str == "":
			found = true
		case r.IsArray() || r.IsObject():
			r.ForEach(func(_, el gjson.Result) bool { walk(el); return !found })
		}
	}
	walk(v)
	return found
}
