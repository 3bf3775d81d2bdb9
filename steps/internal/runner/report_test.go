package runner

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	rpt "github.com/scimcheck/scimcheck/steps/report"
)

// reportFiles are the files one --report run writes.
var reportFiles = []string{reportSummary, reportJUnit, reportCucumber, reportHTML}

// junitDoc is junit.xml as a CI server reads it.
type junitDoc struct {
	Tests    int `xml:"tests,attr"`
	Failures int `xml:"failures,attr"`
	Skipped  int `xml:"skipped,attr"`
	Suites   []struct {
		Name  string `xml:"name,attr"`
		Cases []struct {
			Name    string `xml:"name,attr"`
			Failure *struct {
				Message string `xml:"message,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
			Skipped *struct {
				Message string `xml:"message,attr"`
			} `xml:"skipped"`
			SystemOut string `xml:"system-out"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

// readReports checks that dir holds every report file, that summary.json validates and that
// junit.xml parses, and returns both.
func readReports(t *testing.T, dir string) (rpt.Summary, junitDoc, string) {
	t.Helper()
	for _, f := range reportFiles {
		require.FileExists(t, filepath.Join(dir, f))
	}
	raw := []byte(readFile(t, filepath.Join(dir, reportSummary)))
	require.NoError(t, rpt.Validate(raw), "summary.json fits the documented shape")
	var s rpt.Summary
	require.NoError(t, json.Unmarshal(raw, &s))
	var j junitDoc
	require.NoError(t, xml.Unmarshal([]byte(readFile(t, filepath.Join(dir, reportJUnit))), &j))
	var cuke []any
	require.NoError(t, json.Unmarshal([]byte(readFile(t, filepath.Join(dir, reportCucumber))), &cuke))
	assert.NotEmpty(t, cuke, "godog's cucumber report")
	return s, j, readFile(t, filepath.Join(dir, reportHTML))
}

// junitCases returns the names of every testcase.
func junitCases(j junitDoc) []string {
	var names []string
	for _, s := range j.Suites {
		for _, c := range s.Cases {
			names = append(names, c.Name)
		}
	}
	return names
}

func TestRunReportAgainstTheReference(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "report")
	junit := filepath.Join(t.TempDir(), "own-junit.xml")
	r := runOpts(t, Options{ReportDir: dir, Seed: 5, RunID: "screp1", Formats: []string{"progress", "junit:" + junit}}, runLimit)
	require.Equal(t, ExitPass, r.code, r.dump())
	assert.Contains(t, r.stdout, "report: "+filepath.Join(dir, reportHTML))
	assert.Contains(t, readFile(t, junit), "<testsuites", "--format junit:FILE works as before, beside --report")

	s, j, page := readReports(t, dir)
	assert.Equal(t, rpt.SchemaVersion, s.SchemaVersion)
	assert.Equal(t, rpt.ResultPassed, s.Result)
	assert.Equal(t, int64(5), s.Seed)
	assert.Equal(t, "screp1", s.RunID)
	assert.Equal(t, ModeBoth, s.OktaMode)
	assert.True(t, s.Target.InProcess)
	assert.Equal(t, r.run.target.url, s.Target.URL)
	assert.Equal(t, len(r.run.cat.scenarios), s.Counts.Total)
	assert.Equal(t, s.Counts.Selected, s.Counts.Passed+s.Counts.Skipped)
	assert.Equal(t, r.run.suite.Requests(), s.Requests)

	var names []string
	for _, c := range s.Capabilities {
		names = append(names, c.Name)
		assert.Contains(t, []string{rpt.StatusPassed, rpt.StatusPartial, rpt.StatusSkipped}, c.Status, c.Name)
	}
	var want []string
	for _, c := range capabilities() {
		want = append(want, c.title)
	}
	assert.Equal(t, want, names, "the rows of the capability table, in order")

	require.Len(t, s.Scenarios, len(r.run.selected))
	for i, sc := range s.Scenarios {
		assert.Equal(t, r.run.selected[i].name, sc.Name)
		assert.NotEmpty(t, sc.Steps, sc.Name)
		assert.NotEmpty(t, sc.Feature, sc.Name)
		assert.NotEmpty(t, sc.Capability, sc.Name)
		assert.Empty(t, sc.Rerun, "only scenarios that did not pass carry a rerun command")
		for _, st := range sc.Steps {
			assert.Contains(t, []string{"Given", "When", "Then", "And"}, st.Keyword, sc.Name)
			assert.Equal(t, "passed", st.Status, "%s: %s", sc.Name, st.Text)
		}
	}

	assert.Equal(t, len(s.Scenarios), j.Tests, "one testcase per scenario")
	assert.Equal(t, 0, j.Failures)
	assert.ElementsMatch(t, scenarioNames(s), junitCases(j))
	assert.Contains(t, page, "Passed: ")
	assert.Contains(t, page, `<table class="caps">`)
}

func TestRunReportAgainstAQuirkyServer(t *testing.T) {
	dir := t.TempDir()
	r := runOpts(t, Options{ReportDir: dir, Quirks: []string{"deactivated-user-404"}, Tags: "@deactivate-users, @connection", Seed: 77}, runLimit)
	require.Equal(t, ExitFail, r.code, r.dump())
	s, j, page := readReports(t, dir)
	assert.Equal(t, rpt.ResultFailed, s.Result)
	assert.Equal(t, ExitFail, s.ExitCode)
	assert.Equal(t, []string{"deactivated-user-404"}, s.Target.Quirks)
	assert.Equal(t, "@deactivate-users, @connection", s.Selection.Tags)
	assert.Positive(t, s.Counts.NotSelected)

	caps := map[string]rpt.Capability{}
	for _, c := range s.Capabilities {
		caps[c.Name] = c
	}
	assert.Equal(t, rpt.StatusFailed, caps["Deactivate users"].Status)
	assert.Equal(t, rpt.StatusPassed, caps["Connection"].Status)
	assert.Equal(t, rpt.StatusSkipped, caps["Push groups"].Status)
	assert.Contains(t, caps["Push groups"].Detail, "not selected by --tags")

	failed := 0
	for _, sc := range s.Scenarios {
		if sc.Status != rpt.StatusFailed {
			continue
		}
		failed++
		assert.Contains(t, sc.Message, "HTTP status: expected 200, got 404 Not Found", sc.Name)
		if assert.NotNil(t, sc.Failure, "the failed check, as data: %s", sc.Name) {
			f := sc.Failure
			assert.Equal(t, "HTTP status", f.Path, sc.Name)
			assert.Equal(t, "200", f.Expected, sc.Name)
			assert.Equal(t, "404 Not Found", f.Actual, sc.Name)
			assert.Equal(t, 404, f.Status, sc.Name)
			assert.Equal(t, "okta", f.Grade, sc.Name)
			assert.Equal(t, "user-readable", f.Check, sc.Name)
			assert.Equal(t, "deactivated-user-404", f.Cause, sc.Name)
			assert.Regexp(t, `^GET /scim/v2/Users/[^ ]+ HTTP/1\.1$`, f.Request, sc.Name)
			assert.Contains(t, f.Diagnosis, "deactivated users must stay readable", sc.Name)
			assert.NotEmpty(t, f.Because, sc.Name)
			assert.NotEmpty(t, f.Okta, sc.Name)
			assert.NotContains(t, sc.Message, r.run.target.secret)
		}
		assert.Contains(t, sc.Rerun, "scimcheck run --quirk deactivated-user-404 --name '^", sc.Name)
		assert.Contains(t, sc.Rerun, "--seed 77 --trace-dir -", sc.Name)
		assert.Contains(t, page, sc.Name)
		var last rpt.Step
		for _, st := range sc.Steps {
			if st.Status != "skipped" {
				last = st
			}
		}
		assert.Equal(t, "failed", last.Status, "the step that failed is marked: %s", sc.Name)
	}
	assert.Positive(t, failed)
	assert.Equal(t, failed, j.Failures)
	for _, sc := range s.Scenarios {
		if sc.Status == rpt.StatusPassed {
			assert.Nil(t, sc.Failure, "a scenario that passed has no failure: %s", sc.Name)
		}
	}
	require.NotEmpty(t, s.Causes)
	if f := s.Causes[0].Failure; assert.NotNil(t, f, "a cause carries its first failure") {
		assert.Equal(t, s.Causes[0].Key, f.Cause)
		assert.Equal(t, s.Causes[0].Diagnosis, f.Diagnosis)
		assert.Equal(t, s.Causes[0].Check, f.Check)
	}

	for _, suite := range j.Suites {
		for _, c := range suite.Cases {
			assert.Contains(t, c.SystemOut, "> GET /scim/v2/", "every testcase carries its transcript: %s", c.Name)
			if c.Failure != nil {
				assert.Contains(t, c.Failure.Text, "expected 200, got 404 Not Found")
				assert.Contains(t, c.Failure.Text, "rerun: scimcheck run")
				assert.Contains(t, c.SystemOut, "< HTTP/1.1 404 Not Found")
			}
		}
	}
	for _, want := range []string{
		`<section id="failures">`, `data-status="failed"`,
		`expected <mark class="exp">200</mark>, got <mark class="got">404 Not Found</mark>`,
		"HTTP transcript: ", "as a curl command", "Failed: ",
	} {
		assert.Contains(t, page, want)
	}
	assert.NotContains(t, page, r.run.target.secret)
}

func TestRunReportBlockedScenariosCarryTheirBlocker(t *testing.T) {
	dir := t.TempDir()
	r := runOpts(t, Options{ReportDir: dir, Quirks: []string{"counts-as-strings"}, Tags: "@deactivate-users", Seed: 3}, runLimit)
	require.Equal(t, ExitFail, r.code, r.dump())
	s, _, page := readReports(t, dir)
	require.NotEmpty(t, s.Scenarios)
	for _, sc := range s.Scenarios {
		require.Equal(t, rpt.StatusBlocked, sc.Status, sc.Name)
		require.NotNil(t, sc.Failure, "a blocked scenario carries the check that blocked it: %s", sc.Name)
		assert.Equal(t, "counts-not-integers", sc.Failure.Cause, sc.Name)
		assert.Equal(t, "okta", sc.Failure.Grade, sc.Name)
		assert.Equal(t, "totalResults", sc.Failure.Path, sc.Name)
		assert.Contains(t, sc.Failure.Actual, "(string)", sc.Name)
		assert.Equal(t, "C1", sc.BlockedBy, sc.Name)
	}
	assert.Contains(t, page, `<span class="path">totalResults</span>: expected <mark class="exp">`)
}

func TestRunReportUsageErrors(t *testing.T) {
	t.Setenv("SCIMCHECK_TOKEN", "")
	t.Setenv("SCIMCHECK_TARGET", "")
	notDir := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(notDir, []byte("x"), 0o644))
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"report in a file", []string{"--report", filepath.Join(notDir, "sub")}, "--report: "},
		{"report with a comma", []string{"--report", "a,b"}, "must not contain a comma"},
		{"negative retries", []string{"--max-retries", "-1"}, "--max-retries -1: must not be negative"},
		{"zero retry wait", []string{"--max-retry-wait", "0s"}, "--max-retry-wait 0s: must be positive"},
		{"strict without a file", []string{"--strict-waivers"}, "--strict-waivers needs --expected-failures FILE"},
		{"missing waiver file", []string{"--expected-failures", filepath.Join(t.TempDir(), "none.json")}, "--expected-failures: open"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := runArgs(t, tc.args...)
			assert.Equal(t, ExitUsage, r.code, r.dump())
			assert.Contains(t, r.stderr, tc.want)
			assert.NotContains(t, r.stdout, "seed:", "nothing may run after a usage error")
		})
	}
}

