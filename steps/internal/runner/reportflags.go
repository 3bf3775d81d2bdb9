package runner

import (
	"flag"
	"strconv"

	"github.com/scimcheck/scimcheck/steps/scim"
)

// reportFlags are the flags of reports, waivers and 429 retries, until they are applied.
type reportFlags struct {
	maxRetries *int
}

// addReportFlags defines --report, --expected-failures, --strict-waivers, --max-retries and
// --max-retry-wait on fs, writing to o where it can.
func addReportFlags(fs *flag.FlagSet, o *Options) *reportFlags {
	fs.StringVar(&o.ReportDir, "report", "", "write junit.xml, cucumber.json, summary.json and report.html to `dir`")
	fs.StringVar(&o.ExpectedFailures, "expected-failures", "", "JSON or YAML `file` of scenarios known to fail, [{\"name\": …, \"reason\": …}]: "+
		"they are waived and do not fail the run")
	fs.BoolVar(&o.StrictWaivers, "strict-waivers", false, "fail the run when an --expected-failures entry passed (stale) or names no scenario")
	fs.StringVar(&o.FailOn, "fail-on", "review", "least `grade` of failure that fails the run (exit 1): okta (Okta's runtime breaks), "+
		"review (also what Okta's OIN review rejects) or rfc (also what only the RFC requires)")
	return addRetryFlags(fs, o)
}

// addRetryFlags defines --max-retries and --max-retry-wait on fs (run and explore).
func addRetryFlags(fs *flag.FlagSet, o *Options) *reportFlags {
	f := &reportFlags{}
	f.maxRetries = fs.Int("max-retries", scim.DefaultMaxAttempts-1, "`n` retries of a request answered 429 Too Many Requests, after "+
		"Retry-After seconds or else a doubling back-off; 0: none")
	fs.DurationVar(&o.Retry429.MaxWait, "max-retry-wait", scim.DefaultMaxRetryWait, "longest `wait` before a retry after a 429 (a longer Retry-After is cut to it)")
	return f
}

// apply completes o with the flags that need converting. Errors: *usageError.
func (f *reportFlags) apply(o *Options) error {
	if *f.maxRetries < 0 {
		return usagef("--max-retries %d: must not be negative", *f.maxRetries)
	}
	if o.Retry429.MaxWait <= 0 {
		return usagef("--max-retry-wait %s: must be positive", o.Retry429.MaxWait)
	}
	o.Retry429.MaxAttempts = *f.maxRetries + 1
	return nil
}

// retryArgs returns the flags that set rc, when it differs from the defaults: for rerun
// commands.
func retryArgs(rc scim.Retry429) []string {
	var args []string
	if rc.MaxAttempts != 0 && rc.MaxAttempts != scim.DefaultMaxAttempts {
		args = append(args, "--max-retries", strconv.Itoa(rc.MaxAttempts-1))
	}
	if rc.MaxWait != 0 && rc.MaxWait != scim.DefaultMaxRetryWait {
		args = append(args, "--max-retry-wait", rc.MaxWait.String())
	}
	return args
}
