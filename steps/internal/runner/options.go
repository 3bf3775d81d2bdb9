// Package runner is the scimcheck application: the run, list, steps and explore commands. It
// is internal: main is its one user, and nothing here is a public API. It selects scenarios
// from the embedded Okta features (or --features), points the step definitions of package
// steps at a target (by default the reference server, started in process), runs them with
// godog, and reports a capability table, transcripts and an exit code that keeps a failing
// target, an unusable configuration, an unreachable target and a harness bug apart.
//
// Command parses flags for the CLI; Run is the same run for main's other commands and tests.
// The files go by job: flags.go, reportflags.go, container_flags.go and usage.go the command
// lines; select.go, tagexpr.go and features.go which scenarios; target.go and container.go what
// is tested; outcome.go (each scenario's steps.Result), verdict.go, waivers.go and tally.go
// what became of each scenario; table.go, report.go, trace.go, redact.go, rerun.go and progress.go the outputs;
// list.go and explore.go the other commands.
package runner

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"strings"
	"time"

	"github.com/cucumber/godog"

	"github.com/scimcheck/scimcheck/reference"
	"github.com/scimcheck/scimcheck/steps/expect"
	"github.com/scimcheck/scimcheck/steps/scim"
)

// Exit codes of Run, Command and List.
const (
	// ExitPass: every selected scenario passed.
	ExitPass = 0
	// ExitFail: at least one scenario failed: the target does not behave as Okta needs.
	ExitFail = 1
	// ExitUsage: a usage or configuration error; nothing was sent to the target.
	ExitUsage = 2
	// ExitError: the target could not be reached, or scimcheck itself failed (a harness bug).
	ExitError = 3
	// ExitDeadline: the run reached Options.Deadline (--deadline) before every scenario ran;
	// the reports say what ran.
	ExitDeadline = 4
	// ExitInterrupted: the run was stopped (SIGINT, SIGTERM, or the context ended).
	ExitInterrupted = 130
)

// Okta integration modes for Options.Mode (okta-wire §0).
const (
	// ModeBoth runs the scenarios of both integration kinds.
	ModeBoth = "both"
	// ModeOIN runs what an OIN-template app sends (PATCH for activation and groups): it
	// leaves out scenarios tagged @aiw.
	ModeOIN = "oin"
	// ModeAIW runs what an App Integration Wizard app sends (PUT everywhere): it leaves out
	// scenarios tagged @oin.
	ModeAIW = "aiw"
)

// Defaults applied by Run to zero Options fields.
const (
	DefaultConcurrency = 8
	DefaultBatchSize   = 100
	DefaultFormat      = "progress"
	// DefaultDeadline bounds a whole run, so that unattended CI never hangs on a target
	// that stalls: a full Okta run takes seconds against a server nearby, a minute or two
	// against a slow, rate-limited tenant.
	DefaultDeadline = 15 * time.Minute
	// DefaultScenarioTimeout bounds one scenario: the longest sends about 500 requests.
	DefaultScenarioTimeout = 2 * time.Minute
)

