package runner

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/scimcheck/scimcheck/steps/expect"
)

// writeReport prints the capability table (Okta's verdict and the review and rfc findings of
// each capability), the totals, whether Okta's OIN review would pass, the root causes with
// the scenarios under each and the command that reruns one, and the harness bugs; it returns
// the totals.
func (r *run) writeReport(out, errw io.Writer) tally {
	rows, tallies, total := r.tallies()
	causes := r.causes()
	fmt.Fprintf(out, "\n%-26s %-8s %-6s %-4s %s\n", "Capability", "Okta", "review", "rfc", "Scenarios")
	for i, c := range rows {
		if r.hidesRow(c, tallies[i]) {
			continue
		}
		t := tallies[i]
		review, rfc := r.findingCounts(c, causes)
		detail := t.detail(r.stop)
		if len(t.blockers) > 0 {
			detail += "; blocked by " + strings.Join(labels(causes, t.blockers), ", ")
		}
		fmt.Fprintf(out, "%-26s %-8s %-6s %-4s %s\n", c.title, t.result(), count(review), count(rfc), detail)
	}

	fmt.Fprintf(out, "\n%d passed, %d failed, %d blocked, %d skipped", total.passed, total.failed, total.blocked, total.skipped)
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
	fmt.Fprintln(out, reviewLine(causes))

	r.writeCauses(out, causes)
	r.writeWaivers(out)
	r.writeHarnessBugs(errw, total)
	return total
}

// count renders a finding count for the table: "-" for none.
func count(n int) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprint(n)
}

// labels returns the labels ("C1") of the causes with keys.
func labels(cs []*cause, keys []string) []string {
	var out []string
	for _, k := range keys {
		if c := causeOf(cs, k); c != nil {
			out = append(out, c.label)
		}
	}
	return out
}

// findingCounts returns how many review and rfc causes belong to capability c: those that failed
// one of its scenarios, and those only seen in passing, first by one of its scenarios.
func (r *run) findingCounts(c capability, cs []*cause) (review, rfc int) {
	for _, k := range cs {
		if k.grade == expect.GradeOkta || !r.causeBelongs(k, c) {
			continue
		}
		if k.grade == expect.GradeReview {
			review++
		} else {
			rfc++
		}
	}
	return review, rfc
}

// causeBelongs reports whether cause k belongs to capability c (see findingCounts).
func (r *run) causeBelongs(k *cause, c capability) bool {
	if len(k.failed) > 0 {
		for _, sc := range k.failed {
			if capabilityOf(sc).title == c.title {
				return true
			}
		}
		return false
	}
	for _, sc := range r.selected {
		if sc.name == k.where {
			return capabilityOf(sc).title == c.title
		}
	}
	return false
}

// reviewLine says whether Okta's OIN review would pass, from the causes of the run.
func reviewLine(cs []*cause) string {
	var okta, review []string
	for _, c := range cs {
		switch c.grade {
		case expect.GradeOkta:
			okta = append(okta, c.label)
		case expect.GradeReview:
			review = append(review, c.label)
		}
	}
	switch {
	case len(okta) > 0:
		return fmt.Sprintf("Okta's OIN review: would fail: Okta's runtime breaks (%s)", strings.Join(okta, ", "))
	case len(review) > 0:
		return fmt.Sprintf("Okta's OIN review: would fail: provisioning works, but the review rejects %s", strings.Join(review, ", "))
	}
	return "Okta's OIN review: would pass these checks (the review also tests by hand what no harness can)"
}

