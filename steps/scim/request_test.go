package scim

import (
	"context"
	"encoding/base64"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFilterQuery(t *testing.T) {
	tests := []struct {
		name  string
		attr  string
		value string
		plus  bool
		want  string
	}{
		{"okta current", "userName", "test.user@okta.local", false,
			"filter=userName%20eq%20%22test.user%40okta.local%22&startIndex=1&count=100"},
		{"okta older plus form", "userName", "jane.doe@example.com", true,
			"filter=userName+eq+%22jane.doe%40example.com%22&startIndex=1&count=100"},
		{"not an email", "userName", "jane.doe", false,
			"filter=userName%20eq%20%22jane.doe%22&startIndex=1&count=100"},
		{"group with space", "displayName", "Eng Team", false,
			"filter=displayName%20eq%20%22Eng%20Team%22&startIndex=1&count=100"},
		{"reserved characters", "userName", "a+b&c=d/e?f#g%h~i_j-k", false,
			"filter=userName%20eq%20%22a%2Bb%26c%3Dd%2Fe%3Ff%23g%25h~i_j-k%22&startIndex=1&count=100"},
		{"reserved characters plus form", "userName", "a+b c", true,
			"filter=userName+eq+%22a%2Bb+c%22&startIndex=1&count=100"},
		{"quote and backslash escaped", "userName", `say "hi" \o/`, false,
			"filter=userName%20eq%20%22say%20%5C%22hi%5C%22%20%5C%5Co%2F%22&startIndex=1&count=100"},
		{"non-ascii", "userName", "zoë", false,
			"filter=userName%20eq%20%22zo%C3%AB%22&startIndex=1&count=100"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, FilterQuery(tt.attr, tt.value, tt.plus))
		})
	}
}

func TestFilterQueryIsSentVerbatim(t *testing.T) {
	var s seen
	srv := serve(t, s.handler(200, `{}`))
	c := client(t, Config{BaseURL: srv.URL + "/scim/v2/"})
	q := FilterQuery("userName", "test.user@okta.local", false)

	ex, err := c.Do(context.Background(), Request{Path: "/Users?" + q})
	require.NoError(t, err)
	r, _ := s.last()
	assert.Equal(t, "/scim/v2/Users?"+q, r.RequestURI)
	assert.Equal(t, `userName eq "test.user@okta.local"`, r.URL.Query().Get("filter"))
	assert.Equal(t, "GET /scim/v2/Users?"+q+" HTTP/1.1", ex.RequestLine())
}

func TestOktaHeadersOnTheWire(t *testing.T) {
	tests := []struct {
		method      string
		body        string
		contentType string
	}{
		{http.MethodGet, "", ""},
		{http.MethodPost, `{"userName":"a"}`, "application/scim+json; charset=utf-8"},
		{http.MethodPut, `{"userName":"a"}`, "application/scim+json; charset=utf-8"},
		{http.MethodPatch, `{"Operations":[]}`, "application/scim+json; charset=utf-8"},
		{http.MethodDelete, "", "application/scim+json; charset=utf-8"}, // okta-wire §1.1 capture
	}
	for _, tt := range tests {
		t.Run(tt.method, func(t *testing.T) {
			var s seen
			srv := serve(t, s.handler(200, `{}`))
			c := client(t, Config{BaseURL: srv.URL, Secret: "tok"})
			_, err := c.Do(context.Background(), Request{Method: tt.method, Path: "/Users", Body: []byte(tt.body)})
			require.NoError(t, err)

			r, body := s.last()
			assert.Equal(t, tt.method, r.Method)
			assert.Equal(t, "application/scim+json", r.Header.Get("Accept"))
			assert.Equal(t, "utf-8", r.Header.Get("Accept-Charset"))
			assert.Equal(t, "Okta SCIM Client 1.0.0", r.Header.Get("User-Agent"))
			assert.Equal(t, "Bearer tok", r.Header.Get("Authorization"))
			assert.Equal(t, "gzip", r.Header.Get("Accept-Encoding"), "Go's transport asks for gzip")
			assert.Equal(t, tt.contentType, r.Header.Get("Content-Type"))
			assert.Equal(t, tt.body, string(body))
		})
	}
}

func TestExplicitHeaderIsExact(t *testing.T) {
	var s seen
	srv := serve(t, s.handler(201, `{}`))
	c := client(t, Config{BaseURL: srv.URL, Secret: "tok", UserAgent: "Custom/1"})
	h := c.OktaHeaders(true)
	assert.Equal(t, "Custom/1", h.Get("User-Agent"))

	// The spec-test variant (okta-wire §8): application/json, no Accept-Charset, no User-Agent.
	_, err := c.Do(context.Background(), Request{
		Method: http.MethodPost, Path: "Users", Body: []byte(`{}`),
		Header: http.Header{"Content-Type": {"application/json"}, "Host": {"scim.example"}},
	})
	require.NoError(t, err)
	r, _ := s.last()
	assert.Equal(t, "/Users", r.URL.Path, "a missing leading slash is added")
	assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
	assert.Equal(t, "scim.example", r.Host)
	for _, k := range []string{"User-Agent", "Accept", "Accept-Charset"} {
		_, ok := r.Header[k]
		assert.False(t, ok, "%s must not be sent", k)
	}
}

