package server

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimcheck/scimcheck/reference"
)

func TestRequestMediaTypes(t *testing.T) {
	c := newClient(t)
	id := c.createUser("ada")
	tests := []struct {
		ct   string
		want int
	}{
		{"application/scim+json", 200},
		{"application/scim+json; charset=utf-8", 200},
		{"application/scim+json;charset=UTF-8", 200},
		{"Application/SCIM+JSON", 200},
		{"application/json", 200},
		{"application/json; charset=utf-8", 200},
		{"", 200}, // no Content-Type: lenient
		{"text/plain", 415},
		{"application/x-www-form-urlencoded", 415},
		{"text/json", 415},
		{"application/scim+json; charset", 415},
	}
	for _, tc := range tests {
		t.Run(tc.ct, func(t *testing.T) {
			hdr := "Content-Type: " + tc.ct
			for _, r := range []response{
				c.do("PUT", "/Users/"+id, `{"userName":"ada"}`, hdr),
				c.do("PATCH", "/Users/"+id, `{"Operations":[{"op":"replace","value":{"active":true}}]}`, hdr),
			} {
				if tc.want != 200 {
					assertSCIMError(t, r, tc.want, "")
					continue
				}
				assert.Equal(t, 200, r.Status, r.Body)
				assert.Equal(t, "application/scim+json", r.Header.Get("Content-Type"))
			}
			r := c.do("POST", "/Groups", `{"displayName":"g-`+tc.ct+`"}`, hdr)
			if tc.want == 200 {
				assert.Equal(t, 201, r.Status, r.Body)
			} else {
				assertSCIMError(t, r, tc.want, "")
			}
		})
	}
	t.Run("DELETE with Okta's Content-Type and no body", func(t *testing.T) {
		g := c.createGroup("to-delete")
		c.must(204, "DELETE", "/Groups/"+g, "", "Content-Type: "+scimJSON)
	})
}

func TestErrorsAreAlwaysSCIMJSON(t *testing.T) {
	c := newClient(t)
	id := c.createUser("ada")
	for _, tc := range []struct {
		method, path, body string
		hdr                []string
	}{
		{"GET", "/Users/nope", "", nil},
		{"GET", "/Users?filter=bad%20filter", "", nil},
		{"POST", "/Users", "{", nil},
		{"POST", "/Users", oktaUser("ada"), nil},
		{"PUT", "/Users", "", nil},
		{"PATCH", "/Users/" + id, `{"Operations":[{"op":"x"}]}`, nil},
		{"POST", "/Users", `{"userName":"b"}`, []string{"Content-Type: text/plain"}},
		{"GET", "/Users", "", []string{"Authorization: Bearer nope"}},
		{"GET", "/Bulk", "", nil},
	} {
		r := c.do(tc.method, tc.path, tc.body, tc.hdr...)
		require.GreaterOrEqual(t, r.Status, 400, "%s %s", tc.method, tc.path)
		assertSCIMError(t, r, r.Status, r.JSON("scimType").String())
	}
}

func TestBodyLimit(t *testing.T) {
	c := newClient(t, func(o *Options) { o.MaxBodyBytes = 512 })
	big := `{"userName":"ada","title":"` + strings.Repeat("x", 600) + `"}`
	assertSCIMError(t, c.do("POST", "/Users", big), 413, "")
	id := c.createUser("bob")
	assertSCIMError(t, c.do("PUT", "/Users/"+id, big), 413, "")
	assertSCIMError(t, c.patch("/Users/"+id, `[{"op":"replace","path":"title","value":"`+strings.Repeat("x", 600)+`"}]`), 413, "")
	c.must(201, "POST", "/Users", `{"userName":"carol","title":"`+strings.Repeat("x", 400)+`"}`)

	t.Run("the default is 1 MiB", func(t *testing.T) {
		c := newClient(t)
		huge := `{"userName":"ada","title":"` + strings.Repeat("x", DefaultMaxBodyBytes) + `"}`
		assertSCIMError(t, c.do("POST", "/Users", huge), 413, "")
	})
}

// panicBody is a request body whose Read panics, standing in for any bug that panics inside a
// handler.
type panicBody struct{}