// Options configure one run. The zero value of every field means its default, so
// Options{} runs every scenario against the in-process reference server.
type Options struct {
	// Target is the SCIM base URL of the server under test, e.g.
	// "https://app.example.com/scim/v2". Empty starts the reference server in process on a
	// loopback port and runs against it.
	Target string
	// Token is the secret sent as Auth says: the API token, or "user:password" for basic.
	// Required with Target. Without Target the in-process server accepts it; empty means a
	// random one.
	Token string
	// TokenFile is where Token came from, if a file: only used to print rerun commands.
	TokenFile string
	// Auth is how the token is sent: bearer (default), header or basic (okta-wire §1.3).
	Auth scim.AuthMode
	// Mode selects the Okta integration kind: both (default), oin or aiw.
	Mode string
	// FeatureDirs replace scimcheck's own features with the .feature files under these
	// directories (or these files), for --features: a reproduction written by `scimcheck
	// explore`, or a vendor's own scenarios, in scimcheck's step vocabulary (`scimcheck steps`).
	// A step no definition matches is a usage error naming the closest known step.
	FeatureDirs []string
	// Tags is a godog tag expression ("@push-users && ~@optional, @import"), combined with
	// the Mode filter.
	Tags string
	// Name is a regular expression a scenario name must match.
	Name string
	// Formats are godog formatters: "pretty", "progress", "junit:FILE", "cucumber:FILE"
	// (and "pretty:FILE", "progress:FILE"). At most one writes to stdout. Default
	// DefaultFormat.
	Formats []string
	// Color lets the console formatter use ANSI colours.
	Color bool
	// TraceDir receives one shell script of curl commands per scenario; "-" prints them to
	// stdout; empty writes none.
	TraceDir string
	// Seed derives all generated data; 0 picks a random one. Run always prints it.
	Seed int64
	// RunID namespaces what the run creates on the target; empty picks a random one.
	RunID string
	// Timeout bounds each request. Default scim.DefaultTimeout (Okta's 60 seconds).
	Timeout time.Duration
	// Deadline bounds the run, from the probe to the last scenario: then the scenarios still
	// running are interrupted, the rest are not run, the reports are written and Run returns
	// ExitDeadline. Default DefaultDeadline.
	Deadline time.Duration
	// ScenarioTimeout bounds each scenario: a request still unanswered then fails it ("no
	// answer within …"), and the run goes on. Default DefaultScenarioTimeout.
	ScenarioTimeout time.Duration
	// Concurrency is how many scenarios run at once. Default DefaultConcurrency.
	Concurrency int
	// Insecure skips TLS certificate verification.
	Insecure bool
	// CAFile is a PEM file of extra CA certificates.
	CAFile string
	// BatchSize is the most membership changes in one group PATCH. Default DefaultBatchSize.
	BatchSize int
	// MaxRPS caps the client's request rate; 0 means no cap.
	MaxRPS float64
	// MaxBody caps how many response bytes the client keeps. Default scim.DefaultMaxBody.
	MaxBody int64
	// ServerLog is a file for the in-process server's request log (never a credential).
	// Empty discards it.
	ServerLog string
	// Quirks switch deliberate defects on in the in-process server (see `scimcheck quirks`).
	Quirks []string
	// Container starts the target (the server under test, or the reference server) in a
	// Docker container for the run and removes it afterwards (see container.go).
	Container ContainerOptions
	// ReportDir receives junit.xml, cucumber.json, summary.json and report.html (report.go);
	// empty writes none.
	ReportDir string
	// ExpectedFailures is a JSON or YAML file of scenarios known to fail, each with a reason
	// (waivers.go): they are "waived" and do not fail the run. Empty: none.
	ExpectedFailures string
	// StrictWaivers fails the run when an ExpectedFailures entry passed or names no scenario.
	StrictWaivers bool
	// FailOn is the least grade of failure that fails the run (exit code 1): "okta", "review"
	// (the default) or "rfc". A scenario blocked by an okta-grade cause fails it at any grade.
	FailOn string
	// Retry429 says how requests answered 429 are retried (MaxAttempts 1: never); zero fields
	// mean scim's defaults.
	Retry429 scim.Retry429

	// features replaces the embedded features (tests).
	features fs.FS
	// godogFormats are given to godog as they are, after Formats (tests: godog's own cucumber
	// formatter, which cucumber:FILE no longer reaches).
	godogFormats []string
	// scenarioHook runs after the suite registered its steps for each scenario (tests).
	scenarioHook func(sc *godog.ScenarioContext)
	// onExchange, when set, also receives every exchange as the Suite's Recorder does
	// (benchmarks: the critical path).
	onExchange func(scenarioID string, ex *scim.Exchange)
	// isTerminal replaces the check for a terminal that turns the progress line on (tests).
	isTerminal func(io.Writer) bool
	// sleep replaces the client's waits between 429 retries and for MaxRPS (tests).
	sleep func(ctx context.Context, d time.Duration) error

	// engine stands in for the Docker engine in tests; nil is the real one.
	engine *engine
}

// usageError is a usage or configuration error: Run returns ExitUsage for it.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// usagef returns a *usageError.
func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// runIDPattern is what a run id may look like: it ends up in user and group names.
var runIDPattern = regexp.MustCompile(`^[A-Za-z0-9]{1,16}$`)

