package expect

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimcheck/scimcheck/steps/scim"
)

func TestStatus(t *testing.T) {
	redirect := answer(302, ``)
	redirect.Response.Header.Set("Location", "https://idp.example/login")
	noResponse := answer(0, ``)
	noResponse.Response = scim.RecordedResponse{}
	noResponse.Err = errors.New("GET /scim/v2/Users?count=1 HTTP/1.1: connection refused: dial tcp 127.0.0.1:1: connect: connection refused")
	retried := answer(429, ``)
	retried.Attempts = 10
	retried.Retries = make([]scim.Retry, 9)
	long := typed(answer(502, strings.Repeat("é", 150)), "text/plain")

	runTable(t, []testCase{
		{"equal", answer(201, `{}`), func(ex *scim.Exchange) error { return Status(ex, 201, rule) }, ""},
		{"in set", answer(204, ``), func(ex *scim.Exchange) error { return StatusIn(ex, []int{200, 204}, rule) }, ""},
		{"scim error detail", answer(409, `{"schemas":["`+ErrorSchema+`"],"detail":"userName taken","scimType":"uniqueness","status":"409"}`),
			func(ex *scim.Exchange) error { return Status(ex, 201, rule) }, line + `
  HTTP status: expected 201, got 409 Conflict
  detail: "userName taken", scimType: "uniqueness"
  because: the rule`},
		{"plain-text body", typed(answer(500, "User already exists\n"), "text/plain"),
			func(ex *scim.Exchange) error { return Status(ex, 409, rule) }, line + `
  HTTP status: expected 409, got 500 Internal Server Error
  body: "User already exists\n"
  because: the rule`},
		{"long body cut on a rune boundary", long, func(ex *scim.Exchange) error { return Status(ex, 200, rule) }, line + `
  HTTP status: expected 200, got 502 Bad Gateway
  body: "` + strings.Repeat("é", 100) + `"… (300 bytes)
  because: the rule`},
		{"set", answer(500, ``), func(ex *scim.Exchange) error { return StatusIn(ex, []int{200, 201, 204}, rule) }, line + `
  HTTP status: expected 200, 201 or 204, got 500 Internal Server Error
  because: the rule`},
		{"redirect", redirect, func(ex *scim.Exchange) error { return Status(ex, 200, rule) }, line + `
  HTTP status: expected 200, got 302 Found
  Location: https://idp.example/login (Okta does not follow redirects)
  because: the rule`},
		{"no response", noResponse, func(ex *scim.Exchange) error { return Status(ex, 200, rule) }, line + `
  HTTP status: expected 200, but there was no response: GET /scim/v2/Users?count=1 HTTP/1.1: connection refused: dial tcp 127.0.0.1:1: connect: connection refused
  because: the rule`},
		{"gave up after 429s", retried, func(ex *scim.Exchange) error { return Status(ex, 200, rule) }, line + `
  HTTP status: expected 200, got 429 Too Many Requests
  attempts: 10; 9 answered 429 Too Many Requests and were retried
  because: the rule`},
		{"no because", answer(500, ``), func(ex *scim.Exchange) error { return Status(ex, 200, "") }, line + `
  HTTP status: expected 200, got 500 Internal Server Error`},
	})
}

func TestIsJSON(t *testing.T) {
	run := func(ex *scim.Exchange) error { return IsJSON(ex, rule) }
	truncated := answer(200, `{"Resources":[`)
	truncated.Response.Truncated = true
	runTable(t, []testCase{
		{"object", answer(200, `{"a":1}`), run, ""},
		{"text/json is fine", typed(answer(200, `{"a":1}`), "text/json;charset=UTF-8"), run, ""},
		{"plain text", typed(answer(409, `User already exists`), "text/plain"), run, line + `
  body: expected a JSON document, but the body is not JSON: "User already exists"
  response: 409 Conflict, Content-Type: text/plain, 19 bytes
  because: the rule`},
		{"empty", answer(200, ``), run, line + `
  body: expected a JSON document, but the body is empty
  response: 200 OK, Content-Type: application/scim+json, 0 bytes
  because: the rule`},
		{"truncated", truncated, run, line + `
  body: expected a JSON document, but the body is not JSON: "{\"Resources\":["
  response: 200 OK, Content-Type: application/scim+json, 14 bytes
  body: cut at 14 bytes by the client (scim.Config.MaxBody)
  because: the rule`},
	})
}

