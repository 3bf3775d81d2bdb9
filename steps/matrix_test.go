package steps_test

import (
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cucumber/godog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimcheck/scimcheck/features"
	"github.com/scimcheck/scimcheck/reference"
	"github.com/scimcheck/scimcheck/steps"
	"github.com/scimcheck/scimcheck/steps/scim"
)

var update = flag.Bool("update", false, "rewrite features/mutation-matrix.md from this run of TestMutationMatrix")

const (
	// matrixDoc is the generated table, relative to this package.
	matrixDoc = "../features/mutation-matrix.md"
	// matrixSeed and matrixRunID fix the generated data, so that the table is reproducible.
	matrixSeed  = 7644
	matrixRunID = "mxrun"
)

// genericQuirk fails nearly every scenario and so proves nothing about any one check: a
// scenario killed by it alone counts as killing no quirk.
const genericQuirk = reference.QuirkStatus500

// shortQuirks is the reduced matrix of `go test -short`: one quirk per area.
func shortQuirks() []reference.Quirk {
	return []reference.Quirk{
		reference.QuirkUserNameCaseSensitive,
		reference.QuirkCountsAsStrings,
		reference.QuirkInactiveUser404,
		reference.QuirkPathlessPatchRejected,
		reference.QuirkMemberAddDuplicates,
		reference.QuirkPlusNotDecoded,
	}
}

// unkilledAllowed lists the scenarios allowed to kill no quirk, each with the reason. Keep it
// empty: a scenario that no broken server fails has never been shown to check anything.
func unkilledAllowed() map[string]string {
	return map[string]string{}
}

