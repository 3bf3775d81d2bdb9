package steps_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/cucumber/godog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimcheck/scimcheck/features"
	"github.com/scimcheck/scimcheck/steps"
	"github.com/scimcheck/scimcheck/steps/scim"
)

// roundTripper adapts a function to http.RoundTripper.
type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// withTransport returns a copy of s whose client sends through wrap(the default transport).
func withTransport(t *testing.T, s *steps.Suite, base string, token string, wrap func(http.RoundTripper) http.RoundTripper) *steps.Suite {
	t.Helper()
	c, err := scim.New(scim.Config{BaseURL: base, Secret: token, Retry429: scim.Retry429{MaxAttempts: 1},
		Transport: wrap(http.DefaultTransport)})
	require.NoError(t, err)
	return &steps.Suite{Client: c, Seed: s.Seed, RunID: s.RunID, BatchSize: s.BatchSize}
}

// runTags runs the scenarios tagged tags with s, as a plain godog run.
func runTags(s *steps.Suite, tags string) []steps.Result {
	godog.TestSuite{
		ScenarioInitializer: s.InitializeScenario,
		Options: &godog.Options{Format: "progress", Output: &bytes.Buffer{}, Paths: []string{"okta"},
			FS: features.FS, Tags: tags, Strict: true},
	}.Run()
	return s.Results()
}

// TestTransportFailureIsNamed checks that a request that gets no HTTP answer fails its step as
// a transport failure, naming the request of Okta's sequence, not as a status or body defect.
func TestTransportFailureIsNamed(t *testing.T) {
	_, url, token := referenceServer(t)
	s := withTransport(t, &steps.Suite{Seed: 7, RunID: "tr"}, url, token, func(next http.RoundTripper) http.RoundTripper {
		return roundTripper(func(r *http.Request) (*http.Response, error) {
			if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/Users") && r.Header.Get("Content-Type") != "application/json" {
				return nil, &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}
			}
			return next.RoundTrip(r)
		})
	})
	bad := failed(runTags(s, "@push-users && ~@oin && ~@aiw"))
	require.NotEmpty(t, bad)
	for _, r := range bad {
		if strings.Contains(r.Message, "transport failure (connection reset)") &&
			strings.Contains(r.Message, "failed at request 2 of the sequence (POST /Users") {
			return
		}
	}
	t.Fatalf("no failure names the transport failure: %+v", bad)
}

// TestMembersFromUsersWhenGroupOmitsThem runs Group Push against a server whose group GET
// leaves members out: the membership checks then read it from the users' side.
func TestMembersFromUsersWhenGroupOmitsThem(t *testing.T) {
	_, url, token := referenceServer(t)
	s := withTransport(t, &steps.Suite{Seed: 8, RunID: "nm", BatchSize: 100}, url, token, func(next http.RoundTripper) http.RoundTripper {
		return roundTripper(func(r *http.Request) (*http.Response, error) {
			resp, err := next.RoundTrip(r)
			if err != nil || r.Method != http.MethodGet || !strings.Contains(r.URL.Path, "/Groups/") || resp.StatusCode != http.StatusOK {
				return resp, err
			}
			var body map[string]any
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			require.NoError(t, json.Unmarshal(raw, &body))
			delete(body, "members")
			raw, _ = json.Marshal(body)
			resp.Body = io.NopCloser(bytes.NewReader(raw))
			resp.ContentLength = int64(len(raw))
			resp.Header.Set("Content-Length", strconv.Itoa(len(raw)))
			return resp, nil
		})
	})
	var walked atomic.Int64
	s.Recorder = func(_ string, ex *scim.Exchange) {
		if strings.Contains(ex.Request.URL, "groups.value") {
			walked.Add(1)
		}
	}
	results := runTags(s, "@push-groups")
	require.NotEmpty(t, results)
	assert.Positive(t, walked.Load(), "membership read from the users' side")
	for _, r := range results {
		assert.Equal(t, "passed", r.Status, "%s: %s", r.Name, r.Message)
	}
}

// TestAnyJSONMediaTypeIsRead relabels every answer text/json, as Okta's own examples show
// them: the checks read the body whatever its label (okta-wire §1.2, §11 item 37).
func TestAnyJSONMediaTypeIsRead(t *testing.T) {
	_, url, token := referenceServer(t)
	s := withTransport(t, &steps.Suite{Seed: 9, RunID: "mt"}, url, token, func(next http.RoundTripper) http.RoundTripper {
		return roundTripper(func(r *http.Request) (*http.Response, error) {
			resp, err := next.RoundTrip(r)
			if err == nil {
				resp.Header.Set("Content-Type", "text/json;charset=UTF-8")
			}
			return resp, err
		})
	})
	results := runTags(s, "@connection,@push-users,@errors")
	require.NotEmpty(t, results)
	for _, r := range results {
		assert.Equal(t, "passed", r.Status, "%s: %s", r.Name, r.Message)
	}
}
