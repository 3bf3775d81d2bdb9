//go:build linux

package runner

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimcheck/scimcheck/reference/server"
	rpt "github.com/scimcheck/scimcheck/steps/report"
)

// hostileMemoryCeiling is the most a run may hold, whatever the target answers: the issue's
// ceiling for targets answering 200 MB bodies or padding every answer with 1 MiB.
const hostileMemoryCeiling = 200 << 20

// childRun is what a scimcheck child process did.
type childRun struct {
	code           int
	stdout, stderr string
	elapsed        time.Duration
	peakRSS        int64 // bytes: the process's VmHWM, the kernel's high-water mark of its resident set
}

// dump returns the output of c for a failure message.
func (c childRun) dump() string {
	return "exit " + strconv.Itoa(c.code) + "\n--- stdout:\n" + tail(c.stdout, 4000) + "\n--- stderr:\n" + tail(c.stderr, 4000)
}

// tail returns the last n bytes of s.
func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// runChildProcess runs `scimcheck run args` as a child process (this test binary, see
// childEnv) with token in $SCIMCHECK_TOKEN, and returns what it did, its peak resident set
// included; started, when set, receives the process once it runs. The test fails if it does
// not end within limit.
func runChildProcess(t *testing.T, token string, limit time.Duration, started func(*os.Process), args ...string) childRun {
	t.Helper()
	raw, err := json.Marshal(args)
	require.NoError(t, err)
	cmd := exec.CommandContext(t.Context(), os.Args[0])
	cmd.Env = append(os.Environ(), childEnv+"="+string(raw), "SCIMCHECK_TOKEN="+token, "SCIMCHECK_TARGET=")
	cmd.Env = withoutEnv(cmd.Env, "GOMEMLIMIT") // the command's own soft limit applies
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.WaitDelay = time.Second
	start := time.Now()
	require.NoError(t, cmd.Start())
	if started != nil {
		started(cmd.Process)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(limit):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("scimcheck %s did not end within %s\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), limit, tail(out.String(), 4000), tail(errb.String(), 4000))
	}
	r := childRun{code: cmd.ProcessState.ExitCode(), stdout: out.String(), elapsed: time.Since(start)}
	// The child reads its VmHWM as it ends (getrusage's ru_maxrss would count the parent's
	// resident set, which the child shares until it execs).
	stderr, hwm, ok := strings.Cut(errb.String(), childHWMPrefix)
	require.True(t, ok, "the child reports its peak resident set: %s", errb.String())
	kb, err := strconv.ParseInt(strings.TrimSpace(hwm), 10, 64)
	require.NoError(t, err)
	r.stderr, r.peakRSS = stderr, kb<<10
	return r
}

// withoutEnv returns env without the variable name.
func withoutEnv(env []string, name string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, name+"=") {
			out = append(out, kv)
		}
	}
	return out
}

