package runner

import (
	"fmt"
	"slices"

	"github.com/scimcheck/scimcheck/steps/expect"
)

// Verdicts: what a failed scenario's failure means, read from the failure's fields (never from
// its message): its grade, its root cause, and whether it failed its own subject or was
// blocked by Okta's set-up.

// statusBlocked: Okta's own set-up of the scenario (a Given step) broke on an okta-grade
// check, so the scenario never reached its subject, or reached it only by a detour.
const statusBlocked = "blocked"

// verdict completes o with what the steps package recorded of its scenario: a set-up
// failure at okta grade blocks the scenario; a detour around Okta's set-up blocks a scenario
// whose subject passed, and is noted on one that failed on its own.
func (o *outcome) verdict(detours []*expect.Failure) {
	if o.harness != "" {
		return
	}
	if o.status == statusFailed && o.setup && (o.failure != nil || o.noAnswer) && o.grade.AtLeast(expect.GradeOkta) {
		o.status, o.blockedBy, o.blocker = statusBlocked, o.cause, o.failure
		return
	}
	if len(detours) == 0 {
		return
	}
	o.blocker = detours[0]
	o.blockedBy = o.blocker.Key()
	if o.status == statusPassed {
		o.status = statusBlocked
		o.message = "Okta's set-up of this scenario broke (" + o.blockedBy + "); set up directly instead, its subject passed:\n" +
			o.blocker.Error()
	}
}

// showsCurl reports whether the reports show the curl commands of o's exchanges: those of a
// scenario that did not pass (failed, blocked, waived or a harness bug), to send again by hand.
func (o outcome) showsCurl() bool {
	return o.harness != "" || o.waived != "" || o.status == statusFailed || o.status == statusBlocked
}

// gates reports whether o fails the run at --fail-on min: a failure at that grade or above,
// or a scenario blocked by an okta-grade cause. A waived failure does not.
func (o outcome) gates(min expect.Grade) bool {
	switch {
	case o.waived != "" || o.harness != "":
		return false
	case o.status == statusBlocked:
		return true
	case o.status == statusFailed:
		return o.grade.AtLeast(min)
	}
	return false
}

// cause is one root cause of a run: a defect, named by its diagnosis, with the scenarios it
// failed, the ones it blocked and the times it was seen in passing.
type cause struct {
	key     string
	label   string // "C1", "C2", … in order of severity, then of first appearance
	grade   expect.Grade
	failure *expect.Failure // the first failure seen
	message string          // the first failed scenario's message, for a cause without a failure (no answer)
	failed  []*scenario     // scenarios whose own subject failed on it
	blocked []*scenario     // scenarios it blocked
	seen    int             // times a tolerating step saw it in passing (findings)
	// where, for a cause seen only in passing: the scenario that first saw it, and the
	// exchange, redacted.
	where, transcript string
}

// title returns the cause's one-line name: its diagnosis, or what failed.
func (c *cause) title() string {
	if c.failure == nil {
		return c.key
	}
	if c.failure.Diagnosis != "" {
		return c.failure.Diagnosis
	}
	return c.failure.RequestLine + ": " + c.failure.Finding()
}

// causes returns the run's root causes, most severe first: the failures and blocks of the
// selected scenarios, grouped by key, and the findings the steps saw in passing.
func (r *run) causes() []*cause {
	byKey := map[string]*cause{}
	var order []*cause
	get := func(key string, grade expect.Grade, f *expect.Failure) *cause {
		c := byKey[key]
		if c == nil {
			c = &cause{key: key, grade: grade, failure: f}
			byKey[key] = c
			order = append(order, c)
		}
		if grade.AtLeast(c.grade) && grade != c.grade {
			c.grade = grade
		}
		if c.failure == nil {
			c.failure = f
		}
		return c
	}
	for _, sc := range r.selected {
		o := r.outcome(sc)
		switch {
		case o.harness != "":
		case o.status == statusFailed:
			c := get(o.cause, o.grade, o.failure)
			c.failed = append(c.failed, sc)
			if c.message == "" {
				c.message = o.message
			}
			if o.blockedBy != "" && o.blockedBy != o.cause {
				b := get(o.blockedBy, expect.GradeOkta, o.blocker)
				b.blocked = append(b.blocked, sc)
			}
		case o.status == statusBlocked:
			c := get(o.blockedBy, expect.GradeOkta, o.blocker)
			c.blocked = append(c.blocked, sc)
			if c.message == "" {
				c.message = o.message
			}
		}
	}
	if r.suite != nil {
		for _, fn := range r.suite.Findings() {
			c := get(fn.Failure.Key(), fn.Failure.Grade, fn.Failure)
			c.seen += fn.Seen
			if c.where == "" {
				c.where, c.transcript = fn.Scenario, fn.Transcript
			}
		}
	}
	slices.SortStableFunc(order, func(a, b *cause) int { return a.grade.Rank() - b.grade.Rank() })
	for i, c := range order {
		c.label = fmt.Sprintf("C%d", i+1)
	}
	return order
}

// causeOf returns the cause with key among cs, or nil.
func causeOf(cs []*cause, key string) *cause {
	for _, c := range cs {
		if c.key == key {
			return c
		}
	}
	return nil
}
