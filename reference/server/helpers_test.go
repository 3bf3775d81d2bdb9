package server

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tidwall/gjson"

	"github.com/scimcheck/scimcheck/reference"
	"github.com/scimcheck/scimcheck/reference/store"
)

const (
	testToken   = "t0ken-S3cret"
	scimJSON    = "application/scim+json; charset=utf-8"
	patchSchema = `"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]`
)

// client sends requests straight to a Handler, as Okta would: bearer token, Okta's headers.
type client struct {
	t     testing.TB
	h     http.Handler
	store *store.Store
}

// response is one answer: status, headers, body and the body parsed by gjson.
type response struct {
	Status int
	Header http.Header
	Body   string
}

// JSON returns the value at gjson path p of the body.
func (r response) JSON(p string) gjson.Result { return gjson.Get(r.Body, p) }

// newClient serves a fresh in-memory store with opts (Token defaults to testToken).
func newClient(t testing.TB, opts ...func(*Options)) *client {
	t.Helper()
	st, err := store.Open(context.Background(), "")
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	o := Options{Token: testToken}
	for _, f := range opts {
		f(&o)
	}
	return &client{t: t, h: NewHandler(st, o), store: st}
}

// req builds a request to path below the base, with Okta's headers and the test token. hdr is
// a list of "Name: value" pairs; "Authorization:" with nothing after it removes the header.
func req(method, path, body string, hdr ...string) *http.Request {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r := httptest.NewRequest(method, "http://scim.test"+BasePath+path, rd)
	r.Header.Set("Authorization", "Bearer "+testToken)
	r.Header.Set("Accept", "application/scim+json")
	r.Header.Set("User-Agent", "Okta SCIM Client 1.0.0")
	if body != "" {
		r.Header.Set("Content-Type", scimJSON)
	}
	for _, h := range hdr {
		k, v, _ := strings.Cut(h, ":")
		v = strings.TrimSpace(v)
		if v == "" {
			r.Header.Del(k)
			continue
		}
		r.Header.Set(k, v)
	}
	return r
}

// send serves r and returns the response.
func (c *client) send(r *http.Request) response {
	c.t.Helper()
	w := httptest.NewRecorder()
	c.h.ServeHTTP(w, r)
	return response{Status: w.Code, Header: w.Header(), Body: w.Body.String()}
}

// do sends method path body with extra headers (see req).
func (c *client) do(method, path, body string, hdr ...string) response {
	c.t.Helper()
	return c.send(req(method, path, body, hdr...))
}

// must sends the request and requires status.
func (c *client) must(status int, method, path, body string, hdr ...string) response {
	c.t.Helper()
	r := c.do(method, path, body, hdr...)
	require.Equal(c.t, status, r.Status, "%s %s: body %s", method, path, r.Body)
	return r
}

// createUser POSTs a user with Okta's create body and returns its id.
func (c *client) createUser(userName string) string {
	c.t.Helper()
	return c.must(201, "POST", "/Users", oktaUser(userName)).JSON("id").String()
}

// createGroup POSTs a group with members (user ids) and returns its id.
func (c *client) createGroup(name string, members ...string) string {
	c.t.Helper()
	return c.must(201, "POST", "/Groups", groupBody(name, members...)).JSON("id").String()
}

// patch PATCHes path with operations (a JSON array).
func (c *client) patch(path, ops string, hdr ...string) response {
	c.t.Helper()
	return c.do("PATCH", path, `{`+patchSchema+`,"Operations":`+ops+`}`, hdr...)
}

// oktaUser is the body Okta POSTs on assignment (okta-wire.md §2.3).
func oktaUser(userName string) string {
	return `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"` + userName + `",
		"name":{"givenName":"Test","familyName":"User"},
		"emails":[{"primary":true,"value":"` + userName + `","type":"work"}],
		"displayName":"Test User","locale":"en-US","externalId":"00ujl29u0le5T6Aj10h7",
		"groups":[],"password":"1mz050nq","active":true}`
}

// groupBody is the body of a Group push (okta-wire.md §6.1).
func groupBody(name string, members ...string) string {
	list := make([]string, 0, len(members))
	for _, m := range members {
		list = append(list, `{"value":"`+m+`","display":"`+m+`@example.com"}`)
	}
	return `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"` + name + `","members":[` + strings.Join(list, ",") + `]}`
}

// assertSCIMError checks an Error-schema body with status (a string) and scimType ("" when
// none is expected) and a non-empty detail.
func assertSCIMError(t testing.TB, r response, status int, scimType string) {
	t.Helper()
	require.Equal(t, status, r.Status, "body %s", r.Body)
	assert.Equal(t, reference.ErrorSchema, r.JSON("schemas.0").String(), "body %s", r.Body)
	assert.Equal(t, gjson.String, r.JSON("status").Type, "status is a JSON string (RFC 7644 §3.12): %s", r.Body)
	assert.Equal(t, strconv.Itoa(status), r.JSON("status").String())
	assert.NotEmpty(t, r.JSON("detail").String(), "detail")
	assert.Equal(t, scimType, r.JSON("scimType").String(), "scimType in %s", r.Body)
	assert.True(t, strings.HasPrefix(r.Header.Get("Content-Type"), "application/scim+json"), "Content-Type %q", r.Header.Get("Content-Type"))
}

// memberValues returns the members[].value of a Group body.
func memberValues(r response) []string {
	out := []string{}
	for _, v := range r.JSON("members.#.value").Array() {
		out = append(out, v.String())
	}
	return out
}

// decodeMap decodes a JSON object.
func decodeMap(t testing.TB, s string) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(s), &m), "decode %s", s)
	return m
}

// encode encodes v as JSON.
func encode(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// storedUser reads a User straight from the store, password included.
func storedUser(t testing.TB, c *client, id string) reference.Resource {
	t.Helper()
	var res reference.Resource
	require.NoError(t, c.store.Tx(context.Background(), func(tx reference.Tx) error {
		var err error
		res, err = tx.Get(store.KindUser, id, true)
		return err
	}))
	return res
}

func stringsReader(s string) io.Reader { return strings.NewReader(s) }