// drip answers the headers at once, then one byte of the declared body every 100 ms.
func drip(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	w.Header().Set("Content-Type", "application/scim+json")
	w.Header().Set("Content-Length", "100000")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	for range 100000 {
		if _, err := w.Write([]byte(" ")); err != nil {
			return
		}
		_ = rc.Flush()
		select {
		case <-r.Context().Done():
			return
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// hugeBody answers a valid SCIM list followed by 200 MB of white space: declared in
// Content-Length when declared is set, else chunked. It stops when the client goes.
func hugeBody(declared bool) http.HandlerFunc {
	const size = 200 << 20
	chunk := bytes.Repeat([]byte(" "), 1<<20)
	head := []byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"Resources":[]}`)
	return func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/scim+json")
		if declared {
			w.Header().Set("Content-Length", strconv.Itoa(len(head)+size))
		}
		_, _ = w.Write(head)
		for range size / len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}
}

// paddingProxy forwards to the reference server and pads every answer that has a body with
// 1 MiB of white space after the JSON: valid, and a megabyte each.
func paddingProxy(t *testing.T) (string, string) {
	t.Helper()
	ref, err := server.Start(t.Context(), server.Config{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = ref.Close() })
	u, err := url.Parse(ref.URL)
	require.NoError(t, err)
	u.Path = ""
	p := httputil.NewSingleHostReverseProxy(u)
	padding := bytes.Repeat([]byte(" "), 1<<20)
	p.ModifyResponse = func(r *http.Response) error {
		if r.StatusCode == http.StatusNoContent || r.StatusCode == http.StatusNotModified {
			return nil
		}
		b, err := io.ReadAll(r.Body)
		_ = r.Body.Close()
		if err != nil {
			return err
		}
		b = append(b, padding...)
		r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
		r.Header.Set("Content-Length", strconv.Itoa(len(b)))
		return nil
	}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return srv.URL + server.BasePath, ref.Token
}

// exceptProbe answers the probe's two requests (GET /ServiceProviderConfig and the first
// page of users) well and hands every other request to next.
func exceptProbe(next http.HandlerFunc) http.HandlerFunc {
	return answerProbe(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/Users") && r.URL.Query().Get("count") == "1" {
			w.Header().Set("Content-Type", "application/scim+json")
			_, _ = io.WriteString(w, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"startIndex":1,"itemsPerPage":0,"Resources":[]}`)
			return
		}
		next(w, r)
	})
}