func TestAuthModes(t *testing.T) {
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("ada:pw"))
	tests := []struct {
		name     string
		cfg      Config
		req      Request
		want     string // Authorization on the wire; "" means absent
		recorded string
	}{
		{"bearer", Config{Auth: AuthBearer, Secret: "tok"}, Request{}, "Bearer tok", "Bearer [REDACTED]"},
		{"header verbatim", Config{Auth: AuthHeader, Secret: "Bearer 123456789"}, Request{}, "Bearer 123456789", "[REDACTED]"},
		{"basic", Config{Auth: AuthBasic, Secret: "ada:pw"}, Request{}, basic, "Basic [REDACTED]"},
		{"none", Config{}, Request{}, "", ""},
		{"omitted", Config{Secret: "s3cr3t"}, Request{OmitAuth: true}, "", ""},
		{"raw override", Config{Secret: "s3cr3t"}, Request{RawAuth: "non-token"}, "non-token", "non-token"},
		{"raw override holding the secret", Config{Secret: "s3cr3t"}, Request{RawAuth: "Bearer s3cr3t"}, "Bearer s3cr3t", "Bearer [REDACTED]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s seen
			srv := serve(t, s.handler(200, `{}`))
			tt.cfg.BaseURL = srv.URL
			ex, err := client(t, tt.cfg).Do(context.Background(), tt.req)
			require.NoError(t, err)
			r, _ := s.last()
			_, sent := r.Header["Authorization"]
			assert.Equal(t, tt.want != "", sent)
			assert.Equal(t, tt.want, r.Header.Get("Authorization"))
			assert.Equal(t, tt.recorded, ex.Request.Header.Get("Authorization"))
		})
	}
}

func TestPrepareRejectsHarnessBugs(t *testing.T) {
	c := client(t, Config{BaseURL: "http://h.example", Secret: canary})
	tests := []struct {
		name string
		req  Request
		want string
	}{
		{"authorization in header", Request{Header: http.Header{"Authorization": {"x"}}},
			"request header must not set Authorization: use RawAuth or OmitAuth"},
		{"both overrides", Request{OmitAuth: true, RawAuth: "x"}, "request sets both OmitAuth and RawAuth"},
		{"bad method", Request{Method: "GE T"}, `request method "GE T" is not an HTTP token`},
		{"header injection", Request{Header: http.Header{"X": {"a\r\nB: c"}}}, `request header "X" holds a line break or NUL`},
		{"raw auth injection", Request{RawAuth: "a\nb"}, "request RawAuth holds a line break or NUL"},
		{"bad URL", Request{Path: "/Users/%zz" + canary}, `request URL "http://h.example/Users/%zz[REDACTED]": parse "http://h.example/Users/%zz[REDACTED]": invalid URL escape "%zz"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ex, err := c.Do(context.Background(), tt.req)
			require.Error(t, err)
			assert.Nil(t, ex)
			assert.Equal(t, tt.want, err.Error())
			var te *TransportError
			assert.NotErrorAs(t, err, &te, "a harness bug is not a target failure")
		})
	}
}

func TestPathForms(t *testing.T) {
	var s seen
	srv := serve(t, s.handler(200, `{}`))
	c := client(t, Config{BaseURL: srv.URL + "/scim/v2/"})
	tests := []struct {
		name string
		req  Request
		want string // request URI on the server
	}{
		{"relative", Request{Path: "/Users/42"}, "/scim/v2/Users/42"},
		{"no leading slash", Request{Path: "Groups"}, "/scim/v2/Groups"},
		{"double slash variant", Request{Path: "//Users"}, "/scim/v2//Users"},
		{"escaped path kept", Request{Path: "/Users/a%2Fb"}, "/scim/v2/Users/a%2Fb"},
		{"raw query", Request{Path: "/Users", RawQuery: "startIndex=1&count=2"}, "/scim/v2/Users?startIndex=1&count=2"},
		{"raw query appended", Request{Path: "/Users?count=1", RawQuery: "startIndex=1"}, "/scim/v2/Users?count=1&startIndex=1"},
		{"absolute meta.location", Request{Path: srv.URL + "/elsewhere/Users/1"}, "/elsewhere/Users/1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.Do(context.Background(), tt.req)
			require.NoError(t, err)
			r, _ := s.last()
			assert.Equal(t, tt.want, r.RequestURI)
		})
	}
}
