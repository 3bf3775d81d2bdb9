package runner

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimcheck/scimcheck/reference/server"
)

// credentialsScenario is a short @connection scenario: two GETs.
const credentialsScenario = "^Test API Credentials reads a page of users and a page of groups$"

// throttled serves the reference server, but answers the first `limit` requests to /Users
// with 429 Too Many Requests and Retry-After (a limit below 0 means always). It records when
// every request other than the probe arrived.
type throttled struct {
	url, token string
	retryAfter string
	limit      int

	mu       sync.Mutex
	rejected int
	arrivals []time.Time
}

// newThrottled starts a throttled reference server for the test.
func newThrottled(t *testing.T, limit int, retryAfter string) *throttled {
	t.Helper()
	ref, err := server.Start(t.Context(), server.Config{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = ref.Close() })
	th := &throttled{token: ref.Token, retryAfter: retryAfter, limit: limit}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/ServiceProviderConfig") {
			th.mu.Lock()
			th.arrivals = append(th.arrivals, time.Now())
			reject := strings.HasSuffix(r.URL.Path, "/Users") && (th.limit < 0 || th.rejected < th.limit)
			if reject {
				th.rejected++
			}
			th.mu.Unlock()
			if reject {
				w.Header().Set("Retry-After", th.retryAfter)
				w.Header().Set("Content-Type", "application/scim+json")
				w.WriteHeader(http.StatusTooManyRequests)
				_, _ = w.Write([]byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"429","detail":"slow down"}`))
				return
			}
		}
		ref.Handler.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	th.url = srv.URL + server.BasePath
	return th
}

// waits records the client's waits instead of sleeping them.
type waits struct {
	mu   sync.Mutex
	list []time.Duration
}

func (w *waits) sleep(ctx context.Context, d time.Duration) error {
	w.mu.Lock()
	w.list = append(w.list, d)
	w.mu.Unlock()
	return ctx.Err()
}

func TestRunRetries429AsOktaDoes(t *testing.T) {
	th := newThrottled(t, 2, "1")
	var slept waits
	dir := t.TempDir()
	// Concurrency 1: one request at a time, so the first one is rejected twice.
	r := runOpts(t, Options{
		Target: th.url, Token: th.token, Name: credentialsScenario, TraceDir: "-", ReportDir: dir, sleep: slept.sleep,
		Concurrency: 1,
	}, runLimit)
	require.Equal(t, ExitPass, r.code, r.dump())
	assert.Equal(t, 2, th.rejected)
	assert.Equal(t, []time.Duration{time.Second, time.Second}, slept.list, "Retry-After: 1 is honoured, each time")
	assert.Contains(t, r.stdout, "# attempt 1: 429 Too Many Requests (Retry-After: 1); waited 1s, then sent it again")
	assert.Contains(t, r.stdout, "# attempt 2: 429 Too Many Requests (Retry-After: 1); waited 1s, then sent it again")

	_, j, page := readReports(t, dir)
	require.Len(t, j.Suites, 1)
	require.Len(t, j.Suites[0].Cases, 1)
	out := j.Suites[0].Cases[0].SystemOut
	assert.Contains(t, out, "* attempt 1: 429 Too Many Requests (Retry-After: 1)")
	assert.Contains(t, out, "3 attempt(s)")
	assert.Contains(t, page, "3 attempts")
}

func TestRunGivesUpAfterMaxRetries(t *testing.T) {
	th := newThrottled(t, -1, "0")
	t.Setenv("SCIMCHECK_TOKEN", th.token)
	t.Setenv("SCIMCHECK_TARGET", "")
	// --concurrency 1: the set-up sends one POST at a time, so one request is rejected.
	r := runArgs(t, "--target", th.url, "--name", credentialsScenario, "--max-retries", "1", "--trace-dir", "-", "--concurrency", "1")
	require.Equal(t, ExitFail, r.code, r.dump())
	assert.Equal(t, 2, th.rejected, "one request, one retry")
	assert.Contains(t, r.stdout, "attempts: 2; 1 answered 429 Too Many Requests and were retried")
	assert.Contains(t, r.stdout, "--max-retries 1 --name", "the rerun command keeps the retry limit")

	th = newThrottled(t, -1, "0")
	t.Setenv("SCIMCHECK_TOKEN", th.token)
	r = runArgs(t, "--target", th.url, "--name", credentialsScenario, "--max-retries", "0", "--concurrency", "1")
	require.Equal(t, ExitFail, r.code, r.dump())
	assert.Equal(t, 1, th.rejected, "--max-retries 0: no retry")
}

func TestRunMaxRPSSpacesRequests(t *testing.T) {
	th := newThrottled(t, 0, "")
	const rps = 50
	r := runOpts(t, Options{Target: th.url, Token: th.token, Tags: "@connection", MaxRPS: rps}, runLimit)
	require.Equal(t, ExitPass, r.code, r.dump())
	n := int(r.run.suite.Requests())
	require.GreaterOrEqual(t, n, 5, "enough requests to measure")
	interval := time.Second / rps
	min := time.Duration(n-1) * interval
	assert.GreaterOrEqual(t, r.run.elapsed, min, "%d requests at %d/s take at least %s", n, rps, min)

	th.mu.Lock()
	defer th.mu.Unlock()
	require.Len(t, th.arrivals, n)
	span := th.arrivals[n-1].Sub(th.arrivals[0])
	assert.GreaterOrEqual(t, span, min*9/10, "the server saw them spread over %s", span)
	t.Logf("%d requests at --max-rps %d: %s (at least %s)", n, rps, r.run.elapsed.Round(time.Millisecond), min)
	assert.Contains(t, r.stdout, "0 failed")
}
