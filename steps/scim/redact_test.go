package scim

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRedactor(t *testing.T) {
	rd := NewRedactor(canary, "")
	jsonForm, _ := json.Marshal(canary)
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"plain", "Bearer " + canary, "Bearer [REDACTED]"},
		{"twice", canary + canary, "[REDACTED][REDACTED]"},
		{"query-escaped", "?t=" + url.QueryEscape(canary), "?t=[REDACTED]"},
		{"path-escaped", "/t/" + url.PathEscape(canary), "/t/[REDACTED]"},
		{"json-escaped", `{"t":` + string(jsonForm) + `}`, `{"t":"[REDACTED]"}`},
		{"go-quoted", fmt.Sprintf("bad %q", canary), `bad "[REDACTED]"`},
		{"untouched", "nothing secret here", "nothing secret here"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, rd.String(tt.in))
			assert.Equal(t, tt.want, string(rd.Bytes([]byte(tt.in))))
		})
	}

	h := rd.Header(http.Header{"X-Echo": {"a " + canary}})
	assert.Equal(t, http.Header{"X-Echo": {"a [REDACTED]"}}, h)

	var none *Redactor
	assert.Equal(t, canary, none.String(canary), "a nil Redactor changes nothing")
	assert.Equal(t, "x", NewRedactor().String("x"))
}

// TestCanaryNeverLeaks runs every auth mode against a server that echoes the Authorization
// header back in its headers and body, and checks every rendering.
func TestCanaryNeverLeaks(t *testing.T) {
	hostile := func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		w.Header().Set("X-Echo", auth)
		w.Header().Set("Location", "/Users?token="+url.QueryEscape(auth))
		w.Header().Set("WWW-Authenticate", strconv.Quote(auth))
		w.Header().Set("Content-Type", "application/scim+json")
		w.WriteHeader(http.StatusUnauthorized)
		body, _ := json.Marshal(map[string]any{
			"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:Error"},
			"detail":  "bad credentials: " + auth,
			"status":  "401",
		})
		_, _ = w.Write(body)
	}
	srv := serve(t, hostile)
	basicSecret := "ada:" + canary
	tests := []struct {
		mode   AuthMode
		secret string
		leaks  []string
	}{
		{AuthBearer, canary, []string{canary}},
		{AuthHeader, canary, []string{canary}},
		{AuthBasic, basicSecret, []string{canary, base64.StdEncoding.EncodeToString([]byte(basicSecret))}},
	}
	for _, tt := range tests {
		t.Run(string(tt.mode), func(t *testing.T) {
			c := client(t, Config{BaseURL: srv.URL, Auth: tt.mode, Secret: tt.secret})
			ex, err := c.Do(context.Background(), Request{
				Method: http.MethodPost, Path: "/Users?q=" + url.QueryEscape(tt.secret),
				Body: []byte(`{"echo":"` + tt.secret + `"}`),
			})
			require.NoError(t, err)
			require.Contains(t, ex.Response.Header.Get("X-Echo"), tt.leaks[len(tt.leaks)-1], "the server echoes the credentials")

			rendered := map[string]string{
				"Curl":          ex.Curl(),
				"Transcript":    ex.Transcript(),
				"String":        fmt.Sprint(ex),
				"RequestLine":   ex.RequestLine(),
				"Authorization": strings.Join(ex.Request.Header.Values("Authorization"), ""),
				"Redact(body)":  ex.Redact(string(ex.Response.Body)),
			}
			for name, s := range rendered {
				for _, leak := range tt.leaks {
					assert.NotContains(t, s, leak, "%s leaks the secret", name)
				}
			}
			assert.Contains(t, ex.Transcript(), `[REDACTED]","schemas"`, "the echoed detail is shown, redacted")
		})
	}

	// Errors: a malformed answer that echoes the secret, and a request URL that holds it.
	bad := rawServer(t, func(c net.Conn) { _, _ = c.Write([]byte("HTTP/1.1 " + canary + "\r\n\r\n")) })
	c := client(t, Config{BaseURL: bad, Secret: canary})
	_, err := c.Do(context.Background(), Request{Path: "/Users/" + url.PathEscape(canary)})
	require.Error(t, err)
	for e := err; e != nil; e = errors.Unwrap(e) {
		if _, ok := e.(*TransportError); ok {
			assert.NotContains(t, e.Error(), canary)
		}
	}
	assert.NotContains(t, err.Error(), canary)
	assert.NotContains(t, c.Redactor().String("x"+canary), canary)
}

