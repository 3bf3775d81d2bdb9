package server

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tidwall/gjson"

	"github.com/scimcheck/scimcheck/reference"
)

func TestCreateUser(t *testing.T) {
	c := newClient(t)
	r := c.must(201, "POST", "/Users", oktaUser("test.user@okta.local"))
	id := r.JSON("id").String()
	require.Len(t, id, 36)
	loc := "http://scim.test/scim/v2/Users/" + id
	assert.Equal(t, loc, r.Header.Get("Location"))
	assert.Equal(t, loc, r.JSON("meta.location").String())
	assert.Equal(t, "User", r.JSON("meta.resourceType").String())
	assert.Equal(t, `W/"1"`, r.JSON("meta.version").String())
	assert.Equal(t, r.JSON("meta.version").String(), r.Header.Get("ETag"))
	for _, k := range []string{"meta.created", "meta.lastModified"} {
		_, err := time.Parse(time.RFC3339, r.JSON(k).String())
		assert.NoError(t, err, k)
	}
	assert.Equal(t, []any{reference.UserSchema}, r.JSON("schemas").Value())
	assert.Equal(t, "test.user@okta.local", r.JSON("userName").String())
	assert.Equal(t, "Test", r.JSON("name.givenName").String())
	assert.Equal(t, "00ujl29u0le5T6Aj10h7", r.JSON("externalId").String())
	assert.Equal(t, gjson.True, r.JSON("active").Type)
	assert.False(t, r.JSON("password").Exists(), "password is never returned")
	assert.Equal(t, "application/scim+json", r.Header.Get("Content-Type"))

	got := c.must(200, "GET", "/Users/"+id, "")
	assert.JSONEq(t, r.Body, got.Body, "GET returns what POST returned")

	t.Run("exact case is kept", func(t *testing.T) {
		r := c.must(201, "POST", "/Users", strings.Replace(oktaUser("MiXeD@Example.com"), `"Test"`, `"tEsT"`, 1))
		assert.Equal(t, "MiXeD@Example.com", r.JSON("userName").String())
		assert.Equal(t, "tEsT", r.JSON("name.givenName").String())
	})
	t.Run("spec test body with application/json", func(t *testing.T) {
		body := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"spec@atko.com",
			"name":{"givenName":"A","familyName":"B"},"emails":[{"primary":true,"value":"spec@atko.com","type":"work"}],
			"displayName":"A B","active":true}`
		c.must(201, "POST", "/Users", body, "Content-Type: application/json", "User-Agent: OKTA SCIM Integration")
	})
}

func TestCreateUserConflicts(t *testing.T) {
	c := newClient(t)
	c.createUser("test.user@okta.local")
	for _, name := range []string{"test.user@okta.local", "TEST.USER@OKTA.LOCAL", "Test.User@Okta.Local"} {
		assertSCIMError(t, c.do("POST", "/Users", oktaUser(name)), 409, reference.ScimTypeUniqueness)
	}
	total := c.must(200, "GET", "/Users", "").JSON("totalResults").Int()
	assert.Equal(t, int64(1), total)
}

func TestUserBadInput(t *testing.T) {
	c := newClient(t)
	tests := []struct {
		name, body string
		status     int
		scimType   string
	}{
		{"malformed JSON", `{"userName":`, 400, reference.ScimTypeInvalidSyntax},
		{"not an object", `["userName"]`, 400, reference.ScimTypeInvalidSyntax},
		{"a string", `"ada"`, 400, reference.ScimTypeInvalidSyntax},
		{"null", `null`, 400, reference.ScimTypeInvalidSyntax},
		{"trailing garbage", `{"userName":"a"} x`, 400, reference.ScimTypeInvalidSyntax},
		{"missing userName", `{"name":{"givenName":"A"}}`, 400, reference.ScimTypeInvalidValue},
		{"empty userName", `{"userName":""}`, 400, reference.ScimTypeInvalidValue},
		{"null userName", `{"userName":null}`, 400, reference.ScimTypeInvalidValue},
		{"userName a number", `{"userName":5}`, 400, reference.ScimTypeInvalidValue},
		{"active as a string (Entra)", `{"userName":"a","active":"True"}`, 400, reference.ScimTypeInvalidValue},
		{"emails not an array", `{"userName":"a","emails":{"value":"a@b"}}`, 400, reference.ScimTypeInvalidValue},
		{"name not an object", `{"userName":"a","name":"Ada"}`, 400, reference.ScimTypeInvalidValue},
		{"givenName a number", `{"userName":"a","name":{"givenName":1}}`, 400, reference.ScimTypeInvalidValue},
		{"schemas not an array", `{"userName":"a","schemas":"x"}`, 400, reference.ScimTypeInvalidValue},
		{"extension not an object", `{"userName":"a","` + reference.EnterpriseSchema + `":"x"}`, 400, reference.ScimTypeInvalidValue},
		{"whitespace-only userName", `{"userName":" \t "}`, 400, reference.ScimTypeInvalidValue},
		{"userName with a newline", `{"userName":"ada\nadmin"}`, 400, reference.ScimTypeInvalidValue},
		{"userName with a NUL", `{"userName":"ada\u0000"}`, 400, reference.ScimTypeInvalidValue},
		{"userName with DEL", `{"userName":"ada\u007f"}`, 400, reference.ScimTypeInvalidValue},
		{"userName twice, in two cases", `{"userName":"a1","USERNAME":"a2"}`, 400, reference.ScimTypeInvalidSyntax},
		{"givenName twice, in two cases", `{"userName":"a1","name":{"givenName":"A","GivenName":"B"}}`, 400, reference.ScimTypeInvalidSyntax},
		{"department nested and flattened", `{"userName":"a1","` + reference.EnterpriseSchema + `":{"department":"x"},"` +
			reference.EnterpriseSchema + `:department":"y"}`, 400, reference.ScimTypeInvalidSyntax},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assertSCIMError(t, c.do("POST", "/Users", tc.body), tc.status, tc.scimType)
		})
	}
	t.Run("empty body", func(t *testing.T) {
		r := c.send(req("POST", "/Users", "", "Content-Type: application/scim+json"))
		assertSCIMError(t, r, 400, reference.ScimTypeInvalidSyntax)
	})
	t.Run("two keys naming one attribute are refused every time", func(t *testing.T) {
		for range 50 { // Go's map order is random: a coin toss would pass some of these
			r := c.do("POST", "/Users", `{"userName":"dup1","USERNAME":"dup2","emails":[{"value":"a@b.c"}]}`)
			assertSCIMError(t, r, 400, reference.ScimTypeInvalidSyntax)
			assert.Contains(t, r.JSON("detail").String(), `keys "USERNAME" and "userName" both name attribute "userName"`)
		}
	})
	t.Run("a user name with inner spaces is fine", func(t *testing.T) {
		c.must(201, "POST", "/Users", `{"userName":"Ada Lovelace"}`)
		c.must(201, "POST", "/Users", `{"userName":"Zoë Ünïcode"}`)
	})
	t.Run("unknown attributes are ignored", func(t *testing.T) {
		r := c.must(201, "POST", "/Users", `{"userName":"u1","favouriteColour":"blue","urn:okta:custom:1.0":{"x":1}}`)
		assert.False(t, r.JSON("favouriteColour").Exists())
	})
	assert.Equal(t, int64(3), c.must(200, "GET", "/Users", "").JSON("totalResults").Int(), "no bad body created a user")
}

