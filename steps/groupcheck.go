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

// Group look-ups and the Then steps about groups.

// groupLookup is Okta's GET /Groups?filter=displayName eq "…"&startIndex=1&count=100, spaces
// as %20 (okta-wire §6.2).
func groupLookup(name string) scim.Request {
	return get("/Groups?" + scim.FilterQuery("displayName", name, false))
}

// oktaLooksUpGroup: When Okta looks up group "design" by name.
func oktaLooksUpGroup(ctx context.Context, alias string) error {
	w := worldFromContext(ctx)
	w.because = becauseGroupFind
	_, err := w.send(ctx, groupLookup(w.group(alias).displayName))
	return err
}

// oktaLinksGroup: When Okta links group "engineering" by name: the look-up must find exactly
// that group, which Okta then reads by id.
func oktaLinksGroup(ctx context.Context, alias string) error {
	w := worldFromContext(ctx)
	g := w.group(alias)
	q := w.begin("group link", alias, fmt.Sprintf("Okta's link of group %q by name", alias))
	const what = `GET /Groups?filter=displayName eq "…"`
	ex, err := q.send(ctx, what, groupLookup(g.displayName))
	if err != nil {
		return err
	}
	const okta = "Okta cannot link the app group and creates another one with the same name (okta-wire §6.2)"
	for _, check := range []func() error{
		func() error { return expect.Status(ex, http.StatusOK, becauseGroupFind) },
		func() error { return w.tolerantList(ex, becauseGroupFind) },
		func() error { return expect.Equal(ex, "totalResults", 1, becauseGroupFind) },
		func() error { return expect.Equal(ex, "Resources.0.displayName", g.displayName, becauseGroupFind) },
		func() error { return expect.NotEmpty(ex, "Resources.0.id", becauseGroupFind) },
	} {
		if err := check(); err != nil {
			return q.fail(what, okta, err)
		}
	}
	found := ex.JSON().Get("Resources.0.id").String()
	if g.id != "" && found != g.id {
		return q.fail(what, okta, failure(ex, "Resources.0.id", strconv.Quote(g.id)+" (string), the group the app holds",
			describe(ex.JSON().Get("Resources.0.id")), becauseGroupFind))
	}
	g.id = found
	const read = "GET /Groups/{id}, reading the group it found"
	ex, err = q.send(ctx, read, get(groupPath(g.id)))
	if err != nil {
		return err
	}
	if err := expect.Status(ex, http.StatusOK, becauseGroupRead); err != nil {
		return q.fail(read, okta, err)
	}
	return nil
}

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
	return isEmpty(ex, "members", becauseMembers+`; "Push Now" with "value": [] empties the group (okta-wire §6.5, QA C9316)`)
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
		if err := isArray(ex, "members", becauseMembers); err != nil {
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
	for i := len(w.flows) - 1; i >= 0; i-- {
		f := w.flows[i]
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

// appHasCrowd: Given the app already has a crowd of 250 users known to Okta. They are created
// through the protocol (fast set-up); Okta knows their ids as if it had provisioned them.
func appHasCrowd(ctx context.Context, n int) error {
	w := worldFromContext(ctx)
	crowd := make([]*user, 0, n)
	for i := 1; i <= n; i++ {
		crowd = append(crowd, w.user(fmt.Sprintf("crowd%03d", i)))
	}
	if err := w.vendorCreateAll(ctx, crowd); err != nil {
		return err
	}
	w.crowd = crowd
	return nil
}
