package runner

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimcheck/scimcheck/reference/server"
)

// spcBody is a minimal valid /ServiceProviderConfig answer, so that a server can pass the probe
// and misbehave afterwards.
const spcBody = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],"patch":{"supported":true}}`

// answerProbe answers the probe well and hands every other request to next.
func answerProbe(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/ServiceProviderConfig") {
			w.Header().Set("Content-Type", "application/scim+json")
			_, _ = w.Write([]byte(spcBody))
			return
		}
		next(w, r)
	}
}

// hang never answers. It reads the body first: a server notices that the client gave up
// only once the body is read, and a test server must not outlive its test.
func hang(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	select {
	case <-r.Context().Done():
	case <-time.After(10 * time.Second):
	}
}

// hijackClose takes the connection over and closes it without answering.
func hijackClose(w http.ResponseWriter, _ *http.Request) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	_ = conn.Close()
}

// slowProxy forwards every request to the reference server at base after delay.
func slowProxy(t *testing.T, delay time.Duration) (url, token string) {
	t.Helper()
	ref, err := server.Start(t.Context(), server.Config{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = ref.Close() })
	h := ref.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(delay)
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + server.BasePath, ref.Token
}

// notHTTP listens on loopback and answers every request with an SSH banner. It reads the
// request first: a banner sent before the request reaches Go's transport as an unsolicited
// response, which package scim does not yet classify as malformed.
func notHTTP(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_, _ = bufio.NewReader(c).ReadString('\n')
				_, _ = c.Write([]byte("SSH-2.0-OpenSSH_9.6\r\n"))
			}()
		}
	}()
	return "http://" + ln.Addr().String() + "/scim/v2"
}

// gzipped returns b gzip-compressed.
func gzipped(t *testing.T, b []byte) []byte {
	t.Helper()
	var z bytes.Buffer
	w, err := gzip.NewWriterLevel(&z, gzip.BestCompression)
	require.NoError(t, err)
	_, err = w.Write(b)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return z.Bytes()
}

func TestRunAgainstMisbehavingTargets(t *testing.T) {
	huge := bytes.Repeat([]byte(" "), 11<<20)             // past the client's 10 MiB cap
	nested := bytes.Repeat([]byte("["), 6<<20)            // under the cap, deep enough to overflow a recursive parser
	bomb := gzipped(t, bytes.Repeat([]byte("["), 64<<20)) // decodes past the cap; cut there
	copy(huge, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"Resources":[`)
	tests := []struct {
		name    string
		handler http.HandlerFunc // served by an httptest server, unless target is set
		target  func(t *testing.T) (url, token string)
		code    int
		want    []string // in stdout + stderr
	}{
		{
			name:    "hangs",
			handler: hang,
			code:    ExitError,
			want:    []string{"could not be reached", "timeout: no response within 1s"},
		},
		{
			name:    "hangs after the probe",
			handler: answerProbe(hang),
			code:    ExitFail,
			want:    []string{"no response within 1s"},
		},
		{
			name: "answers slowly, in time",
			target: func(t *testing.T) (string, string) {
				return slowProxy(t, 20*time.Millisecond)
			},
			code: ExitPass,
			want: []string{"0 failed"},
		},
		{
			name: "answers after the timeout",
			handler: answerProbe(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				select {
				case <-time.After(10 * time.Second): // far past the client's 1s timeout
				case <-r.Context().Done():
				}
				w.Header().Set("Content-Type", "application/scim+json")
				_, _ = w.Write([]byte(spcBody))
			}),
			code: ExitFail,
			want: []string{"no response within 1s"},
		},
		{
			name: "answers HTML",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				_, _ = w.Write([]byte("<html><body>Welcome to nginx!</body></html>"))
			},
			code: ExitError,
			want: []string{`body is not JSON (Content-Type "text/html", 43 bytes, starting "<html><body>Welcome to nginx!</body></ht…")`,
				"a sign-in page", "nothing was run: no scenario can pass"},
		},
		{
			name: "fails with 503",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/plain")
				w.WriteHeader(http.StatusServiceUnavailable)
				_, _ = w.Write([]byte("upstream connect error"))
			},
			code: ExitFail,
			want: []string{"503 Service Unavailable", "503: the target failed with a server error", "body is not JSON"},
		},
		{
			name: "answers a body past the client's cap",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/scim+json")
				_, _ = w.Write(huge)
			},
			code: ExitFail,
			want: []string{"body is larger than the client's cap of 10485760 bytes"},
		},
		{
			name: "answers 6 MiB of nested arrays",
			handler: answerProbe(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/scim+json")
				_, _ = w.Write(nested)
			}),
			code: ExitFail,
			want: []string{"the answer nests deeper than 512 levels"},
		},
		{
			name: "answers a gzip bomb of nested arrays",
			handler: answerProbe(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/scim+json")
				w.Header().Set("Content-Encoding", "gzip")
				_, _ = w.Write(bomb)
			}),
			code: ExitFail,
			want: []string{"the answer nests deeper than 512 levels"},
		},
		{
			name: "redirects",
			handler: func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, "https://login.example.com/sso?from="+r.URL.Path, http.StatusFound)
			},
			code: ExitError,
			want: []string{"redirect (302) to https://login.example.com/sso?from=/scim/v2/ServiceProviderConfig: Okta does not follow redirects",
				"nothing was run"},
		},
		{
			name:    "closes the connection",
			handler: hijackClose,
			code:    ExitError,
			want:    []string{"could not be reached", "connection closed"},
		},
		{
			name:    "closes the connection after the probe",
			handler: answerProbe(hijackClose),
			code:    ExitFail,
			want:    []string{"connection closed"},
		},
		{
			name: "does not speak HTTP",
			target: func(t *testing.T) (string, string) {
				return notHTTP(t), "tok"
			},
			code: ExitError,
			want: []string{"could not be reached", "malformed response"},
		},
		{
			name: "refuses the token",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/scim+json")
				w.WriteHeader(http.StatusUnauthorized)
				_, _ = w.Write([]byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"401","detail":"bad token"}`))
			},
			code: ExitError,
			want: []string{"401: the target refused the credential", "GET /scim/v2/Users?startIndex=1&count=1", "nothing was run"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			url, token := "", "tok"
			if tc.target != nil {
				url, token = tc.target(t)
			} else {
				srv := httptest.NewServer(tc.handler)
				defer srv.Close()
				url = srv.URL + "/scim/v2"
			}
			o := Options{Target: url, Token: token, Timeout: time.Second, Tags: "@connection"}
			if tc.code == ExitPass {
				o.Timeout = 5 * time.Second
			}
			if tc.code == ExitFail {
				o.ReportDir = t.TempDir()
			}
			r := runOpts(t, o, 30*time.Second)
			assert.Equal(t, tc.code, r.code, r.dump())
			if o.ReportDir != "" {
				for _, f := range []string{"summary.json", "junit.xml", "report.html"} {
					assert.FileExists(t, filepath.Join(o.ReportDir, f), "a failed run writes its reports")
				}
			}
			all := r.stdout + r.stderr
			for _, w := range tc.want {
				assert.Contains(t, all, w, r.dump())
			}
			assert.NotContains(t, all, "panic", r.dump())
			assert.NotContains(t, all, "harness bug", "a misbehaving target is never scimcheck's fault")
			t.Logf("%s: exit %d in %s", tc.name, r.code, r.elapsed.Round(time.Millisecond))
		})
	}
}

// TestUnadvertisedFeatureIsSkipped checks that a scenario about an optional feature (etag) is
// skipped, with the reason, against a server whose /ServiceProviderConfig does not advertise it,
// and runs where it does: neither a pass nor a failure.
func TestUnadvertisedFeatureIsSkipped(t *testing.T) {
	ref, err := server.Start(t.Context(), server.Config{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = ref.Close() })
	h := ref.Handler
	noETag := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/ServiceProviderConfig") {
			h.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/scim+json")
		_, _ = io.WriteString(w, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],`+
			`"patch":{"supported":true},"filter":{"supported":true,"maxResults":200},"etag":{"supported":false}}`)
	}))
	t.Cleanup(noETag.Close)
	name := "^meta.version changes when Okta writes"
	r := runOpts(t, Options{Target: noETag.URL + server.BasePath, Token: ref.Token, Name: name}, runLimit)
	assert.Equal(t, ExitPass, r.code, r.dump())
	assert.Contains(t, r.stdout, "skipped: etag not advertised", r.dump())
	assert.Regexp(t, `(?m)^Update user attributes +skip `, r.stdout)

	r = runOpts(t, Options{Target: ref.URL, Token: ref.Token, Name: name}, runLimit)
	assert.Equal(t, ExitPass, r.code, r.dump())
	assert.Regexp(t, `(?m)^Update user attributes +works `, r.stdout, "the reference advertises etag, so the scenario runs")
}
