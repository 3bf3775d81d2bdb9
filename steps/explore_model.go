package steps

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
)

// The actions `scimcheck explore` draws, the model of what Okta believes that decides which
// actions can come next, and their rendering as steps of the feature vocabulary. Each action
// is one or more step texts of stepDefs, so that the sequence explore runs and the scenario it
// writes are the same steps, sent by the same flows.

// The kinds of action, as --actions names them.
const (
	actAppUser    = "app-user"   // the vendor's app creates the user before provisioning
	actAppCrowd   = "app-crowd"  // the vendor's app holds 120 more users, for an import to page through
	actAssign     = "assign"     // assign (or assign again, after an unassignment)
	actProfile    = "profile"    // first name, last name, title or phone pushed, or the title emptied
	actAddress    = "address"    // userName and/or primary email pushed
	actDeactivate = "deactivate" // deactivated in Okta
	actUnassign   = "unassign"   // unassigned from the app (the same request sequence)
	actReactivate = "reactivate" // reactivated with the id Okta stored
	actSuspend    = "suspend"    // suspended in Okta: nothing is sent (okta-wire §4)
	actUnsuspend  = "unsuspend"  // unsuspended: nothing is sent
	actAppGroup   = "app-group"  // the vendor's app creates the group before Group Push
	actPush       = "push"       // Group Push creates the group
	actLink       = "link"       // Group Push links an app group by name
	actRename     = "rename"     // the group renamed in Okta
	actMembers    = "members"    // members added and removed
	actPushNow    = "push-now"   // "Push Now": the whole member list replaced
	actUnlink     = "unlink"     // unlinked, the app group kept: nothing is sent
	actDelete     = "delete"     // unlinked and deleted in the app
	actImport     = "import"     // users or groups imported
)

// ExploreActions returns every kind of action `scimcheck explore --actions` accepts, in the
// order the help lists them.
func ExploreActions() []string {
	return []string{actAppUser, actAppCrowd, actAssign, actProfile, actAddress, actDeactivate, actUnassign, actReactivate,
		actSuspend, actUnsuspend, actAppGroup, actPush, actLink, actRename, actMembers, actPushNow, actUnlink,
		actDelete, actImport}
}

// actionWeights says how often each kind is drawn among the valid ones.
func actionWeights() map[string]int {
	return map[string]int{actAppUser: 4, actAppCrowd: 1, actAssign: 4, actProfile: 3, actAddress: 2, actDeactivate: 2,
		actUnassign: 1, actReactivate: 2, actSuspend: 1, actUnsuspend: 1, actAppGroup: 1, actPush: 2, actLink: 2,
		actRename: 1, actMembers: 3, actPushNow: 1, actUnlink: 1, actDelete: 1, actImport: 1}
}

// exploreUsers and exploreGroups are the aliases explore plays with: few, so that the same
// person comes back through many transitions.
var (
	exploreUsers  = []string{"ada", "grace", "alan", "jane"}
	exploreGroups = []string{"engineering", "design"}
	// exploreNames are the first and last names a profile push draws from.
	exploreNames = []string{"Augusta", "Byron", "Brewster", "Murray", "Kathleen", "Booth"}
	// exploreTitles are the titles a profile push draws from.
	exploreTitles = []string{"Engineer", "Analyst", "Director"}
	// exploreProfile are the profile changes Okta pushes; the last two need a title to clear.
	exploreProfile = []string{"first name", "last name", "title", "work phone number", "empty title", "remove title"}
	// exploreAddresses are what an address change pushes.
	exploreAddresses = []string{"userName and primary email", "userName", "primary email"}
)

// action is one admin action of Okta, or one event in the vendor's app.
type action struct {
	kind        string
	user, group string
	attr, value string   // profile: exploreProfile and the value; address: what changes; import: "users"/"groups"; app-user: "upper" for an upper-cased userName
	members     []string // push, push-now: the members; members: those added
	remove      []string // members: those removed
}

