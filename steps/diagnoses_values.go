package steps

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/scimcheck/scimcheck/steps/expect"
	"github.com/scimcheck/scimcheck/steps/scim"
)

// The diagnosis rules about values in an answer (see diagnosisRules).

// diagnoseCounts: ListResponse counts and paging.
func diagnoseCounts(c *clue) diagnosis {
	body, q := c.got(), c.query()
	resources := len(body.Get("Resources").Array())
	count, countErr := strconv.Atoi(q.Get("count"))
	start, _ := strconv.Atoi(q.Get("startIndex"))
	switch p := c.f.Path; {
	case (p == "totalResults" || p == "startIndex" || p == "itemsPerPage") && strings.HasSuffix(c.f.Actual, "(string)"):
		return found("counts-not-integers", "totalResults, startIndex and itemsPerPage must be JSON integers: Okta requires integers; "+
			`a string startIndex "1" makes Okta's sync fail silently`)
	case start > 1 && body.Get("startIndex").Type == gjson.Number && body.Get("startIndex").Int() == 1:
		return found("start-index-ignored", fmt.Sprintf("startIndex is ignored: the page at startIndex=%d is the first page again, so Okta's import "+
			"sees the first resources over and over and never the rest", start))
	case countErr == nil && resources > count:
		return found("count-ignored", fmt.Sprintf("count is ignored: count=%d returned %d resources, and a page must hold at most count: "+
			"Okta's connection test asks for 2 and its import pages by 100", count, resources))
	case p == "itemsPerPage" && strings.Contains(c.f.Expected, "count of Resources"):
		return found("items-per-page-echoes-count", "itemsPerPage must count the resources on this page, not echo count: Okta QA rejected a server "+
			"answering itemsPerPage 100 with no resources")
	case c.flow == "" && c.lastFlow() == "import" && p == "Resources":
		return c.importDiagnosis(count, start, resources)
	}
	return diagnosis{}
}

// lastFlow returns the kind of the scenario's latest Okta sequence.
func (c *clue) lastFlow() string {
	if n := len(c.w.flows); n > 0 {
		return c.w.flows[n-1].kind
	}
	return ""
}

// importDiagnosis explains an import that did not see each resource once, in the same order.
func (c *clue) importDiagnosis(count, start, resources int) diagnosis {
	total := int(c.got().Get("totalResults").Int())
	if count > 0 && resources < count && resources < total-start+1 {
		return found("page-short", fmt.Sprintf("the server returned %d resources for count=%d although %d remain: Okta steps startIndex by %d "+
			"whatever a page holds, so it skips the rest of every page", resources, count, total-start+1, count))
	}
	for _, wk := range c.w.walks {
		for _, walk := range wk {
			if len(walk.pages) > 1 && firstID(walk.pages[0].ex) != "" && firstID(walk.pages[0].ex) == firstID(walk.pages[1].ex) {
				return found("start-index-ignored", "startIndex is ignored: the page at startIndex=101 starts with the same resources as the first page, "+
					"so Okta's import sees the first resources over and over and never the rest")
			}
		}
	}
	return found("unstable-order", "the list order changes between requests: Okta pages with startIndex and needs the same order every time "+
		"(sort by creation time or id), or it skips some resources and sees others twice")
}

// firstID returns the id of a page's first resource.
func firstID(ex *scim.Exchange) string { return ex.JSON().Get("Resources.0.id").String() }

// diagnoseActive: active of the wrong type, or a (de)activation that did not take.
func diagnoseActive(c *clue) diagnosis {
	if c.f.Path != "active" {
		return diagnosis{}
	}
	if strings.HasSuffix(c.f.Actual, "(string)") {
		return found("active-as-string", `active must be a JSON boolean (true or false), not the string "true": Okta and its spec test read active as a boolean`)
	}
	if !strings.HasSuffix(c.f.Expected, "(boolean)") || !strings.HasSuffix(c.f.Actual, "(boolean)") {
		return diagnosis{}
	}
	_, id := c.target()
	if c.method() == http.MethodGet && strings.HasPrefix(c.f.Expected, "true") && c.w.sentBefore(c.ex, http.MethodDelete, "Groups") {
		return found("group-delete-deactivates", "deleting a group deactivated its members: DELETE /Groups/{id} must leave the users alone; "+
			"Okta deletes a pushed group when the admin unlinks it, never its users")
	}
	return c.writeDiagnosis(id)
}

