package runner

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cucumber/godog"

	"github.com/scimcheck/scimcheck/steps/expect"
	rpt "github.com/scimcheck/scimcheck/steps/report"
)

// The files --report DIR holds after a run.
const (
	reportSummary  = "summary.json"
	reportJUnit    = "junit.xml"
	reportCucumber = "cucumber.json"
	reportHTML     = "report.html"
)

// reporting is the run's state for reports, waivers and the progress line.
type reporting struct {
	waivers  *waivers   // nil without --expected-failures
	progress *progress  // nil unless stdout and stderr are terminals
	early    *reportJob // the report files rendered when the last scenario ended; nil before
}

// withReportDefaults checks the report, waiver and retry options of o and, with a report
// directory, adds godog's cucumber formatter writing DIR/cucumber.json. Errors: *usageError.
func (o Options) withReportDefaults() (Options, error) {
	if o.Retry429.MaxAttempts < 0 || o.Retry429.MaxWait < 0 {
		return o, usagef("--max-retries and --max-retry-wait must not be negative")
	}
	if o.StrictWaivers && o.ExpectedFailures == "" {
		return o, usagef("--strict-waivers needs --expected-failures FILE")
	}
	if o.ReportDir == "" {
		return o, nil
	}
	if strings.Contains(o.ReportDir, ",") {
		return o, usagef("--report %q: the directory name must not contain a comma", o.ReportDir)
	}
	o.Formats = append(slices.Clip(o.Formats), "cucumber:"+filepath.Join(o.ReportDir, reportCucumber))
	return o, nil
}

// prepareReport loads the --expected-failures file and creates the --report directory, so
// that both are usage errors before anything runs, and removes the reports an earlier run
// left there: a run that ends before its scenarios leaves none for CI to read as its result.
// Errors: *usageError.
func (r *run) prepareReport() error {
	var err error
	if r.rep.waivers, err = loadWaivers(r.opts.ExpectedFailures); err != nil {
		return err
	}
	return prepareReportDir(r.opts.ReportDir)
}

// prepareReportDir creates the report directory dir and removes the reports an earlier run
// left there; "" does nothing. Errors: *usageError.
func prepareReportDir(dir string) error {
	if dir == "" {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return usagef("--report: %v", err)
	}
	for _, f := range []string{reportSummary, reportJUnit, reportHTML} {
		if err := os.Remove(filepath.Join(dir, f)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return usagef("--report: %v", err)
		}
	}
	return nil
}

// registerReportHooks adds the hooks that close each scenario's transcript and move the
// progress line.
func (r *run) registerReportHooks(sc *godog.ScenarioContext) {
	// after the suite's own After hook, whose cleanup exchanges are the scenario's last
	sc.After(func(ctx context.Context, p *godog.Scenario, err error) (context.Context, error) {
		if s := r.byPickle[p.Id]; s != nil {
			r.rec.finish(s.pickle, r.outcome(s).showsCurl()) // the Suite has recorded its Result
		}
		return ctx, nil
	})
	if p := r.rep.progress; p != nil {
		sc.Before(func(ctx context.Context, pk *godog.Scenario) (context.Context, error) {
			if s := r.byPickle[pk.Id]; s != nil {
				p.start(capabilityOf(s).title, s.name)
			}
			return ctx, nil
		})
	}
}

// writeReports writes summary.json, junit.xml and report.html to the --report directory (godog
// runs the writer of cucumber.json, cucumber.go), every byte redacted, and returns code, or
// ExitError when a file, cucumber.json included, could not be written. The files rendered
// when the last scenario ended (scenariosEnded) stay when the run's summary has not changed
// since; otherwise they are written again.
func (r *run) writeReports(code int, out, errw io.Writer) int {
	dir := r.opts.ReportDir
	if dir == "" {
		return code
	}
	s := r.summary(code)
	job := r.rep.early
	if job != nil {
		job.wait()
		if !reflect.DeepEqual(job.summary, s) {
			job = nil
		}
	}
	if job == nil {
		job = r.renderReports(s)
		job.wait()
	}
	failed := false
	for _, f := range job.files {
		if f.err != nil {
			fmt.Fprintf(errw, "scimcheck run: --report: write %s: %v\n", f.name, f.err)
			failed = true
		}
	}
	if sink := r.cucumber[filepath.Join(dir, reportCucumber)]; sink != nil && sink.err != nil {
		fmt.Fprintf(errw, "scimcheck run: --report: write %s: %v\n", reportCucumber, sink.err)
		failed = true
	}
	fmt.Fprintf(out, "\nreport: %s (%s, %s, %s, %s)\n", filepath.Join(dir, reportHTML), reportHTML, reportSummary, reportJUnit, reportCucumber)
	if failed && (code == ExitPass || code == ExitFail) {
		return ExitError
	}
	return code
}