// steps returns the action's steps, each with its keyword; none for an action that sends
// nothing (suspend, unsuspend, unlink).
func (a action) steps() []string {
	switch a.kind {
	case actAppUser:
		if a.attr == "upper" {
			return []string{fmt.Sprintf(`Given the app already has an active user %q whose userName is in upper case`, a.user)}
		}
		return []string{fmt.Sprintf(`Given the app already has an active user %q`, a.user)}
	case actAppCrowd:
		return []string{`Given the app already has 120 users of this scenario`}
	case actAssign:
		return []string{fmt.Sprintf(`When Okta assigns the app to %q`, a.user)}
	case actProfile:
		switch a.attr {
		case "work phone number":
			return []string{fmt.Sprintf(`When Okta adds the work phone number %q to %q`, a.value, a.user)}
		case "empty title", "remove title":
			verb := map[string]string{"empty title": "empties", "remove title": "removes"}[a.attr]
			return []string{fmt.Sprintf(`When Okta %s the title of %q`, verb, a.user)}
		}
		return []string{fmt.Sprintf(`When Okta changes the %s of %q to %q`, a.attr, a.user, a.value)}
	case actAddress:
		return []string{fmt.Sprintf(`When Okta changes the %s of %q to a new address`, a.attr, a.user)}
	case actDeactivate:
		return []string{fmt.Sprintf(`When Okta deactivates %q`, a.user)}
	case actUnassign:
		return []string{fmt.Sprintf(`When Okta unassigns the app from %q`, a.user)}
	case actReactivate:
		return []string{fmt.Sprintf(`When Okta reactivates %q`, a.user)}
	case actAppGroup:
		return []string{fmt.Sprintf(`Given the app already has a group %q`, a.group)}
	case actPush:
		if len(a.members) == 0 {
			return []string{fmt.Sprintf(`When Okta pushes group %q`, a.group)}
		}
		return []string{fmt.Sprintf(`When Okta pushes group %q with members %q`, a.group, strings.Join(a.members, ", "))}
	case actLink:
		return []string{fmt.Sprintf(`When Okta links group %q by name`, a.group)}
	case actRename:
		return []string{fmt.Sprintf(`When Okta renames group %q`, a.group)}
	case actMembers:
		return []string{fmt.Sprintf(`When Okta adds %q to and removes %q from group %q`,
			strings.Join(a.members, ", "), strings.Join(a.remove, ", "), a.group)}
	case actPushNow:
		if len(a.members) == 0 {
			return []string{fmt.Sprintf(`When Okta pushes group %q now with no members`, a.group)}
		}
		return []string{fmt.Sprintf(`When Okta pushes group %q now with members %q`, a.group, strings.Join(a.members, ", "))}
	case actDelete:
		return []string{fmt.Sprintf(`When Okta unlinks group %q and deletes it in the app`, a.group), `Then Okta's DELETE succeeded`,
			fmt.Sprintf(`Then the app group %q no longer exists`, a.group)}
	case actImport:
		return []string{fmt.Sprintf(`When Okta imports %s`, a.attr)}
	}
	return nil
}

// String describes the action for the transcript, also one that sends nothing.
func (a action) String() string {
	switch a.kind {
	case actSuspend:
		return fmt.Sprintf("Okta suspends %q (nothing is sent)", a.user)
	case actUnsuspend:
		return fmt.Sprintf("Okta unsuspends %q (nothing is sent)", a.user)
	case actUnlink:
		return fmt.Sprintf("Okta unlinks group %q and keeps it in the app (nothing is sent)", a.group)
	}
	var parts []string
	for _, s := range a.steps() {
		_, text, _ := strings.Cut(s, " ")
		parts = append(parts, text)
	}
	return strings.Join(parts, "; ")
}

// The states of a user and a group in the model.
const (
	stateNone     = iota // Okta and the app know nothing of it
	stateAppOnly         // the vendor's app created it; Okta has not provisioned or linked it
	stateActive          // user: assigned and active; group: pushed or linked
	stateInactive        // user: deactivated or unassigned; group: unlinked, kept in the app
	stateDeleted         // group: unlinked and deleted in the app
)

