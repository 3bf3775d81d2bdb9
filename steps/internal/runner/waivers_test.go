package runner

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/cucumber/godog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	rpt "github.com/scimcheck/scimcheck/steps/report"
)

// Scenarios of @deactivate-users that the quirk deactivated-user-404 breaks, and one it leaves
// passing.
const (
	waiveOIN     = "an OIN app deactivates with a path-less PATCH"
	waiveAIW     = "an AIW app deactivates with a PUT of the whole user"
	waiveUnassig = "unassigning the app deactivates the user and never deletes it"
	waiveCase    = "PATCH op names are case-insensitive (RFC 7644 §3.5.2)"
	passingConn  = "a request with a wrong token is refused with 401"
)

// writeWaivers writes entries as a JSON waiver file and returns its path.
func writeWaiverFile(t *testing.T, entries []rpt.Waiver) string {
	t.Helper()
	raw, err := json.Marshal(entries)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "waivers.json")
	require.NoError(t, os.WriteFile(path, raw, 0o644))
	return path
}

func TestRunExpectedFailures(t *testing.T) {
	all := []rpt.Waiver{
		{Name: waiveOIN, Reason: "JIRA-1: 404 after deactivation, fixed in 2.4"},
		{Name: waiveAIW, Reason: "JIRA-1"},
		{Name: waiveUnassig, Reason: "JIRA-1"},
		{Name: waiveCase, Reason: "JIRA-1"},
	}
	tests := []struct {
		name    string
		entries []rpt.Waiver
		strict  bool
		code    int
		want    []string // in stdout
		stderr  string
		stale   int
		unknown int
	}{
		{
			name: "every failure is listed: the run passes", entries: all, code: ExitPass,
			want: []string{"Deactivate users", "waived", "Waived failures (expected by ", "≈ " + waiveOIN,
				"waived: JIRA-1: 404 after deactivation, fixed in 2.4", "4 waived"},
		},
		{
			name: "a new failure fails the run", entries: all[1:], code: ExitFail,
			want: []string{"Causes, most severe first", "failed 1: Deactivate users › " + waiveOIN, "≈ " + waiveAIW},
		},
		{
			name: "a stale entry is a warning", entries: append(all, rpt.Waiver{Name: passingConn, Reason: "old bug"}), code: ExitPass,
			want:  []string{"Stale waivers in ", "these scenarios passed, so their entries can go", "- " + passingConn + " (waived because: old bug)", "--strict-waivers makes it fail the run"},
			stale: 1,
		},
		{
			name: "a stale entry fails the run with --strict-waivers", entries: append(all, rpt.Waiver{Name: passingConn, Reason: "old bug"}), strict: true, code: ExitFail,
			want: []string{"Stale waivers in ", "this fails the run (--strict-waivers)"}, stderr: "--strict-waivers: ", stale: 1,
		},
		{
			name: "an unknown entry is a warning", entries: append(all, rpt.Waiver{Name: "no scenario is called this", Reason: "typo"}), code: ExitPass,
			want: []string{"Unknown waivers in ", `- "no scenario is called this"`}, unknown: 1,
		},
		{
			name: "an unknown entry fails the run with --strict-waivers", entries: append(all, rpt.Waiver{Name: "no scenario is called this", Reason: "typo"}), strict: true, code: ExitFail,
			want: []string{"Unknown waivers in "}, stderr: "stale or unknown entries", unknown: 1,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			o := Options{
				Quirks: []string{"deactivated-user-404"}, Tags: "@deactivate-users, @connection",
				ExpectedFailures: writeWaiverFile(t, tc.entries), StrictWaivers: tc.strict, ReportDir: dir,
			}
			r := runOpts(t, o, runLimit)
			require.Equal(t, tc.code, r.code, r.dump())
			for _, w := range tc.want {
				assert.Contains(t, r.stdout, w)
			}
			if tc.stderr != "" {
				assert.Contains(t, r.stderr, tc.stderr)
			} else {
				assert.Empty(t, r.stderr)
			}
			assert.NotContains(t, r.stdout, "scimcheck bug")

			s, j, page := readReports(t, dir)
			assert.Len(t, s.Waivers.Stale, tc.stale)
			assert.Len(t, s.Waivers.Unknown, tc.unknown)
			assert.Equal(t, tc.strict, s.Waivers.Strict)
			assert.Equal(t, tc.code, s.ExitCode)
			listed := map[string]string{}
			for _, e := range tc.entries {
				listed[e.Name] = e.Reason
			}
			for _, sc := range s.Scenarios {
				reason, ok := listed[sc.Name]
				switch {
				case ok && sc.Name != passingConn:
					assert.Equal(t, rpt.StatusWaived, sc.Status, sc.Name)
					assert.Equal(t, reason, sc.Waiver)
					assert.Contains(t, sc.Message, "expected 200, got 404", "a waived failure keeps its message")
					assert.NotEmpty(t, sc.Rerun)
				case ok:
					assert.Equal(t, rpt.StatusPassed, sc.Status, "a stale waiver never turns a pass into anything else")
				}
			}
			for _, suite := range j.Suites {
				for _, c := range suite.Cases {
					if reason, ok := listed[c.Name]; ok && c.Name != passingConn {
						require.NotNil(t, c.Skipped, c.Name)
						assert.Nil(t, c.Failure, c.Name)
						assert.Equal(t, "waived: "+reason, c.Skipped.Message)
					}
				}
			}
			assert.Contains(t, page, "Known failures (waivers)")
			if len(tc.entries) == len(all) {
				assert.Contains(t, page, `<span class="badge b-waived">≈ waived</span>`)
			}
		})
	}
}

