package server

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestVersionChangesOnEveryWrite(t *testing.T) {
	c := newClient(t)
	id := c.createUser("ada")
	other := c.createUser("bob")
	g := c.createGroup("eng")
	seen := map[string]string{}
	check := func(what string, r response, path string) {
		t.Helper()
		require.Contains(t, []int{200, 201}, r.Status, "%s: %s", what, r.Body)
		v := r.JSON("meta.version").String()
		require.NotEmpty(t, v)
		assert.Equal(t, v, r.Header.Get("ETag"), "%s: ETag is meta.version", what)
		got := c.must(200, "GET", path, "")
		assert.Equal(t, v, got.Header.Get("ETag"), "%s: GET's ETag", what)
		key := path + " " + v
		assert.NotContains(t, seen, key, "%s: version %s was already used by %s", what, v, seen[key])
		seen[key] = what
	}
	u := "/Users/" + id
	check("create", c.must(200, "GET", u, ""), u) // the GET of a fresh user
	check("PUT", c.do("PUT", u, `{"userName":"ada"}`), u)
	check("identical PUT", c.do("PUT", u, `{"userName":"ada"}`), u)
	check("PATCH", c.patch(u, `[{"op":"replace","value":{"active":false}}]`), u)
	// same sends a write that changes nothing and checks that the version did not move.
	same := func(what, path string, write func() response) {
		t.Helper()
		before := c.must(200, "GET", path, "")
		r := write()
		require.Equal(t, 200, r.Status, "%s: %s", what, r.Body)
		assert.Equal(t, before.JSON("meta.version").String(), r.JSON("meta.version").String(),
			"%s: no modification, so no new version (RFC 7644 §3.5.2.1)", what)
		assert.Equal(t, before.JSON("meta.lastModified").String(), r.JSON("meta.lastModified").String(), "%s: lastModified", what)
	}
	same("PATCH that changes nothing", u, func() response { return c.patch(u, `[{"op":"replace","value":{"active":false}}]`) })
	gp := "/Groups/" + g
	add := `[{"op":"add","path":"members","value":[{"value":"` + id + `"},{"value":"` + other + `"}]}]`
	check("member add", c.patch(gp, add), gp)
	same("re-adding the same members, as Okta does after its POST", gp, func() response { return c.patch(gp, add) })
	check("rename", c.patch(gp, `[{"op":"replace","value":{"displayName":"x"}}]`), gp)
	check("group PUT", c.do("PUT", gp, `{"displayName":"x","members":[{"value":"`+id+`"},{"value":"`+other+`"}]}`), gp)
	before := c.must(200, "GET", gp, "").JSON("meta.version").String()
	c.must(204, "DELETE", "/Users/"+other, "")
	after := c.must(200, "GET", gp, "")
	assert.NotEqual(t, before, after.JSON("meta.version").String(), "a member deleted changes the group")
}

func TestIfMatch(t *testing.T) {
	c := newClient(t)
	id := c.createUser("ada")
	u := "/Users/" + id
	v1 := c.must(200, "GET", u, "").Header.Get("ETag")
	v2 := c.must(200, "PUT", u, `{"userName":"ada","title":"1"}`, "If-Match: "+v1).Header.Get("ETag")
	require.NotEqual(t, v1, v2)

	for _, tc := range []struct {
		name string
		send func(hdr string) response
	}{
		{"PUT", func(h string) response { return c.do("PUT", u, `{"userName":"ada","title":"2"}`, h) }},
		{"PATCH", func(h string) response { return c.patch(u, `[{"op":"replace","path":"title","value":"3"}]`, h) }},
		{"DELETE", func(h string) response { return c.do("DELETE", u, "", h) }},
	} {
		t.Run(tc.name+" with a stale version is 412", func(t *testing.T) {
			assertSCIMError(t, tc.send("If-Match: "+v1), 412, "")
			assertSCIMError(t, tc.send(`If-Match: "999", W/"998"`), 412, "")
			got := c.must(200, "GET", u, "")
			assert.Equal(t, v2, got.Header.Get("ETag"), "nothing was written")
			assert.Equal(t, "1", got.JSON("title").String())
		})
	}
	t.Run("a list naming the current version, a strong tag or * matches", func(t *testing.T) {
		r := c.patch(u, `[{"op":"replace","path":"title","value":"4"}]`, `If-Match: W/"77", `+v2)
		require.Equal(t, 200, r.Status, r.Body)
		v3 := r.Header.Get("ETag")
		strong := v3[2:] // W/"3" → "3"
		r = c.patch(u, `[{"op":"replace","path":"title","value":"5"}]`, "If-Match: "+strong)
		require.Equal(t, 200, r.Status, r.Body)
		r = c.patch(u, `[{"op":"replace","path":"title","value":"6"}]`, "If-Match: *")
		require.Equal(t, 200, r.Status, r.Body)
	})
	t.Run("DELETE with the current version", func(t *testing.T) {
		cur := c.must(200, "GET", u, "").Header.Get("ETag")
		c.must(204, "DELETE", u, "", "If-Match: "+cur)
	})
}

func TestIfNoneMatch(t *testing.T) {
	c := newClient(t)
	id := c.createUser("ada")
	u := "/Users/" + id
	v1 := c.must(200, "GET", u, "").Header.Get("ETag")
	r := c.do("GET", u, "", "If-None-Match: "+v1)
	assert.Equal(t, 304, r.Status)
	assert.Empty(t, r.Body)
	assert.Equal(t, v1, r.Header.Get("ETag"))
	assert.Equal(t, 304, c.do("GET", u, "", "If-None-Match: *").Status)
	assert.Equal(t, 304, c.do("GET", u, "", `If-None-Match: "x", `+v1).Status)

	c.patch(u, `[{"op":"replace","path":"title","value":"x"}]`)
	r = c.do("GET", u, "", "If-None-Match: "+v1)
	assert.Equal(t, 200, r.Status, "a stale If-None-Match gets the resource")
	assert.NotEqual(t, v1, r.Header.Get("ETag"))

	g := c.createGroup("eng")
	gv := c.must(200, "GET", "/Groups/"+g, "").Header.Get("ETag")
	assert.Equal(t, 304, c.do("GET", "/Groups/"+g, "", "If-None-Match: "+gv).Status)
}
