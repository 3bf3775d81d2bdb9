package server

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimcheck/scimcheck/reference"
)

func TestCreateGroup(t *testing.T) {
	c := newClient(t)
	ada := c.createUser("ada@example.com")
	r := c.must(201, "POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Test SCIMv2","members":[]}`)
	id := r.JSON("id").String()
	assert.Equal(t, "http://scim.test/scim/v2/Groups/"+id, r.Header.Get("Location"))
	assert.Equal(t, "Group", r.JSON("meta.resourceType").String())
	assert.Equal(t, `W/"1"`, r.Header.Get("ETag"))
	assert.Equal(t, "[]", r.JSON("members").Raw, "an empty group answers members: []")
	assert.Equal(t, []any{reference.GroupSchema}, r.JSON("schemas").Value())

	r = c.must(201, "POST", "/Groups", groupBody("Droids", ada))
	assert.Equal(t, ada, r.JSON("members.0.value").String())
	assert.Equal(t, ada+"@example.com", r.JSON("members.0.display").String())
	assert.Equal(t, "User", r.JSON("members.0.type").String())
	assert.Equal(t, "http://scim.test/scim/v2/Users/"+ada, r.JSON("members.0.$ref").String())

	t.Run("bad bodies", func(t *testing.T) {
		assertSCIMError(t, c.do("POST", "/Groups", `{"members":[]}`), 400, reference.ScimTypeInvalidValue)
		assertSCIMError(t, c.do("POST", "/Groups", `{"displayName":"x","members":[{"value":"nope"}]}`), 400, reference.ScimTypeInvalidValue)
		assertSCIMError(t, c.do("POST", "/Groups", `{"displayName":"x","members":{"value":"`+ada+`"}}`), 400, reference.ScimTypeInvalidValue)
		assertSCIMError(t, c.do("POST", "/Groups", `{"displayName":"x","members":[{"display":"no value"}]}`), 400, reference.ScimTypeInvalidValue)
		assertSCIMError(t, c.do("POST", "/Groups", `{"displayName":7}`), 400, reference.ScimTypeInvalidValue)
	})
	t.Run("a nested group", func(t *testing.T) {
		r := c.must(201, "POST", "/Groups", `{"displayName":"outer","members":[{"value":"`+id+`"}]}`)
		assert.Equal(t, "Group", r.JSON("members.0.type").String())
		assert.Equal(t, "http://scim.test/scim/v2/Groups/"+id, r.JSON("members.0.$ref").String())
	})
}

// TestGroupPush replays Okta's Group Push (okta-wire.md §6): POST with members, then PATCH
// add of the same members, renames carrying id, per-member removes, Push Now, unlink.
func TestGroupPush(t *testing.T) {
	c := newClient(t)
	a, b, d := c.createUser("bb-8"), c.createUser("c-3po"), c.createUser("r2-d2")
	g := c.createGroup("Droids", a, b)
	path := "/Groups/" + g
	add := func(ids ...string) string {
		var list []string
		for _, id := range ids {
			list = append(list, `{"value":"`+id+`","display":"`+id+`@x"}`)
		}
		return `{"op":"add","path":"members","value":[` + strings.Join(list, ",") + `]}`
	}
	remove := func(id string) string { return `{"op":"remove","path":"members[value eq \"` + id + `\"]"}` }
	ok := func(ops string) response {
		t.Helper()
		r := c.patch(path, ops)
		require.Equal(t, 200, r.Status, r.Body)
		return r
	}

	r := ok(`[` + add(a, b) + `]`)
	assert.Equal(t, []string{a, b}, memberValues(r), "adding existing members is a no-op")

	r = ok(`[{"op":"replace","value":{"id":"` + g + `","displayName":"Droids"}}]`)
	assert.Equal(t, "Droids", r.JSON("displayName").String(), "a rename with an unchanged name")
	r = ok(`[{"op":"replace","value":{"id":"` + g + `","displayName":"Test SCIMv2"}}]`)
	assert.Equal(t, "Test SCIMv2", r.JSON("displayName").String())
	assert.Equal(t, []string{a, b}, memberValues(r), "a rename keeps the members")
	assertSCIMError(t, c.patch(path, `[{"op":"replace","value":{"id":"other","displayName":"x"}}]`), 400, reference.ScimTypeMutability)

	r = ok(`[` + remove(a) + `,` + remove(d) + `,` + add(d) + `]`)
	assert.Equal(t, []string{b, d}, memberValues(r), "removes first, a non-member remove is no error")
	r = ok(`[` + remove(d) + `,` + remove(d) + `]`)
	assert.Equal(t, []string{b}, memberValues(r))

	r = ok(`[{"op":"replace","path":"members","value":[{"value":"` + d + `"},{"value":"` + a + `"}]}]`)
	assert.ElementsMatch(t, []string{a, d}, memberValues(r), "Push Now replaces the membership")
	r = ok(`[{"op":"replace","path":"members","value":[]}]`)
	assert.Equal(t, "[]", r.JSON("members").Raw, "Push Now of an empty group")

	r = ok(`[` + add(a) + `]`)
	r = ok(`[` + remove(a) + `]`)
	assert.Equal(t, "[]", r.JSON("members").Raw, "spec 2023: remove answers 200 with members empty")

	t.Run("Entra's remove with a value list", func(t *testing.T) {
		ok(`[` + add(a, b, d) + `]`)
		r := ok(`[{"op":"Remove","path":"members","value":[{"value":"` + a + `"},{"value":"` + d + `"}]}]`)
		assert.Equal(t, []string{b}, memberValues(r))
	})
	t.Run("remove all members by path", func(t *testing.T) {
		r := ok(`[{"op":"remove","path":"members"}]`)
		assert.Equal(t, "[]", r.JSON("members").Raw)
	})
	t.Run("add a member that does not exist", func(t *testing.T) {
		assertSCIMError(t, c.patch(path, `[`+add("nope")+`]`), 400, reference.ScimTypeInvalidValue)
	})
	t.Run("member display update", func(t *testing.T) {
		ok(`[{"op":"add","path":"members","value":[{"value":"` + a + `","display":"first"}]}]`)
		r := ok(`[{"op":"add","path":"members","value":[{"value":"` + a + `","display":"second"}]}]`)
		assert.Equal(t, []string{a}, memberValues(r))
	})

	c.must(204, "DELETE", path, "")
	assertSCIMError(t, c.do("GET", path, ""), 404, "")
	c.must(200, "GET", "/Users/"+a, "") // users stay
}

func TestGroupPut(t *testing.T) {
	c := newClient(t)
	a, b := c.createUser("a"), c.createUser("b")
	g := c.createGroup("eng", a)
	r := c.must(200, "PUT", "/Groups/"+g, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"id":"`+g+`","displayName":"eng2","members":[{"value":"`+b+`"},{"value":"`+a+`"}]}`)
	assert.Equal(t, "eng2", r.JSON("displayName").String())
	assert.ElementsMatch(t, []string{a, b}, memberValues(r))
	r = c.must(200, "PUT", "/Groups/"+g, `{"displayName":"eng2","members":[]}`)
	assert.Equal(t, "[]", r.JSON("members").Raw, "spec 2023: PUT with members [] empties the group")
	assertSCIMError(t, c.do("PUT", "/Groups/"+g, `{"members":[]}`), 400, reference.ScimTypeInvalidValue)
}

