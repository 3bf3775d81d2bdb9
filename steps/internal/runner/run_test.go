package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/cucumber/godog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimcheck/scimcheck/steps"
)

func TestRunPassesOnTheReferenceServer(t *testing.T) {
	r := runOpts(t, Options{}, runLimit)
	require.Equal(t, ExitPass, r.code, r.dump())
	assert.Regexp(t, `^seed: [0-9]+\n`, r.stdout, "the seed comes first, so a run can be repeated")
	assert.Contains(t, r.stdout, "(the reference server, in process)")
	for _, c := range capabilities() {
		assert.Regexp(t, `(?m)^`+regexp.QuoteMeta(c.title)+` +(works|skip|partial) `, r.stdout)
	}
	assert.NotRegexp(t, `(?m)^.{26} (broken|blocked|ERROR) `, r.stdout)
	assert.Regexp(t, `(?m)^[0-9]+ passed, 0 failed, 0 blocked, 0 skipped, 0 not selected; [0-9]+ scenarios? in .*, [0-9]+ requests? \(seed [0-9]+\)$`, r.stdout)
	assert.Empty(t, r.stderr)
	assert.Positive(t, r.run.suite.Requests())
}

func TestRunUnreachableTarget(t *testing.T) {
	addr := closedPort(t)
	junit := filepath.Join(t.TempDir(), "junit.xml")
	r := runOpts(t, Options{Target: "http://" + addr + "/scim/v2", Token: "tok", Formats: []string{"progress", "junit:" + junit}}, 10*time.Second)
	assert.NoFileExists(t, junit, "no empty report when nothing ran")
	assert.Equal(t, ExitError, r.code, r.dump())
	assert.Contains(t, r.stderr, "target http://"+addr+"/scim/v2 could not be reached")
	assert.Contains(t, r.stderr, "connection refused")
	assert.Contains(t, r.stderr, `-H "Authorization: Bearer $SCIMCHECK_TOKEN"`, "the probe as a curl command")
	assert.Contains(t, r.stdout, "seed: ")
	assert.NotContains(t, r.stdout, "Capability", "nothing runs against an unreachable target")
}

func TestRunFailureNamesTheRerunCommand(t *testing.T) {
	seed := int64(4242)
	r := runOpts(t, Options{Quirks: []string{"internal-error"}, Tags: "@connection", Seed: seed}, runLimit)
	require.Equal(t, ExitFail, r.code, r.dump())
	assert.Regexp(t, `(?m)^Connection +(broken|blocked) .*(failed|blocked) of [0-9]+`, r.stdout)
	assert.Regexp(t, `(?m)^Push users +skip +- +- +skipped: not selected by --tags \([0-9]+ scenarios?\)$`, r.stdout)
	assert.Contains(t, r.stdout, "probe: 500: the target failed with a server error")
	assert.Contains(t, r.stdout, "Causes, most severe first, each once with the scenarios it failed or blocked")
	assert.Regexp(t, `scimcheck run --quirk internal-error --name '\^.+\$' --seed 4242 --trace-dir -`, r.stdout)
	assert.NotContains(t, r.stdout, r.run.target.secret)
}

func TestRunTraceDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "traces")
	r := runOpts(t, Options{Tags: "@connection", TraceDir: dir, Seed: 7}, runLimit)
	require.Equal(t, ExitPass, r.code, r.dump())
	files, err := filepath.Glob(filepath.Join(dir, "*.sh"))
	require.NoError(t, err)
	require.Len(t, files, len(r.run.selected))
	for _, f := range files {
		raw, err := os.ReadFile(f)
		require.NoError(t, err)
		text := string(raw)
		assert.True(t, strings.HasPrefix(text, "#!/bin/sh\n"), f)
		for _, want := range []string{"# scenario: ", "# status:   passed", "# seed:     7 ", "# rerun:    scimcheck run --name '^", "--seed 7 --trace-dir -", "curl -sS -i"} {
			assert.Contains(t, text, want, f)
		}
		assert.NotContains(t, text, r.run.target.secret, f)
	}

	r = runOpts(t, Options{Tags: "@connection", TraceDir: "-"}, runLimit)
	require.Equal(t, ExitPass, r.code, r.dump())
	assert.Contains(t, r.stdout, "=== transcript ")
	assert.Contains(t, r.stdout, `$SCIMCHECK_TOKEN`)
	assert.NotContains(t, r.stdout, r.run.target.secret)
}

func TestRunFormatsWriteFiles(t *testing.T) {
	dir := t.TempDir()
	junit, cuke := filepath.Join(dir, "r.xml"), filepath.Join(dir, "r.json")
	r := runOpts(t, Options{Tags: "@connection", Formats: []string{"pretty", "junit:" + junit, "cucumber:" + cuke}}, runLimit)
	require.Equal(t, ExitPass, r.code, r.dump())
	x, err := os.ReadFile(junit)
	require.NoError(t, err)
	assert.Contains(t, string(x), "<testsuites")
	j, err := os.ReadFile(cuke)
	require.NoError(t, err)
	assert.Contains(t, string(j), `"keyword": "Feature"`)
	assert.Contains(t, r.stdout, "Feature: ", "pretty writes to stdout")
}

