package server

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tidwall/gjson"

	"github.com/scimcheck/scimcheck/reference"
)

// TestPutReadModifyWrite replays Okta's profile update (okta-wire.md §3.1): GET, change one
// attribute in the returned body, PUT it back with every read-only field it carried.
func TestPutReadModifyWrite(t *testing.T) {
	c := newClient(t)
	id := c.createUser("test.user@okta.local")
	g := c.createGroup("eng", id)
	got := c.must(200, "GET", "/Users/"+id, "")
	require.Equal(t, g, got.JSON("groups.0.value").String())

	body := decodeMap(t, got.Body)
	body["name"].(map[string]any)["givenName"] = "Another"
	body["name"].(map[string]any)["middleName"] = "Excited"
	body["emails"].([]any)[0].(map[string]any)["display"] = "test.user@okta.local"
	body["password"] = "TkdFNVdIVkxhM2c9"
	body["phoneNumbers"] = []any{map[string]any{"value": "555-555-5555", "type": "work"}}
	body["meta"].(map[string]any)["version"] = `W/"99"`
	body["meta"].(map[string]any)["created"] = "2000-01-01T00:00:00Z"
	body["groups"] = []any{map[string]any{"value": "someone-elses-group"}}
	body["id"] = "not-the-id"
	r := c.must(200, "PUT", "/Users/"+id, encode(t, body))
	assert.Equal(t, id, r.JSON("id").String(), "the id in the body is ignored")
	assert.Equal(t, "Another", r.JSON("name.givenName").String())
	assert.Equal(t, "Excited", r.JSON("name.middleName").String())
	assert.Equal(t, "555-555-5555", r.JSON("phoneNumbers.0.value").String())
	assert.Equal(t, `W/"2"`, r.JSON("meta.version").String(), "meta in the body is ignored")
	assert.Equal(t, got.JSON("meta.created").String(), r.JSON("meta.created").String())
	assert.Equal(t, []any{g}, r.JSON("groups.#.value").Value(), "groups is derived: the PUT does not change it")
	assert.False(t, r.JSON("password").Exists())
	assert.Equal(t, gjson.True, r.JSON("active").Type)
	assert.Equal(t, []string{id}, memberValues(c.must(200, "GET", "/Groups/"+g, "")))

	t.Run("a full replace drops what the body leaves out", func(t *testing.T) {
		r := c.must(200, "PUT", "/Users/"+id, `{"userName":"test.user@okta.local","active":true}`)
		assert.False(t, r.JSON("name").Exists())
		assert.False(t, r.JSON("externalId").Exists())
		assert.False(t, r.JSON("phoneNumbers").Exists())
	})
	t.Run("empty values unassign (push empty values, QA C9337)", func(t *testing.T) {
		r := c.must(200, "PUT", "/Users/"+id, `{"userName":"test.user@okta.local","title":"","nickName":null,"emails":[],"name":{}}`)
		for _, k := range []string{"title", "nickName", "emails", "name"} {
			assert.False(t, r.JSON(k).Exists(), k)
		}
	})
	t.Run("userName change", func(t *testing.T) {
		r := c.must(200, "PUT", "/Users/"+id, `{"userName":"renamed@okta.local","active":true}`)
		assert.Equal(t, "renamed@okta.local", r.JSON("userName").String())
		c.must(201, "POST", "/Users", oktaUser("test.user@okta.local"))
	})
	t.Run("deactivate by PUT (AIW)", func(t *testing.T) {
		r := c.must(200, "PUT", "/Users/"+id, `{"userName":"renamed@okta.local","active":false}`)
		assert.Equal(t, gjson.False, r.JSON("active").Type)
	})
	t.Run("onto a taken userName is 409", func(t *testing.T) {
		assertSCIMError(t, c.do("PUT", "/Users/"+id, `{"userName":"TEST.user@okta.local"}`), 409, reference.ScimTypeUniqueness)
	})
	t.Run("bad bodies", func(t *testing.T) {
		assertSCIMError(t, c.do("PUT", "/Users/"+id, `{"active":true}`), 400, reference.ScimTypeInvalidValue)
		assertSCIMError(t, c.do("PUT", "/Users/"+id, `{"userName":"x","active":"false"}`), 400, reference.ScimTypeInvalidValue)
		assertSCIMError(t, c.do("PUT", "/Users/"+id, `{"userName":`), 400, reference.ScimTypeInvalidSyntax)
	})
}

func TestPutKeepsPassword(t *testing.T) {
	// A GET never returns the password, so Okta's read-modify-write PUT cannot carry it: the
	// stored one survives. Proven through the store, since no answer shows it.
	c := newClient(t)
	id := c.createUser("ada")
	c.must(200, "PUT", "/Users/"+id, `{"userName":"ada"}`)
	assert.Equal(t, "1mz050nq", storedUser(t, c, id)["password"])
	c.must(200, "PUT", "/Users/"+id, `{"userName":"ada","password":"new"}`)
	assert.Equal(t, "new", storedUser(t, c, id)["password"])
}

