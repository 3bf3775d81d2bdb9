package runner

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	rpt "github.com/scimcheck/scimcheck/steps/report"
)

// chromium returns the path of a Chromium binary. Without one the test is skipped, or fails
// when SCIMCHECK_REQUIRE_BROWSER=1 (as in CI).
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	if os.Getenv("SCIMCHECK_REQUIRE_BROWSER") == "1" {
		t.Fatal("SCIMCHECK_REQUIRE_BROWSER=1 but no chromium browser is installed (Debian: apt-get install chromium)")
	}
	t.Skip("no chromium browser installed (Debian: apt-get install chromium): report.html is not checked in a browser")
	return ""
}

// artifactDir returns where the test keeps what it produced: $SCIMCHECK_ARTIFACTS/<test>, or
// a temporary directory.
func artifactDir(t *testing.T) string {
	t.Helper()
	base := os.Getenv("SCIMCHECK_ARTIFACTS")
	if base == "" {
		return t.TempDir()
	}
	dir := filepath.Join(base, t.Name())
	require.NoError(t, os.MkdirAll(dir, 0o755))
	return dir
}

// headless runs the browser at bin headless, offline-friendly and without touching the user's
// profile, on the page at url with args, and returns its stdout.
func headless(t *testing.T, bin, url string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	all := append([]string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir(),
	}, args...)
	cmd := exec.CommandContext(ctx, bin, append(all, url)...)
	cmd.WaitDelay = 10 * time.Second
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "chromium %s:\n%s", strings.Join(args, " "), stderr.String())
	return string(out)
}

func TestReportRendersInABrowser(t *testing.T) {
	bin := chromium(t)
	artifacts := artifactDir(t)
	dir := filepath.Join(artifacts, "report")
	waivers := writeWaiverFile(t, []rpt.Waiver{
		{Name: "an AIW app deactivates with a PUT of the whole user", Reason: "JIRA-17: a deactivated user answers 404; fixed in 2.4"},
	})
	r := runOpts(t, Options{ReportDir: dir, Quirks: []string{"deactivated-user-404"}, Seed: 2026, ExpectedFailures: waivers}, runLimit)
	require.Equal(t, ExitFail, r.code, r.dump())
	page := filepath.Join(dir, reportHTML)
	url := "file://" + filepath.ToSlash(page)

	dom := headless(t, bin, url, "--dump-dom")
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`<html lang="en" data-script="ran">`), // the inline script ran without error
		regexp.MustCompile(`<table class="caps">`),
		regexp.MustCompile(`<td class="feature"><a href="#cap4">Deactivate users</a></td><td><span class="badge b-failed">✗ FAIL</span>`),
		regexp.MustCompile(`<td class="feature"><a href="#cap2">Push users</a></td><td><span class="badge b-passed">✓ pass</span>`),
		regexp.MustCompile(`<details class="scenario st-failed" id="s[0-9]+" data-status="failed" open="">`),
		regexp.MustCompile(`expected <mark class="exp">200</mark>, got <mark class="got">404 Not Found</mark>`),
		// The diagnosis, the grade and the check come from the failure's fields.
		regexp.MustCompile(`<span class="line k-diagnosis"><span class="tag-word">Diagnosis:</span> deactivated users must stay readable: `),
		regexp.MustCompile(`<span class="grade g-okta" title="how much it matters">okta grade</span> <span class="tag-word">what Okta does</span> Okta reads the user by id`),
		regexp.MustCompile(`check <code class="check">user-readable</code>`),
		regexp.MustCompile(`<span class="badge b-waived">≈ waived</span>`),
		regexp.MustCompile(`Failed: [0-9]+ of [0-9]+ selected scenarios failed`),
	} {
		assert.Regexp(t, want, dom)
	}
	assert.NotContains(t, dom, r.run.target.secret)

	shot := filepath.Join(artifacts, "report.png")
	headless(t, bin, url, "--screenshot="+shot, "--window-size=1280,2000", "--hide-scrollbars")
	info, err := os.Stat(shot)
	require.NoError(t, err, "the screenshot was written")
	assert.Greater(t, info.Size(), int64(10_000), "a screenshot of a rendered page, not a blank one")
	t.Logf("report: %s", page)
	t.Logf("screenshot: %s", shot)
}