func TestRunReportNotWrittenWhenNothingRan(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "report")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	for _, f := range reportFiles {
		require.NoError(t, os.WriteFile(filepath.Join(dir, f), []byte("an earlier run's"), 0o644))
	}
	r := runOpts(t, Options{Target: "http://" + closedPort(t) + "/scim/v2", Token: "tok", ReportDir: dir}, runLimit)
	require.Equal(t, ExitError, r.code, r.dump())
	for _, f := range reportFiles {
		assert.NoFileExists(t, filepath.Join(dir, f), "no report, not even an earlier run's, for CI to read as a result")
	}
}

func TestPublicURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://app.example.com/scim/v2":                       "https://app.example.com/scim/v2",
		"https://user:pw@app.example.com/scim/v2?token=x#frag":  "https://app.example.com/scim/v2",
		"http://127.0.0.1:8080/scim/v2?":                        "http://127.0.0.1:8080/scim/v2",
		"https://app.example.com/tenants/acme/scim/v2?api_key=": "https://app.example.com/tenants/acme/scim/v2",
	} {
		assert.Equal(t, want, publicURL(in), in)
	}
}

// scenarioNames returns the names of the scenarios of s.
func scenarioNames(s rpt.Summary) []string {
	var out []string
	for _, sc := range s.Scenarios {
		out = append(out, sc.Name)
	}
	return out
}