// TestPatchUser covers the PATCH forms a client sends to a User.
func TestPatchUser(t *testing.T) {
	ent := reference.EnterpriseSchema
	entPath := strings.ReplaceAll(ent, ".", `\.`)
	tests := []struct {
		name  string
		ops   string
		check map[string]any // gjson path → expected value (nil: absent)
	}{
		{"Okta deactivate: pathless replace", `[{"op":"replace","value":{"active":false}}]`, map[string]any{"active": false}},
		{"Entra op case", `[{"op":"Replace","path":"active","value":false}]`, map[string]any{"active": false}},
		{"op upper case", `[{"op":"REPLACE","path":"title","value":"Boss"},{"op":"ADD","path":"nickName","value":"Ada"}]`,
			map[string]any{"title": "Boss", "nickName": "Ada"}},
		{"sub-attribute path", `[{"op":"replace","path":"name.givenName","value":"Grace"}]`,
			map[string]any{"name.givenName": "Grace", "name.familyName": "User"}},
		{"valuePath on emails", `[{"op":"replace","path":"emails[type eq \"work\"].value","value":"new@okta.local"}]`,
			map[string]any{"emails.0.value": "new@okta.local", "emails.0.type": "work", "emails.#": 1.0}},
		{"add an email", `[{"op":"add","path":"emails","value":[{"value":"home@x","type":"home"}]}]`,
			map[string]any{"emails.#": 2.0, "emails.1.value": "home@x"}},
		{"remove by valuePath", `[{"op":"remove","path":"emails[type eq \"work\"]"}]`, map[string]any{"emails": nil}},
		{"remove an attribute", `[{"op":"remove","path":"displayName"}]`, map[string]any{"displayName": nil}},
		{"extension URN path", `[{"op":"replace","path":"` + ent + `:department","value":"Sales"}]`,
			map[string]any{entPath + ".department": "Sales"}},
		{"extension object by URN key", `[{"op":"add","value":{"` + ent + `":{"employeeNumber":"7"}}}]`,
			map[string]any{entPath + ".employeeNumber": "7"}},
		{"extension URN as path", `[{"op":"replace","path":"` + ent + `","value":{"costCenter":"9"}}]`,
			map[string]any{entPath + ".costCenter": "9"}},
		{"pathless with several attributes", `[{"op":"replace","value":{"active":false,"name":{"givenName":"G"},"title":"T"}}]`,
			map[string]any{"active": false, "name.givenName": "G", "name.familyName": "User", "title": "T"}},
		{"pathless value echoing id and meta", `[{"op":"replace","value":{"id":"%ID%","meta":{"version":"x"},"schemas":["x"],"active":false}}]`,
			map[string]any{"active": false}},
		{"password sync", `[{"op":"replace","value":{"password":"n3w"}}]`, map[string]any{"password": nil}},
		{"userName change", `[{"op":"replace","path":"userName","value":"renamed"}]`, map[string]any{"userName": "renamed"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newClient(t)
			id := c.createUser("ada@okta.local")
			before := c.must(200, "GET", "/Users/"+id, "")
			r := c.patch("/Users/"+id, strings.ReplaceAll(tc.ops, "%ID%", id))
			require.Equal(t, 200, r.Status, r.Body)
			assert.Equal(t, id, r.JSON("id").String())
			assert.Equal(t, `W/"2"`, r.JSON("meta.version").String())
			assert.Equal(t, r.JSON("meta.version").String(), r.Header.Get("ETag"))
			assert.Equal(t, before.JSON("meta.created").String(), r.JSON("meta.created").String())
			for p, want := range tc.check {
				if want == nil {
					assert.False(t, r.JSON(p).Exists(), "%s should be absent in %s", p, r.Body)
					continue
				}
				assert.Equal(t, want, r.JSON(p).Value(), "%s in %s", p, r.Body)
			}
			assert.JSONEq(t, r.Body, c.must(200, "GET", "/Users/"+id, "").Body, "the PATCH answer is the stored resource")
		})
	}
}

