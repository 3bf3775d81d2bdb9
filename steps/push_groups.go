package steps

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/scimcheck/scimcheck/steps/expect"
	"github.com/scimcheck/scimcheck/steps/scim"
)

// Push groups (features/okta/push-groups.feature, okta-wire §6): create, link by name, rename, membership PATCHes in batches, Push Now, delete.

// The requirements of these checks: the "because" line of their failure messages.
const (
	becauseGroupPush = `Group Push creates the group with POST /Groups and needs 201 with the group and its id (okta-wire §6.1)`
	becauseGroupRead = `Okta reads a group by id to see that it still exists and needs 200 with the group (okta-wire §6.3)`
	becauseGroupFind = `Okta finds an app group by name with GET /Groups?filter=displayName eq "…"&startIndex=1&count=100 and links the one match (okta-wire §6.2)`
	becauseRename    = `Okta renames with a path-less PATCH whose value carries the group's id and the name, sent with every membership push, ` +
		`and needs 200 or 204; the next GET shows the name (okta-wire §6.4)`
	becauseGroupDelete = `unlinking a pushed group with "delete the group in the app" sends DELETE /Groups/{id}, which must answer 204; users are never touched (okta-wire §6.6)`
)

// groupMembers resolves member aliases to provisioned users.
func (w *world) groupMembers(list string) ([]*user, error) {
	var out []*user
	for _, a := range aliases(list) {
		u := w.user(a)
		if u.id == "" {
			return nil, HarnessErrorf("scimcheck harness error in the feature: %q has no app id; Okta only pushes members it provisioned (add `Given Okta has provisioned %q`)", a, a)
		}
		out = append(out, u)
	}
	return out, nil
}

// oktaPushesGroup: When Okta pushes group "engineering" (with members "ada, grace").
func oktaPushesGroup(ctx context.Context, alias, list string) error {
	w := worldFromContext(ctx)
	members, err := w.groupMembers(list)
	if err != nil {
		return err
	}
	return w.pushGroup(ctx, w.group(alias), members, members)
}

// oktaPushesGroupCrowd: When Okta pushes group "all-hands" with the crowd as members: a large
// group is created empty, then filled in PATCHes of at most the batch size.
func oktaPushesGroupCrowd(ctx context.Context, alias string) error {
	w := worldFromContext(ctx)
	if len(w.crowd) == 0 {
		return HarnessErrorf("scimcheck harness error in the feature: there is no crowd; add `Given the app already has a crowd of 250 users known to Okta`")
	}
	return w.pushGroup(ctx, w.group(alias), nil, w.crowd)
}

// pushGroup sends Okta's POST /Groups with inPost as members, then pushes members (the same
// ones again, as the captured "push memberships immediately" sequence does, okta-wire §6.1).
func (w *world) pushGroup(ctx context.Context, g *group, inPost, members []*user) error {
	q := w.begin("group push", g.alias, fmt.Sprintf("Okta's push of group %q (%s app)", g.alias, w.mode))
	const what = "POST /Groups, creating the group"
	ex, err := q.send(ctx, what, write(http.MethodPost, "/Groups", groupJSON("", g.displayName, inPost)))
	if err != nil {
		return err
	}
	if err := expect.StatusIn(ex, []int{http.StatusOK, http.StatusCreated}, becauseGroupPush); err != nil {
		return q.fail(what, "the push fails and the group shows an error in Push Groups (okta-wire §6.1)", err)
	}
	if err := expect.NotEmpty(ex, "id", becauseGroupPush); err != nil {
		return q.fail(what, "Okta has no id for the group and the push fails (okta-wire §6.1)", err)
	}
	g.id = ex.JSON().Get("id").String()
	g.members = slices.Clone(inPost)
	if len(members) == 0 {
		return nil
	}
	return w.changeMembers(ctx, q, g, members, nil)
}

