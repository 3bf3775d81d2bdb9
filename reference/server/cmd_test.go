package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// syncBuffer is a bytes.Buffer safe for the command's goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// command is a `scimcheck serve` running in a goroutine.
type command struct {
	URL            string
	stdout, stderr *syncBuffer
	cancel         context.CancelFunc
	done           chan int
}

var listening = regexp.MustCompile(`listening on (http://\S+)`)

// startCommand runs Command with args and waits until it listens (or exits).
func startCommand(t *testing.T, args ...string) *command {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	c := &command{stdout: &syncBuffer{}, stderr: &syncBuffer{}, cancel: cancel, done: make(chan int, 1)}
	go func() { c.done <- Command(ctx, args, c.stdout, c.stderr) }()
	deadline := time.After(10 * time.Second)
	for {
		if m := listening.FindStringSubmatch(c.stdout.String()); m != nil {
			c.URL = m[1]
			t.Cleanup(func() { c.stop(t) })
			return c
		}
		select {
		case code := <-c.done:
			c.done <- code
			cancel()
			return c
		case <-deadline:
			cancel()
			t.Fatalf("serve did not start: stderr %s", c.stderr.String())
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// stop cancels the command's context (as SIGINT would) and returns its exit code.
func (c *command) stop(t *testing.T) int {
	t.Helper()
	c.cancel()
	select {
	case code := <-c.done:
		c.done <- code
		return code
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop within 10s")
		return -1
	}
}

// call sends a request to a real server with token.
func call(t *testing.T, base, token, method, path, body string) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r, err := http.NewRequest(method, base+path, rd)
	require.NoError(t, err)
	r.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		r.Header.Set("Content-Type", scimJSON)
	}
	resp, err := http.DefaultClient.Do(r)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return response{Status: resp.StatusCode, Header: resp.Header, Body: string(b)}
}

// httpGet GETs path from a Running server and requires 200.
func httpGet(t *testing.T, run *Running, path string) response {
	t.Helper()
	r := call(t, run.URL, run.Token, "GET", path, "")
	require.Equal(t, 200, r.Status, r.Body)
	return r
}

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
	return p
}

func TestCommandUsageErrors(t *testing.T) {
	t.Setenv("SCIMCHECK_TOKEN", "")
	tok := writeFile(t, "token", "file-s3kr1t\n")
	empty := writeFile(t, "empty", "  \n")
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"no token", []string{"--addr", "127.0.0.1:0"}, 2, "no credential configured"},
		{"token file missing", []string{"--token-file", "/no/such/file"}, 2, "read --token-file"},
		{"token file empty", []string{"--token-file", empty}, 2, "is empty"},
		{"basic without colon", []string{"--token-file", tok, "--basic", "ada"}, 2, "user:pass"},
		{"page size below 200", []string{"--token-file", tok, "--max-page-size", "100"}, 2, "at least 200"},
		{"unknown quirk", []string{"--token-file", tok, "--quirk", "nope"}, 2, `unknown quirk "nope"`},
		{"an argument", []string{"--token-file", tok, "extra"}, 2, `unexpected argument "extra"`},
		{"unknown flag", []string{"--bogus"}, 2, "flag provided but not defined"},
		{"unknown log level", []string{"--token-file", tok, "--log-level", "loud"}, 2, `unknown --log-level "loud"`},
		{"unknown log format", []string{"--token-file", tok, "--log-format", "xml"}, 2, `unknown --log-format "xml"`},
		{"help", []string{"--help"}, 0, "Usage: scimcheck serve"},
		{"port taken", nil, 3, "listen on"},
		{"bad seed", []string{"--token-file", tok, "--addr", "127.0.0.1:0", "--seed-data", "/no/such.json"}, 3, "seed data"},
		{"db in a missing directory", []string{"--token-file", tok, "--addr", "127.0.0.1:0", "--db", "/no/such/dir/x.db"}, 3, "scimcheck serve:"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.args
			if tc.name == "port taken" {
				ln, err := net.Listen("tcp", "127.0.0.1:0")
				require.NoError(t, err)
				defer ln.Close()
				args = []string{"--token-file", tok, "--addr", ln.Addr().String()}
			}
			var stdout, stderr bytes.Buffer
			code := Command(context.Background(), args, &stdout, &stderr)
			assert.Equal(t, tc.code, code, "stderr: %s", stderr.String())
			if tc.code == 0 { // --help: on stdout
				assert.Contains(t, stdout.String(), tc.stderr)
			} else {
				assert.Contains(t, stderr.String(), tc.stderr)
			}
			assert.NotContains(t, stderr.String(), "file-s3kr1t")
		})
	}
}

func TestReadToken(t *testing.T) {
	t.Setenv("SCIMCHECK_TOKEN", " from-env \n")
	tok, err := ReadToken("")
	require.NoError(t, err)
	assert.Equal(t, "from-env", tok)
	tok, err = ReadToken(writeFile(t, "t", "from-file\n"))
	require.NoError(t, err)
	assert.Equal(t, "from-file", tok, "--token-file wins over the environment")
}