func TestGetUnknownUser(t *testing.T) {
	c := newClient(t)
	for _, id := range []string{"010101001010101011001010101011", "00919288221112222", "'%20OR%201=1%20--"} {
		assertSCIMError(t, c.do("GET", "/Users/"+id, ""), 404, "")
		assertSCIMError(t, c.do("PUT", "/Users/"+id, oktaUser("x")), 404, "")
		assertSCIMError(t, c.patch("/Users/"+id, `[{"op":"replace","value":{"active":false}}]`), 404, "")
		assertSCIMError(t, c.do("DELETE", "/Users/"+id, ""), 404, "")
	}
	c.createUser("x")
	assertSCIMError(t, c.do("GET", "/Groups/"+c.createUser("y"), ""), 404, "") // a user id is no group id
}

func TestEnterpriseExtension(t *testing.T) {
	c := newClient(t)
	ent := reference.EnterpriseSchema
	body := `{"schemas":["` + reference.UserSchema + `","` + ent + `"],"userName":"ada",
		"` + ent + `":{"employeeNumber":"701984","department":"Engineering","manager":{"value":"26118915","displayName":"ignored"}}}`
	r := c.must(201, "POST", "/Users", body)
	id := r.JSON("id").String()
	got := c.must(200, "GET", "/Users/"+id, "")
	assert.Equal(t, []any{reference.UserSchema, ent}, got.JSON("schemas").Value())
	e := got.JSON(strings.ReplaceAll(ent, ".", `\.`))
	assert.Equal(t, "701984", e.Get("employeeNumber").String())
	assert.Equal(t, "Engineering", e.Get("department").String())
	assert.Equal(t, "26118915", e.Get("manager.value").String())
	assert.False(t, e.Get("manager.displayName").Exists(), "manager.displayName is readOnly")

	t.Run("flattened attribute names", func(t *testing.T) {
		r := c.must(201, "POST", "/Users", `{"userName":"bob","`+ent+`:costCenter":"42"}`)
		assert.Equal(t, "42", r.JSON(strings.ReplaceAll(ent, ".", `\.`)+".costCenter").String())
	})
	t.Run("filter on an extension attribute", func(t *testing.T) {
		r := c.must(200, "GET", `/Users?filter=`+ent+`:department%20eq%20%22engineering%22`, "")
		assert.Equal(t, int64(1), r.JSON("totalResults").Int())
	})
	t.Run("no extension, no extension schema", func(t *testing.T) {
		r := c.must(201, "POST", "/Users", `{"userName":"plain"}`)
		assert.Equal(t, []any{reference.UserSchema}, r.JSON("schemas").Value())
	})
}

