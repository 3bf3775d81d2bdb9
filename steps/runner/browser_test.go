package runner

import (
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
