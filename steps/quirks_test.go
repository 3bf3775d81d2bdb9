package steps_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/cucumber/godog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimcheck/scimcheck/features"
	"github.com/scimcheck/scimcheck/reference"
	"github.com/scimcheck/scimcheck/steps"
)

// runAgainst runs the features selected by tags (all when empty) against a reference server
// with quirk switched on, as a plain godog run, and returns the scenario results.
func runAgainst(t *testing.T, quirk reference.Quirk, tags string) []steps.Result {
	t.Helper()
	s := newSuite(t, reference.Quirks{quirk: true})
	var out bytes.Buffer
	godog.TestSuite{
		Name:                "okta",
		ScenarioInitializer: s.InitializeScenario,
		Options: &godog.Options{
			Format:      "progress",
			Output:      &out,
			Paths:       []string{"okta"},
			FS:          features.FS,
			Tags:        tags,
			Strict:      true,
			Concurrency: 1,
		},
	}.Run()
	return s.Results()
}

// failed returns the failed results.
func failed(results []steps.Result) []steps.Result {
	var out []steps.Result
	for _, r := range results {
		if r.Status == "failed" {
			out = append(out, r)
		}
	}
	return out
}

// TestQuirksAreCaught switches on one deliberate defect at a time and checks that a scenario
// fails, with a message naming the request and what is wrong.
func TestQuirksAreCaught(t *testing.T) {
	cases := []struct {
		quirk reference.Quirk
		tags  string   // features to run, to keep the test fast
		want  []string // substrings of one failure message
	}{
		{reference.QuirkUserNameCaseSensitive, "@push-users,@reprovisioning",
			[]string{"GET /scim/v2/Users?filter=userName%20eq%20%22", "totalResults", "caseExact"}},
		{reference.QuirkCountsAsStrings, "@connection",
			[]string{"GET /scim/v2/Users?startIndex=1&count=2 HTTP/1.1", "totalResults", `(string)`}},
		{reference.QuirkInactiveUser404, "@deactivate-users",
			[]string{"GET /scim/v2/Users/", "HTTP status: expected 200, got 404", "not 404"}},
		{reference.QuirkPathlessPatchRejected, "@deactivate-users",
			[]string{"PATCH /scim/v2/Users/", "HTTP status", "request 2 of the sequence"}},
		{reference.QuirkMemberAddDuplicates, "@push-groups",
			[]string{"PATCH /scim/v2/Groups/", "HTTP status", "409"}},
		{reference.QuirkCreate200, "@push-users",
			[]string{"POST /scim/v2/Users HTTP/1.1", "HTTP status: expected 201, got 200"}},
	}
	for _, tc := range cases {
		t.Run(string(tc.quirk), func(t *testing.T) {
			bad := failed(runAgainst(t, tc.quirk, tc.tags))
			require.NotEmpty(t, bad, "no scenario failed with quirk %s", tc.quirk)
			var msgs []string
			for _, r := range bad {
				if containsAll(r.Message, tc.want) {
					return
				}
				msgs = append(msgs, r.Name+":\n"+r.Message)
			}
			assert.Fail(t, "no failure names the defect", "want all of %q in one message; got:\n%s", tc.want, strings.Join(msgs, "\n\n"))
		})
	}
}

// containsAll reports whether s holds every one of subs.
func containsAll(s string, subs []string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