// model is what Okta believes, reduced to what decides the next valid action: each user's and
// group's state, who is suspended, and each group's members as Okta pushed them. The values
// Okta pushed (names, ids) live in the scenario's world, which the flows keep.
type model struct {
	users     map[string]int
	suspended map[string]bool
	titled    map[string]bool // a title was pushed and not cleared since
	cleared   map[string]bool // the title was cleared
	phoned    map[string]bool // a work phone number was pushed
	crowd     bool            // the app holds the crowd of 120 users
	groups    map[string]int
	members   map[string][]string
}

// newModel returns the model of a run that has done nothing yet.
func newModel() *model {
	return &model{users: map[string]int{}, suspended: map[string]bool{}, titled: map[string]bool{}, cleared: map[string]bool{},
		phoned: map[string]bool{}, groups: map[string]int{}, members: map[string][]string{}}
}

// active returns the users Okta holds as assigned and active, in alias order.
func (m *model) active() []string {
	var out []string
	for _, u := range exploreUsers {
		if m.users[u] == stateActive {
			out = append(out, u)
		}
	}
	return out
}

// valid reports whether a can come next.
func (m *model) valid(a action) bool {
	u, g := m.users[a.user], m.groups[a.group]
	activeAll := func(list []string) bool {
		return !slices.ContainsFunc(list, func(x string) bool { return m.users[x] != stateActive })
	}
	switch a.kind {
	case actAppUser:
		return u == stateNone
	case actAppCrowd:
		return !m.crowd
	case actAssign:
		return u != stateActive
	case actProfile:
		return u == stateActive && !m.suspended[a.user] && (!strings.HasSuffix(a.attr, " title") || m.titled[a.user])
	case actAddress, actSuspend:
		return u == stateActive && !m.suspended[a.user]
	case actDeactivate, actUnassign:
		return u == stateActive
	case actReactivate:
		return u == stateInactive
	case actUnsuspend:
		return u == stateActive && m.suspended[a.user]
	case actAppGroup:
		return g == stateNone
	case actPush:
		return (g == stateNone || g == stateDeleted) && activeAll(a.members)
	case actLink:
		return g == stateAppOnly || g == stateInactive
	case actRename, actUnlink, actDelete:
		return g == stateActive
	case actPushNow:
		return g == stateActive && activeAll(a.members)
	case actMembers:
		cur := m.members[a.group]
		return g == stateActive && len(a.members)+len(a.remove) > 0 && activeAll(a.members) &&
			!slices.ContainsFunc(a.members, func(x string) bool { return slices.Contains(cur, x) }) &&
			!slices.ContainsFunc(a.remove, func(x string) bool { return !slices.Contains(cur, x) })
	case actImport:
		return true
	}
	return false
}

// apply moves the model past a, which must be valid.
func (m *model) apply(a action) {
	switch a.kind {
	case actAppUser:
		m.users[a.user] = stateAppOnly
	case actAppCrowd:
		m.crowd = true
	case actProfile:
		switch a.attr {
		case "title":
			m.titled[a.user], m.cleared[a.user] = true, false
		case "empty title", "remove title":
			m.titled[a.user], m.cleared[a.user] = false, true
		case "work phone number":
			m.phoned[a.user] = true
		}
	case actAssign, actReactivate:
		m.users[a.user], m.suspended[a.user] = stateActive, false
	case actDeactivate, actUnassign:
		m.users[a.user], m.suspended[a.user] = stateInactive, false
	case actSuspend, actUnsuspend:
		m.suspended[a.user] = a.kind == actSuspend
	case actAppGroup:
		m.groups[a.group] = stateAppOnly
	case actPush, actPushNow:
		m.groups[a.group], m.members[a.group] = stateActive, slices.Clone(a.members)
	case actLink:
		m.groups[a.group] = stateActive
	case actMembers:
		cur := slices.DeleteFunc(slices.Clone(m.members[a.group]), func(x string) bool { return slices.Contains(a.remove, x) })
		m.members[a.group] = append(cur, a.members...)
	case actUnlink:
		m.groups[a.group] = stateInactive
	case actDelete:
		m.groups[a.group], m.members[a.group] = stateDeleted, nil
	}
}