// expectedDiagnoses holds, for every quirk, words that at least one of its failure messages
// must contain: the defect named the way the server's vendor would name it.
func expectedDiagnoses() map[reference.Quirk]string {
	return map[reference.Quirk]string{
		reference.QuirkActiveAsString:          "active must be a JSON boolean",
		reference.QuirkCountIgnored:            "count is ignored: count=2 returned",
		reference.QuirkCountsAsStrings:         "must be JSON integers: Okta requires integers; a string startIndex",
		reference.QuirkCreateEmptyBody:         `with an empty body: Okta needs the created resource with its id`,
		reference.QuirkCreate200:               "must answer 201 Created, not 200 OK",
		reference.QuirkEmptyValueRejected:      `an attribute emptied in Okta arrives as "" and must be cleared`,
		reference.QuirkFilter404:               "a look-up that matches nobody must answer 200 with totalResults 0",
		reference.QuirkFilterIgnored:           "the filter is ignored",
		reference.QuirkFilterOnEmail:           "instead of userName",
		reference.QuirkGroupDelete200:          "DELETE must answer 204 No Content",
		reference.QuirkGroupDeleteDeactivates:  "deleting a group deactivated its members",
		reference.QuirkGroupPutKeepsMembers:    "PUT /Groups/{id} did not replace the member list",
		reference.QuirkInactiveHiddenInFilter:  "the userName look-up hides deactivated users",
		reference.QuirkInactiveUser404:         "deactivated users must stay readable",
		reference.QuirkItemsPerPageEchoesCount: "itemsPerPage must count the resources on this page, not echo count",
		reference.QuirkJSONContentTypeOnly:     "refuses Content-Type application/scim+json",
		reference.QuirkJSONContentTypeRejected: "refuses Content-Type application/json",
		reference.QuirkMemberAddDuplicates:     "adding a member who is already in the group must be a no-op",
		reference.QuirkMemberPatchCap50:        "refused a membership PATCH of 100 changes",
		reference.QuirkMembersReplaceIgnored:   `"Push Now" (a PATCH replace of members) was accepted but the membership did not change`,
		reference.QuirkNo401:                   "accepted a request with a wrong or missing token",
		reference.QuirkNo409OnDuplicate:        "this server created a duplicate user",
		reference.QuirkNonJSONErrors:           `error answers must be JSON in the SCIM Error schema, not text`,
		reference.QuirkOpCaseSensitive:         `PATCH op names are case-insensitive`,
		reference.QuirkPageCap50:               "so it skips the rest of every page",
		reference.QuirkPagingParamsRequired:    "startIndex and count are optional",
		reference.QuirkPasswordReturned:        "the server returned the password",
		reference.QuirkPatch204:                "PATCH must answer 200 with the updated resource",
		reference.QuirkPatchActiveIgnored:      "the PATCH replace of active was accepted but not applied",
		reference.QuirkPathlessPatchRejected:   "PATCH operations without a path must be supported",
		reference.QuirkPlusNotDecoded:          `a "+" in the query string must be decoded as a space`,
		reference.QuirkPutDropsNewAttributes:   "PUT dropped phoneNumbers",
		reference.QuirkPutIgnoresActive:        "PUT ignored active",
		reference.QuirkPutMergesOmitted:        "it is not a merge",
		reference.QuirkPutNotSaved:             "the change was not saved",
		reference.QuirkPutRejectsReadOnly:      "must accept and ignore the read-only attributes Okta echoes back",
		reference.QuirkRemoveAllMembers:        "also removed others",
		reference.QuirkRemoveNonMemberError:    "removing a user who is not a member must be a no-op",
		reference.QuirkRenameIgnored:           "the rename was accepted but displayName did not change",
		reference.QuirkRenameRejectsID:         "a rename whose value carries the group's own id must be accepted",
		reference.QuirkStartIndexIgnored:       "startIndex is ignored",
		reference.QuirkStatus500:               "the server answered 500 Internal Server Error",
		reference.Quirk401WithoutBody:          "a 401 must carry a SCIM Error body",
		reference.QuirkUnchangedNameConflict:   "a rename to the group's current name must succeed",
		reference.QuirkUnknownID500:            "an id the server does not know must be answered 404",
		reference.QuirkUnstableOrder:           "the list order changes between requests",
		reference.QuirkUserNameCaseSensitive:   "the userName look-up is case-sensitive",
		reference.QuirkUserNameChangeRejected:  "userName changes must be accepted",
		reference.QuirkVersionUnchanged:        "meta.version (the ETag) must change on every write",
		reference.QuirkNoLocation:              "a 201 Created must carry a Location header",
		reference.QuirkRelativeLocation:        "the same as its meta.location",
		reference.QuirkErrorStatusNumber:       `an error's status must be the HTTP status code as a JSON string`,
		reference.QuirkJSONResponses:           "answers must be labelled Content-Type application/scim+json",
		reference.QuirkNoWWWAuthenticate:       "a 401 must carry a WWW-Authenticate header",
		reference.QuirkNoDiscovery:             "GET /ServiceProviderConfig, /ResourceTypes and /Schemas must answer 200",
		reference.QuirkMembersValueOnly:        "the group's members carry no display",
		reference.QuirkTwoPrimaries:            "the server stored two values marked primary",
		reference.QuirkDuplicateValues:         "the server returned the same (type, value) pair twice",
		reference.QuirkNoopChangesVersion:      "re-adding members who are already in the group changed nothing",
	}
}

// TestMutationMatrix is scimcheck's proof that its checks can fail. It runs every scenario
// against the reference server once as it is (everything must pass), then once per quirk, a
// deliberate defect real servers ship (reference.QuirkCatalogue), and records which
// scenarios each quirk fails ("kills"). It fails when
//
//   - a quirk is killed by no scenario: a blind spot;
//   - a scenario kills no quirk but the generic internal-error: a check never shown to fail,
//     unless unkilledAllowed says why;
//   - no failure message of a quirk names its defect in the vendor's terms (expectedDiagnoses);
//   - features/mutation-matrix.md is not what this run generates (-update rewrites it).
//
// Quirks run as parallel subtests, as many at a time as -parallel allows (GOMAXPROCS by
// default), each against its own in-process server. With -short only shortQuirks run, and
// only their rows of the committed table are compared.
func TestMutationMatrix(t *testing.T) {
	var quirks []reference.Quirk
	for _, info := range reference.QuirkCatalogue() {
		quirks = append(quirks, info.Name)
	}
	if testing.Short() {
		quirks = shortQuirks()
		t.Logf("-short: a reduced matrix of %d of the %d quirks (%s); run without -short for the full proof",
			len(quirks), len(reference.QuirkCatalogue()), joinQuirks(quirks))
	}
	m := runMatrix(t, quirks)
	checkDiagnoses(t, m)
	checkGrades(t, m)
	checkScopes(t, m)
	if testing.Short() {
		checkRows(t, m)
		return
	}
	checkKills(t, m)
	checkDoc(t, m)
}

