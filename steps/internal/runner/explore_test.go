package runner

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimcheck/scimcheck/reference"
	"github.com/scimcheck/scimcheck/reference/server"
)

// exploreArgs runs ExploreCommand with args and returns what it printed.
func exploreArgs(t *testing.T, args ...string) result {
	t.Helper()
	return commandArgs(t, ExploreCommand, args...)
}

func TestExploreHelp(t *testing.T) {
	r := exploreArgs(t, "--help")
	require.Equal(t, ExitPass, r.code, r.dump())
	for _, want := range []string{"Usage: scimcheck explore [flags]", "scimcheck explore --quirk deactivated-user-hidden-from-filter",
		"scimcheck run --target … --features repro", "What to explore:", "--steps n", "--actions kinds", "--max-rps requests",
		"--max-retries n", "Exit codes:"} {
		assert.Contains(t, r.stdout, want)
	}
	assert.NotContains(t, r.stdout, "\nOther:\n", "every flag has a group")
	groups := map[string]bool{}
	for _, g := range exploreFlagGroups() {
		groups[g.key] = true
	}
	for _, line := range strings.Split(r.stdout, "\n") {
		if name, ok := strings.CutPrefix(line, "  --"); ok {
			name, _, _ = strings.Cut(name, " ")
			assert.True(t, groups[exploreFlagGroup()[name]], "--%s has no section", name)
		}
	}
}

func TestExploreUsageErrors(t *testing.T) {
	t.Setenv("SCIMCHECK_TOKEN", "")
	t.Setenv("SCIMCHECK_TARGET", "")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--okta-mode", "both"}, "want oin or aiw"},
		{[]string{"--actions", "assign,teleport"}, `unknown action "teleport"`},
		{[]string{"--steps", "-1"}, "must not be negative"},
		{[]string{"--out", "/nonexistent/dir"}, "not a directory"},
		{[]string{"--target", "http://127.0.0.1:1/scim/v2"}, "--target needs a credential"},
		{[]string{"--quirk", "no-such-quirk"}, "unknown quirk"},
		{[]string{"--no-such-flag"}, "flag provided but not defined"},
		{[]string{"extra"}, `unexpected argument "extra"`},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			r := exploreArgs(t, tc.args...)
			assert.Equal(t, ExitUsage, r.code, r.dump())
			assert.Contains(t, r.stderr, tc.want)
			assert.NotContains(t, r.stdout, "probe:", "nothing was sent")
		})
	}
}

func TestExploreFindsNothingOnTheReferenceInProcess(t *testing.T) {
	r := exploreArgs(t, "--seed", "3", "--steps", "60", "--okta-mode", "aiw", "--out", t.TempDir())
	require.Equal(t, ExitPass, r.code, r.dump())
	assert.Contains(t, r.stdout, "seed: 3\n")
	assert.Contains(t, r.stdout, "okta mode: aiw; 60 actions")
	assert.Contains(t, r.stdout, "no divergence: after each of 60 actions the app held what Okta believes")
}

// TestExploreWritesAReproductionThatRunReplays is the whole story: explore finds the defect,
// writes the shrunk scenario, run --features fails on it with the same diagnosis and passes
// once the defect is gone.
func TestExploreWritesAReproductionThatRunReplays(t *testing.T) {
	dir := t.TempDir()
	r := exploreArgs(t, "--quirk", "deactivated-user-hidden-from-filter", "--seed", "2", "--out", dir)
	require.Equal(t, ExitFail, r.code, r.dump())
	files, err := filepath.Glob(filepath.Join(dir, "*.feature"))
	require.NoError(t, err)
	require.Len(t, files, 1)
	assert.Equal(t, "explore-deactivated-hidden-from-lookup-oin-seed2.feature", filepath.Base(files[0]))
	assert.Contains(t, r.stdout, "wrote "+files[0]+"; replay it with: scimcheck run --features "+files[0]+" --quirk deactivated-user-hidden-from-filter")
	const diagnosis = "the userName look-up hides deactivated users"
	assert.Contains(t, r.stdout, "divergence after action")
	assert.Contains(t, r.stdout, diagnosis)
	text, err := os.ReadFile(files[0])
	require.NoError(t, err)
	for _, want := range []string{"# found with: scimcheck explore --seed 2 --okta-mode oin --quirk deactivated-user-hidden-from-filter",
		"# diagnosis: " + diagnosis, "# Transcript of the shrunk run", "#     POST /scim/v2/Users HTTP/1.1 → 409 Conflict",
		"@reprovisioning @explore @oin\nFeature: ", "  Scenario: explore seed 2: deactivated-hidden-from-lookup\n"} {
		assert.Contains(t, string(text), want)
	}

	replay := runArgs(t, "--features", files[0], "--quirk", "deactivated-user-hidden-from-filter")
	require.Equal(t, ExitFail, replay.code, replay.dump())
	assert.Contains(t, replay.stdout, "C1 [okta] "+diagnosis)
	fixed := runArgs(t, "--features", files[0])
	require.Equal(t, ExitPass, fixed.code, fixed.dump())
	assert.Regexp(t, `(?m)^Reprovisioning +works`, fixed.stdout)
}