// TestHostileTargets runs the scimcheck command, as a child process, against targets that
// stall, drip, flood, nest, bomb, reset, redirect and rate-limit for ever, and checks each
// time the exit code, that the reports are written, that the run ends in bounded time, and
// that the process's peak resident set stays under hostileMemoryCeiling. Each run is bounded
// by short --deadline, --scenario-timeout and --timeout flags, never by a sub-second one.
func TestHostileTargets(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the command as child processes")
	}
	nested := bytes.Repeat([]byte("["), 6<<20)
	bomb := gzipped(t, bytes.Repeat([]byte("["), 64<<20))
	tests := []struct {
		name    string
		handler http.HandlerFunc // served by an httptest server, unless target is set
		target  func(t *testing.T) (url, token string)
		args    []string
		code    int
		result  string
		want    []string // in stdout + stderr
		within  time.Duration
	}{
		{
			name: "hangs after the probe", handler: answerProbe(hang),
			args: []string{"--tags", "@connection", "--scenario-timeout", "2s"},
			code: ExitFail, result: rpt.ResultFailed, within: 30 * time.Second,
			want: []string{"no answer within 2s, the scenario's time limit (--scenario-timeout)"},
		},
		{
			name: "hangs and the run reaches its deadline", handler: answerProbe(hang),
			args: []string{"--deadline", "3s"},
			code: ExitDeadline, result: rpt.ResultDeadline, within: 30 * time.Second,
			want: []string{"the run reached its --deadline of 3s: the results above are incomplete (exit code 4)",
				"not run: the run reached its --deadline of 3s", "0 failed"},
		},
		{
			name: "drips one byte every 100ms", handler: answerProbe(drip),
			args: []string{"--tags", "@connection", "--timeout", "2s"},
			code: ExitFail, result: rpt.ResultFailed, within: 30 * time.Second,
			want: []string{"response body not complete within 2s"},
		},
		{
			name: "answers 200 MB bodies with a Content-Length", handler: answerProbe(hugeBody(true)),
			code: ExitFail, result: rpt.ResultFailed, within: 60 * time.Second,
			want: []string{"cut at 10485760 bytes by the client"},
		},
		{
			name: "answers 200 MB bodies chunked", handler: answerProbe(hugeBody(false)), args: []string{"--tags", "@connection,@errors"},
			code: ExitFail, result: rpt.ResultFailed, within: 60 * time.Second,
			want: []string{"cut at 10485760 bytes by the client"},
		},
		{
			name: "pads every answer with 1 MiB", target: paddingProxy, args: []string{"--tags", "@import,@push-users"},
			code: ExitPass, result: rpt.ResultPassed, within: 60 * time.Second,
			want: []string{" 0 failed"},
		},
		{
			name: "answers 6 MiB of nested arrays", handler: answerProbe(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/scim+json")
				_, _ = w.Write(nested)
			}),
			args: []string{"--tags", "@connection,@errors"},
			code: ExitFail, result: rpt.ResultFailed, within: 30 * time.Second,
			want: []string{"the answer nests deeper than 512 levels"},
		},
		{
			name: "answers a gzip bomb", handler: answerProbe(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/scim+json")
				w.Header().Set("Content-Encoding", "gzip")
				_, _ = w.Write(bomb)
			}),
			args: []string{"--tags", "@connection,@errors"},
			code: ExitFail, result: rpt.ResultFailed, within: 30 * time.Second,
			want: []string{"the answer nests deeper than 512 levels"},
		},
		{
			name: "resets the connection after the probe", handler: answerProbe(hijackClose),
			args: []string{"--tags", "@connection,@push-users"},
			code: ExitFail, result: rpt.ResultFailed, within: 30 * time.Second,
			want: []string{"connection closed"},
		},
		{
			name: "redirects after the probe", handler: exceptProbe(func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, "https://login.example.com/sso", http.StatusFound)
			}),
			args: []string{"--tags", "@connection,@push-users"},
			code: ExitFail, result: rpt.ResultFailed, within: 30 * time.Second,
			want: []string{"302 Found", "Okta does not follow redirects"},
		},
		{
			name: "answers 429 with Retry-After: 100000 for ever", handler: answerProbe(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				w.Header().Set("Retry-After", "100000")
				w.WriteHeader(http.StatusTooManyRequests)
			}),
			args: []string{"--tags", "@connection,@push-users", "--scenario-timeout", "30s"},
			code: ExitFail, result: rpt.ResultFailed, within: 30 * time.Second,
			want: []string{"not waited for", "429 Too Many Requests"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			url, token := "", "hostile-token"
			if tc.target != nil {
				url, token = tc.target(t)
			} else {
				srv := httptest.NewServer(tc.handler)
				t.Cleanup(srv.Close)
				url = srv.URL + "/scim/v2"
			}
			dir := t.TempDir()
			args := append([]string{"--target", url, "--report", filepath.Join(dir, "report"), "--trace-dir", filepath.Join(dir, "traces")}, tc.args...)
			r := runChildProcess(t, token, 2*tc.within, nil, args...)
			assert.Equal(t, tc.code, r.code, r.dump())
			assert.Less(t, r.elapsed, tc.within, "the run ends in bounded time")
			if raceBuild {
				t.Logf("-race: peak resident set %d MB, not held to the %d MB ceiling", r.peakRSS>>20, hostileMemoryCeiling>>20)
			} else {
				assert.Less(t, r.peakRSS, int64(hostileMemoryCeiling), "peak resident set %d MB", r.peakRSS>>20)
			}
			var s rpt.Summary
			raw, err := os.ReadFile(filepath.Join(dir, "report", reportSummary))
			require.NoError(t, err, "the reports are written: %s", r.dump())
			require.NoError(t, json.Unmarshal(raw, &s))
			assert.Equal(t, tc.result, s.Result)
			assert.Equal(t, tc.code, s.ExitCode)
			for _, f := range []string{reportJUnit, reportHTML, reportCucumber} {
				assert.FileExists(t, filepath.Join(dir, "report", f))
			}
			traces, err := os.ReadDir(filepath.Join(dir, "traces"))
			require.NoError(t, err)
			assert.NotEmpty(t, traces, "--trace-dir holds the transcripts")
			for _, e := range traces {
				assert.False(t, strings.HasSuffix(e.Name(), ".part"), "no part file is left: %s", e.Name())
			}
			all := r.stdout + r.stderr
			for _, w := range tc.want {
				assert.Contains(t, all, w, r.dump())
			}
			assert.NotContains(t, all, "panic", r.dump())
			assert.NotContains(t, all, "harness bug", "a hostile target is never scimcheck's fault")
			assert.NotContains(t, all, token)
			t.Logf("%s: exit %d in %s, peak RSS %d MB, %d requests", tc.name, r.code, r.elapsed.Round(100*time.Millisecond), r.peakRSS>>20, s.Requests)
		})
	}
}

