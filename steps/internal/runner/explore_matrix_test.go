package runner

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimcheck/scimcheck/reference"
	"github.com/scimcheck/scimcheck/reference/server"
	"github.com/scimcheck/scimcheck/steps"
	"github.com/scimcheck/scimcheck/steps/scim"
)

var update = flag.Bool("update", false, "rewrite features/explore-matrix.md from this run of TestExploreMatrix")

const (
	// exploreDoc is the generated table, relative to this package.
	exploreDoc = "../../../features/explore-matrix.md"
	// exploreSeed and exploreRunID fix the drawn sequence and names, so the table is reproducible.
	exploreSeed  = 1
	exploreRunID = "xmrun"
)

// exploreCell is the outcome of one exploration: one quirk, one Okta mode.
type exploreCell struct {
	found      bool
	actions    int      // actions drawn until the divergence (or all of them)
	steps      []string // the shrunk scenario
	runs       int      // trial runs shrinking made
	cause      string
	diagnosis  string
	shrinkTime time.Duration
}

// exploreRow is one quirk's line of the table: OIN, then AIW.
type exploreRow struct {
	quirk reference.QuirkInfo
	modes [2]exploreCell
}

// exploreMisses says why explore cannot find an okta-grade quirk with its default budget: what
// the defect needs that no drawn sequence does. A quirk found after all must leave this list.
func exploreMisses() map[reference.Quirk]string {
	return map[reference.Quirk]string{
		reference.QuirkMemberPatchCap50:     "needs a push of more than 50 member changes; explore's groups have at most 4 members",
		reference.QuirkNo409OnDuplicate:     "needs a POST of a userName the app holds, which Okta sends only after a look-up that missed (another quirk)",
		reference.QuirkPlusNotDecoded:       `needs the look-up with spaces encoded as "+" of Okta's older captures; the flows send %20`,
		reference.QuirkRemoveNonMemberError: "needs Okta to remove a member the app does not hold; Okta removes only members it pushed",
	}
}

// TestExploreMatrix is the proof that `scimcheck explore` finds reprovisioning bugs on its
// own: for every okta-grade quirk of the reference server it explores seed 1's 300 actions as
// an OIN and as an AIW app, and checks that
//
//   - most quirks are found, each miss with a reason in exploreMisses, and none found is listed there;
//   - the median shrunk scenario has at most 8 steps;
//   - every shrunk scenario, written as a feature file and replayed with `run --features`,
//     fails with the same diagnosis against the quirk and passes against the correct server;
//   - features/explore-matrix.md is what this run generates (-update rewrites it).
//
// With -short only a handful of quirks run, and the document is not compared.
func TestExploreMatrix(t *testing.T) {
	var quirks []reference.QuirkInfo
	for _, info := range reference.QuirkCatalogue() {
		short := []reference.Quirk{reference.QuirkInactiveHiddenInFilter, reference.QuirkRemoveAllMembers,
			reference.QuirkRenameIgnored, reference.QuirkPutIgnoresActive, reference.QuirkUserNameCaseSensitive}
		if info.Grade == "okta" && info.Name != reference.QuirkStatus500 && (!testing.Short() || slices.Contains(short, info.Name)) {
			quirks = append(quirks, info)
		}
	}
	rows := make([]exploreRow, len(quirks))
	t.Run("quirk", func(t *testing.T) {
		for i, info := range quirks {
			t.Run(string(info.Name), func(t *testing.T) {
				t.Parallel()
				rows[i] = exploreRow{quirk: info}
				for m, aiw := range []bool{false, true} {
					rows[i].modes[m] = exploreQuirk(t, info.Name, aiw)
				}
			})
		}
	})
	require.False(t, t.Failed())
	found, lengths := 0, []int{}
	misses := exploreMisses()
	for _, r := range rows {
		hit := r.modes[0].found || r.modes[1].found
		if hit {
			found++
			assert.NotContains(t, misses, r.quirk.Name, "explore finds %s: take it out of exploreMisses", r.quirk.Name)
		} else if !testing.Short() {
			assert.Contains(t, misses, r.quirk.Name, "explore finds no divergence for %s in %d actions: say why in exploreMisses, or draw the actions that reach it", r.quirk.Name, steps.DefaultExploreSteps)
		}
		for _, c := range r.modes {
			if c.found {
				lengths = append(lengths, len(c.steps))
			}
		}
	}
	require.NotEmpty(t, lengths)
	assert.Greater(t, 2*found, len(rows), "explore must find most okta-grade quirks: %d of %d", found, len(rows))
	assert.LessOrEqual(t, median(lengths), 8, "the median shrunk scenario has at most 8 steps")
	if testing.Short() {
		return
	}
	doc := exploreMarkdown(rows)
	if *update {
		require.NoError(t, os.WriteFile(exploreDoc, []byte(doc), 0o644))
		return
	}
	got, err := os.ReadFile(exploreDoc)
	require.NoError(t, err)
	assert.Equal(t, doc, string(got), "features/explore-matrix.md is stale: go test ./steps/internal/runner -run TestExploreMatrix -update")
}

