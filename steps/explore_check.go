package steps

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/tidwall/gjson"
)

// The check after every action of `scimcheck explore`: the app must hold what Okta believes,
// at okta grade. Each user Okta provisioned is read by the id Okta stored (the same id), and
// must show the userName, names and primary email Okta pushed and its active state; each group
// Okta pushed or linked must show Okta's name and exactly the members Okta pushed, each once.
//
// One GET per user and group tells whether anything differs. When something does, the steps
// of the feature vocabulary that check it run, in order, and the first that fails is the
// divergence: the very step the written scenario ends with, so that its replay fails the same
// way. A difference no step confirms is no divergence.

// userChecks returns the steps that check user alias (u in the world) against the model.
func (t *trial) userChecks(alias string, u *user) []string {
	active := t.model.users[alias] == stateActive
	checks := []string{
		fmt.Sprintf(`Then reading %q back shows "active" as %t`, alias, active),
		fmt.Sprintf(`Then reading %q back shows "userName" as "{%s.userName}"`, alias, alias),
		fmt.Sprintf(`Then reading %q back shows "name.givenName" as "{%s.givenName}"`, alias, alias),
		fmt.Sprintf(`Then reading %q back shows "name.familyName" as "{%s.familyName}"`, alias, alias),
		fmt.Sprintf(`Then reading %q back shows "emails.#(primary==true).value" as "{%s.email}"`, alias, alias),
	}
	switch {
	case t.model.titled[alias]:
		checks = append(checks, fmt.Sprintf(`Then reading %q back shows "title" as %q`, alias, u.title))
	case t.model.cleared[alias]:
		checks = append(checks, fmt.Sprintf(`Then reading %q back shows no "title"`, alias))
	}
	if t.model.phoned[alias] {
		checks = append(checks, fmt.Sprintf(`Then reading %q back shows "phoneNumbers.0.value" as %q`, alias, u.phone))
	}
	return checks
}

// groupChecks returns the steps that check group alias against the model.
func groupChecks(alias string, members []string) []string {
	list := fmt.Sprintf(`Then the app group %q has exactly the members %q`, alias, strings.Join(members, ", "))
	if len(members) == 0 {
		list = fmt.Sprintf(`Then the app group %q has no members`, alias)
	}
	return []string{fmt.Sprintf(`Then the app group %q has Okta's name`, alias), list}
}

// check compares the app with the model and returns the first divergence a step confirms.
func (t *trial) check() (*divergence, error) {
	w := t.w
	for _, alias := range exploreUsers {
		state := t.model.users[alias]
		if state != stateActive && state != stateInactive {
			continue
		}
		u := w.user(alias)
		ex, err := w.send(t.ctx, get(userPath(u.id)))
		if err == nil && ex.Response.StatusCode == http.StatusOK && t.userMatches(ex.JSON(), alias, u) {
			continue
		}
		if f, err := t.confirm(t.userChecks(alias, u)); f != nil || err != nil {
			return f, err
		}
	}
	for _, alias := range exploreGroups {
		if t.model.groups[alias] != stateActive {
			continue
		}
		g := w.group(alias)
		ex, err := w.send(t.ctx, get(groupPath(g.id)))
		if err == nil && ex.Response.StatusCode == http.StatusOK && groupMatches(ex.JSON(), g) {
			continue
		}
		if f, err := t.confirm(groupChecks(alias, t.model.members[alias])); f != nil || err != nil {
			return f, err
		}
	}
	return nil, nil
}

// confirm runs the check steps in order and returns the first that fails.
func (t *trial) confirm(texts []string) (*divergence, error) {
	for _, text := range texts {
		if f, err := t.step(text, true); f != nil || err != nil {
			return f, err
		}
	}
	return nil, nil
}

// userMatches reports whether a user read back shows what Okta pushed for alias (u).
func (t *trial) userMatches(got gjson.Result, alias string, u *user) bool {
	a, title := got.Get("active"), got.Get("title")
	switch {
	case a.Type == gjson.True != (t.model.users[alias] == stateActive) || a.Type != gjson.True && a.Type != gjson.False,
		got.Get("userName").Type != gjson.String || got.Get("userName").String() != u.userName,
		got.Get("name.givenName").String() != u.givenName || got.Get("name.familyName").String() != u.familyName,
		got.Get("emails.#(primary==true).value").String() != u.email,
		t.model.titled[alias] && title.String() != u.title,
		t.model.cleared[alias] && title.Exists() && title.Type != gjson.Null && title.String() != "",
		t.model.phoned[alias] && got.Get("phoneNumbers.0.value").String() != u.phone:
		return false
	}
	return true
}

// groupMatches reports whether a group read back shows Okta's name and exactly its members,
// each once. A group whose GET leaves the members out does not match: the step finds them.
func groupMatches(got gjson.Result, g *group) bool {
	if got.Get("displayName").String() != g.displayName {
		return false
	}
	m := got.Get("members")
	if !m.Exists() || m.Type == gjson.Null {
		return len(g.members) == 0
	}
	var ids []string
	for _, v := range m.Array() {
		ids = append(ids, v.Get("value").String())
	}
	want := make([]string, len(g.members))
	for i, u := range g.members {
		want[i] = u.id
	}
	slices.Sort(ids)
	slices.Sort(want)
	return slices.Equal(ids, want)
}