// changeMembers pushes membership changes. OIN apps: PATCHes of at most the batch size of
// changes, removes first, then the rename PATCH with the unchanged name that Okta sends with
// every membership push. AIW apps: GET, then PUT of the whole group.
func (w *world) changeMembers(ctx context.Context, q *sequence, g *group, add, remove []*user) error {
	next := slices.DeleteFunc(slices.Clone(g.members), func(u *user) bool { return slices.Contains(remove, u) })
	for _, u := range add {
		if !slices.Contains(next, u) {
			next = append(next, u)
		}
	}
	if w.mode == modeAIW {
		if err := w.putGroup(ctx, q, g, g.displayName, next); err != nil {
			return err
		}
		g.members = next
		return nil
	}
	type change struct {
		u   *user
		add bool
	}
	var changes []change
	for _, u := range remove {
		changes = append(changes, change{u, false})
	}
	for _, u := range add {
		changes = append(changes, change{u, true})
	}
	for batch := range slices.Chunk(changes, w.batchSize()) {
		var adds, removes []*user
		for _, c := range batch {
			if c.add {
				adds = append(adds, c.u)
			} else {
				removes = append(removes, c.u)
			}
		}
		what := fmt.Sprintf("PATCH /Groups/{id} with %d member changes", len(batch))
		ex, err := q.send(ctx, what, write(http.MethodPatch, groupPath(g.id), patchJSON(membershipOps(removes, adds)...)))
		if err != nil {
			return err
		}
		q.patches = append(q.patches, memberPatch{ex: ex, changes: len(batch)})
		if err := expect.StatusIn(ex, okStatuses(http.MethodPatch), becauseMemberOp); err != nil {
			return q.fail(what, "the membership push fails; Okta shows the group with a push error (okta-wire §6.5)", err)
		}
	}
	g.members = next
	return w.rename(ctx, q, g, g.displayName)
}

// putGroup is the AIW group update: GET /Groups/{id}, then PUT with the whole member list.
func (w *world) putGroup(ctx context.Context, q *sequence, g *group, name string, members []*user) error {
	const read = "GET /Groups/{id}, reading the group before the PUT"
	ex, err := q.send(ctx, read, get(groupPath(g.id)))
	if err != nil {
		return err
	}
	if err := expect.Status(ex, http.StatusOK, becauseGroupRead); err != nil {
		return q.fail(read, "the push fails: Okta cannot read the group (okta-wire §6.3)", err)
	}
	what := fmt.Sprintf("PUT /Groups/{id} with %d members", len(members))
	ex, err = q.send(ctx, what, write(http.MethodPut, groupPath(g.id), groupJSON(g.id, name, members)))
	if err != nil {
		return err
	}
	if err := expect.Status(ex, http.StatusOK, becauseMemberOp); err != nil {
		return q.fail(what, "the push fails; Okta shows the group with a push error (okta-wire §6.5)", err)
	}
	return nil
}

// rename sends Okta's path-less rename with the id in the value (OIN), or the AIW PUT.
func (w *world) rename(ctx context.Context, q *sequence, g *group, name string) error {
	if w.mode == modeAIW {
		if err := w.putGroup(ctx, q, g, name, g.members); err != nil {
			return err
		}
		g.displayName = name
		return nil
	}
	const what = `PATCH /Groups/{id} {"op":"replace","value":{"id":…,"displayName":…}}, the rename`
	ex, err := q.send(ctx, what, write(http.MethodPatch, groupPath(g.id), patchJSON(renameOp(g.id, name))))
	if err != nil {
		return err
	}
	if err := expect.StatusIn(ex, okStatuses(http.MethodPatch), becauseRename); err != nil {
		return q.fail(what, "the push fails, and fails again with every membership push, which always carries the rename (okta-wire §6.4)", err)
	}
	g.displayName = name
	return nil
}

// oktaRenamesGroup: When Okta renames group "engineering" (to a new generated name).
func oktaRenamesGroup(ctx context.Context, alias string) error {
	w := worldFromContext(ctx)
	g := w.group(alias)
	q := w.begin("group rename", alias, fmt.Sprintf("Okta's rename of group %q (%s app)", alias, w.mode))
	return w.rename(ctx, q, g, w.runID()+" "+title(alias)+" Renamed "+w.random(digits, 4))
}

// oktaPushesSameName: When Okta pushes the name of group "engineering" unchanged.
func oktaPushesSameName(ctx context.Context, alias string) error {
	w := worldFromContext(ctx)
	g := w.group(alias)
	q := w.begin("group rename", alias, fmt.Sprintf("Okta's push of the unchanged name of group %q", alias))
	return w.rename(ctx, q, g, g.displayName)
}

// oktaChangesMembers: When Okta adds "alan" to and removes "grace" from group "engineering".
func oktaChangesMembers(ctx context.Context, addList, removeList, alias string) error {
	w := worldFromContext(ctx)
	add, err := w.groupMembers(addList)
	if err != nil {
		return err
	}
	remove, err := w.groupMembers(removeList)
	if err != nil {
		return err
	}
	g := w.group(alias)
	q := w.begin("membership push", alias, fmt.Sprintf("Okta's membership push for group %q (%s app)", alias, w.mode))
	return w.changeMembers(ctx, q, g, add, remove)
}

