package server

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tidwall/gjson"

	"github.com/scimcheck/scimcheck/reference"
)

func TestServiceProviderConfig(t *testing.T) {
	c := newClient(t, func(o *Options) { o.Basic = "u:p" })
	r := c.must(200, "GET", "/ServiceProviderConfig", "")
	assert.Equal(t, []any{reference.SPConfigSchema}, r.JSON("schemas").Value())
	// Okta's 2019 spec test asserts every one of these is present (okta-wire.md §8.4).
	for _, p := range []string{"patch.supported", "bulk.supported", "bulk.maxOperations", "bulk.maxPayloadSize",
		"filter.supported", "filter.maxResults", "changePassword.supported", "sort.supported", "etag.supported",
		"authenticationSchemes.0.type", "authenticationSchemes.0.description"} {
		assert.True(t, r.JSON(p).Exists(), p)
	}
	// It tells the truth: each feature it claims is exercised by a test in this package.
	truth := map[string]bool{"patch.supported": true, "bulk.supported": false, "filter.supported": true,
		"changePassword.supported": true, "sort.supported": true, "etag.supported": true}
	for p, want := range truth {
		assert.Equal(t, want, r.JSON(p).Bool(), p)
	}
	assert.Equal(t, int64(DefaultMaxPageSize), r.JSON("filter.maxResults").Int())
	assert.Equal(t, []any{"oauthbearertoken", "httpbasic"}, r.JSON("authenticationSchemes.#.type").Value())
	assert.Equal(t, "http://scim.test/scim/v2/ServiceProviderConfig", r.JSON("meta.location").String())
}

func TestResourceTypes(t *testing.T) {
	c := newClient(t)
	r := c.must(200, "GET", "/ResourceTypes", "")
	assert.Equal(t, []any{reference.ListSchema}, r.JSON("schemas").Value())
	assert.Equal(t, int64(2), r.JSON("totalResults").Int())
	assert.Equal(t, int64(2), r.JSON("itemsPerPage").Int())
	assert.Equal(t, []any{"User", "Group"}, r.JSON("Resources.#.name").Value())
	assert.Equal(t, []any{"/Users", "/Groups"}, r.JSON("Resources.#.endpoint").Value())
	assert.Equal(t, []any{reference.UserSchema, reference.GroupSchema}, r.JSON("Resources.#.schema").Value())
	assert.Equal(t, reference.EnterpriseSchema, r.JSON("Resources.0.schemaExtensions.0.schema").String())
	assert.Equal(t, gjson.False, r.JSON("Resources.0.schemaExtensions.0.required").Type)
	assert.Equal(t, "[]", r.JSON("Resources.1.schemaExtensions").Raw)

	one := c.must(200, "GET", "/ResourceTypes/user", "")
	assert.Equal(t, "User", one.JSON("id").String())
	assert.Equal(t, "http://scim.test/scim/v2/ResourceTypes/User", one.JSON("meta.location").String())
	assertSCIMError(t, c.do("GET", "/ResourceTypes/Role", ""), 404, "")
}

func TestSchemas(t *testing.T) {
	c := newClient(t)
	r := c.must(200, "GET", "/Schemas", "")
	assert.Equal(t, []any{reference.UserSchema, reference.GroupSchema, reference.EnterpriseSchema}, r.JSON("Resources.#.id").Value())
	user := r.JSON("Resources.0")
	userName := user.Get(`attributes.#(name=="userName")`)
	assert.Equal(t, true, userName.Get("required").Bool())
	assert.Equal(t, false, userName.Get("caseExact").Bool())
	assert.Equal(t, "server", userName.Get("uniqueness").String())
	assert.Equal(t, "never", user.Get(`attributes.#(name=="password").returned`).String())
	assert.Equal(t, "writeOnly", user.Get(`attributes.#(name=="password").mutability`).String())
	assert.Equal(t, "readOnly", user.Get(`attributes.#(name=="groups").mutability`).String())
	members := r.JSON(`Resources.1.attributes.#(name=="members")`)
	assert.Equal(t, []any{"value", "$ref", "display", "type"}, members.Get("subAttributes.#.name").Value())
	assert.True(t, r.JSON(`Resources.2.attributes.#(name=="manager")`).Exists())

	for _, id := range []string{reference.UserSchema, strings.ToLower(reference.EnterpriseSchema)} {
		one := c.must(200, "GET", "/Schemas/"+id, "")
		assert.True(t, strings.EqualFold(id, one.JSON("id").String()))
		assert.NotEmpty(t, one.JSON("attributes").Array())
	}
	assertSCIMError(t, c.do("GET", "/Schemas/urn:nope", ""), 404, "")
}

// TestDiscoveryRejectsWrites replays the 2019 spec test's 405 checks (okta-wire.md §8.4),
// including POST /Schemas with the non-JSON body "test".
func TestDiscoveryRejectsWrites(t *testing.T) {
	c := newClient(t)
	for _, tc := range []struct{ path, body, ct string }{
		{"/ServiceProviderConfig", `{}`, "application/json"},
		{"/ServiceProviderConfig", "test", "text/plain"},
		{"/ResourceTypes", `{}`, "application/scim+json"},
		{"/Schemas", "test", "application/json"},
		{"/Schemas", "test", "text/plain"},
		{"/Schemas", "test", ""},
	} {
		r := c.do("POST", tc.path, tc.body, "Content-Type: "+tc.ct)
		assertSCIMError(t, r, 405, "")
		assert.Equal(t, "GET", r.Header.Get("Allow"))
	}
	require.Equal(t, 200, c.do("GET", "/Schemas", "").Status)
}
