package server

import (
	"encoding/base64"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
)

func basic(userPass string) string {
	return "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(userPass))
}

func TestAuth(t *testing.T) {
	tests := []struct {
		name   string
		basic  string // Options.Basic
		token  string // Options.Token; "-" for none
		header string // the Authorization header line
		want   int
		www    []string // WWW-Authenticate challenges on 401
	}{
		{name: "bearer token", header: "Authorization: Bearer " + testToken, want: 200},
		{name: "scheme in any case", header: "Authorization: bearer " + testToken, want: 200},
		{name: "no header", header: "Authorization:", want: 401, www: []string{`Bearer realm="scimcheck"`}},
		{name: "Okta's spec test non-token", header: "Authorization: non-token", want: 401,
			www: []string{`Bearer realm="scimcheck", error="invalid_token"`}},
		{name: "wrong token", header: "Authorization: Bearer wrong", want: 401},
		{name: "token prefix", header: "Authorization: Bearer " + testToken[:5], want: 401},
		{name: "token with a suffix", header: "Authorization: Bearer " + testToken + "x", want: 401},
		{name: "token in other case", header: "Authorization: Bearer T0KEN-S3CRET", want: 401},
		{name: "token without scheme", header: "Authorization: " + testToken, want: 401},
		{name: "empty bearer", header: "Authorization: Bearer ", want: 401},
		{name: "basic not configured", header: basic("ada:pw"), want: 401},
		{name: "basic", basic: "ada:pw", header: basic("ada:pw"), want: 200},
		{name: "basic wrong password", basic: "ada:pw", header: basic("ada:px"), want: 401,
			www: []string{`Bearer realm="scimcheck", error="invalid_token"`, `Basic realm="scimcheck"`}},
		{name: "basic not base64", basic: "ada:pw", header: "Authorization: Basic !!!", want: 401},
		{name: "bearer still accepted beside basic", basic: "ada:pw", header: "Authorization: Bearer " + testToken, want: 200},
		{name: "basic only: bearer refused", basic: "ada:pw", token: "-", header: "Authorization: Bearer " + testToken, want: 401,
			www: []string{`Basic realm="scimcheck"`}},
		{name: "basic only", basic: "ada:pw", token: "-", header: basic("ada:pw"), want: 200},
		{name: "no credential configured refuses all", token: "-", header: "Authorization: Bearer ", want: 401},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newClient(t, func(o *Options) {
				o.Basic = tc.basic
				if tc.token == "-" {
					o.Token = ""
				}
			})
			r := c.do("GET", `/Users?filter=userName%20eq%20%22X%22`, "", tc.header)
			if tc.want == 200 {
				assert.Equal(t, 200, r.Status, r.Body)
				return
			}
			assertSCIMError(t, r, http.StatusUnauthorized, "")
			assert.NotContains(t, r.Body, testToken, "the token never appears in an answer")
			if tc.www != nil {
				assert.Equal(t, tc.www, r.Header.Values("WWW-Authenticate"))
			} else if tc.token != "-" || tc.basic != "" {
				assert.NotEmpty(t, r.Header.Values("WWW-Authenticate"))
			}
		})
	}
}

func TestAuthBeforeEverything(t *testing.T) {
	c := newClient(t)
	for _, tc := range []struct{ method, path, body string }{
		{"GET", "/Users/nope", ""},
		{"POST", "/Users", "not json"},
		{"DELETE", "/Groups/x", ""},
		{"GET", "/ServiceProviderConfig", ""},
		{"POST", "/Schemas", "test"},
		{"GET", "/Bulk", ""},
		{"GET", "/Nowhere", ""},
	} {
		r := c.do(tc.method, tc.path, tc.body, "Authorization: Bearer nope")
		assertSCIMError(t, r, 401, "")
	}
}

func TestMissingCredentialDetail(t *testing.T) {
	c := newClient(t)
	missing := c.do("GET", "/Users", "", "Authorization:")
	wrong := c.do("GET", "/Users", "", "Authorization: Bearer nope")
	assert.Contains(t, missing.JSON("detail").String(), "missing")
	assert.Contains(t, wrong.JSON("detail").String(), "invalid")
}

func TestSameSecret(t *testing.T) {
	assert.True(t, sameSecret([]byte("s3cret"), "s3cret"))
	for _, got := range []string{"", "s", "s3cre", "s3crett", "S3cret", "s3cret\x00"} {
		assert.False(t, sameSecret([]byte(got), "s3cret"), "%q", got)
	}
}

func TestNilBody(t *testing.T) {
	c := newClient(t)
	r := req("POST", "/Users", "")
	r.Body = nil
	assertSCIMError(t, c.send(r), 400, "invalidSyntax")
}