func (panicBody) Read([]byte) (int, error) { panic("injected panic") }
func (panicBody) Close() error             { return nil }

func TestPanicRecovery(t *testing.T) {
	var logs bytes.Buffer
	c := newClient(t, func(o *Options) { o.Log = slog.New(slog.NewTextHandler(&logs, nil)) })
	for range 3 {
		r := req("POST", "/Users", "x")
		r.Body = panicBody{}
		resp := c.send(r)
		assertSCIMError(t, resp, 500, "")
		assert.NotContains(t, resp.Body, "injected", "no internals leak to the client")
	}
	c.must(201, "POST", "/Users", oktaUser("ada")) // still serving
	c.must(200, "GET", "/Users", "")
	assert.Contains(t, logs.String(), "injected panic")
	assert.Contains(t, logs.String(), "status=500")
}

func TestRequestLog(t *testing.T) {
	var logs bytes.Buffer
	c := newClient(t, func(o *Options) { o.Log = slog.New(slog.NewTextHandler(&logs, nil)) })
	c.createUser("ada")
	c.do("GET", "/Users?filter=userName%20eq%20%22ada%22", "")
	c.do("GET", "/Users", "", "Authorization: Bearer wrong-"+testToken)
	c.do("GET", "/Users", "", basic("ada:"+testToken))
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	require.Len(t, lines, 4, "one line per request:\n%s", logs.String())
	for i, want := range []string{"method=POST path=/scim/v2/Users", "method=GET path=/scim/v2/Users", "status=401", "status=401"} {
		assert.Contains(t, lines[i], want)
		assert.Contains(t, lines[i], "duration=")
		assert.Regexp(t, `status=\d{3}`, lines[i])
	}
	assert.NotContains(t, logs.String(), testToken, "the token is never logged")
	assert.NotContains(t, logs.String(), "Bearer")
}

func TestRequestLogRedactsCredentialParameters(t *testing.T) {
	secrets := []string{"access_token", "Token", "api_key", "APIKEY", "key", "password", "secret", "client_secret", "code", "access%5Ftoken"}
	for _, tc := range []struct{ format, query, other string }{
		{"text", `query="count=1&access_token=[REDACTED]&startIndex=1"`, `filter=userName%20eq%20%22ada%22&count=2`},
		{"json", `"query":"count=1&access_token=[REDACTED]&startIndex=1"`, `"query":"filter=userName%20eq%20%22ada%22&count=2"`},
	} {
		t.Run(tc.format, func(t *testing.T) {
			var logs bytes.Buffer
			logger, err := NewLogger(&logs, "debug", tc.format)
			require.NoError(t, err)
			c := newClient(t, func(o *Options) { o.Log = logger })
			for i, name := range secrets {
				c.do("GET", fmt.Sprintf("/Users?count=1&%s=hunter%d-%s&startIndex=1", name, i, testToken), "")
			}
			log := logs.String()
			require.Len(t, strings.Split(strings.TrimSpace(log), "\n"), len(secrets), log)
			assert.NotContains(t, log, "hunter", "no credential-like query value is logged")
			assert.NotContains(t, log, testToken)
			assert.Contains(t, log, tc.query, "the rest of the query is kept as sent")
			assert.Contains(t, log, "access%5Ftoken=[REDACTED]")

			logs.Reset()
			c.do("GET", "/Users?filter=userName%20eq%20%22ada%22&count=2", "")
			assert.Contains(t, logs.String(), tc.other, "other parameters are logged as sent")
		})
	}
}

func TestErrorDetailNeverEchoesCredentials(t *testing.T) {
	c := newClient(t)
	for _, h := range []string{"Authorization: Bearer " + testToken + "x", "Authorization: " + testToken} {
		r := c.send(req("GET", "/Users", "", h))
		assert.NotContains(t, r.Body, testToken)
	}
	r := httptest.NewRecorder()
	writeError(r, fmt.Errorf("database is locked"))
	assert.Equal(t, 500, r.Code)
	assert.Contains(t, r.Body.String(), reference.ErrorSchema)
}
