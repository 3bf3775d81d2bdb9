package steps_test

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimcheck/scimcheck/reference"
)

// reporter is the part of *testing.T the checks use, so that a test can read their messages.
type reporter interface {
	Helper()
	Errorf(format string, args ...any)
}

// checkKills fails for a quirk no scenario kills and for a scenario that kills no quirk (but
// the generic one) without a reason in unkilledAllowed.
func checkKills(t reporter, m *matrix) {
	t.Helper()
	for _, info := range m.quirks {
		if info.Grade == "none" {
			continue // checkScopes: it must be killed by none
		}
		assert.NotEmpty(t, m.kills[info.Name], "quirk %s is killed by no scenario: add a scenario, or an assertion to one, "+
			"that fails when %s (%s)", info.Name, info.Breaks, info.Report)
	}
	allowed := unkilledAllowed()
	for i, sc := range m.scenarios {
		reason, isAllowed := allowed[sc.key]
		delete(allowed, sc.key)
		kills := m.specificKills(i)
		switch {
		case len(kills) == 0 && !isAllowed:
			assert.Fail(t, "a scenario kills no quirk", "scenario %q (%s) kills no quirk but %s: no broken server has been "+
				"shown to fail it. Add a quirk to reference/quirks.go (with its behaviour in reference/quirks) that breaks what it "+
				"checks, or list it in unkilledAllowed in steps/matrix_test.go with the reason", sc.key, sc.id, genericQuirk)
		case len(kills) > 0 && isAllowed:
			assert.Fail(t, "an allowed scenario kills a quirk", "scenario %q is in unkilledAllowed (%s) but kills %s: "+
				"remove it from the list", sc.key, reason, strings.Join(kills, ", "))
		}
	}
	for key, reason := range allowed {
		assert.Fail(t, "unkilledAllowed names an unknown scenario", "%q (%s) is not a scenario of features/okta: remove it", key, reason)
	}
}

// checkDiagnoses fails for a quirk none of whose failure messages holds its expected
// diagnosis, and for a quirk without one.
func checkDiagnoses(t reporter, m *matrix) {
	t.Helper()
	want := expectedDiagnoses()
	catalogued := map[reference.Quirk]bool{}
	for _, info := range reference.QuirkCatalogue() {
		catalogued[info.Name] = true
		if info.Grade == "none" {
			assert.NotContains(t, want, info.Name, "quirk %s conforms (grade none): no failure may name it; remove it from expectedDiagnoses", info.Name)
			continue
		}
		assert.Contains(t, want, info.Name, "quirk %s has no expected diagnosis: add to expectedDiagnoses in "+
			"steps/matrix_test.go the words its failure message must use to name %q", info.Name, info.Breaks)
	}
	for q := range want {
		assert.True(t, catalogued[q], "expectedDiagnoses names %s, which is not in the quirk catalogue: remove it", q)
	}
	for _, info := range m.quirks {
		words, msgs := want[info.Name], m.messages[info.Name]
		if words == "" || len(msgs) == 0 || slices.ContainsFunc(msgs, func(s string) bool { return strings.Contains(s, words) }) {
			continue
		}
		assert.Fail(t, "a quirk's failures do not name its defect", "no failure under quirk %s says %q, the defect in the "+
			"vendor's terms (%s). Make a rule in steps/diagnoses*.go recognise it. Its first failure reads:\n%s",
			info.Name, words, info.Breaks, msgs[0])
	}
}

// checkDoc compares features/mutation-matrix.md with the table this run generates, or
// rewrites it with -update.
func checkDoc(t *testing.T, m *matrix) {
	t.Helper()
	doc := m.markdown()
	if *update {
		require.NoError(t, os.WriteFile(matrixDoc, []byte(doc), 0o644))
		t.Logf("wrote %s", matrixDoc)
		return
	}
	committed, err := os.ReadFile(matrixDoc)
	require.NoError(t, err, "run `go test ./steps -run TestMutationMatrix -update` to generate it")
	assert.Equal(t, doc, string(committed), "features/mutation-matrix.md is stale: run `go test ./steps -run TestMutationMatrix -update` and commit it")
}

// checkRows compares the rows of the quirks that ran (-short) with the committed table.
func checkRows(t *testing.T, m *matrix) {
	t.Helper()
	committed, err := os.ReadFile(matrixDoc)
	require.NoError(t, err, "run `go test ./steps -run TestMutationMatrix -update` to generate it")
	for _, info := range m.quirks {
		row := m.quirkRow(info)
		assert.Contains(t, string(committed), row+"\n", "the row of quirk %s in features/mutation-matrix.md is stale: "+
			"run `go test ./steps -run TestMutationMatrix -update` and commit it", info.Name)
	}
}

// messages records what the checks report.
type messages []string

func (m *messages) Helper() {}

func (m *messages) Errorf(format string, args ...any) { *m = append(*m, fmt.Sprintf(format, args...)) }