func TestPatchOperationsMemberCase(t *testing.T) {
	c := newClient(t)
	id := c.createUser("ada")
	r := c.do("PATCH", "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"operations":[{"OP":"replace","Path":"active","Value":false}]}`)
	require.Equal(t, 200, r.Status, r.Body)
	assert.Equal(t, gjson.False, r.JSON("active").Type)
	r = c.do("PATCH", "/Users/"+id, `{"Operations":[{"op":"replace","value":{"active":true}}]}`)
	require.Equal(t, 200, r.Status, "schemas may be missing: %s", r.Body)
}

func TestPatchErrors(t *testing.T) {
	tests := []struct {
		name, body string
		status     int
		scimType   string
	}{
		{"malformed JSON", `{"Operations":[`, 400, reference.ScimTypeInvalidSyntax},
		{"empty body", ``, 400, reference.ScimTypeInvalidSyntax},
		{"not an object", `[]`, 400, reference.ScimTypeInvalidSyntax},
		{"no Operations", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}`, 400, reference.ScimTypeInvalidSyntax},
		{"Operations not an array", `{"Operations":{}}`, 400, reference.ScimTypeInvalidSyntax},
		{"empty Operations", `{"Operations":[]}`, 400, reference.ScimTypeInvalidSyntax},
		{"unknown op", `{"Operations":[{"op":"merge","path":"title","value":"x"}]}`, 400, reference.ScimTypeInvalidSyntax},
		{"op not a string", `{"Operations":[{"op":1,"path":"title","value":"x"}]}`, 400, reference.ScimTypeInvalidSyntax},
		{"replace without value", `{"Operations":[{"op":"replace","path":"title"}]}`, 400, reference.ScimTypeInvalidSyntax},
		{"pathless value not an object", `{"Operations":[{"op":"replace","value":false}]}`, 400, reference.ScimTypeInvalidSyntax},
		{"remove without path", `{"Operations":[{"op":"remove"}]}`, 400, reference.ScimTypeNoTarget},
		{"invalid path", `{"Operations":[{"op":"replace","path":"emails[type eq ","value":"x"}]}`, 400, reference.ScimTypeInvalidPath},
		{"unknown attribute", `{"Operations":[{"op":"replace","path":"favouriteColour","value":"x"}]}`, 400, reference.ScimTypeInvalidPath},
		{"unknown sub-attribute", `{"Operations":[{"op":"replace","path":"name.nickname","value":"x"}]}`, 400, reference.ScimTypeInvalidPath},
		{"filter on a simple attribute", `{"Operations":[{"op":"replace","path":"title[value eq \"x\"]","value":"x"}]}`, 400, reference.ScimTypeInvalidPath},
		{"path not a string", `{"Operations":[{"op":"replace","path":5,"value":"x"}]}`, 400, reference.ScimTypeInvalidSyntax},
		{"wrong value type", `{"Operations":[{"op":"replace","path":"active","value":"False"}]}`, 400, reference.ScimTypeInvalidValue},
		{"wrong type pathless", `{"Operations":[{"op":"replace","value":{"active":"false"}}]}`, 400, reference.ScimTypeInvalidValue},
		{"remove userName", `{"Operations":[{"op":"remove","path":"userName"}]}`, 400, reference.ScimTypeInvalidValue},
		{"replace id by path", `{"Operations":[{"op":"replace","path":"id","value":"x"}]}`, 400, reference.ScimTypeMutability},
		{"write groups (derived)", `{"Operations":[{"op":"add","path":"groups","value":[{"value":"g"}]}]}`, 400, reference.ScimTypeMutability},
		{"remove groups (derived)", `{"Operations":[{"op":"remove","path":"groups"}]}`, 400, reference.ScimTypeMutability},
		{"pathless id change", `{"Operations":[{"op":"replace","value":{"id":"other"}}]}`, 400, reference.ScimTypeMutability},
		{"replace onto a taken userName", `{"Operations":[{"op":"replace","path":"userName","value":"BOB"}]}`, 409, reference.ScimTypeUniqueness},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newClient(t)
			id := c.createUser("ada")
			c.createUser("bob")
			assertSCIMError(t, c.do("PATCH", "/Users/"+id, tc.body), tc.status, tc.scimType)
			got := c.must(200, "GET", "/Users/"+id, "")
			assert.Equal(t, `W/"1"`, got.JSON("meta.version").String(), "a failed PATCH changes nothing")
		})
	}
}

// TestPatchIsAtomic: one failing operation rolls back every operation of the request.
func TestPatchIsAtomic(t *testing.T) {
	c := newClient(t)
	id := c.createUser("ada")
	g := c.createGroup("eng", id)
	before := c.must(200, "GET", "/Users/"+id, "")
	ops := `[{"op":"replace","value":{"active":false}},{"op":"replace","path":"title","value":"T"},{"op":"replace","path":"nope","value":1}]`
	assertSCIMError(t, c.patch("/Users/"+id, ops), 400, reference.ScimTypeInvalidPath)
	assert.JSONEq(t, before.Body, c.must(200, "GET", "/Users/"+id, "").Body)

	t.Run("groups: a bad member after a good rename", func(t *testing.T) {
		gb := c.must(200, "GET", "/Groups/"+g, "")
		ops := `[{"op":"replace","value":{"displayName":"renamed"}},{"op":"remove","path":"members[value eq \"` + id + `\"]"},
			{"op":"add","path":"members","value":[{"value":"no-such-user"}]}]`
		assertSCIMError(t, c.patch("/Groups/"+g, ops), 400, reference.ScimTypeInvalidValue)
		assert.JSONEq(t, gb.Body, c.must(200, "GET", "/Groups/"+g, "").Body)
	})
}