// TestReportRendersFailuresFromTheirFields renders failures whose fields and messages say
// different things: the page shows the fields, and a message without fields as plain text.
func TestReportRendersFailuresFromTheirFields(t *testing.T) {
	bin := chromium(t)
	artifacts := artifactDir(t)
	hostile := &rpt.Failure{
		Check: "user-readable", Grade: "review", Request: "GET /scim/v2/Users/<u1> HTTP/1.1", Status: 200,
		Path: `name."givenName"`, Expected: `"<script>document.title='pwned'</script>" (string)`,
		Actual:    `"\"><img src=x onerror=\"document.title='pwned'\">" (string)`,
		Notes:     []string{`detail: "</pre><b>bold</b>"`},
		Because:   "Okta's SPEC test reads the name back",
		Okta:      "provisioning works; Okta's OIN review rejects it",
		Diagnosis: `the server answers a name it was not sent: "<i>x</i>"`, Cause: "name-echo",
	}
	s := &rpt.Summary{
		Version: "(devel)", Target: rpt.Target{URL: "http://127.0.0.1:1/scim/v2"}, OktaMode: ModeBoth,
		Result: rpt.ResultFailed, ExitCode: ExitFail, FailOn: "review",
		Counts: rpt.Counts{Total: 2, Selected: 2, Failed: 1, Errors: 1},
		Capabilities: []rpt.Capability{{Name: "Push users", Tag: "@push-users", Status: rpt.StatusFailed,
			Counts: rpt.Counts{Total: 2, Selected: 2, Failed: 1, Errors: 1}}},
		Scenarios: []rpt.Scenario{
			{
				Name: "a name is read back", Feature: "Push users", Capability: "Push users", Location: "okta/push-users.feature:1",
				Status: rpt.StatusFailed, Grade: "review", Cause: "C1", Failure: hostile,
				Message: "the message, which the page shows only as text",
			},
			{
				Name: "a step of scimcheck fails", Feature: "Push users", Capability: "Push users", Location: "okta/push-users.feature:9",
				Status:  rpt.StatusError,
				Message: "step \"x\": scimcheck harness error in the feature: expected 200, got 404 Not Found\n  because: <u>not a requirement</u>",
			},
		},
	}
	var b bytes.Buffer
	require.NoError(t, rpt.WriteHTML(&b, s))
	page := filepath.Join(artifacts, reportHTML)
	require.NoError(t, os.WriteFile(page, b.Bytes(), 0o644))

	dom := headless(t, bin, "file://"+filepath.ToSlash(page), "--dump-dom")
	t.Run("a failure is rendered from its fields", func(t *testing.T) {
		for _, want := range []string{
			`<span class="line k-diagnosis"><span class="tag-word">Diagnosis:</span> the server answers a name it was not sent: "&lt;i&gt;x&lt;/i&gt;"</span>`,
			`<span class="line k-request">GET /scim/v2/Users/&lt;u1&gt; HTTP/1.1</span>`,
			`<span class="line k-finding"><span class="path">name."givenName"</span>: expected <mark class="exp">"&lt;script&gt;document.title='pwned'&lt;/script&gt;" (string)</mark>, got <mark class="got">"\"&gt;&lt;img src=x onerror=\"document.title='pwned'\"&gt;" (string)</mark></span>`,
			`<span class="line k-note">detail: "&lt;/pre&gt;&lt;b&gt;bold&lt;/b&gt;"</span>`,
			`<span class="line k-because"><span class="tag-word">because</span> Okta's SPEC test reads the name back</span>`,
			`<span class="grade g-review" title="how much it matters">review grade</span> <span class="tag-word">what Okta does</span> provisioning works; Okta's OIN review rejects it`,
			`check <code class="check">user-readable</code>`,
			`<pre class="message plain">the message, which the page shows only as text</pre>`,
		} {
			assert.True(t, strings.Contains(dom, want), "the page lacks %s", want)
		}
		// Twice: in the failures section and under the scenario.
		assert.Equal(t, 2, strings.Count(dom, `<mark class="exp">`), "expected values highlighted")
	})
	t.Run("a harness error's message is text, not a finding", func(t *testing.T) {
		assert.Contains(t, dom, `<pre class="message plain">step "x": scimcheck harness error in the feature: expected 200, got 404 Not Found`+"\n"+`  because: &lt;u&gt;not a requirement&lt;/u&gt;</pre>`)
		assert.NotContains(t, dom, `<mark class="exp">200</mark>`)
		assert.NotContains(t, dom, `<mark class="got">404 Not Found</mark>`)
		assert.NotContains(t, dom, "<u>")
	})
	t.Run("hostile values stay text", func(t *testing.T) {
		assert.Contains(t, dom, `data-script="ran"`, "the page's own script ran")
		assert.Equal(t, 1, strings.Count(dom, "<script"), "no script element but the page's own")
		for _, bad := range []string{"<img", "<b>bold", "<i>x", "pwned</title>"} {
			assert.NotContains(t, dom, bad)
		}
		assert.Contains(t, dom, "<title>scimcheck report: http://127.0.0.1:1/scim/v2</title>")
	})
}
