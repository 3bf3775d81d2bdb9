package runner

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writeFeature writes a feature file named name under dir and returns its path.
func writeFeature(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
	return p
}

const reproFeature = `@deactivate-users
Feature: a vendor's reproduction
  Scenario: a deactivated user stays readable
    Given Okta has provisioned "ada"
    When Okta deactivates "ada"
    Then reading "ada" back shows "active" as false
`

func TestRunFeaturesRunsTheVendorsFiles(t *testing.T) {
	dir := t.TempDir()
	path := writeFeature(t, dir, "bugs/repro.feature", reproFeature)
	writeFeature(t, dir, "bugs/notes.txt", "not a feature")

	r := runArgs(t, "--features", filepath.Join(dir, "bugs"))
	require.Equal(t, ExitPass, r.code, r.stdout+r.stderr)
	assert.Regexp(t, `(?m)^Deactivate users +works +- +- +1 passed of 1$`, r.stdout)
	assert.NotContains(t, r.stdout, "Push users", "only the capabilities the files hold")
	assert.Contains(t, r.stdout, "1 scenario in")

	r = runArgs(t, "--features", path, "--quirk", "deactivated-user-404")
	require.Equal(t, ExitFail, r.code, r.stdout+r.stderr)
	assert.Contains(t, r.stdout, "deactivated users must stay readable", "the same diagnosis as scimcheck's own scenarios")
	assert.Contains(t, r.stdout, "--features "+path, "the rerun command runs the same file")
}

func TestRunFeaturesNamesTheClosestKnownStep(t *testing.T) {
	dir := t.TempDir()
	writeFeature(t, dir, "a.feature", strings.Replace(reproFeature, "Okta deactivates", "Okta deactivate", 1))
	writeFeature(t, dir, "b.feature", "Feature: b\n  Scenario: b\n    Given the moon is full\n")
	r := runArgs(t, "--features", dir)
	require.Equal(t, ExitUsage, r.code, r.stdout+r.stderr)
	assert.Contains(t, r.stderr, "--features: 2 step(s) scimcheck does not know; `scimcheck steps` lists every step with an example")
	assert.Contains(t, r.stderr, filepath.Join(dir, "a.feature")+`:5: When Okta deactivate "ada"`)
	assert.Contains(t, r.stderr, `did you mean: When Okta deactivates "`)
	assert.Contains(t, r.stderr, filepath.Join(dir, "b.feature")+":3: Given the moon is full")
	assert.Empty(t, r.stdout, "nothing was sent")

	for _, tc := range []struct{ arg, want string }{
		{filepath.Join(dir, "missing"), "no such file or directory"},
		{t.TempDir(), "no .feature file there"},
	} {
		r := runArgs(t, "--features", tc.arg)
		assert.Equal(t, ExitUsage, r.code)
		assert.Contains(t, r.stderr, tc.want)
	}
}

func TestRunFeaturesFromSeveralDirectories(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	writeFeature(t, a, "x.feature", reproFeature)
	writeFeature(t, b, "x.feature", strings.Replace(reproFeature, "a deactivated user stays readable", "the same, from b", 1))
	var out, errb bytes.Buffer
	require.Equal(t, ExitPass, ListCommand([]string{"--features", a, "--features", b}, &out, &errb), errb.String())
	assert.Contains(t, out.String(), filepath.Join(a, "x.feature")+":3")
	assert.Contains(t, out.String(), filepath.Join(b, "x.feature")+":3")
}

// TestStepsListsEveryStepWithAnExample: the vocabulary a vendor writes feature files in is
// complete: every step definition is used, and so shown, by one of scimcheck's features.
func TestStepsListsEveryStepWithAnExample(t *testing.T) {
	vocab, err := vocabulary()
	require.NoError(t, err)
	for _, v := range vocab {
		assert.NotEmpty(t, v.example, "step %s is used by no feature: use it in features/okta, or remove it", v.pattern)
	}
	var out, errb bytes.Buffer
	require.Equal(t, ExitPass, StepsCommand(nil, &out, &errb), errb.String())
	assert.Contains(t, out.String(), "Okta reactivates \"…\"\n")
	assert.Contains(t, out.String(), "    e.g. Given Okta has provisioned \"ada\"")
	assert.Equal(t, 2*len(vocab), strings.Count(out.String(), "\n"), "a pattern and an example per step")
}

func TestOutlineRowsWithOneNameKeepTheirOwnTranscripts(t *testing.T) {
	dir := t.TempDir()
	writeFeature(t, dir, "rows.feature", `@connection
Feature: rows that share a name
  Scenario Outline: read a list
    When the client sends GET "<path>"
    Then the response status is 200

    Examples:
      | path            |
      | /Users?count=1  |
      | /Groups?count=1 |
`)
	traces := t.TempDir()
	r := runArgs(t, "--features", dir, "--trace-dir", traces, "--concurrency", "1")
	require.Equal(t, ExitPass, r.code, r.dump())
	files, err := filepath.Glob(filepath.Join(traces, "*.sh"))
	require.NoError(t, err)
	require.Len(t, files, 2, "a transcript per row")
	var users, groups int
	for _, f := range files {
		raw, err := os.ReadFile(f)
		require.NoError(t, err)
		s := string(raw)
		u, g := strings.Contains(s, "/Users?count=1"), strings.Contains(s, "/Groups?count=1")
		assert.True(t, u != g, "%s holds the request of its own row only:\n%s", filepath.Base(f), s)
		if u {
			users++
		}
		if g {
			groups++
		}
	}
	assert.Equal(t, 1, users)
	assert.Equal(t, 1, groups)
}
