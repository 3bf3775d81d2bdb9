package runner

import (
	"slices"

	"github.com/scimcheck/scimcheck/steps/expect"
	rpt "github.com/scimcheck/scimcheck/steps/report"
	"github.com/scimcheck/scimcheck/steps/scim"
)

// What summary.json and the other reports say of one scenario: its status, its failure, its
// steps and the exchanges they show.

// scenarioReport returns what became of the selected scenario sc, redacted.
func (r *run) scenarioReport(sc *scenario, causes []*cause) rpt.Scenario {
	out := r.outcome(sc)
	rs := rpt.Scenario{
		Name: sc.name, Feature: sc.feature, Capability: capabilityOf(sc).title, Location: sc.location(),
		Tags: sc.tags, DurationMS: out.duration.Milliseconds(), Message: r.rd.net().String(out.message), Waiver: out.waived,
	}
	switch {
	case out.harness != "":
		rs.Status = rpt.StatusError
	case out.waived != "":
		rs.Status = rpt.StatusWaived
		rs.Failure = r.failureReport(out.failure)
	case out.status == statusPassed:
		rs.Status = rpt.StatusPassed
	case out.status == statusFailed:
		rs.Status, rs.Grade = rpt.StatusFailed, string(out.grade)
		rs.Failure = r.failureReport(out.failure)
		if c := causeOf(causes, out.cause); c != nil {
			rs.Cause = c.label
		}
	case out.status == statusBlocked:
		rs.Status = rpt.StatusBlocked
		rs.Failure = r.failureReport(out.blocker)
	case out.status == statusSkipped:
		rs.Status = rpt.StatusSkipped
	case out.status == statusInterrupted: // no verdict: it did not finish
		rs.Status = rpt.StatusSkipped
	case r.stop != "":
		rs.Status, rs.Message = rpt.StatusSkipped, "not run: "+r.stop
	default:
		rs.Status, rs.Message = rpt.StatusError, "selected but never run (a scimcheck bug)"
	}
	if c := causeOf(causes, out.blockedBy); c != nil && out.blockedBy != "" {
		rs.BlockedBy = c.label
	}
	if rs.Status == rpt.StatusFailed || rs.Status == rpt.StatusBlocked || rs.Status == rpt.StatusWaived || rs.Status == rpt.StatusError {
		rs.Rerun = r.rerunCommand(sc)
	}
	for _, st := range out.steps {
		st.Message, st.Argument = r.rd.net().String(st.Message), r.rd.net().String(st.Argument)
		rs.Steps = append(rs.Steps, st)
	}
	withCurl := out.showsCurl()
	kept, omitted := r.rec.shown(sc.pickle, withCurl)
	rs.Exchanges, rs.OmittedExchanges = shownExchanges(kept, withCurl)
	rs.OmittedExchanges += omitted
	return rs
}

// failureReport returns f as data for the reports, redacted; nil for nil. An ungraded failure
// is at okta grade, as steps.Result counts it.
func (r *run) failureReport(f *expect.Failure) *rpt.Failure {
	if f == nil {
		return nil
	}
	rd := r.rd.net()
	grade := f.Grade
	if grade == "" {
		grade = expect.GradeOkta
	}
	notes := make([]string, len(f.Notes))
	for i, n := range f.Notes {
		notes[i] = rd.String(n)
	}
	return &rpt.Failure{
		Check: rd.String(f.Check), Grade: string(grade), Request: rd.String(f.RequestLine), Status: f.Status,
		Path: rd.String(f.Path), Expected: rd.String(f.Expected), Actual: rd.String(f.Actual),
		Missing: f.Missing, Unreadable: rd.String(f.Unreadable), Notes: notes,
		Because: rd.String(f.Because), Okta: rd.String(f.Okta), Diagnosis: rd.String(f.Diagnosis), Cause: rd.String(f.Cause),
	}
}

// reportTranscriptMax bounds the transcript of one scenario in junit.xml and report.html: a
// scenario that sets up hundreds of users would otherwise make them megabytes long, and the
// run would hold every answer until the end. --trace-dir writes every exchange.
const reportTranscriptMax = 256 << 10

// shownExchanges returns the latest of exs, up to reportTranscriptMax bytes, with their curl
// commands when withCurl is set (and counted), and how many earlier ones were left out. The
// list is exs itself, or a part of it, unless curl commands come off.
func shownExchanges(exs []rpt.Exchange, withCurl bool) ([]rpt.Exchange, int) {
	first, size, curls := 0, 0, false
	for i := len(exs) - 1; i >= 0; i-- {
		size += len(exs[i].Transcript)
		if withCurl {
			size += len(exs[i].Curl)
		}
		if size > reportTranscriptMax && i < len(exs)-1 {
			first = i + 1
			break
		}
		curls = curls || exs[i].Curl != ""
	}
	out := exs[first:]
	if !withCurl && curls {
		out = slices.Clone(out)
		for i := range out {
			out[i].Curl = ""
		}
	}
	return out, first
}

// exchangeReport renders ex for the reports, redacted, with its curl command when withCurl is
// set.
func (r *run) exchangeReport(ex *scim.Exchange, withCurl bool) rpt.Exchange {
	status := "no response"
	switch {
	case ex.StandardStatus(): // whole, whatever the secret
		status = ex.Response.Status
	case ex.Response.StatusCode != 0: // a reason phrase of the target's own
		status = r.rd.String(ex.Response.Status)
	}
	e := rpt.Exchange{
		Request: r.rd.net().String(ex.RequestLine()), Status: status, DurationMS: ex.Duration.Milliseconds(),
		Attempts: ex.Attempts, Transcript: r.rd.net().String(ex.Transcript()),
	}
	if withCurl {
		e.Curl = r.rd.net().String(ex.Curl())
	}
	e.Escape() // now, in the scenario's own time, rather than for every exchange at the end
	return e
}

// resultOf returns the summary's result for an exit code.
func resultOf(code int) string {
	switch code {
	case ExitPass:
		return rpt.ResultPassed
	case ExitFail:
		return rpt.ResultFailed
	case ExitInterrupted:
		return rpt.ResultInterrupted
	case ExitDeadline:
		return rpt.ResultDeadline
	}
	return rpt.ResultError
}