// shellWords splits a command printed by quoteArg back into its arguments.
func shellWords(t *testing.T, cmd string) []string {
	t.Helper()
	var words []string
	var cur strings.Builder
	inWord, quoted := false, false
	for i := 0; i < len(cmd); i++ {
		c := cmd[i]
		switch {
		case quoted && c == '\'':
			quoted = false
		case quoted:
			cur.WriteByte(c)
		case c == '\'':
			quoted, inWord = true, true
		case c == '\\' && i+1 < len(cmd):
			i++
			cur.WriteByte(cmd[i])
			inWord = true
		case c == ' ':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	require.False(t, quoted, "unbalanced quotes in %s", cmd)
	if inWord {
		words = append(words, cur.String())
	}
	return words
}

func TestRunReportOfAnInterruptedRun(t *testing.T) {
	hangs := httptest.NewServer(answerProbe(hang))
	defer hangs.Close()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	dir := t.TempDir()
	var out, errb syncBuffer
	code := Run(ctx, Options{Target: hangs.URL + "/scim/v2", Token: "interrupted-run-token", Tags: "@connection", ReportDir: dir}, &out, &errb)
	require.Equal(t, ExitInterrupted, code, out.String()+errb.String())
	s, _, page := readReports(t, dir)
	assert.Equal(t, rpt.ResultInterrupted, s.Result)
	assert.Equal(t, ExitInterrupted, s.ExitCode)
	assert.Len(t, s.Scenarios, 3, "every selected scenario is listed, whether it ran or not")
	assert.Contains(t, page, "Interrupted: the results are incomplete")
}

func TestCommandHelpNamesTheReportFlags(t *testing.T) {
	r := runArgs(t, "--help")
	require.Equal(t, ExitPass, r.code)
	for _, want := range []string{
		"Reports and CI gating:", "-report dir", "-expected-failures file", "-strict-waivers",
		"-max-retries n", "-max-retry-wait wait", "(default 9)", "(default 2m0s)",
	} {
		assert.Contains(t, r.stdout, want)
	}
}

// The files rendered when the last scenario ended stay only if the run's summary is still the
// same when the run is over; a summary that changed since (another exit code) writes them anew.
func TestRunReportEarlyRenderKeptOnlyWhileTheSummaryHolds(t *testing.T) {
	dir := t.TempDir()
	r := runOpts(t, Options{ReportDir: dir, Tags: "@connection", Seed: 9}, runLimit)
	require.Equal(t, ExitPass, r.code, r.dump())
	s, _, _ := readReports(t, dir)
	assert.Equal(t, rpt.ResultPassed, s.Result)
	assert.Equal(t, ExitPass, s.ExitCode)
	assert.Equal(t, r.run.elapsed.Milliseconds(), s.DurationMS, "the run's time ends with its last scenario")

	kept := readFile(t, filepath.Join(dir, reportSummary))
	r.run.rep.early = r.run.renderReports(r.run.summary(ExitPass))
	var out, errb strings.Builder
	require.Equal(t, ExitPass, r.run.writeReports(ExitPass, &out, &errb), errb.String())
	assert.Equal(t, kept, readFile(t, filepath.Join(dir, reportSummary)), "the same summary: the same file")

	r.run.rep.early = r.run.renderReports(r.run.summary(ExitPass))
	require.Equal(t, ExitError, r.run.writeReports(ExitError, &out, &errb), errb.String())
	s, _, page := readReports(t, dir)
	assert.Equal(t, rpt.ResultError, s.Result, "the summary changed after the early render: the files follow it")
	assert.Equal(t, ExitError, s.ExitCode)
	assert.True(t, strings.Contains(page, `class="verdict error"`) && !strings.Contains(page, "Passed: "), "report.html was written again too")
}