// writeCauses prints each root cause once, most severe first: its grade, diagnosis, first
// failure, the scenarios it failed or blocked, and the command that reruns one of them.
func (r *run) writeCauses(out io.Writer, cs []*cause) {
	shown := 0
	for _, c := range cs {
		var scenarios []*scenario
		for _, sc := range append(append([]*scenario(nil), c.failed...), c.blocked...) {
			if o := r.outcome(sc); o.waived == "" {
				scenarios = append(scenarios, sc)
			}
		}
		if len(scenarios) == 0 && c.seen == 0 {
			continue
		}
		if shown == 0 {
			fmt.Fprintln(out, "\nCauses, most severe first, each once with the scenarios it failed or blocked:")
		}
		shown++
		fmt.Fprintf(out, "\n  %s [%s] %s\n", c.label, c.grade, c.title())
		text := c.message
		if f := c.failure; f != nil {
			text = f.Error()
		}
		for _, line := range headLines(text, 7) {
			fmt.Fprintf(out, "      %s\n", line)
		}
		var failed, blocked []string
		for _, sc := range scenarios {
			name := fmt.Sprintf("%s › %s", capabilityOf(sc).title, sc.name)
			if slices.Contains(c.failed, sc) {
				failed = append(failed, name)
			} else {
				blocked = append(blocked, name)
			}
		}
		writeList(out, "failed", failed)
		writeList(out, "blocked", blocked)
		if c.seen > 0 {
			fmt.Fprintf(out, "    seen %s in passing by steps that replay Okta (first in %q); they went on, as Okta does\n",
				plural(c.seen, "time"), c.where)
		}
		if len(scenarios) > 0 {
			fmt.Fprintf(out, "    rerun: %s\n", r.rerunCommand(scenarios[0]))
		}
	}
}

// writeList prints "    <what> n: a; b; c" with at most 5 names and how many more.
func writeList(out io.Writer, what string, names []string) {
	if len(names) == 0 {
		return
	}
	shown := names
	more := ""
	if len(shown) > 5 {
		shown, more = shown[:5], fmt.Sprintf("; and %d more", len(names)-5)
	}
	fmt.Fprintf(out, "    %s %d: %s%s\n", what, len(names), strings.Join(shown, "; "), more)
}

// failOn returns the --fail-on grade.
func (r *run) failOn() expect.Grade {
	g, _ := expect.ParseGrade(r.opts.FailOn)
	return g
}

// tallies returns the rows of the capability table, the last one "Other", with their counts,
// and the counts of the whole catalogue.
func (r *run) tallies() ([]capability, []tally, tally) {
	rows := capabilities()
	tallies := make([]tally, len(rows)+1) // the last is "Other"
	var total tally
	for _, sc := range r.cat.scenarios {
		o := r.outcome(sc)
		total.add(sc, o, r.failOn())
		other := true
		for i, c := range rows {
			if slices.Contains(sc.tags, c.tag) {
				tallies[i].add(sc, o, r.failOn())
				other = false
			}
		}
		if other {
			tallies[len(rows)].add(sc, o, r.failOn())
		}
	}
	return append(rows, capability{title: otherCapability}), tallies, total
}

// hidesRow reports whether the table leaves out row c with tally t: an empty "Other" row, and
// with --features every empty row (the user's feature files hold only what they hold).
func (r *run) hidesRow(c capability, t tally) bool {
	return t.total == 0 && (c.tag == "" || len(r.opts.FeatureDirs) > 0)
}

// outcome returns what became of sc (the zero outcome when it was not selected or not run),
// with the reason it was expected to fail when it failed and --expected-failures lists it.
func (r *run) outcome(sc *scenario) outcome {
	if sc.excluded != "" || r.suite == nil {
		return outcome{}
	}
	res, _ := r.suite.ResultOf(sc.pickle)
	o := outcomeOf(res)
	if o.status != "" {
		o.verdict(res.Detours)
	}
	if reason, ok := r.rep.waivers.reason(sc.name); ok && (o.status == statusFailed || o.status == statusBlocked) && o.harness == "" {
		o.waived = reason
	}
	return o
}

// writeHarnessBugs prints to errw every failure of scimcheck itself: no verdict on the target.
func (r *run) writeHarnessBugs(errw io.Writer, total tally) {
	if r.crash == "" && total.harness == 0 && (total.notRun == 0 || r.stop != "") {
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
		case o.status == "" && r.crash == "" && r.stop == "":
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