// harnessFeatures holds scenarios that break scimcheck itself, not the target.
var harnessFeatures = fstest.MapFS{
	"okta/harness.feature": {Data: []byte(`@connection
Feature: Harness failures
  Scenario: a step panics
    Given a step that panics

  Scenario: a step has no definition
    Given a step that nobody ever defined for scimcheck

  Scenario: a step reports a harness error
    Given a step that finds a mistake in the feature
`)},
}

func TestRunHarnessBugIsNotATargetFailure(t *testing.T) {
	hook := func(sc *godog.ScenarioContext) {
		sc.Step(`^a step that panics$`, func() error { panic("index out of range [3] with length 3") })
		sc.Step(`^a step that finds a mistake in the feature$`, func() error {
			return fmt.Errorf("Okta's push of group %q failed: %w", "eng", steps.HarnessErrorf("scimcheck harness error in the feature: no app id"))
		})
	}
	for _, tc := range []struct {
		name, want string
	}{
		{"^a step panics$", `panic in step "a step that panics": index out of range [3] with length 3`},
		{"^a step has no definition$", `step "a step that nobody ever defined for scimcheck" has no definition in package steps`},
		{"^a step reports a harness error$", `step "a step that finds a mistake in the feature": Okta's push of group "eng" failed: scimcheck harness error in the feature: no app id`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runOpts(t, Options{features: harnessFeatures, scenarioHook: hook, Name: tc.name}, runLimit)
			assert.Equal(t, ExitError, r.code, r.dump())
			assert.Contains(t, r.stderr, "scimcheck itself failed (a harness bug, not the target's fault")
			assert.Contains(t, r.stderr, tc.want)
			assert.Regexp(t, `(?m)^Connection +ERROR +- +- +1 harness error of 3; 2 not selected by --name$`, r.stdout)
			assert.NotContains(t, r.stdout, "Causes, most severe first", "a harness bug is not reported as a target failure")
		})
	}
}

// TestRunTargetWordsAreNotAHarnessError: a target whose error detail reads like one of
// scimcheck's own messages fails its scenario; only a *steps.HarnessError is a harness error.
func TestRunTargetWordsAreNotAHarnessError(t *testing.T) {
	hook := func(sc *godog.ScenarioContext) {
		sc.Step(`^a step that finds a mistake in the feature$`, func() error {
			return fmt.Errorf("the server's detail: %w", errors.New("scimcheck harness error in the feature: no app id"))
		})
	}
	r := runOpts(t, Options{features: harnessFeatures, scenarioHook: hook, Name: "^a step reports a harness error$"}, runLimit)
	assert.Equal(t, ExitFail, r.code, r.dump())
	assert.NotContains(t, r.stderr, "scimcheck itself failed", r.dump())
	assert.Regexp(t, `(?m)^Connection +broken +- +- +1 failed of 3; 2 not selected by --name$`, r.stdout)
}

func TestRunInterrupted(t *testing.T) {
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/ServiceProviderConfig") {
			w.Header().Set("Content-Type", "application/scim+json")
			_, _ = w.Write([]byte(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"]}`))
			return
		}
		_, _ = io.Copy(io.Discard, r.Body)
		<-r.Context().Done()
	}))
	defer hang.Close()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(500*time.Millisecond, cancel)
	var out, errb syncBuffer
	start := time.Now()
	code := Run(ctx, Options{Target: hang.URL + "/scim/v2", Token: "tok", Timeout: time.Minute}, &out, &errb)
	assert.Equal(t, ExitInterrupted, code, out.String()+errb.String())
	assert.Less(t, time.Since(start), 10*time.Second, "an interrupted run stops at once")
	assert.Contains(t, errb.String(), "interrupted")
}

// TestFailuresPrintedOnce checks that a failing run prints each failure once: scimcheck's own
// list after the table, without godog's "--- Failed steps:" block.
func TestFailuresPrintedOnce(t *testing.T) {
	r := runOpts(t, Options{Quirks: []string{"deactivated-user-404"}, Tags: "@deactivate-users", Formats: []string{"progress"}}, runLimit)
	require.Equal(t, ExitFail, r.code, r.dump())
	assert.NotContains(t, r.stdout, "--- Failed steps:")
	assert.Contains(t, r.stdout, "scenarios (")
	n := strings.Count(r.stdout, "HTTP status: expected 200, got 404 Not Found")
	assert.Equal(t, 1, n, "the 4 failures share one root cause, printed once:\n%s", r.stdout)
	assert.Contains(t, r.stdout, "failed 4: Deactivate users › ", "the cause lists its 4 scenarios")
}