// reportJob is the writing of the report files from one summary.
type reportJob struct {
	summary *rpt.Summary
	files   []reportFile
	done    sync.WaitGroup
}

// reportFile is one of the files a reportJob writes, and how that went.
type reportFile struct {
	name   string
	render func(io.Writer, *rpt.Summary) error
	err    error
}

// renderReports starts writing summary.json, junit.xml and report.html from s to the report
// directory, each on its own goroutine (they only read s, and the files take as long as the
// slowest, report.html, rather than the sum of the three).
func (r *run) renderReports(s *rpt.Summary) *reportJob {
	job := &reportJob{summary: s, files: []reportFile{
		{name: reportSummary, render: rpt.WriteJSON}, {name: reportJUnit, render: rpt.WriteJUnit}, {name: reportHTML, render: rpt.WriteHTML},
	}}
	for i := range job.files {
		f := &job.files[i]
		job.done.Go(func() { f.err = r.writeReportFile(filepath.Join(r.opts.ReportDir, f.name), f.render, s) })
	}
	return job
}

// wait returns when every file of job is written.
func (job *reportJob) wait() { job.done.Wait() }

// writeReportFile renders s with render into the file at path, streamed through a small buffer
// (report.html and junit.xml are megabytes: rendered whole first, they cost more in fresh
// memory than in rendering), and, when the net caught a secret going by, rewrites the file
// redacted by its structure (redactFile).
func (r *run) writeReportFile(path string, render func(io.Writer, *rpt.Summary) error, s *rpt.Summary) error {
	file, err := os.Create(path)
	if err != nil {
		return err
	}
	watch := newLeakWatch(file, r.rd.net())
	buf := bufio.NewWriterSize(watch, 64<<10)
	err = render(buf, s)
	if err == nil {
		err = buf.Flush()
	}
	if cerr := file.Close(); err == nil {
		err = cerr
	}
	if err == nil && watch.seen {
		err = redactFile(path, r.rd, false)
	}
	return err
}

// summary returns the run as a rpt.Summary, every string redacted.
func (r *run) summary(code int) *rpt.Summary {
	o := r.opts
	s := &rpt.Summary{
		SchemaVersion: rpt.SchemaVersion,
		Version:       scimcheckVersion(),
		Target:        rpt.Target{URL: r.rd.net().String(publicURL(r.target.url)), InProcess: r.target.inProcess, Quirks: o.Quirks},
		Seed:          r.seed,
		RunID:         r.runID,
		OktaMode:      o.Mode,
		Selection:     rpt.Selection{Tags: o.Tags, Name: r.rd.net().String(o.Name)},
		StartedAt:     r.started.UTC().Truncate(time.Second),
		DurationMS:    r.elapsed.Milliseconds(),
		Result:        resultOf(code),
		ExitCode:      code,
		FailOn:        o.FailOn,
	}
	causes := r.causes()
	if r.suite != nil {
		s.Requests = r.suite.Requests()
	}
	rows, tallies, _ := r.tallies()
	capCounts := make([]rpt.Counts, len(rows))
	for _, sc := range r.cat.scenarios {
		caps := capabilityIndexes(sc, rows)
		if sc.excluded != "" {
			addCount(&s.Counts, "")
			for _, i := range caps {
				addCount(&capCounts[i], "")
			}
			continue
		}
		rs := r.scenarioReport(sc, causes)
		addCount(&s.Counts, rs.Status)
		for _, i := range caps {
			addCount(&capCounts[i], rs.Status)
		}
		s.Scenarios = append(s.Scenarios, rs)
	}
	for i, c := range rows {
		if r.hidesRow(c, tallies[i]) {
			continue
		}
		review, rfc := r.findingCounts(c, causes)
		s.Capabilities = append(s.Capabilities, rpt.Capability{
			Name: c.title, Tag: c.tag, Status: capabilityStatus(tallies[i].result()),
			Okta: tallies[i].result(), Review: review, RFC: rfc, BlockedBy: labels(causes, tallies[i].blockers),
			Detail: r.rd.net().String(tallies[i].detail(r.stop)), Counts: capCounts[i],
		})
	}
	for _, c := range causes {
		rc := r.causeReport(c)
		s.Causes = append(s.Causes, rc)
		if c.grade != expect.GradeOkta {
			s.Findings = append(s.Findings, rc)
		}
	}
	if w := r.rep.waivers; w != nil {
		s.Waivers = rpt.Waivers{File: w.path, Strict: o.StrictWaivers, Stale: w.stale(r), Unknown: w.unknown(r.cat)}
	}
	return s
}

