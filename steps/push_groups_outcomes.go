package steps

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/scimcheck/scimcheck/steps/expect"
	"github.com/scimcheck/scimcheck/steps/scim"
)

// Push groups, the outcomes: what the app group holds after Okta's pushes (its name, its members exactly once), and the diagnoses of membership and rename failures.

// The requirements of these checks: the "because" line of their failure messages.
const (
	becauseMembers  = `after Okta's pushes the app group holds exactly the members Okta pushed, each once: adds of existing members and removes of non-members are no-ops (okta-wire §6.1, §6.5, §11 items 25, 29–32)`
	becauseMemberOp = `Okta changes membership with PATCH /Groups/{id} (one remove per member, then one add; at most the batch size of changes each) ` +
		`or, in AIW apps, a PUT of the whole group, and needs 200 or 204 within 60 seconds; adding a member who is already in the group ` +
		`and removing one who is not are no-ops, since Okta PATCH-adds the members it has just POSTed (okta-wire §6.1, §6.5, §11 item 29)`
)

// readGroup sends GET /Groups/{id} for alias and checks it answers 200.
func (w *world) readGroup(ctx context.Context, alias string) (*scim.Exchange, error) {
	g := w.group(alias)
	if g.id == "" {
		return nil, HarnessErrorf("scimcheck harness error in the feature: group %q has no app id yet; push or link it first", alias)
	}
	ex, err := w.send(ctx, get(groupPath(g.id)))
	if err != nil {
		return nil, err
	}
	return ex, expect.Status(ex, http.StatusOK, becauseGroupRead)
}

// groupHasOktaName: Then the app group "engineering" has Okta's name.
func groupHasOktaName(ctx context.Context, alias string) error {
	w := worldFromContext(ctx)
	ex, err := w.readGroup(ctx, alias)
	if err != nil {
		return err
	}
	return expect.Equal(ex, "displayName", w.group(alias).displayName, becauseRename)
}

// groupHasNoMembers: Then the app group "engineering" has no members.
func groupHasNoMembers(ctx context.Context, alias string) error {
	w := worldFromContext(ctx)
	ex, err := w.readGroup(ctx, alias)
	if err != nil {
		return err
	}
	return expect.Unassigned(ex, "members", becauseMembers+`; "Push Now" with "value": [] empties the group (okta-wire §6.5, QA C9316)`)
}

// groupHasExactly: Then the app group "engineering" has exactly the members "ada, grace".
func groupHasExactly(ctx context.Context, alias, list string) error {
	w := worldFromContext(ctx)
	want, err := w.groupMembers(list)
	if err != nil {
		return err
	}
	return w.checkMembers(ctx, alias, want)
}

// groupHasCrowd: Then the app group "all-hands" has exactly the crowd as members.
func groupHasCrowd(ctx context.Context, alias string) error {
	w := worldFromContext(ctx)
	return w.checkMembers(ctx, alias, w.crowd)
}

// checkMembers reads the group and compares its member ids with want's: each once, none
// missing, none extra.
func (w *world) checkMembers(ctx context.Context, alias string, want []*user) error {
	ex, err := w.readGroup(ctx, alias)
	if err != nil {
		return err
	}
	var values []string
	if m := ex.JSON().Get("members"); (!m.Exists() || m.Type == gjson.Null) && len(want) > 0 {
		// Members left out of a large group's GET: find them from the users' side.
		if ex, values, err = w.membersByWalk(ctx, w.group(alias).id); err != nil {
			return err
		}
	} else {
		if err := expect.IsArray(ex, "members", becauseMembers); err != nil {
			return err
		}
		for _, m := range ex.JSON().Get("members").Array() {
			values = append(values, m.Get("value").String())
		}
	}
	count := map[string]int{}
	for _, v := range values {
		count[v]++
	}
	wanted := map[string]bool{}
	var missing, dup, extra []string
	for _, u := range want {
		wanted[u.id] = true
		switch count[u.id] {
		case 0:
			missing = append(missing, fmt.Sprintf("%s (%s)", u.alias, u.id))
		case 1:
		default:
			dup = append(dup, fmt.Sprintf("%s (%s) %d times", u.alias, u.id, count[u.id]))
		}
	}
	for id := range count {
		if !wanted[id] {
			extra = append(extra, strconv.Quote(id))
		}
	}
	if len(missing)+len(dup)+len(extra) == 0 {
		return nil
	}
	slices.Sort(extra)
	var got []string
	if len(missing) > 0 {
		got = append(got, fmt.Sprintf("%d missing: %s", len(missing), clipList(missing)))
	}
	if len(dup) > 0 {
		got = append(got, "duplicated: "+clipList(dup))
	}
	if len(extra) > 0 {
		got = append(got, fmt.Sprintf("%d not pushed by Okta: %s", len(extra), clipList(extra)))
	}
	return failure(ex, "members", fmt.Sprintf("exactly the %d members Okta pushed, each once", len(want)),
		fmt.Sprintf("%d member entries; %s", len(values), strings.Join(got, "; ")), becauseMembers)
}