// writeDiagnosis explains a value the latest write to user id should have set, checked on the
// write's answer or on the GET after it: not applied, dropped, or not saved.
func (c *clue) writeDiagnosis(id string) diagnosis {
	write := c.ex
	if c.method() == http.MethodGet {
		writes := c.w.writesBefore(c.ex, id)
		if len(writes) == 0 {
			return diagnosis{}
		}
		write = writes[len(writes)-1]
		if answered := write.JSON().Get(c.f.Path); write.IsJSON() && answered.Exists() && rendered(answered) == c.f.Expected {
			return found("write-not-saved", fmt.Sprintf("the %s answered %d with %s %s, but the next GET shows %s: the change was not saved; "+
				"Okta's CRUD test reads the user back after each change", write.Request.Method, write.Response.StatusCode,
				c.f.Path, c.f.Expected, orMissing(c.f)))
		}
	}
	sent := gjson.ParseBytes(write.Request.Body)
	switch {
	case c.f.Path == "active" && write.Request.Method == http.MethodPatch:
		return found("patch-active-ignored", "the PATCH replace of active was accepted but not applied: Okta deactivates and reactivates users of "+
			`OIN apps with exactly this PATCH ({"op":"replace","value":{"active":…}}), so they keep or lose access wrongly`)
	case c.f.Path == "active" && write.Request.Method == http.MethodPut:
		return found("put-ignores-active", "PUT ignored active: AIW apps deactivate and reactivate with a PUT of the whole user, so the server must take active from it")
	case write.Request.Method == http.MethodPut && sent.Get(c.f.Path).Exists():
		return found("put-drops-attribute", fmt.Sprintf("PUT dropped %s, which Okta sent: a PUT replaces the user with what Okta sent, attributes the user "+
			"did not have before included (Okta's 2023 spec test adds phoneNumbers)", topName(c.f.Path)))
	}
	return diagnosis{}
}

// orMissing renders a Failure's actual value, or "nothing" when the path was missing.
func orMissing(f *expect.Failure) string {
	if f.Missing || f.Actual == "" {
		return "nothing"
	}
	return f.Actual
}

// topName returns the attribute a JSON path starts with: "phoneNumbers" for "phoneNumbers.0.value".
func topName(path string) string {
	name, _, _ := strings.Cut(path, ".")
	return name
}

// diagnoseLookup: a filtered look-up that returned the wrong resources, or none.
func diagnoseLookup(c *clue) diagnosis {
	kind, id := c.target()
	attr, value, ok := c.filterValue()
	if c.method() != http.MethodGet || id != "" || !ok || !c.ex.IsJSON() {
		return diagnosis{}
	}
	body := c.got()
	others := 0
	for _, r := range body.Get("Resources").Array() {
		if !strings.EqualFold(r.Get(attr).String(), value) {
			others++
		}
	}
	if others > 0 {
		return found("filter-ignored", fmt.Sprintf("the filter is ignored: %s eq %q returned %s with another %s; "+
			"Okta links the first resource it gets back, which can be another person's account",
			attr, value, plural(others, "resource"), attr))
	}
	u := c.w.userByName(value)
	if kind != "Users" || attr != "userName" || body.Get("totalResults").Int() != 0 || u == nil || u.id == "" {
		return diagnosis{}
	}
	switch {
	case value != u.appName():
		return found("username-case-sensitive", fmt.Sprintf("the userName look-up is case-sensitive: userName eq %q found nobody although the app holds %q; "+
			"Okta will try to create a duplicate user and get 409 (userName is caseExact false, RFC 7643 §4.1.1)", value, u.appName()))
	case !u.active:
		return found("deactivated-hidden-from-lookup", "the userName look-up hides deactivated users: when Okta assigns the app again it finds nobody, "+
			"POSTs the user again and gets 409, so the user is never reactivated")
	case !strings.EqualFold(u.email, value):
		return found("lookup-matches-other-attribute", fmt.Sprintf("userName eq %q found nobody although the app holds a user with exactly that userName: "+
			"the look-up matches another attribute (the email?) instead of userName, so Okta creates a duplicate and gets 409", value))
	}
	if writes := c.w.writesBefore(c.ex, u.id); len(writes) > 0 && writes[len(writes)-1].JSON().Get("userName").String() == value {
		return found("username-change-not-saved", fmt.Sprintf("the %s answered %d with userName %q, but a look-up by that userName finds nobody: the change was not saved",
			writes[len(writes)-1].Request.Method, writes[len(writes)-1].Response.StatusCode, value))
	}
	return found("lookup-misses-user", "the userName look-up does not find a user the app holds: Okta will try to create a duplicate user and get 409")
}