func TestErrorBody(t *testing.T) {
	run := func(ex *scim.Exchange) error { return ErrorBody(ex, 401, rule) }
	const schemas = `"schemas":["` + ErrorSchema + `"]`
	runTable(t, []testCase{
		{"status as string", answer(401, `{`+schemas+`,"detail":"Unauthorized","status":"401"}`), run, ""},
		{"status as number", answer(401, `{`+schemas+`,"detail":"Unauthorized","status":401}`), run, ""},
		{"wrong HTTP status", answer(200, `{"totalResults":0}`), run, line + `
  HTTP status: expected 401, got 200 OK
  body: "{\"totalResults\":0}"
  because: the rule`},
		{"not JSON", typed(answer(401, `Unauthorized`), "text/html"), run, line + `
  schemas: expected an array containing "urn:ietf:params:scim:api:messages:2.0:Error", but the body is not JSON: "Unauthorized"
  response: 401 Unauthorized, Content-Type: text/html, 12 bytes
  because: the rule`},
		{"no schemas", answer(401, `{"detail":"Unauthorized","status":"401"}`), run, line + `
  schemas: missing, expected an array containing "urn:ietf:params:scim:api:messages:2.0:Error"
  response: 401 Unauthorized, Content-Type: application/scim+json, 40 bytes
  detail: "Unauthorized"
  because: the rule`},
		{"empty detail", answer(401, `{`+schemas+`,"detail":"","status":"401"}`), run, line + `
  detail: expected a non-empty string, got "" (string)
  response: 401 Unauthorized, Content-Type: application/scim+json, 86 bytes
  because: the rule`},
		{"wrong status value", answer(401, `{`+schemas+`,"detail":"Unauthorized","status":"400"}`), run, line + `
  status: expected "401" (string) or 401 (number), got "400" (string)
  response: 401 Unauthorized, Content-Type: application/scim+json, 98 bytes
  detail: "Unauthorized"
  because: the rule`},
		{"status missing", answer(401, `{`+schemas+`,"detail":"Unauthorized"}`), run, line + `
  status: missing, expected "401" (string) or 401 (number)
  response: 401 Unauthorized, Content-Type: application/scim+json, 83 bytes
  detail: "Unauthorized"
  because: the rule`},
	})
}

// TestFailureIsRedacted checks a real client's exchange against a server that echoes the
// token: no failure message may hold it.
func TestFailureIsRedacted(t *testing.T) {
	const secret = "c4n4ry-t0ken-9f8e7d"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte("token " + r.Header.Get("Authorization") + " is not allowed"))
	}))
	defer srv.Close()
	c, err := scim.New(scim.Config{BaseURL: srv.URL, Secret: secret, Timeout: 5 * time.Second})
	require.NoError(t, err)
	ex, err := c.Do(context.Background(), scim.Request{Path: "/Users/" + secret})
	require.NoError(t, err)

	for _, err := range []error{
		Status(ex, 200, "because "+secret),
		IsJSON(ex, rule),
		Equal(ex, "id", secret, rule),
		ErrorBody(ex, 401, rule),
	} {
		require.Error(t, err)
		assert.NotContains(t, err.Error(), secret)
		assert.Contains(t, err.Error(), scim.Redacted)
	}
	assert.Equal(t, `GET /Users/[REDACTED] HTTP/1.1
  HTTP status: expected 200, got 403 Forbidden
  body: "token Bearer [REDACTED] is not allowed"
  because: because [REDACTED]`, Status(ex, 200, "because "+secret).Error())
}

// TestFailureWithAOneLetterSecret: with a token of one letter, what the target sent loses
// every "t" (its reason phrase, detail, Content-Type), while scimcheck's own words stay whole:
// a standard status, the notes' labels, the network's errors. Before, the whole message was
// redacted, and "got 404 Not Found" read "got 404 No[REDACTED] Found".
func TestFailureWithAOneLetterSecret(t *testing.T) {
	reason := ""
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/scim+json")
		if reason != "" {
			// a reason phrase of the target's own: net/http writes only standard ones
			hj, _, _ := w.(http.Hijacker).Hijack()
			body := `{"detail":"not there"}`
			_, _ = fmt.Fprintf(hj, "HTTP/1.1 404 %s\r\nContent-Type: application/scim+json\r\nContent-Length: %d\r\n\r\n%s", reason, len(body), body)
			_ = hj.Close()
			return
		}
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"detail":"not there"}`))
	}))
	defer srv.Close()
	c, err := scim.New(scim.Config{BaseURL: srv.URL, Secret: "t", Timeout: 5 * time.Second})
	require.NoError(t, err)
	ex, err := c.Do(context.Background(), scim.Request{Path: "/Users/1"})
	require.NoError(t, err)

	assert.Equal(t, `GET /Users/1 HTTP/1.1
  HTTP status: expected 200, got 404 Not Found
  detail: "no[REDACTED] [REDACTED]here"
  because: the rule`, Status(ex, 200, rule).Error())
	assert.Contains(t, Equal(ex, "id", "1", rule).Error(),
		"response: 404 Not Found, Content-Type: applica[REDACTED]ion/scim+json, 22 bytes", "the label whole, the target's value not")

	reason = "Totally Gone"
	ex, err = c.Do(context.Background(), scim.Request{Path: "/Users/1"})
	require.NoError(t, err)
	assert.Contains(t, Status(ex, 200, rule).Error(), "got 404 To[REDACTED]ally Gone", "the target's own reason phrase is redacted")

	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	c, err = scim.New(scim.Config{BaseURL: gone.URL, Secret: "t", Timeout: 5 * time.Second})
	require.NoError(t, err)
	ex, _ = c.Do(context.Background(), scim.Request{Path: "/Users/1"})
	msg := IsJSON(ex, rule).Error()
	assert.Contains(t, msg, "there was no response: ")
	assert.Contains(t, msg, "connection refused")
}
