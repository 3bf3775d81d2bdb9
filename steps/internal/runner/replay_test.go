package runner

import (
	"encoding/json"
	"html"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tidwall/gjson"

	rpt "github.com/scimcheck/scimcheck/steps/report"
	"github.com/scimcheck/scimcheck/steps/scim"
)

// createScenario sends Okta's POST with a full generated profile.
const createScenario = "a user who is not in the app yet is created with Okta's POST"

// wireRequests returns the requests of exs as "METHOD URL\nBODY", with the ids the server
// assigned (which differ from run to run) replaced by placeholders in order of appearance.
func wireRequests(exs []*scim.Exchange) []string {
	ids := map[string]string{}
	var order []string
	for _, ex := range exs {
		body := ex.JSON()
		for _, id := range append([]gjson.Result{body.Get("id")}, body.Get("Resources.#.id").Array()...) {
			if v := id.String(); v != "" && ids[v] == "" {
				ids[v] = "<id" + string(rune('0'+len(ids)+1)) + ">"
				order = append(order, v)
			}
		}
	}
	var out []string
	for _, ex := range exs {
		s := ex.Request.Method + " " + ex.Request.URL + "\n" + string(ex.Request.Body)
		for _, id := range order {
			s = strings.ReplaceAll(s, id, ids[id])
		}
		out = append(out, regexp.MustCompile(`http://127\.0\.0\.1:[0-9]+`).ReplaceAllString(s, "<base>"))
	}
	return out
}

func TestRunSeedReproducesTheData(t *testing.T) {
	runWith := func(seed int64) []string {
		var exs []*scim.Exchange
		var mu sync.Mutex
		keep := func(_ string, ex *scim.Exchange) { // --name selects the one scenario
			mu.Lock()
			defer mu.Unlock()
			exs = append(exs, ex)
		}
		r := runOpts(t, Options{Name: "^" + regexp.QuoteMeta(createScenario) + "$", Seed: seed, RunID: "scseed1", onExchange: keep}, runLimit)
		require.Equal(t, ExitPass, r.code, r.dump())
		require.NotEmpty(t, exs)
		return wireRequests(exs)
	}
	first, second := runWith(4242), runWith(4242)
	assert.Equal(t, first, second, "the same seed and run id send the same requests, bodies included")
	var post string
	for _, req := range first {
		if strings.HasPrefix(req, "POST ") {
			post = req
		}
	}
	require.NotEmpty(t, post, "the scenario POSTs a user")
	for _, field := range []string{`"userName"`, `"externalId"`, `"password"`, `"givenName"`} {
		assert.Contains(t, post, field)
	}
	assert.NotEqual(t, first, runWith(4243), "another seed, other data")
}

func TestRunReplaysOneScenario(t *testing.T) {
	t.Setenv("SCIMCHECK_TOKEN", "")
	t.Setenv("SCIMCHECK_TARGET", "")
	r := runArgs(t, "--name", credentialsScenario, "--trace-dir", "-")
	require.Equal(t, ExitPass, r.code, r.dump())
	assert.Equal(t, 1, strings.Count(r.stdout, "=== transcript "), "one scenario, one transcript")
	for _, want := range []string{
		"=== transcript test-api-credentials-reads-a-page-of-users-and-a-page-of-groups.sh ===",
		"# scenario: Test API Credentials reads a page of users and a page of groups",
		"# status:   passed",
		`curl -sS -i --compressed --max-time 60 -X GET 'http://127.0.0.1:`,
		"/scim/v2/Users?startIndex=1&count=2'",
		`-H "Authorization: Bearer $SCIMCHECK_TOKEN"`,
		"# HTTP/1.1 200 OK",
	} {
		assert.Contains(t, r.stdout, want)
	}
}

func TestRunRerunCommandFromTheReportReproducesTheFailure(t *testing.T) {
	t.Setenv("SCIMCHECK_TOKEN", "")
	t.Setenv("SCIMCHECK_TARGET", "")
	dir := t.TempDir()
	r := runOpts(t, Options{ReportDir: dir, Quirks: []string{"deactivated-user-404"}, Tags: "@deactivate-users", Seed: 31}, runLimit)
	require.Equal(t, ExitFail, r.code, r.dump())
	var s rpt.Summary
	require.NoError(t, json.Unmarshal([]byte(readFile(t, filepath.Join(dir, reportSummary))), &s))
	var failed *rpt.Scenario
	for i := range s.Scenarios {
		if s.Scenarios[i].Status == rpt.StatusFailed && strings.Contains(s.Scenarios[i].Name, "(RFC 7644") {
			failed = &s.Scenarios[i]
		}
	}
	require.NotNil(t, failed, "a failed scenario whose name needs quoting")
	assert.Contains(t, readFile(t, filepath.Join(dir, reportHTML)), html.EscapeString(quoteArg("^"+regexp.QuoteMeta(failed.Name)+"$")))

	args := shellWords(t, failed.Rerun)
	require.Equal(t, []string{"scimcheck", "run"}, args[:2])
	again := runArgs(t, args[2:]...)
	require.Equal(t, ExitFail, again.code, again.dump())
	assert.Contains(t, again.stdout, "seed: 31\n")
	assert.Contains(t, again.stdout, "1 of ", "just the one scenario")
	assert.Equal(t, 1, strings.Count(again.stdout, "=== transcript "))
	assert.Contains(t, again.stdout, "# scenario: "+failed.Name)
	assert.Contains(t, again.stdout, "# status:   failed")
	assert.Contains(t, again.stdout, firstLine(failed.Message), "the same failure")
	assert.Contains(t, again.stdout, "HTTP status: expected 200, got 404 Not Found")
}