// exploreQuirk explores a fresh in-process reference server with quirk switched on, and
// replays the shrunk scenario it writes with and without the quirk.
func exploreQuirk(t *testing.T, quirk reference.Quirk, aiw bool) exploreCell {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	ref, err := server.Start(ctx, server.Config{Options: server.Options{Quirks: reference.Quirks{quirk: true}}})
	require.NoError(t, err)
	defer ref.Close()
	c, err := scim.New(scim.Config{BaseURL: ref.URL, Secret: ref.Token, Timeout: 20 * time.Second, Retry429: scim.Retry429{MaxAttempts: 1}})
	require.NoError(t, err)
	defer c.CloseIdleConnections()
	s := &steps.Suite{Client: c, Seed: exploreSeed, RunID: exploreRunID, BatchSize: DefaultBatchSize}
	x, err := s.Explore(ctx, steps.ExploreOptions{AIW: aiw})
	require.NoError(t, err)
	d := x.Divergence
	if d == nil {
		return exploreCell{actions: x.Actions}
	}
	require.True(t, d.Reproduced, "%s: the divergence did not show again in a fresh run:\n%s", quirk, d.Message)
	cell := exploreCell{found: true, actions: d.Found, steps: d.Scenario(), runs: d.ShrinkRuns, cause: d.Cause,
		diagnosis: d.Diagnosis, shrinkTime: d.ShrinkTime}

	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, x.FeatureName()), x.Feature("scimcheck explore --quirk "+string(quirk)), 0o644))
	broken := runOpts(t, Options{FeatureDirs: []string{dir}, Quirks: []string{string(quirk)}}, runLimit)
	require.Equal(t, ExitFail, broken.code, "%s: the shrunk scenario must fail when replayed:\n%s", quirk, broken.dump())
	results := broken.run.suite.Results()
	require.Len(t, results, 1)
	first, _, _ := strings.Cut(results[0].Message, "\n")
	assert.Equal(t, "diagnosis: "+normalDiagnosis(d.Diagnosis), normalDiagnosis(first),
		"%s: the replay must fail with the same diagnosis:\n%s", quirk, results[0].Message)
	fixed := runOpts(t, Options{FeatureDirs: []string{dir}}, runLimit)
	assert.Equal(t, ExitPass, fixed.code, "%s: the shrunk scenario must pass against the correct reference server:\n%s", quirk, fixed.dump())
	return cell
}

// quoted and uuid match what differs between two runs of one diagnosis: the generated names it
// quotes and the ids.
var (
	quoted = regexp.MustCompile(`"[^"]*"`)
	uuid   = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
)

// normalDiagnosis returns a diagnosis line with quoted values and ids replaced.
func normalDiagnosis(s string) string {
	return quoted.ReplaceAllString(uuid.ReplaceAllString(s, "{id}"), `"…"`)
}

// median returns the median of ns (the lower one of the middle two).
func median(ns []int) int {
	s := slices.Clone(ns)
	slices.Sort(s)
	return s[(len(s)-1)/2]
}

// exploreMarkdown renders features/explore-matrix.md.
func exploreMarkdown(rows []exploreRow) string {
	var b strings.Builder
	b.WriteString("# Explore matrix: the reprovisioning bugs `scimcheck explore` finds on its own\n\n")
	b.WriteString("<!-- Generated by `go test ./steps/internal/runner -run TestExploreMatrix -update`. Do not edit: `go test ./steps/internal/runner` fails when this file is stale. -->\n\n")
	b.WriteString("`scimcheck explore` draws a random sequence of Okta's admin actions, sends each with Okta's own requests, and " +
		"checks the app against what Okta believes after every one (see the README, \"Reproducing a reprovisioning bug\"). " +
		"`TestExploreMatrix` (steps/internal/runner/explore_matrix_test.go) switches each okta-grade quirk of the reference server on " +
		"(`scimcheck quirks`; `internal-error` left out: it fails the first request of anything) and explores it with seed " +
		fmt.Sprintf("%d and the default budget of %d actions, as an OIN app and as an AIW app. ", exploreSeed, steps.DefaultExploreSteps) +
		"Every shrunk scenario was written as a feature file and replayed with `scimcheck run --features`: it fails with the same " +
		"diagnosis against the quirk and passes against the correct reference server. Against the correct server, 20 seeds of " +
		"300 actions find nothing (`TestExploreFindsNothingOnTheReference`, steps/explore_test.go).\n\n")
	found, oin, aiw := 0, 0, 0
	var lengths []int
	for _, r := range rows {
		if r.modes[0].found || r.modes[1].found {
			found++
		}
		for m, c := range r.modes {
			if c.found {
				lengths = append(lengths, len(c.steps))
				if m == 0 {
					oin++
				} else {
					aiw++
				}
			}
		}
	}
	fmt.Fprintf(&b, "Found: **%d of %d** okta-grade quirks (%d as an OIN app, %d as an AIW app; some defects only touch one kind of app). "+
		"Median shrunk scenario: **%d steps** (longest %d).\n\n", found, len(rows), oin, aiw, median(lengths), slices.Max(lengths))
	b.WriteString("```sh\ngo test ./steps/internal/runner -run TestExploreMatrix -update   # regenerate\n" +
		"scimcheck explore --quirk remove-drops-all-members                # one row by hand\n```\n\n")
	b.WriteString("| quirk | what it breaks | OIN: found after (actions) → shrunk (steps) | AIW | cause | the shrunk scenario |\n|---|---|---|---|---|---|\n")
	misses := exploreMisses()
	for _, r := range rows {
		var cells []string
		var scenario, cause string
		for _, c := range r.modes {
			if !c.found {
				cells = append(cells, "not found")
				continue
			}
			cells = append(cells, fmt.Sprintf("%d → %d", c.actions, len(c.steps)))
			if scenario == "" {
				scenario, cause = strings.Join(c.steps, "<br>"), "`"+c.cause+"`"
			}
		}
		if scenario == "" {
			scenario = "not found: " + misses[r.quirk.Name]
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s | %s |\n", r.quirk.Name, mdCell(r.quirk.Breaks), cells[0], cells[1], cause, mdCell(scenario))
	}
	return b.String()
}

// mdCell makes s safe in a Markdown table cell (s may hold <br>).
func mdCell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", "<br>").Replace(s)
}