// oktaPushesNow: When Okta pushes group "engineering" now with members "…" (or with no
// members): "Push Now" replaces the whole list (okta-wire §6.5, QA C9316).
func oktaPushesNow(ctx context.Context, alias, list string) error {
	w := worldFromContext(ctx)
	members, err := w.groupMembers(list)
	if err != nil {
		return err
	}
	g := w.group(alias)
	q := w.begin("push now", alias, fmt.Sprintf(`Okta's "Push Now" of group %q (%s app)`, alias, w.mode))
	if w.mode == modeAIW {
		if err := w.putGroup(ctx, q, g, g.displayName, members); err != nil {
			return err
		}
		g.members = members
		return nil
	}
	what := fmt.Sprintf(`PATCH /Groups/{id} {"op":"replace","path":"members","value":[%d members]}`, len(members))
	ex, err := q.send(ctx, what, write(http.MethodPatch, groupPath(g.id), patchJSON(pushNowOp(members))))
	if err != nil {
		return err
	}
	if err := expect.StatusIn(ex, okStatuses(http.MethodPatch), becauseMemberOp); err != nil {
		return q.fail(what, "the push fails; the app keeps its old membership (okta-wire §6.5)", err)
	}
	g.members = members
	return nil
}

// oktaDeletesGroup: When Okta unlinks group "engineering" and deletes it in the app. The one
// request is checked by the Then steps.
func oktaDeletesGroup(ctx context.Context, alias string) error {
	w := worldFromContext(ctx)
	g := w.group(alias)
	q := w.begin("group delete", alias, fmt.Sprintf("Okta's unlink-and-delete of group %q", alias))
	_, err := q.send(ctx, "DELETE /Groups/{id}", scim.Request{Method: http.MethodDelete, Path: groupPath(g.id)})
	return err
}

// appHasGroup: Given the app already has a group "engineering", made by the vendor's app.
func appHasGroup(ctx context.Context, alias string) error {
	w := worldFromContext(ctx)
	g := w.group(alias)
	ex, err := w.send(ctx, groupCreateRequest(g))
	return w.groupCreated(ctx, g, ex, err)
}

// groupCreateRequest is the vendor app's POST /Groups of g, without members.
func groupCreateRequest(g *group) scim.Request {
	return write(http.MethodPost, "/Groups", groupJSON("", g.displayName, nil))
}

// groupCreated is the rest of appHasGroup, once the POST of g was answered (ex, err).
func (w *world) groupCreated(ctx context.Context, g *group, ex *scim.Exchange, err error) error {
	alias := g.alias
	if err != nil {
		return setupError(fmt.Sprintf("creating group %q in the app", alias), err)
	}
	if err := expect.StatusIn(ex, []int{200, 201}, "the scenario needs a group that is already in the app"); err != nil {
		return setupError(fmt.Sprintf("creating group %q in the app", alias), err)
	}
	g.id = ex.JSON().Get("id").String()
	if g.id != "" {
		return nil
	}
	look, err := w.send(ctx, groupLookup(g.displayName))
	if err != nil {
		return setupError(fmt.Sprintf("finding the id of group %q", alias), err)
	}
	if g.id = look.JSON().Get("Resources.0.id").String(); g.id == "" {
		return setupError(fmt.Sprintf("finding the id of group %q", alias),
			expect.NotEmpty(look, "Resources.0.id", "the create answer had no id, so the group must be found by its name"))
	}
	w.createdGroups = append(w.createdGroups, g.id)
	return nil
}

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

// checkDelete204: DELETE /Groups/{id} answers 204. Okta documents 204 (okta-wire §6.6 [C]) and
// takes any 2xx for its other group writes (§6.4, §6.5 [C]); that it takes a 200 here too is
// inferred [I]. Its 2023 SPEC test checks for 204 (§8.3).
var checkDelete204 = expect.Check{
	ID:    "delete-200", // the diagnosis rule of that id names it
	Grade: expect.GradeReview,
	Okta: "Okta's runtime takes a 2xx answer to its DELETE as done, so the group is unlinked and deleted; Okta's SPEC test " +
		"checks for 204 No Content (okta-wire §6.6, §8.3)",
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

// deletedGroup reports whether Okta deleted a group in this scenario.
func (w *world) deletedGroup() bool {
	for _, f := range w.sequences {
		if f.kind == "group delete" {
			return true
		}
	}
	return false
}