// matrix is the outcome of a mutation run: the scenarios in run order and, per quirk, the
// ones it killed and their failure messages.
type matrix struct {
	quirks    []reference.QuirkInfo
	scenarios []scenarioRow
	kills     map[reference.Quirk][]int    // indexes into scenarios, in run order
	messages  map[reference.Quirk][]string // the killed scenarios' messages, in run order
	grades    map[reference.Quirk][]string // the killed scenarios' failure grades, in run order
	skips     map[reference.Quirk][]int    // scenarios the baseline passed and the quirk skipped
	findings  map[reference.Quirk][]string // the run's findings: "grade cause ×seen", in order
}

// scenarioRow is one scenario: a short id (capability and position) and "Feature / Scenario".
type scenarioRow struct {
	id, key string
}

// runMatrix runs the baseline and every quirk of quirks in parallel subtests, and returns
// the matrix. It stops the test when the baseline fails or a scenario cannot be placed.
func runMatrix(t *testing.T, quirks []reference.Quirk) *matrix {
	t.Helper()
	start := time.Now()
	var mu sync.Mutex
	runs := map[reference.Quirk][]steps.Result{}
	found := map[reference.Quirk][]steps.Finding{}
	t.Run("run", func(t *testing.T) {
		for _, q := range append([]reference.Quirk{""}, quirks...) {
			name := string(q)
			if q == "" {
				name = "no-quirk"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				results, findings := runSuite(t, q)
				mu.Lock()
				defer mu.Unlock()
				runs[q], found[q] = results, findings
			})
		}
	})
	t.Logf("%d suite runs (no quirk, then %d quirks) in %s", len(quirks)+1, len(quirks), time.Since(start).Round(100*time.Millisecond))
	require.False(t, t.Failed(), "a suite run failed to complete")

	m := &matrix{kills: map[reference.Quirk][]int{}, messages: map[reference.Quirk][]string{}, grades: map[reference.Quirk][]string{},
		skips: map[reference.Quirk][]int{}, findings: map[reference.Quirk][]string{}}
	index := map[string]int{}
	perFeature := map[string]int{}
	for _, r := range runs[""] {
		key := resultKey(r)
		if slow(t, "", r) {
			r.Status = "passed"
		}
		require.Equal(t, "passed", r.Status, "scenario %q fails against the reference server without any quirk, "+
			"so no kill means anything; make it pass first:\n%s", key, r.Message)
		_, dup := index[key]
		require.False(t, dup, "two scenarios are named %q: give them distinct names, the matrix tells them apart by name", key)
		capability := strings.TrimPrefix(r.Tags[0], "@")
		perFeature[capability]++
		index[key] = len(m.scenarios)
		m.scenarios = append(m.scenarios, scenarioRow{id: fmt.Sprintf("%s-%d", capability, perFeature[capability]), key: key})
	}
	for _, info := range reference.QuirkCatalogue() {
		results, ran := runs[info.Name]
		if !ran {
			continue
		}
		m.quirks = append(m.quirks, info)
		for _, f := range found[info.Name] {
			m.findings[info.Name] = append(m.findings[info.Name], fmt.Sprintf("%s `%s` ×%d", f.Failure.Grade, f.Failure.Key(), f.Seen))
		}
		for _, r := range results {
			i, ok := index[resultKey(r)]
			require.True(t, ok, "quirk %s ran a scenario the baseline did not: %q", info.Name, resultKey(r))
			if r.Status == "skipped" {
				m.skips[info.Name] = append(m.skips[info.Name], i)
			}
			if r.Status != "failed" || slow(t, info.Name, r) {
				continue
			}
			assert.NotContains(t, r.Message, "scimcheck harness", "under quirk %s, scenario %q failed with a harness error, "+
				"not a target failure; a harness error is never a kill:\n%s", info.Name, resultKey(r), r.Message)
			m.kills[info.Name] = append(m.kills[info.Name], i)
			m.messages[info.Name] = append(m.messages[info.Name], r.Message)
			m.grades[info.Name] = append(m.grades[info.Name], string(r.Grade))
		}
		require.Len(t, results, len(m.scenarios), "quirk %s ran a different number of scenarios than the baseline", info.Name)
	}
	return m
}