func TestDeactivatedUserStaysVisible(t *testing.T) {
	c := newClient(t)
	id := c.createUser("ada@example.com")
	r := c.patch("/Users/"+id, `[{"op":"replace","value":{"active":false}}]`)
	require.Equal(t, 200, r.Status, r.Body)
	assert.Equal(t, gjson.False, r.JSON("active").Type)

	got := c.must(200, "GET", "/Users/"+id, "")
	assert.Equal(t, gjson.False, got.JSON("active").Type)
	list := c.must(200, "GET", `/Users?filter=userName%20eq%20%22ADA@example.com%22&startIndex=1&count=100`, "")
	assert.Equal(t, int64(1), list.JSON("totalResults").Int())
	assert.Equal(t, gjson.False, list.JSON("Resources.0.active").Type)
	all := c.must(200, "GET", "/Users?startIndex=1&count=100", "")
	assert.Equal(t, int64(1), all.JSON("totalResults").Int())

	r = c.patch("/Users/"+id, `[{"op":"replace","value":{"active":true}}]`)
	assert.Equal(t, gjson.True, r.JSON("active").Type)
	assert.Equal(t, id, r.JSON("id").String(), "reactivation keeps the id")
}

func TestDeleteUser(t *testing.T) {
	c := newClient(t)
	id := c.createUser("ada@example.com")
	other := c.createUser("bob@example.com")
	g := c.createGroup("eng", id, other)
	before := c.must(200, "GET", "/Groups/"+g, "").JSON("meta.version").String()

	r := c.must(204, "DELETE", "/Users/"+id, "")
	assert.Empty(t, r.Body)
	assertSCIMError(t, c.do("GET", "/Users/"+id, ""), 404, "")
	assertSCIMError(t, c.do("DELETE", "/Users/"+id, ""), 404, "")
	grp := c.must(200, "GET", "/Groups/"+g, "")
	assert.Equal(t, []string{other}, memberValues(grp), "deleting a user removes it from its groups")
	assert.NotEqual(t, before, grp.JSON("meta.version").String())
	c.createUser("ada@example.com") // the userName is free again
}

func TestPasswordNeverReturned(t *testing.T) {
	c := newClient(t)
	id := c.createUser("ada@example.com")
	responses := []response{
		c.must(200, "GET", "/Users/"+id, ""),
		c.must(200, "GET", "/Users", ""),
		c.must(200, "GET", "/Users?attributes=password,userName", ""),
		c.must(200, "PUT", "/Users/"+id, oktaUser("ada@example.com")),
		c.patch("/Users/"+id, `[{"op":"replace","value":{"password":"n3w-Secret"}}]`),
		c.patch("/Users/"+id, `[{"op":"replace","path":"password","value":"n3w-Secret2"}]`),
	}
	for _, r := range responses {
		require.Equal(t, 200, r.Status, r.Body)
		assert.NotContains(t, r.Body, "password")
		assert.NotContains(t, r.Body, "1mz050nq")
		assert.NotContains(t, r.Body, "n3w-Secret")
	}
}