// causeReport returns c for the reports, redacted.
func (r *run) causeReport(c *cause) rpt.Cause {
	rc := rpt.Cause{ID: c.label, Key: r.rd.net().String(c.key), Grade: string(c.grade), Seen: c.seen, Diagnosis: r.rd.net().String(c.title())}
	rc.Message = r.rd.net().String(c.message)
	if f := c.failure; f != nil {
		rc.Check, rc.Okta, rc.Message = f.Check, r.rd.net().String(f.Okta), r.rd.net().String(f.Error())
		rc.Failure = r.failureReport(f)
	}
	for _, sc := range c.failed {
		rc.Failed = append(rc.Failed, capabilityOf(sc).title+" › "+sc.name)
	}
	for _, sc := range c.blocked {
		rc.Blocked = append(rc.Blocked, capabilityOf(sc).title+" › "+sc.name)
	}
	return rc
}

// addCount counts, in c, a scenario with status (one of report's; "" when the selection left it out).
func addCount(c *rpt.Counts, status string) {
	c.Total++
	switch status {
	case "":
		c.NotSelected++
		return
	case rpt.StatusPassed:
		c.Passed++
	case rpt.StatusFailed:
		c.Failed++
	case rpt.StatusBlocked:
		c.Blocked++
	case rpt.StatusWaived:
		c.Waived++
	case rpt.StatusSkipped:
		c.Skipped++
	case rpt.StatusError:
		c.Errors++
	}
	c.Selected++
}

// capabilityStatus returns the summary's status for a capability table result.
func capabilityStatus(result string) string {
	switch result {
	case resultPass:
		return rpt.StatusPassed
	case resultPartial:
		return rpt.StatusPartial
	case resultFail, resultBlocked:
		return rpt.StatusFailed
	case resultWaived:
		return rpt.StatusWaived
	case resultError:
		return rpt.StatusError
	}
	return rpt.StatusSkipped
}

// capabilityOf returns the first capability sc is tagged with, or the "Other" row.
func capabilityOf(sc *scenario) capability {
	for _, c := range capabilities() {
		if slices.Contains(sc.tags, c.tag) {
			return c
		}
	}
	return capability{title: otherCapability}
}

// capabilityIndexes returns the indexes of the rows sc counts in (the last row is "Other").
func capabilityIndexes(sc *scenario, rows []capability) []int {
	var out []int
	for i, c := range rows {
		if c.tag != "" && slices.Contains(sc.tags, c.tag) {
			out = append(out, i)
		}
	}
	if len(out) == 0 {
		out = append(out, len(rows)-1)
	}
	return out
}

// publicURL returns raw without user info, query and fragment.
func publicURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(a URL that does not parse)"
	}
	u.User, u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = nil, "", false, "", ""
	return u.String()
}

// scimcheckVersion returns the module version stamped by `go install`, or "(devel)".
func scimcheckVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" {
		return info.Main.Version
	}
	return "(devel)"
}