// TestInterruptedRunLeavesTheRestNotRun sends SIGINT to the scimcheck command, a child process,
// once a fully passing target (the reference server, each answer held 5 ms so that the run
// lasts) has answered 150 requests, and checks that no output counts a scenario failed: those
// running then are interrupted, the rest not run, with no cause and no rerun command.
func TestInterruptedRunLeavesTheRestNotRun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the command as a child process")
	}
	ref, err := server.Start(t.Context(), server.Config{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = ref.Close() })
	var answered atomic.Int64
	reached := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(5 * time.Millisecond)
		ref.Handler.ServeHTTP(w, r)
		if answered.Add(1) == 150 {
			close(reached)
		}
	}))
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	report := filepath.Join(dir, "report")
	interrupt := func(p *os.Process) {
		go func() {
			<-reached
			time.Sleep(100 * time.Millisecond)
			_ = p.Signal(syscall.SIGINT)
		}()
	}
	r := runChildProcess(t, ref.Token, 60*time.Second, interrupt, "--target", srv.URL+server.BasePath, "--report", report)
	require.Equal(t, ExitInterrupted, r.code, r.dump())
	assert.Contains(t, r.stderr, "scimcheck run: interrupted (interrupt signal received): the results above are incomplete")

	var s rpt.Summary
	raw, err := os.ReadFile(filepath.Join(report, reportSummary))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &s))
	assert.Equal(t, rpt.ResultInterrupted, s.Result)
	assert.Zero(t, s.Counts.Failed+s.Counts.Blocked+s.Counts.Errors, "%+v", s.Counts)
	assert.Positive(t, s.Counts.Passed, "some scenarios ran before the signal")
	assert.Positive(t, s.Counts.Skipped, "some did not")
	assert.Empty(t, s.Causes)
	for _, sc := range s.Scenarios {
		assert.Contains(t, []string{rpt.StatusPassed, rpt.StatusSkipped}, sc.Status, sc.Name)
		assert.Empty(t, sc.Rerun, sc.Name)
		if sc.Status == rpt.StatusSkipped {
			assert.Regexp(t, `^(not run: the run was interrupted|interrupted while it ran \(the run was interrupted\): no verdict)$`, sc.Message, sc.Name)
		}
	}
	assert.Regexp(t, `(?m)^\d+ passed, 0 failed, 0 blocked, 0 skipped, \d+ not run`, r.stdout)
	assert.NotRegexp(t, `(?m)^[A-Z].* (broken|blocked|ERROR) `, r.stdout, "no capability reads as broken")
	assert.NotContains(t, r.stdout, "rerun: ")
	junit, err := os.ReadFile(filepath.Join(report, reportJUnit))
	require.NoError(t, err)
	assert.NotContains(t, string(junit), "<failure")
	assert.NotContains(t, string(junit), "<error")
	cucumber, err := os.ReadFile(filepath.Join(report, reportCucumber))
	require.NoError(t, err)
	assert.NotContains(t, string(cucumber), `"status": "failed"`)
	assert.NotContains(t, string(cucumber), `"status":"failed"`)
	html, err := os.ReadFile(filepath.Join(report, reportHTML))
	require.NoError(t, err)
	assert.Contains(t, string(html), "Interrupted: the results are incomplete")
	t.Logf("interrupted after %d answers: %+v in %s", answered.Load(), s.Counts, r.elapsed.Round(100*time.Millisecond))
}