func TestRedactorKeepsStructure(t *testing.T) {
	tests := []struct {
		name, secret, in, want string
		render                 func(rd *Redactor, s string) string
	}{
		{"the marker is never redacted inside itself", "T", "GET [REDACTED] T", "GE[REDACTED] [REDACTED] [REDACTED]",
			func(rd *Redactor, s string) string { return rd.String(rd.String(s)) }},
		{"two redactors in turn", "A", "[REDACTED] A", "[REDACTED] [REDACTED]",
			func(rd *Redactor, s string) string { return NewRedactor("D").String(rd.String(s)) }},
		{"JSON keys stay, string values lose it", "t", `{"text": "at", "n": 1, "list": ["t", {"t":true}]}`,
			`{"text": "a[REDACTED]", "n": 1, "list": ["[REDACTED]", {"t":true}]}`,
			func(rd *Redactor, s string) string { return string(rd.JSONValues([]byte(s))) }},
		{"JSON-escaped secret in a value", `q"u\o`, `{"detail": "got q\"u\\o"}`, `{"detail": "got [REDACTED]"}`,
			func(rd *Redactor, s string) string { return string(rd.JSONValues([]byte(s))) }},
		{"markup names stay, text and attribute values lose it", "t", `<testcase name="t1">at &amp; t</testcase>`,
			`<testcase name="[REDACTED]1">a[REDACTED] &amp; [REDACTED]</testcase>`,
			func(rd *Redactor, s string) string { return string(rd.MarkupText([]byte(s))) }},
		{"HTML-escaped secret in markup", "a<b&c", `<p>a&lt;b&amp;c</p>`, `<p>[REDACTED]</p>`,
			func(rd *Redactor, s string) string { return string(rd.MarkupText([]byte(s))) }},
		{"regex metacharacters are literal", `a.b*(c)$`, "a.b*(c)$ axbbb(c)", "[REDACTED] axbbb(c)",
			func(rd *Redactor, s string) string { return rd.String(s) }},
		{"a space inside", "a b", "x a b y a+b", "x [REDACTED] y [REDACTED]",
			func(rd *Redactor, s string) string { return rd.String(s) }},
		{"the net leaves short secrets alone", "scim", "scimcheck run", "scimcheck run",
			func(rd *Redactor, s string) string { return rd.LongOnly().String(s) }},
		{"the net keeps long secrets", canary, "x " + canary, "x [REDACTED]",
			func(rd *Redactor, s string) string { return rd.LongOnly().String(s) }},
		{"a JSON body: keys keep short secrets", "id", `{"id": "id-1"}`, `{"id": "[REDACTED]-1"}`,
			func(rd *Redactor, s string) string { return string(rd.Body([]byte(s))) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.render(NewRedactor(tt.secret), tt.in))
		})
	}
	t.Run("JSON stays valid", func(t *testing.T) {
		in := []byte(`{"exitCode": 1, "result": "failed", "message": "expected 200, got 401"}`)
		for _, secret := range []string{"t", "e", `"`, `\`, ":", "{", "exitCode"} {
			out := NewRedactor(secret).JSONValues(in)
			var v map[string]any
			require.NoError(t, json.Unmarshal(out, &v), "%q: %s", secret, out)
			assert.Contains(t, v, "exitCode", secret)
		}
	})
}