// TestMatrixChecksSayWhatToDo feeds the checks a made-up matrix with a blind spot, a scenario
// that only the generic quirk kills and a failure that names no defect, and reads what they
// tell the developer.
func TestMatrixChecksSayWhatToDo(t *testing.T) {
	cat := map[reference.Quirk]reference.QuirkInfo{}
	for _, info := range reference.QuirkCatalogue() {
		cat[info.Name] = info
	}
	m := &matrix{
		quirks: []reference.QuirkInfo{cat[reference.QuirkUserNameCaseSensitive], cat[reference.QuirkPlusNotDecoded], cat[genericQuirk]},
		scenarios: []scenarioRow{
			{id: "push-users-5", key: "Push users / the look-up finds a user whatever the case of the userName"},
			{id: "errors-1", key: "Errors / an unknown id"},
		},
		kills: map[reference.Quirk][]int{reference.QuirkUserNameCaseSensitive: {0}, genericQuirk: {0, 1}},
		messages: map[reference.Quirk][]string{
			reference.QuirkUserNameCaseSensitive: {"GET /scim/v2/Users?filter=… HTTP/1.1\n  totalResults: expected 1 (number), got 0 (number)"},
			genericQuirk:                         {"diagnosis: the server answered 500 Internal Server Error: …", "…"},
		},
	}
	var got messages
	checkKills(&got, m)
	checkDiagnoses(&got, m)
	all := strings.Join(got, "\n")
	assert.Contains(t, all, "quirk plus-not-decoded is killed by no scenario: add a scenario, or an assertion to one, that fails when "+
		`a "+" in the query string is not decoded as a space`)
	assert.Contains(t, all, `scenario "Errors / an unknown id" (errors-1) kills no quirk but internal-error`)
	assert.Contains(t, all, "or list it in unkilledAllowed in steps/matrix_test.go with the reason")
	assert.Contains(t, all, `no failure under quirk username-case-sensitive says "the userName look-up is case-sensitive"`)
	assert.Contains(t, all, "Make a rule in steps/diagnoses*.go recognise it")
	assert.Len(t, got, 3, all)
}

// checkGrades fails for a quirk declared below okta grade (reference.QuirkInfo.Grade) that
// fails a scenario at okta grade: a check stricter than Okta, which would fail a server Okta
// provisions without trouble.
func checkGrades(t reporter, m *matrix) {
	t.Helper()
	for _, info := range m.quirks {
		if info.Grade == "okta" {
			continue
		}
		for k, i := range m.kills[info.Name] {
			if g := m.grades[info.Name][k]; g == "okta" || g == "" {
				assert.Fail(t, "a check is stricter than Okta", "quirk %s is declared %s grade (Okta's runtime accepts it), "+
					"but scenario %q failed on it at okta grade; grade the check that failed (see steps/grades.go):\n%s",
					info.Name, info.Grade, m.scenarios[i].key, m.messages[info.Name][k])
			}
		}
	}
}

// checkScopes fails for a quirk that fails a scenario of a capability it does not declare
// (reference.QuirkInfo.Fails), and for a conforming quirk (grade none) that fails any: both are
// checks failing where the evidence says nothing breaks.
func checkScopes(t reporter, m *matrix) {
	t.Helper()
	for _, info := range m.quirks {
		for k, i := range m.kills[info.Name] {
			capability := capabilityOf(m.scenarios[i])
			if slices.Contains(info.Fails, "*") || slices.Contains(info.Fails, capability) {
				continue
			}
			assert.Fail(t, "a quirk fails a capability it does not declare", "quirk %s (grade %s) may fail %s, but scenario %q "+
				"(%s) failed on it; either a check is stricter than its evidence (find it in the failure below), or the quirk's "+
				"declaration in reference/quirks.go quirkScopes is missing a capability its evidence supports:\n%s",
				info.Name, info.Grade, declared(info), m.scenarios[i].key, capability, m.messages[info.Name][k])
		}
	}
}

// capabilityOf returns the capability (feature tag) of a scenario row, from its id.
func capabilityOf(sc scenarioRow) string {
	return sc.id[:strings.LastIndex(sc.id, "-")]
}

// declared renders the capabilities a quirk declares it may fail.
func declared(info reference.QuirkInfo) string {
	switch {
	case len(info.Fails) == 0:
		return "nothing"
	case slices.Contains(info.Fails, "*"):
		return "any capability"
	}
	return strings.Join(info.Fails, ", ")
}

// TestScopeCheckSaysWhatToDo feeds checkScopes a made-up matrix in which a quirk fails a
// capability it does not declare, and a conforming one fails anything.
func TestScopeCheckSaysWhatToDo(t *testing.T) {
	m := &matrix{
		quirks: []reference.QuirkInfo{
			{Name: "page-quirk", Grade: "okta", Fails: []string{"import"}},
			{Name: "gzip-quirk", Grade: "none"},
			{Name: "loud-quirk", Grade: "okta", Fails: []string{"*"}},
		},
		scenarios: []scenarioRow{{id: "import-1", key: "Import / pages"}, {id: "push-users-3", key: "Push users / create"}},
		kills:     map[reference.Quirk][]int{"page-quirk": {0, 1}, "gzip-quirk": {1}, "loud-quirk": {0, 1}},
		messages:  map[reference.Quirk][]string{"page-quirk": {"m0", "m1"}, "gzip-quirk": {"g1"}, "loud-quirk": {"l0", "l1"}},
	}
	var got messages
	checkScopes(&got, m)
	all := strings.Join(got, "\n")
	require.Len(t, got, 2, all)
	assert.Contains(t, got[0], `quirk page-quirk (grade okta) may fail import, but scenario "Push users / create" (push-users) failed on it`)
	assert.Contains(t, got[0], "quirkScopes")
	assert.Contains(t, got[0], "m1")
	assert.Contains(t, got[1], `quirk gzip-quirk (grade none) may fail nothing, but scenario "Push users / create"`)
}
