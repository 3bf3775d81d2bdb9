package runner

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// capability is one row of the capability table: Okta's name for a provisioning feature and
// the feature tag that marks its scenarios.
type capability struct {
	tag   string
	title string
}

// capabilities returns the rows of the capability table, in order. Scenarios without any of
// these tags are counted in an "Other" row.
func capabilities() []capability {
	return []capability{
		{"@connection", "Connection"},
		{"@errors", "Errors"},
		{"@push-users", "Push users"},
		{"@update-users", "Update user attributes"},
		{"@deactivate-users", "Deactivate users"},
		{"@reactivate-users", "Reactivate users"},
		{"@push-groups", "Push groups"},
		{"@import", "Import"},
		{"@reprovisioning", "Reprovisioning"},
		{"@spec-test", "Okta spec test"},
	}
}

// Row results. A skip never reads as a pass.
const (
	resultPass    = "pass"
	resultPartial = "partial" // some passed, the rest skipped or left out by the target
	resultFail    = "FAIL"
	resultError   = "ERROR" // scimcheck itself failed: no verdict
	resultSkip    = "skip"
	resultWaived  = "waived" // the only failures are listed in --expected-failures
)

// otherCapability is the title of the row of scenarios without a capability tag.
const otherCapability = "Other (no capability tag)"

// tally counts scenarios by outcome.
type tally struct {
	passed, failed, skipped, harness, notRun int
	waived                                   int            // failed, but listed in --expected-failures
	excluded                                 map[string]int // by flag
	total                                    int
	skipReason                               string // the first runtime skip reason
}

// add counts sc with outcome out.
func (t *tally) add(sc *scenario, out outcome) {
	t.total++
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
	case t.failed > 0:
		return resultFail
	case t.waived > 0:
		return resultWaived
	case t.passed > 0 && t.skipped == 0 && t.notRun == 0:
		return resultPass
	case t.passed > 0:
		return resultPartial
	}
	return resultSkip
}

// detail returns the counts of the row and, for what did not run, why.
func (t *tally) detail(interrupted bool) string {
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
		if interrupted {
			reason = "not run: the run was interrupted"
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
	if t.passed+t.failed+t.waived+t.harness == 0 {
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
	}{{t.passed, "passed"}, {t.failed, "failed"}, {t.waived, "waived"}, {t.harness, "harness error"}, {t.skipped, "skipped"}} {
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

// writeReport prints the capability table, the totals, the harness bugs and the rerun
// command of every failed scenario, and returns the totals.
func (r *run) writeReport(out, errw io.Writer, interrupted bool) tally {
	rows, tallies, total := r.tallies()
	fmt.Fprintf(out, "\n%-26s %-8s %s\n", "Capability", "Result", "Scenarios")
	for i, c := range rows {
		if c.tag == "" && tallies[i].total == 0 {
			continue
		}
		fmt.Fprintf(out, "%-26s %-8s %s\n", c.title, tallies[i].result(), tallies[i].detail(interrupted))
	}

	fmt.Fprintf(out, "\n%d passed, %d failed, %d skipped", total.passed, total.failed, total.skipped)
	if total.waived > 0 {
		fmt.Fprintf(out, ", %d waived", total.waived)
	}
	if total.harness > 0 {
		fmt.Fprintf(out, ", %d harness error(s)", total.harness)
	}
	if total.notRun > 0 {
		fmt.Fprintf(out, ", %d not run", total.notRun)
	}
	fmt.Fprintf(out, ", %d not selected; %s in %s, %s (seed %d)\n", total.sumExcluded(), plural(len(r.selected), "scenario"),
		r.elapsed.Round(time.Millisecond), plural(int(r.suite.Requests()), "request"), r.seed)

	r.writeFailures(out)
	r.writeWaivers(out)
	r.writeHarnessBugs(errw, total)
	return total
}

// tallies returns the rows of the capability table, the last one "Other", with their counts,
// and the counts of the whole catalogue.
func (r *run) tallies() ([]capability, []tally, tally) {
	rows := capabilities()
	tallies := make([]tally, len(rows)+1) // the last is "Other"
	var total tally
	for _, sc := range r.cat.scenarios {
		o := r.outcome(sc)
		total.add(sc, o)
		other := true
		for i, c := range rows {
			if slices.Contains(sc.tags, c.tag) {
				tallies[i].add(sc, o)
				other = false
			}
		}
		if other {
			tallies[len(rows)].add(sc, o)
		}
	}
	return append(rows, capability{title: otherCapability}), tallies, total
}

// outcome returns what became of sc (the zero outcome when it was not selected or not run),
// with the reason it was expected to fail when it failed and --expected-failures lists it.
func (r *run) outcome(sc *scenario) outcome {
	if sc.excluded != "" || r.obs == nil {
		return outcome{}
	}
	o := r.obs.outcomeOf(sc)
	if reason, ok := r.rep.waivers.reason(sc.name); ok && o.status == statusFailed && o.harness == "" {
		o.waived = reason
	}
	return o
}

// writeFailures prints each failed scenario with the first lines of its message and the
// command that reruns just it.
func (r *run) writeFailures(out io.Writer) {
	first := true
	for _, sc := range r.selected {
		o := r.outcome(sc)
		if o.status != statusFailed || o.harness != "" || o.waived != "" {
			continue
		}
		if first {
			fmt.Fprintln(out, "\nFailed scenarios, each with the command that reruns just it and prints its transcript:")
			first = false
		}
		fmt.Fprintf(out, "\n  ✗ %s (%s)\n", sc.name, sc.location())
		for _, line := range headLines(o.message, 6) {
			fmt.Fprintf(out, "      %s\n", line)
		}
		fmt.Fprintf(out, "    %s\n", r.rerunCommand(sc))
	}
}

// writeHarnessBugs prints to errw every failure of scimcheck itself: no verdict on the target.
func (r *run) writeHarnessBugs(errw io.Writer, total tally) {
	if r.crash == "" && total.harness == 0 && total.notRun == 0 {
		return
	}
	fmt.Fprintln(errw, "\nscimcheck itself failed (a harness bug, not the target's fault; please report it with this output):")
	if r.crash != "" {
		fmt.Fprintf(errw, "  the run crashed: %s\n", r.crash)
	}
	for _, sc := range r.selected {
		o := r.outcome(sc)
		switch {
		case o.harness != "":
			fmt.Fprintf(errw, "  ! %s (%s): %s\n", sc.name, sc.location(), firstLine(o.harness))
		case o.status == "" && r.crash == "":
			fmt.Fprintf(errw, "  ! %s (%s): selected but never run\n", sc.name, sc.location())
		}
	}
}

// firstLine returns s up to its first newline.
func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// headLines returns the first n non-empty lines of s, and a last line saying how many more
// there are.
func headLines(s string, n int) []string {
	var out []string
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i, l := range lines {
		if i == n {
			out = append(out, fmt.Sprintf("… (%d more lines; see the transcript)", len(lines)-n))
			break
		}
		out = append(out, strings.TrimRight(l, " \t"))
	}
	return out
}