// membersByWalk returns the ids of the users in group gid, read page by page with
// GET /Users?filter=groups.value eq "gid"&startIndex=…&count=100, for a server whose group GET
// leaves the members out. It returns the last page's exchange, for failure messages.
func (w *world) membersByWalk(ctx context.Context, gid string) (*scim.Exchange, []string, error) {
	const because = `a group's members are readable: from the group's GET, or (when it leaves them out) ` +
		`from its users' groups attribute, filtered with groups.value eq (RFC 7643 §4.1.2, okta-wire §6.3)`
	var ids []string
	for start := 1; start <= importMaxPages*importPageSize; start += importPageSize {
		query := strings.TrimSuffix(scim.FilterQuery("groups.value", gid, false), "startIndex=1&count=100")
		ex, err := w.send(ctx, get(fmt.Sprintf("/Users?%sstartIndex=%d&count=%d", query, start, importPageSize)))
		if err != nil {
			return ex, nil, err
		}
		if err := expect.Status(ex, http.StatusOK, because); err != nil {
			return ex, nil, err
		}
		if err := w.tolerantList(ex, because); err != nil {
			return ex, nil, err
		}
		ids = append(ids, resourceIDs(ex)...)
		if int64(start+importPageSize) > ex.JSON().Get("totalResults").Int() {
			return ex, ids, nil
		}
	}
	return nil, nil, fmt.Errorf("group %s has more than %d members", gid, importMaxPages*importPageSize)
}

// clipList joins at most 5 items of list.
func clipList(list []string) string {
	if len(list) > 5 {
		return strings.Join(list[:5], ", ") + fmt.Sprintf(" and %d more", len(list)-5)
	}
	return strings.Join(list, ", ")
}

// groupGone: Then the app group "engineering" no longer exists: GET answers 404.
func groupGone(ctx context.Context, alias string) error {
	w := worldFromContext(ctx)
	ex, err := w.send(ctx, get(groupPath(w.group(alias).id)))
	if err != nil {
		return err
	}
	return expect.ErrorBody(ex, http.StatusNotFound, becauseGroupDelete+"; Okta reads a group to see whether it still exists (okta-wire §6.3)")
}

// createdGroupWithPost: Then Okta created group "engineering" with a POST: 201 with the group,
// its id and Okta's name (okta-wire §6.1).
func createdGroupWithPost(ctx context.Context, alias string) error {
	w := worldFromContext(ctx)
	f := w.latest("group push", alias)
	if f == nil || len(f.exchanges) == 0 {
		return HarnessErrorf("scimcheck harness error in the feature: Okta did not push group %q in this scenario", alias)
	}
	ex := f.exchanges[0]
	if err := expect.StatusIn(ex, []int{http.StatusOK, http.StatusCreated}, becauseGroupPush); err != nil {
		return err
	}
	if err := expect.Contains(ex, "schemas", schemaGroup, becauseGroupPush); err != nil {
		return err
	}
	if err := expect.NotEmpty(ex, "id", becauseGroupPush); err != nil {
		return err
	}
	if err := expect.Equal(ex, "displayName", w.group(alias).displayName, becauseGroupPush); err != nil {
		return err
	}
	return created201(ex, becauseGroupPush)
}

// addedAgain: Then Okta added "ada, grace" to group "engineering" again right after the POST.
func addedAgain(ctx context.Context, list, alias string) error {
	w := worldFromContext(ctx)
	f := w.latest("group push", alias)
	members, err := w.groupMembers(list)
	if err != nil {
		return err
	}
	if f == nil || len(f.exchanges) < 2 {
		return HarnessErrorf("scimcheck harness error in the feature: Okta did not push group %q with members in this scenario", alias)
	}
	next := f.exchanges[1]
	for _, u := range members {
		if !strings.Contains(string(next.Request.Body), strconv.Quote(u.id)) && next.Request.Method == http.MethodPatch {
			return HarnessErrorf("scimcheck harness bug: the PATCH after the POST does not add %q again", u.alias)
		}
	}
	return expect.StatusIn(next, okStatuses(next.Request.Method), becauseMembers)
}

// batchedPatches: Then the membership went out in PATCHes of at most the batch size.
func batchedPatches(ctx context.Context) error {
	w := worldFromContext(ctx)
	for i := len(w.sequences) - 1; i >= 0; i-- {
		f := w.sequences[i]
		if len(f.patches) == 0 {
			continue
		}
		b, total := w.batchSize(), 0
		for _, p := range f.patches {
			if p.changes > b {
				return HarnessErrorf("scimcheck harness bug: a membership PATCH carried %d changes, more than the batch size %d", p.changes, b)
			}
			total += p.changes
		}
		if want := (total + b - 1) / b; len(f.patches) != want {
			return HarnessErrorf("scimcheck harness bug: %d changes went out in %d PATCHes, want %d of at most %d", total, len(f.patches), want, b)
		}
		return nil
	}
	return HarnessErrorf("scimcheck harness error in the feature: no membership PATCH was sent in this scenario")
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