func TestExploreReportWritesTheReplaysReports(t *testing.T) {
	dir, reports := t.TempDir(), filepath.Join(t.TempDir(), "reports")
	r := exploreArgs(t, "--quirk", "deactivated-user-hidden-from-filter", "--seed", "2", "--out", dir, "--report", reports)
	require.Equal(t, ExitFail, r.code, r.dump())
	assert.Contains(t, r.stdout, "reports of the replayed reproduction (it fails again, as it should): "+reports)
	for _, f := range []string{reportSummary, reportJUnit, reportCucumber, reportHTML} {
		assert.FileExists(t, filepath.Join(reports, f))
	}
	raw, err := os.ReadFile(filepath.Join(reports, reportSummary))
	require.NoError(t, err)
	assert.Contains(t, string(raw), `"name": "explore seed 2: deactivated-hidden-from-lookup"`)
	assert.Contains(t, string(raw), "the userName look-up hides deactivated users", "the same diagnosis as the exploration")
	junit, err := os.ReadFile(filepath.Join(reports, reportJUnit))
	require.NoError(t, err)
	assert.Contains(t, string(junit), "<failure")

	// Nothing diverges: no reports, and none left from the run before for CI to misread.
	r = exploreArgs(t, "--seed", "2", "--steps", "20", "--out", dir, "--report", reports)
	require.Equal(t, ExitPass, r.code, r.dump())
	assert.NoFileExists(t, filepath.Join(reports, reportSummary))
	assert.NoFileExists(t, filepath.Join(reports, reportJUnit))
}

// TestExploreNeverPrintsTheCredential: against a target, neither the output nor the written
// reproduction holds the secret.
func TestExploreNeverPrintsTheCredential(t *testing.T) {
	const secret = "s3cret-explore-token-0123456789"
	ref, err := server.Start(t.Context(), server.Config{Options: server.Options{Token: secret,
		Quirks: reference.Quirks{reference.QuirkRenameIgnored: true}}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = ref.Close() })
	t.Setenv("SCIMCHECK_TOKEN", secret)
	dir := t.TempDir()
	r := exploreArgs(t, "--target", ref.URL, "--seed", "3", "--out", dir)
	require.Equal(t, ExitFail, r.code, r.dump())
	files, _ := filepath.Glob(filepath.Join(dir, "*.feature"))
	require.Len(t, files, 1)
	text, err := os.ReadFile(files[0])
	require.NoError(t, err)
	assert.Contains(t, string(text), "Authorization: Bearer [REDACTED]", "the transcript shows the header, redacted")
	for what, s := range map[string]string{"stdout": r.stdout, "stderr": r.stderr, "the feature file": string(text)} {
		assert.NotContains(t, s, secret, what)
	}
	assert.Contains(t, string(text), "--target "+ref.URL)
}

func TestExploreRetries429AndHonoursMaxRPS(t *testing.T) {
	th := newThrottled(t, 3, "1")
	var slept waits
	var out, errb syncBuffer
	code := Explore(t.Context(), ExploreOptions{Options: Options{Target: th.url, Token: th.token, MaxRPS: 200, sleep: slept.sleep},
		Steps: 20, Actions: []string{"assign", "deactivate", "reactivate"}, OutDir: t.TempDir()}, &out, &errb)
	require.Equal(t, ExitPass, code, out.String()+errb.String())
	assert.Equal(t, 3, th.rejected, "three requests were answered 429")
	var retries, spaced int
	for _, d := range slept.list {
		switch {
		case d == time.Second:
			retries++
		case d > 0 && d <= time.Second/200:
			spaced++
		}
	}
	assert.Equal(t, 3, retries, "each 429 was retried after its Retry-After: %v", slept.list)
	assert.Positive(t, spaced, "--max-rps spaced the requests: %v", slept.list)
}
