package scim

import (
	"context"
	"net/http"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// created answers 201 with a fixed body and no Date header, so renderings are deterministic.
func created(w http.ResponseWriter, r *http.Request) {
	w.Header()["Date"] = nil
	w.Header().Set("Content-Type", "application/scim+json")
	w.WriteHeader(http.StatusCreated)
	_, _ = w.Write([]byte("{\"id\":\"u-1\",\n\"userName\":\"o'hara@example.com\"}"))
}

const createBody = `{"userName":"o'hara@example.com","note":"$HOME \"q\""}`

func TestCurl(t *testing.T) {
	srv := serve(t, created)
	tests := []struct {
		name string
		cfg  Config
		req  Request
		want string
	}{
		{"bearer post", Config{Secret: canary}, Request{Method: http.MethodPost, Path: "/Users", Body: []byte(createBody)}, `curl -sS -i --compressed --max-time 60 -X POST 'BASE/Users' \
  -H 'Accept: application/scim+json' \
  -H 'Accept-Charset: utf-8' \
  -H 'Content-Type: application/scim+json; charset=utf-8' \
  -H 'User-Agent: Okta SCIM Client 1.0.0' \
  -H "Authorization: Bearer $SCIMCHECK_TOKEN" \
  --data-raw '{"userName":"o'\''hara@example.com","note":"$HOME \"q\""}'
# HTTP/1.1 201 Created
# Content-Length: 45
# Content-Type: application/scim+json
#
# {"id":"u-1",
# "userName":"o'hara@example.com"}
`},
		{"header auth get", Config{Auth: AuthHeader, Secret: canary, Timeout: 1500 * time.Millisecond}, Request{Path: "/Users?" + FilterQuery("userName", "a@b.c", false)}, `curl -sS -i --compressed --max-time 1.5 -X GET 'BASE/Users?filter=userName%20eq%20%22a%40b.c%22&startIndex=1&count=100' \
  -H 'Accept: application/scim+json' \
  -H 'Accept-Charset: utf-8' \
  -H 'User-Agent: Okta SCIM Client 1.0.0' \
  -H "Authorization: $SCIMCHECK_TOKEN"
# HTTP/1.1 201 Created
# Content-Length: 45
# Content-Type: application/scim+json
#
# {"id":"u-1",
# "userName":"o'hara@example.com"}
`},
		{"basic, insecure, CA file", Config{Auth: AuthBasic, Secret: "ada:" + canary, Insecure: true}, Request{Method: http.MethodDelete, Path: "/Groups/g-1"}, `curl -sS -i --compressed -k --max-time 60 -X DELETE 'BASE/Groups/g-1' \
  -H 'Accept: application/scim+json' \
  -H 'Accept-Charset: utf-8' \
  -H 'Content-Type: application/scim+json; charset=utf-8' \
  -H 'User-Agent: Okta SCIM Client 1.0.0' \
  -u "$SCIMCHECK_TOKEN"
`},
		{"raw auth, spec-test headers", Config{Secret: canary}, Request{Method: http.MethodPost, Path: "/Users", RawAuth: "non-token", Body: []byte(`{}`), Header: http.Header{"X-Trace": {"1"}}}, `curl -sS -i --compressed --max-time 60 -X POST 'BASE/Users' \
  -H 'X-Trace: 1' \
  -H 'Accept:' \
  -H 'User-Agent:' \
  -H 'Content-Type:' \
  -H 'Authorization: non-token' \
  --data-raw '{}'
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.BaseURL = srv.URL
			ex, err := client(t, tt.cfg).Do(context.Background(), tt.req)
			require.NoError(t, err)
			got := strings.ReplaceAll(ex.Curl(), srv.URL, "BASE")
			head, _, _ := strings.Cut(got, "# HTTP/1.1")
			want, _, _ := strings.Cut(tt.want, "# HTTP/1.1")
			assert.Equal(t, want, head)
			if strings.Contains(tt.want, "# HTTP/1.1") {
				assert.Equal(t, tt.want, got)
			}
			assert.NotContains(t, got, canary)
		})
	}
}

// TestCurlRuns runs the rendered command with curl and checks that the server receives the
// same request, secret included.
func TestCurlRuns(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed")
	}
	for _, mode := range []AuthMode{AuthBearer, AuthHeader, AuthBasic} {
		t.Run(string(mode), func(t *testing.T) {
			var s seen
			srv := serve(t, s.handler(201, `{}`))
			secret := canary
			if mode == AuthBasic {
				secret = "ada:" + canary
			}
			ex, err := client(t, Config{BaseURL: srv.URL, Auth: mode, Secret: secret}).Do(context.Background(),
				Request{Method: http.MethodPost, Path: "/Users?x=%22y%22", Body: []byte(createBody)})
			require.NoError(t, err)
			want, wantBody := s.last()

			cmd := exec.Command("sh", "-c", ex.Curl())
			cmd.Env = append(cmd.Environ(), "SCIMCHECK_TOKEN="+secret)
			out, err := cmd.CombinedOutput()
			require.NoError(t, err, string(out))
			got, gotBody := s.last()
			assert.Equal(t, want.RequestURI, got.RequestURI)
			assert.Equal(t, string(wantBody), string(gotBody))
			for _, k := range []string{"Authorization", "Content-Type", "Accept", "Accept-Charset", "User-Agent"} {
				assert.Equal(t, want.Header.Get(k), got.Header.Get(k), k)
			}
		})
	}
}

func TestTranscript(t *testing.T) {
	var sl sleeps
	var retried atomic.Bool
	flaky := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if !retried.Swap(true) {
			w.Header().Set("Retry-After", "2")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		created(w, r)
	})
	c := client(t, Config{BaseURL: flaky.URL + "/scim/v2", Secret: canary, Sleep: sl.sleep})
	ex, err := c.Do(context.Background(), Request{Method: http.MethodPost, Path: "/Users", Body: []byte(`{"userName":"ada"}`)})
	require.NoError(t, err)
	ex.Duration = 12 * time.Millisecond
	ex.Retries[0].Duration = 3 * time.Millisecond

	host := strings.TrimPrefix(flaky.URL, "http://")
	want := `> POST /scim/v2/Users HTTP/1.1
> Host: HOST
> Accept: application/scim+json
> Accept-Charset: utf-8
> Authorization: Bearer [REDACTED]
> Content-Type: application/scim+json; charset=utf-8
> User-Agent: Okta SCIM Client 1.0.0
>
> {"userName":"ada"}
* attempt 1: 429 Too Many Requests (Retry-After: 2) after 3ms; waited 2s
< HTTP/1.1 201 Created
< Content-Length: 45
< Content-Type: application/scim+json
<
< {"id":"u-1",
< "userName":"o'hara@example.com"}
* 201 Created in 12ms, 2 attempt(s)
`
	assert.Equal(t, want, strings.ReplaceAll(ex.Transcript(), host, "HOST"))
	assert.Equal(t, ex.Transcript(), ex.String())
}

func TestJSON(t *testing.T) {
	tests := []struct {
		body   string
		isJSON bool
	}{
		{`{"totalResults":1}`, true},
		{` [1,2] `, true},
		{`"text"`, true},
		{``, false},
		{`   `, false},
		{`User already exists`, false},
		{`{"id":`, false},
	}
	for _, tt := range tests {
		t.Run(tt.body, func(t *testing.T) {
			ex := &Exchange{Response: RecordedResponse{Body: []byte(tt.body)}}
			assert.Equal(t, tt.isJSON, ex.IsJSON())
			assert.Equal(t, tt.isJSON, ex.JSON().Exists())
		})
	}
}

func TestTooDeep(t *testing.T) {
	nested := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	tests := []struct {
		name    string
		body    string
		tooDeep bool
		isJSON  bool
	}{
		{"at the limit", nested(MaxDepth), false, true},
		{"one past the limit", nested(MaxDepth + 1), true, false},
		{"objects past the limit", strings.Repeat(`{"a":`, MaxDepth+1) + "1" + strings.Repeat("}", MaxDepth+1), true, false},
		{"brackets in strings do not count", `["` + strings.Repeat("[", 2*MaxDepth) + `\"{"]`, false, true},
		{"6 MiB of [", strings.Repeat("[", 6<<20), true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ex := &Exchange{Response: RecordedResponse{Body: []byte(tt.body)}}
			assert.Equal(t, tt.tooDeep, ex.TooDeep())
			assert.Equal(t, tt.isJSON, ex.IsJSON())
		})
	}
}

func TestRequestLine(t *testing.T) {
	ex := &Exchange{Request: RecordedRequest{Method: "PATCH", URL: "https://h.example:8443/scim/v2/Users/a%2Fb?x=%22y%22"}}
	assert.Equal(t, "PATCH /scim/v2/Users/a%2Fb?x=%22y%22 HTTP/1.1", ex.RequestLine())
}

// StandardStatus holds for Go's own text of a code only, letter for letter.
func TestStandardStatus(t *testing.T) {
	for _, tc := range []struct {
		code   int
		status string
		want   bool
	}{
		{200, "200 OK", true}, {204, "204 No Content", true}, {404, "404 Not Found", true}, {429, "429 Too Many Requests", true},
		{200, "200 Ok", false}, {200, "201 OK", false}, {200, "200  OK", false}, {200, "2000 OK", false}, {200, "200OK", false}, {200, "200-OK", false},
		{200, " 200 OK", false}, {200, "200 OK ", false}, {200, "OK", false}, {204, "204 Totally Done", false},
		{0, "", false}, {999, "999 ", false}, {999, "999 Custom", false},
	} {
		ex := &Exchange{Response: RecordedResponse{StatusCode: tc.code, Status: tc.status}}
		assert.Equal(t, tc.want, ex.StandardStatus(), "%d %q", tc.code, tc.status)
	}
}
