package steps

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestExploreWritesOnlyKnownSteps: every step an action or a check can write matches a step
// definition, so that the written scenario runs with `run --features`.
func TestExploreWritesOnlyKnownSteps(t *testing.T) {
	m := newModel()
	gen := newGenerator(5, nil)
	texts := map[string]bool{}
	for range 2000 {
		a, ok := gen.next(m)
		require.True(t, ok)
		require.True(t, m.valid(a), "the generator drew an invalid action: %+v", a)
		m.apply(a)
		for _, s := range a.steps() {
			texts[s] = true
		}
	}
	tr := &trial{model: m}
	for _, alias := range exploreUsers {
		for _, s := range tr.userChecks(alias, &user{title: "Engineer", phone: "555-0100"}) {
			texts[s] = true
		}
	}
	for _, s := range groupChecks("design", []string{"ada", "grace"}) {
		texts[s] = true
	}
	texts[groupChecks("design", nil)[1]] = true
	for s := range texts {
		kw, text, _ := strings.Cut(s, " ")
		assert.Contains(t, []string{"Given", "When", "Then"}, kw, s)
		n := 0
		for _, d := range stepDefs {
			if d.expr.MatchString(text) {
				n++
			}
		}
		assert.Equal(t, 1, n, "step %q matches %d step definitions, want 1", s, n)
	}
}

func TestKeepValidDropsWhatLostItsPrecondition(t *testing.T) {
	seq := []action{
		{kind: actAssign, user: "ada"},
		{kind: actDeactivate, user: "ada"},
		{kind: actReactivate, user: "ada"},
		{kind: actPush, group: "design", members: []string{"ada"}},
		{kind: actMembers, group: "design", remove: []string{"ada"}},
	}
	assert.Equal(t, seq, keepValid(seq), "a valid sequence is kept whole")
	got := keepValid(append([]action{}, seq[2:]...))
	assert.Empty(t, got, "reactivating a user never deactivated, and pushing members never assigned, are invalid")
	merged := keepValid(renamed([]action{{kind: actAssign, user: "ada"}, {kind: actAssign, user: "grace"},
		{kind: actPush, group: "design", members: []string{"ada", "grace"}}}, "grace", "ada"))
	require.Len(t, merged, 2, "the second assignment of ada is invalid once grace became ada")
	assert.Equal(t, []string{"ada"}, merged[1].members, "merged members are not repeated")
}

// TestExploreActionsThatSendNothing: suspend, unsuspend and unlink send no request.
func TestExploreActionsThatSendNothing(t *testing.T) {
	for _, a := range []action{{kind: actSuspend, user: "ada"}, {kind: actUnsuspend, user: "ada"}, {kind: actUnlink, group: "design"}} {
		assert.Empty(t, a.steps(), a.kind)
		assert.Contains(t, a.String(), "nothing is sent")
	}
	tr := &trial{w: newWorld(&Suite{}, "x", "explore/x.feature", "x", nil), model: newModel(), ctx: context.Background()}
	tr.ctx = worldToContext(tr.ctx, tr.w)
	f, err := tr.run(action{kind: actUnlink, group: "design"}) // the model holds nothing to check
	require.NoError(t, err)
	assert.Nil(t, f)
	assert.Empty(t, tr.w.exchanges, "nothing was sent")
	assert.Contains(t, tr.transcript(), "(Okta unlinks group \"design\" and keeps it in the app (nothing is sent))")
}

func TestCanonicalNamesUsersAndGroupsInOrder(t *testing.T) {
	seq := []action{
		{kind: actAssign, user: "jane"},
		{kind: actAssign, user: "alan"},
		{kind: actPush, group: "design", members: []string{"alan", "jane"}},
		{kind: actMembers, group: "design", remove: []string{"jane"}},
	}
	got := canonical(seq)
	assert.Equal(t, []action{
		{kind: actAssign, user: "ada"},
		{kind: actAssign, user: "grace"},
		{kind: actPush, group: "engineering", members: []string{"grace", "ada"}},
		{kind: actMembers, group: "engineering", remove: []string{"ada"}},
	}, got)
	assert.Equal(t, "jane", seq[0].user, "seq itself is left as it was")
	assert.Equal(t, []string{"alan", "jane"}, seq[2].members)
}