func TestRunWaiverNeverCoversAHarnessBug(t *testing.T) {
	path := writeWaiverFile(t, []rpt.Waiver{{Name: "a step panics", Reason: "known"}})
	hook := func(sc *godog.ScenarioContext) {
		sc.Step(`^a step that panics$`, func() error { panic("boom") })
	}
	r := runOpts(t, Options{features: harnessFeatures, scenarioHook: hook, Name: "^a step panics$", ExpectedFailures: path}, runLimit)
	assert.Equal(t, ExitError, r.code, r.dump())
	assert.Contains(t, r.stderr, "scimcheck itself failed")
}

func TestLoadWaivers(t *testing.T) {
	tests := []struct {
		name, file, content string
		want                []rpt.Waiver
		err                 string
	}{
		{name: "JSON", file: "w.json", content: `[{"name": " a ", "reason": "why"}]`, want: []rpt.Waiver{{Name: "a", Reason: "why"}}},
		{name: "YAML", file: "w.yaml", content: "- name: a\n  reason: why\n- name: b\n  reason: because\n",
			want: []rpt.Waiver{{Name: "a", Reason: "why"}, {Name: "b", Reason: "because"}}},
		{name: "an empty JSON list", file: "w.json", content: `[]`, want: []rpt.Waiver{}},
		{name: "an empty YAML file", file: "w.yml", content: "", want: nil},
		{name: "not JSON", file: "w.json", content: `{"name": "a"}`, err: "want a JSON list of"},
		{name: "an unknown JSON field", file: "w.json", content: `[{"name": "a", "reson": "typo"}]`, err: `unknown field "reson"`},
		{name: "an unknown YAML field", file: "w.yaml", content: "- name: a\n  reson: typo\n", err: "field reson not found"},
		{name: "no name", file: "w.json", content: `[{"reason": "why"}]`, err: "entry 1 has no name"},
		{name: "no reason", file: "w.json", content: `[{"name": "a"}]`, err: `"a" has no reason: say why the failure is expected`},
		{name: "a name twice", file: "w.json", content: `[{"name": "a", "reason": "x"}, {"name": "a", "reason": "y"}]`, err: `"a" is listed twice`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), tc.file)
			require.NoError(t, os.WriteFile(path, []byte(tc.content), 0o644))
			w, err := loadWaivers(path)
			if tc.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.err)
				var ue *usageError
				assert.ErrorAs(t, err, &ue)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, w.entries)
		})
	}
	w, err := loadWaivers("")
	assert.NoError(t, err)
	assert.Nil(t, w)
	_, ok := w.reason("anything")
	assert.False(t, ok, "a nil *waivers waives nothing")
}