func TestCommandServes(t *testing.T) {
	t.Setenv("SCIMCHECK_TOKEN", "env-t0ken")
	cmd := startCommand(t, "--addr", "127.0.0.1:0", "--basic", "ada:pw", "--quirk", "patch-returns-204")
	require.NotEmpty(t, cmd.URL, "stderr: %s", cmd.stderr.String())
	assert.Contains(t, cmd.stdout.String(), "with quirks patch-returns-204")

	r := call(t, cmd.URL, "env-t0ken", "POST", "/Users", oktaUser("ada"))
	require.Equal(t, 201, r.Status, r.Body)
	id := r.JSON("id").String()
	r = call(t, cmd.URL, "env-t0ken", "PATCH", "/Users/"+id, `{"Operations":[{"op":"replace","value":{"active":false}}]}`)
	assert.Equal(t, 204, r.Status, "the quirk is on")
	assert.Equal(t, 401, call(t, cmd.URL, "wrong", "GET", "/Users", "").Status)

	assert.Equal(t, 0, cmd.stop(t))
	assert.Contains(t, cmd.stdout.String(), "stopped")
	_, err := http.Get(cmd.URL + "/Users")
	require.Error(t, err, "the port is closed after shutdown")

	logs := strings.Split(strings.TrimSpace(cmd.stderr.String()), "\n")
	require.Len(t, logs, 3, "one line per request:\n%s", cmd.stderr.String())
	for i, want := range [][]string{
		{"method=POST", "path=/scim/v2/Users ", "status=201"},
		{"method=PATCH", "path=/scim/v2/Users/" + id, "status=204"},
		{"method=GET", "status=401"},
	} {
		for _, w := range want {
			assert.Contains(t, logs[i], w)
		}
		assert.Contains(t, logs[i], "duration=")
	}
	assert.NotContains(t, cmd.stderr.String(), "env-t0ken")
	assert.NotContains(t, cmd.stderr.String(), "wrong")
}

// TestCommandLogFlags: --log-level off leaves stderr empty; --log-format json writes one object
// a request, its query redacted.
func TestCommandLogFlags(t *testing.T) {
	t.Setenv("SCIMCHECK_TOKEN", "env-t0ken")
	quiet := startCommand(t, "--addr", "127.0.0.1:0", "--log-level", "off")
	require.NotEmpty(t, quiet.URL, "stderr: %s", quiet.stderr.String())
	assert.Equal(t, 200, call(t, quiet.URL, "env-t0ken", "GET", "/Users", "").Status)
	assert.Equal(t, 401, call(t, quiet.URL, "wrong", "GET", "/Users", "").Status)
	assert.Equal(t, 0, quiet.stop(t))
	assert.Empty(t, quiet.stderr.String())

	js := startCommand(t, "--addr", "127.0.0.1:0", "--log-format", "json")
	require.NotEmpty(t, js.URL, "stderr: %s", js.stderr.String())
	assert.Equal(t, 200, call(t, js.URL, "env-t0ken", "GET", "/Users?count=1&api_key=env-t0ken", "").Status)
	assert.Equal(t, 0, js.stop(t))
	var line struct {
		Msg, Method, Path, Query string
		Status                   int
	}
	require.NoError(t, json.Unmarshal([]byte(strings.TrimSpace(js.stderr.String())), &line), js.stderr.String())
	assert.Equal(t, "request", line.Msg)
	assert.Equal(t, "/scim/v2/Users", line.Path)
	assert.Equal(t, "count=1&api_key=[REDACTED]", line.Query)
	assert.Equal(t, 200, line.Status)
	assert.NotContains(t, js.stderr.String(), "env-t0ken")
}

// TestCommandRestartWithDB: data and versions survive a restart with --db, and the seed data
// can be given again.
func TestCommandRestartWithDB(t *testing.T) {
	t.Setenv("SCIMCHECK_TOKEN", "")
	tok := writeFile(t, "token", "file-t0ken")
	db := filepath.Join(t.TempDir(), "scim.db")
	args := []string{"--addr", "127.0.0.1:0", "--token-file", tok, "--db", db, "--seed-data", preexisting}

	first := startCommand(t, args...)
	require.NotEmpty(t, first.URL, "stderr: %s", first.stderr.String())
	r := call(t, first.URL, "file-t0ken", "POST", "/Users", oktaUser("new@example.com"))
	require.Equal(t, 201, r.Status, r.Body)
	id := r.JSON("id").String()
	r = call(t, first.URL, "file-t0ken", "PATCH", "/Users/"+id, `{"Operations":[{"op":"replace","value":{"active":false}}]}`)
	require.Equal(t, 200, r.Status, r.Body)
	acked := r.Body
	require.Equal(t, 0, first.stop(t))

	second := startCommand(t, args...)
	require.NotEmpty(t, second.URL, "restart with the same seed: stderr %s", second.stderr.String())
	got := call(t, second.URL, "file-t0ken", "GET", "/Users/"+id, "")
	require.Equal(t, 200, got.Status)
	// Locations carry the port, which changed; everything else is identical.
	assert.JSONEq(t, strings.ReplaceAll(acked, first.URL, second.URL), got.Body)
	assert.Equal(t, `W/"2"`, got.JSON("meta.version").String())
	list := call(t, second.URL, "file-t0ken", "GET", "/Users?count=0", "")
	assert.Equal(t, int64(5), list.JSON("totalResults").Int(), "four seeded users once, plus the new one")
	assert.Equal(t, 0, second.stop(t))
}