// plural returns "1 resource" or "3 resources".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// diagnoseUserWrite: a profile change that did not take, or an attribute a PUT left behind.
func diagnoseUserWrite(c *clue) diagnosis {
	kind, id := c.target()
	if kind != "Users" || id == "" {
		return diagnosis{}
	}
	if strings.HasPrefix(c.f.Expected, "nothing") && c.method() == http.MethodGet {
		writes := c.w.writesBefore(c.ex, id)
		if n := len(writes); n > 0 && writes[n-1].Request.Method == http.MethodPut {
			return found("put-merges", fmt.Sprintf(`PUT kept %s although Okta's PUT left it out or sent "": a PUT replaces the whole resource, `+
				`it is not a merge, so Okta's "push empty values" never clears anything`, topName(c.f.Path)))
		}
	}
	if c.method() == http.MethodPut || c.method() == http.MethodGet {
		return c.writeDiagnosis(id)
	}
	return diagnosis{}
}

// diagnoseMembers: a group whose members are not what Okta pushed.
func diagnoseMembers(c *clue) diagnosis {
	kind, id := c.target()
	if kind == "Groups" && c.f.Missing && strings.HasPrefix(c.f.Path, "members.") && strings.HasSuffix(c.f.Path, ".display") {
		return found("member-display-missing", "the group's members carry no display: Okta's runtime matches members by value, "+
			"but its 2023 spec test reads members[].display from the group it created")
	}
	if c.f.Path != "members" || kind != "Groups" || id == "" {
		return diagnosis{}
	}
	if strings.Contains(c.f.Actual, "duplicated") {
		return found("member-duplicated", "adding a member who is already in the group added it twice: adding an existing member must be a no-op")
	}
	writes := c.w.writesBefore(c.ex, id)
	if c.method() == http.MethodPut || c.method() == http.MethodPatch {
		writes = append(writes, c.ex)
	}
	var last *scim.Exchange
	removeByFilter := false
	for _, e := range writes {
		body := gjson.ParseBytes(e.Request.Body)
		if e.Request.Method == http.MethodPut && body.Get("members").Exists() {
			last = e
		}
		for _, op := range body.Get("Operations").Array() {
			if path := op.Get("path").String(); strings.HasPrefix(path, "members") {
				last = e
				removeByFilter = removeByFilter || strings.HasPrefix(path, "members[") && op.Get("op").String() == "remove"
			}
		}
	}
	switch {
	case last == nil:
		return diagnosis{}
	case last.Request.Method == http.MethodPut:
		return found("group-put-keeps-members", "PUT /Groups/{id} did not replace the member list: AIW apps push membership only with PUT, "+
			"so the members in a PUT are the group's whole new list ([] empties it)")
	case strings.Contains(string(last.Request.Body), `"op":"replace","path":"members"`):
		return found("push-now-ignored", `"Push Now" (a PATCH replace of members) was accepted but the membership did not change: `+
			"it must replace the whole member list, [] included")
	case removeByFilter && strings.Contains(c.f.Actual, "missing"):
		return found("remove-drops-others", `removing one member with members[value eq "…"] also removed others: a remove with a value filter `+
			"must remove only the member it names")
	}
	return diagnosis{}
}

// diagnoseGroupName: a rename that did not take.
func diagnoseGroupName(c *clue) diagnosis {
	kind, id := c.target()
	if c.f.Path != "displayName" || kind != "Groups" || id == "" || c.method() != http.MethodGet {
		return diagnosis{}
	}
	for _, e := range c.w.writesBefore(c.ex, id) {
		if strings.Contains(string(e.Request.Body), `"displayName"`) {
			return found("rename-ignored", "the rename was accepted but displayName did not change: Okta renames with a path-less PATCH (OIN apps) "+
				"or a PUT (AIW apps), and the app group keeps its old name")
		}
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
