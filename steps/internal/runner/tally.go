package runner

import (
	"fmt"
	"slices"
	"strings"

	"github.com/scimcheck/scimcheck/steps"
	"github.com/scimcheck/scimcheck/steps/expect"
)

// capability is one row of the capability table: Okta's name for a provisioning feature and
// the feature tag that marks its scenarios.
type capability struct {
	tag   string
	title string
}

// capabilities returns the rows of the capability table, in order (steps.Capabilities).
// Scenarios without any of these tags are counted in an "Other" row.
func capabilities() []capability {
	var rows []capability
	for _, c := range steps.Capabilities() {
		rows = append(rows, capability{tag: c.Tag, title: c.Title})
	}
	return rows
}

// Row results: Okta's verdict on a capability. A skip never reads as a pass, and a finding
// below okta grade never reads as broken.
const (
	resultPass    = "works"
	resultPartial = "partial" // works, and some scenarios were skipped or left out by the target
	resultFail    = "broken"  // a scenario failed on its own subject at okta grade
	resultBlocked = "blocked" // no okta failure of its own, but Okta's set-up broke elsewhere
	resultError   = "ERROR"   // scimcheck itself failed: no verdict
	resultSkip    = "skip"
	resultWaived  = "waived" // the only okta failures are listed in --expected-failures
)

// otherCapability is the title of the row of scenarios without a capability tag.
const otherCapability = "Other (no capability tag)"

// tally counts scenarios by outcome.
type tally struct {
	passed, failed, skipped, harness, notRun, blocked int
	failedAt                                          map[expect.Grade]int // failed (not waived), by grade
	gating                                            int                  // failures and blocks that fail the run (see outcome.gates)
	waived                                            int                  // failed, but listed in --expected-failures
	excluded                                          map[string]int       // by flag
	total                                             int
	skipReason                                        string // the first runtime skip reason
	blockers                                          []string
}

// add counts sc with outcome out; failOn is the --fail-on grade.
func (t *tally) add(sc *scenario, out outcome, failOn expect.Grade) {
	t.total++
	if out.gates(failOn) {
		t.gating++
	}
	switch {
	case sc.excluded != "":
		if t.excluded == nil {
			t.excluded = map[string]int{}
		}
		t.excluded[sc.excluded]++
	case out.harness != "":
		t.harness++
	case out.waived != "":
		t.waived++
	case out.status == statusPassed:
		t.passed++
	case out.status == statusFailed:
		t.failed++
		if t.failedAt == nil {
			t.failedAt = map[expect.Grade]int{}
		}
		t.failedAt[out.grade]++
	case out.status == statusBlocked:
		t.blocked++
		if !slices.Contains(t.blockers, out.blockedBy) {
			t.blockers = append(t.blockers, out.blockedBy)
		}
	case out.status == statusInterrupted:
		t.notRun++
	case out.status == statusSkipped:
		t.skipped++
		if t.skipReason == "" {
			t.skipReason = out.message
		}
	default:
		t.notRun++
	}
}

// result returns the row's verdict.
func (t *tally) result() string {
	switch {
	case t.harness > 0:
		return resultError
	case t.failedAt[expect.GradeOkta] > 0:
		return resultFail
	case t.blocked > 0:
		return resultBlocked
	case t.waived > 0 && t.passed+t.failed == 0:
		return resultWaived
	case t.passed+t.failed > 0 && t.skipped == 0 && t.notRun == 0:
		return resultPass
	case t.passed+t.failed > 0:
		return resultPartial
	}
	return resultSkip
}

// detail returns the counts of the row and, for what did not run, why.
func (t *tally) detail(stopped string) string {
	if t.total == 0 {
		return "skipped: no scenario in the features"
	}
	var why []string // why scenarios did not give a verdict, each with its count
	if t.skipped > 0 {
		reason := t.skipReason
		if reason == "" {
			reason = "no reason given"
		}
		why = append(why, fmt.Sprintf("%d skipped: %s", t.skipped, firstLine(reason)))
	}
	if t.notRun > 0 {
		reason := "selected but not run"
		if stopped != "" {
			reason = "not run: " + stopped
		}
		why = append(why, fmt.Sprintf("%d %s", t.notRun, reason))
	}
	for _, flag := range t.excludedFlags() {
		label := "not selected by " + flag
		if strings.HasPrefix(flag, "--okta-mode") {
			label = "left out by " + flag
		}
		why = append(why, fmt.Sprintf("%d %s", t.excluded[flag], label))
	}
	if t.passed+t.failed+t.blocked+t.waived+t.harness == 0 {
		if len(why) == 1 { // one reason: say it without its count
			_, reason, _ := strings.Cut(why[0], " ")
			reason = strings.TrimPrefix(strings.TrimPrefix(reason, "skipped: "), "left out by ")
			return fmt.Sprintf("skipped: %s (%s)", reason, plural(t.total, "scenario"))
		}
		return fmt.Sprintf("skipped (%s): %s", plural(t.total, "scenario"), strings.Join(why, "; "))
	}
	var counts []string
	for _, c := range []struct {
		n    int
		what string
	}{{t.passed, "passed"}, {t.failedAt[expect.GradeOkta], "failed"}, {t.failedAt[expect.GradeReview], "failed at review grade"},
		{t.failedAt[expect.GradeRFC], "failed at rfc grade"}, {t.blocked, "blocked"}, {t.waived, "waived"},
		{t.harness, "harness error"}, {t.skipped, "skipped"}} {
		if c.n > 0 {
			counts = append(counts, fmt.Sprintf("%d %s", c.n, c.what))
		}
	}
	s := fmt.Sprintf("%s of %d", strings.Join(counts, ", "), t.total)
	if len(why) > 0 {
		s += "; " + strings.Join(why, "; ")
	}
	return s
}

// plural returns "1 scenario" or "n scenarios".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// sumExcluded returns how many scenarios the selection left out.
func (t *tally) sumExcluded() int {
	n := 0
	for _, c := range t.excluded {
		n += c
	}
	return n
}

// excludedFlags returns the flags that left scenarios out, in selection order.
func (t *tally) excludedFlags() []string {
	var out []string
	for flag := range t.excluded {
		out = append(out, flag)
	}
	order := func(f string) int {
		switch {
		case strings.HasPrefix(f, "--okta-mode"):
			return 0
		case f == "--tags":
			return 1
		}
		return 2
	}
	slices.SortFunc(out, func(a, b string) int { return order(a) - order(b) })
	return out
}