// withDefaults returns o with its defaults applied, or a *usageError saying what is wrong.
func (o Options) withDefaults() (Options, error) {
	if o.Mode == "" {
		o.Mode = ModeBoth
	}
	switch o.Mode {
	case ModeBoth, ModeOIN, ModeAIW:
	default:
		return o, usagef("--okta-mode %q: want oin, aiw or both", o.Mode)
	}
	if o.Auth == "" {
		o.Auth = scim.AuthBearer
	}
	if o.FailOn == "" {
		o.FailOn = string(expect.GradeReview)
	}
	if len(o.FeatureDirs) > 0 && o.features == nil {
		fsys, err := featuresFrom(o.FeatureDirs)
		if err != nil {
			return o, err
		}
		if err := checkSteps(fsys); err != nil {
			return o, err
		}
		o.features = fsys
	}
	if _, err := expect.ParseGrade(o.FailOn); err != nil {
		return o, usagef("--fail-on %q: want okta (Okta's runtime breaks), review (Okta's OIN review rejects it) or rfc (the RFC requires it)", o.FailOn)
	}
	switch o.Auth {
	case scim.AuthBearer, scim.AuthHeader:
	case scim.AuthBasic:
		if o.Token != "" && !strings.Contains(o.Token, ":") {
			return o, usagef("--auth basic takes the secret as user:password; the token has no colon")
		}
	default:
		return o, usagef("--auth %q: want bearer, header or basic", o.Auth)
	}
	if err := o.Container.check(o); err != nil {
		return o, err
	}
	if o.Target != "" && o.Token == "" {
		return o, usagef("--target needs a credential: set SCIMCHECK_TOKEN=<token> or pass --token-file FILE " +
			"(for --auth basic the secret is user:password); scimcheck never takes it on the command line")
	}
	if o.Target != "" && len(o.Quirks) > 0 {
		return o, usagef("--quirk switches defects on in the in-process reference server; it cannot be combined with --target")
	}
	if o.Target != "" && o.ServerLog != "" {
		return o, usagef("--server-log is the in-process reference server's log; it cannot be combined with --target")
	}
	if _, err := reference.ParseQuirks(o.Quirks); err != nil {
		return o, usagef("--quirk: %v (see `scimcheck quirks`)", err)
	}
	if len(o.Formats) == 0 {
		o.Formats = []string{DefaultFormat}
	}
	o, err := o.withReportDefaults() // report.go
	if err != nil {
		return o, err
	}
	if err := checkFormats(o.Formats); err != nil {
		return o, err
	}
	if o.Timeout < 0 || o.Concurrency < 0 || o.BatchSize < 0 || o.MaxRPS < 0 || o.MaxBody < 0 || o.Deadline < 0 || o.ScenarioTimeout < 0 {
		return o, usagef("--timeout, --deadline, --scenario-timeout, --concurrency, --batch-size and --max-rps must not be negative")
	}
	if o.Deadline == 0 {
		o.Deadline = DefaultDeadline
	}
	if o.ScenarioTimeout == 0 {
		o.ScenarioTimeout = DefaultScenarioTimeout
	}
	if o.Timeout == 0 {
		o.Timeout = scim.DefaultTimeout
	}
	if o.Concurrency == 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.BatchSize == 0 {
		o.BatchSize = DefaultBatchSize
	}
	if o.MaxBody == 0 {
		o.MaxBody = scim.DefaultMaxBody
	}
	if o.RunID != "" && !runIDPattern.MatchString(o.RunID) {
		return o, usagef("--run-id %q: want 1 to 16 letters and digits", o.RunID)
	}
	return o, nil
}

// checkFormats returns a *usageError unless every format is a formatter scimcheck offers and
// at most one of them writes to stdout.
func checkFormats(formats []string) error {
	console := 0
	for _, f := range formats {
		name, file, hasFile := strings.Cut(f, ":")
		switch name {
		case "pretty", "progress":
		case "junit", "cucumber":
			if !hasFile {
				return usagef("--format %s needs a file: --format %s:FILE", name, name)
			}
		default:
			return usagef("--format %q: want pretty, progress, junit:FILE or cucumber:FILE", f)
		}
		if hasFile && file == "" {
			return usagef("--format %q: the file name is empty", f)
		}
		if hasFile && strings.ContainsAny(file, ",") {
			return usagef("--format %q: the file name must not contain a comma", f)
		}
		if !hasFile {
			console++
		}
	}
	if console > 1 {
		return usagef("--format: at most one of pretty and progress can write to stdout; give the other a file (pretty:FILE)")
	}
	return nil
}