// keepValid returns the actions of seq that are valid where they stand once the ones before
// them that are kept have run: what is left of a sequence after some actions were taken out.
func keepValid(seq []action) []action {
	m := newModel()
	var out []action
	for _, a := range seq {
		if m.valid(a) {
			m.apply(a)
			out = append(out, a)
		}
	}
	return out
}

// generator draws the actions of one exploration from its own random source, so that the same
// seed gives the same sequence whatever the target answers.
type generator struct {
	rng     *rand.Rand
	allowed map[string]bool
}

// newGenerator returns the generator of seed, drawing only the kinds in allowed (all when
// empty).
func newGenerator(seed int64, allowed []string) *generator {
	g := &generator{rng: rand.New(rand.NewPCG(uint64(seed), 0x5c1eca11)), allowed: map[string]bool{}}
	for _, k := range ExploreActions() {
		g.allowed[k] = len(allowed) == 0 || slices.Contains(allowed, k)
	}
	return g
}

// next draws one action valid in m; false when none is.
func (g *generator) next(m *model) (action, bool) {
	var cands []action
	var weights []int
	total := 0
	weight := actionWeights()
	add := func(a action) {
		if g.allowed[a.kind] && m.valid(a) {
			cands, weights = append(cands, a), append(weights, weight[a.kind])
			total += weight[a.kind]
		}
	}
	add(action{kind: actAppCrowd})
	for _, u := range exploreUsers {
		add(action{kind: actAppUser, user: u, attr: []string{"", "upper"}[g.rng.IntN(2)]})
		for _, k := range []string{actAssign, actDeactivate, actUnassign, actReactivate, actSuspend, actUnsuspend} {
			add(action{kind: k, user: u})
		}
		p := action{kind: actProfile, user: u, attr: exploreProfile[g.rng.IntN(len(exploreProfile))]}
		switch p.attr {
		case "first name", "last name":
			p.value = exploreNames[g.rng.IntN(len(exploreNames))]
		case "title":
			p.value = exploreTitles[g.rng.IntN(len(exploreTitles))]
		case "work phone number":
			p.value = fmt.Sprintf("555-01%02d", g.rng.IntN(100))
		}
		add(p)
		add(action{kind: actAddress, user: u, attr: exploreAddresses[g.rng.IntN(len(exploreAddresses))]})
	}
	active := m.active()
	for _, gr := range exploreGroups {
		for _, k := range []string{actAppGroup, actLink, actRename, actUnlink, actDelete} {
			add(action{kind: k, group: gr})
		}
		add(action{kind: actPush, group: gr, members: g.subset(active)})
		add(action{kind: actPushNow, group: gr, members: g.subset(active)})
		cur := m.members[gr]
		var outside []string
		for _, u := range active {
			if !slices.Contains(cur, u) {
				outside = append(outside, u)
			}
		}
		add(action{kind: actMembers, group: gr, members: g.subset(outside), remove: g.subset(cur)})
	}
	add(action{kind: actImport, attr: []string{"users", "groups"}[g.rng.IntN(2)]})
	if total == 0 {
		return action{}, false
	}
	n := g.rng.IntN(total)
	for i, w := range weights {
		if n < w {
			return cands[i], true
		}
		n -= w
	}
	return cands[len(cands)-1], true
}

// subset returns some of list, in its order, each kept with probability one half.
func (g *generator) subset(list []string) []string {
	var out []string
	for _, x := range list {
		if g.rng.IntN(2) == 0 {
			out = append(out, x)
		}
	}
	return out
}