func TestUserGroupsDerived(t *testing.T) {
	c := newClient(t)
	u := c.createUser("ada")
	g1, g2 := c.createGroup("one", u), c.createGroup("two", u)
	r := c.must(200, "GET", "/Users/"+u, "")
	assert.ElementsMatch(t, []any{g1, g2}, r.JSON("groups.#.value").Value())
	assert.Equal(t, "one", r.JSON(`groups.#(value=="`+g1+`").display`).String())
	assert.Equal(t, "direct", r.JSON("groups.0.type").String())
	assert.Equal(t, "http://scim.test/scim/v2/Groups/"+g1, r.JSON(`groups.#(value=="`+g1+`").$ref`).String())

	c.patch("/Groups/"+g1, `[{"op":"replace","value":{"displayName":"uno"}}]`)
	r = c.must(200, "GET", "/Users/"+u, "")
	assert.Equal(t, "uno", r.JSON(`groups.#(value=="`+g1+`").display`).String())

	c.must(204, "DELETE", "/Groups/"+g2, "")
	r = c.must(200, "GET", "/Users/"+u, "")
	assert.Equal(t, []any{g1}, r.JSON("groups.#.value").Value())

	r = c.must(200, "GET", `/Users?filter=groups.value%20eq%20%22`+g1+`%22`, "")
	assert.Equal(t, int64(1), r.JSON("totalResults").Int(), "groups can be filtered on")

	assertSCIMError(t, c.patch("/Users/"+u, `[{"op":"replace","path":"groups","value":[]}]`), 400, reference.ScimTypeMutability)
	assertSCIMError(t, c.patch("/Users/"+u, `[{"op":"replace","value":{"groups":[]}}]`), 400, reference.ScimTypeMutability)
}

func TestExcludedAttributesMembers(t *testing.T) {
	c := newClient(t)
	u := c.createUser("ada")
	g := c.createGroup("eng", u)
	for _, p := range []string{
		"/Groups/" + g + "?excludedAttributes=members",
		"/Groups/" + g + "?excludedAttributes=MEMBERS",
		"/Groups?excludedAttributes=members",
		"/Groups?filter=displayName%20eq%20%22eng%22&excludedAttributes=members",
	} {
		r := c.must(200, "GET", p, "")
		assert.NotContains(t, r.Body, "members", p)
		assert.Contains(t, r.Body, "eng", p)
	}
	r := c.must(200, "GET", "/Groups?attributes=displayName", "")
	assert.False(t, r.JSON("Resources.0.members").Exists())
	assert.Equal(t, g, r.JSON("Resources.0.id").String(), "id is always returned")
	r = c.patch("/Groups/"+g+"?excludedAttributes=members", `[{"op":"replace","value":{"displayName":"x"}}]`)
	assert.False(t, r.JSON("members").Exists())
	assert.Equal(t, []string{u}, memberValues(c.must(200, "GET", "/Groups/"+g, "")))
}

func TestGroupLookupByName(t *testing.T) {
	c := newClient(t)
	c.createGroup("Test SCIMv2")
	c.createGroup("Other")
	for _, q := range []string{
		"filter=displayName%20eq%20%22Test%20SCIMv2%22&startIndex=1&count=100",
		"filter=displayName+eq+%22Test+SCIMv2%22&startIndex=1&count=100",
		"filter=displayName%20eq%20%22test%20scimv2%22",
	} {
		r := c.must(200, "GET", "/Groups?"+q, "")
		assert.Equal(t, int64(1), r.JSON("totalResults").Int(), q)
		assert.Equal(t, "Test SCIMv2", r.JSON("Resources.0.displayName").String(), q)
	}
	r := c.must(200, "GET", "/Groups?filter=displayName%20eq%20%22nope%22&startIndex=1&count=100", "")
	assert.Equal(t, int64(0), r.JSON("totalResults").Int())
	assert.Equal(t, "[]", r.JSON("Resources").Raw)
}