// runSuite runs every scenario, in file order and one at a time, against a fresh in-process
// reference server with quirk switched on ("" for none), and returns the results in run order
// and the findings the run saw in passing.
func runSuite(t *testing.T, quirk reference.Quirk) ([]steps.Result, []steps.Finding) {
	t.Helper()
	var qs reference.Quirks
	if quirk != "" {
		qs = reference.Quirks{quirk: true}
	}
	return runSuiteWith(t, qs)
}

// runSuiteWith is runSuite with the quirks qs switched on together.
func runSuiteWith(t *testing.T, qs reference.Quirks) ([]steps.Result, []steps.Finding) {
	t.Helper()
	run := startReference(t, qs)
	c, err := scim.New(scim.Config{BaseURL: run.URL, Secret: run.Token, Timeout: 20 * time.Second, Retry429: scim.Retry429{MaxAttempts: 1}})
	require.NoError(t, err)
	// SetupWidth 8: set-up and cleanup go out several at a time, as in a default run; the
	// matrix must read the same either way.
	s := &steps.Suite{Client: c, Seed: matrixSeed, RunID: matrixRunID, BatchSize: 100, SetupWidth: 8}
	godog.TestSuite{
		Name:                "okta",
		ScenarioInitializer: s.InitializeScenario,
		Options: &godog.Options{
			Format:      "progress",
			Output:      io.Discard,
			Paths:       []string{"okta"},
			FS:          features.FS,
			Strict:      true,
			Concurrency: 1,
		},
	}.Run()
	return s.Results(), s.Findings()
}

// slow reports whether r failed only because an answer took longer than the spec test allows
// (600 ms): no quirk makes the server slow, so on a loaded machine that is noise, not a kill.
func slow(t *testing.T, quirk reference.Quirk, r steps.Result) bool {
	t.Helper()
	if r.Status != "failed" || !strings.Contains(r.Message, "\n  response time: expected at most") {
		return false
	}
	t.Logf("under quirk %q, %q failed only for a slow answer on this machine; not counted:\n%s", quirk, resultKey(r), r.Message)
	return true
}

// resultKey names a scenario for the matrix: "Feature / Scenario".
func resultKey(r steps.Result) string { return r.Feature + " / " + r.Name }

// joinQuirks returns the quirks' names, comma-separated.
func joinQuirks(qs []reference.Quirk) string {
	names := make([]string, len(qs))
	for i, q := range qs {
		names[i] = string(q)
	}
	return strings.Join(names, ", ")
}

// specificKills returns the quirks scenario i kills, generic one left out, in catalogue order.
func (m *matrix) specificKills(i int) []string {
	var out []string
	for _, info := range m.quirks {
		if info.Name != genericQuirk && slices.Contains(m.kills[info.Name], i) {
			out = append(out, string(info.Name))
		}
	}
	return out
}

// TestToleratedQuirksTogether switches every quirk below okta grade on at once, as a real
// server ships several: no okta-grade scenario may fail, since none of them breaks Okta and
// their checks must not add up to one that does.
func TestToleratedQuirksTogether(t *testing.T) {
	qs := reference.Quirks{}
	for _, info := range reference.QuirkCatalogue() {
		if info.Grade != "okta" {
			qs[info.Name] = true
		}
	}
	require.Greater(t, len(qs), 12)
	results, findings := runSuiteWith(t, qs)
	failed := 0
	for _, r := range results {
		if r.Status != "failed" {
			continue
		}
		failed++
		assert.NotEqual(t, "okta", string(r.Grade), "with the %d tolerated quirks on, %q failed at okta grade:\n%s", len(qs), resultKey(r), r.Message)
	}
	assert.Positive(t, failed, "the home scenarios of the review and rfc quirks fail")
	assert.NotEmpty(t, findings, "the sequences met review findings in passing")
}
