package runner

import (
	"context"
	crand "crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/cucumber/godog"
	"github.com/cucumber/godog/colors"

	"github.com/scimcheck/scimcheck/steps"
	"github.com/scimcheck/scimcheck/steps/scim"
)

// run is the state of one Run.
type run struct {
	opts     Options
	seed     int64
	runID    string
	target   *target
	cfg      scim.Config
	client   *scim.Client
	rd       redactor
	cat      *catalogue
	selected []*scenario
	byPickle map[string]*scenario     // godog pickle id → selected scenario
	cucumber map[string]*cucumberSink // cucumber:FILE → what its writer reported (cucumber.go)
	rec      *recorder
	suite    *steps.Suite
	started  time.Time     // when the first scenario could start
	elapsed  time.Duration // from started to the end of the last scenario
	rep      reporting     // reports, waivers and the progress line (report.go)
	// crash is a panic that escaped godog: a harness bug.
	crash string
	// stop says why the run stopped early ("the run was interrupted", "the run reached its
	// --deadline of 15m0s"); "" when it ran to the end.
	stop string
}

// Run runs the scenarios o selects against o.Target (or the in-process reference server),
// prints godog's output, the capability table and the rerun commands of failed scenarios to
// stdout, and problems with the configuration or the target to stderr. It returns the exit
// code: ExitPass, ExitFail, ExitUsage (nothing was sent), ExitError (the target gave no HTTP
// answer to the probe, or scimcheck itself failed) or ExitInterrupted (ctx ended).
//
// No output, report file, transcript or server log holds the credential.
func Run(ctx context.Context, o Options, stdout, stderr io.Writer) int {
	code, _ := runOnce(ctx, o, stdout, stderr)
	return code
}

// runOnce is Run, also returning the run's state (nil when it stopped before the target was
// opened) for tests and benchmarks.
func runOnce(ctx context.Context, o Options, stdout, stderr io.Writer) (int, *run) {
	o, err := o.withDefaults()
	if err != nil {
		return report(stderr, err), nil
	}
	r := &run{opts: o}
	if r.cat, err = loadCatalogue(o.features); err != nil {
		return report(stderr, fmt.Errorf("scimcheck's own features: %w", err)), nil
	}
	sel, err := newSelector(o.Mode, o.Tags, o.Name)
	if err != nil {
		return report(stderr, err), nil
	}
	if r.selected, err = sel.apply(r.cat); err != nil {
		return report(stderr, err), nil
	}
	if err := r.prepareReport(); err != nil {
		return report(stderr, err), nil
	}
	if err := prepareOutputs(o); err != nil {
		return report(stderr, err), nil
	}
	defer func() {
		if r.suite == nil { // nothing ran: leave no empty report for CI to read as a result
			removeReports(o)
		}
	}()
	if r.seed = o.Seed; r.seed == 0 {
		r.seed = randomSeed()
	}
	if r.runID = o.RunID; r.runID == "" {
		r.runID = randomRunID()
	}

	if r.target, err = openTarget(ctx, o); err != nil {
		if ctx.Err() != nil { // e.g. Ctrl-C while a container started; it is removed already
			fmt.Fprintf(stderr, "scimcheck run: interrupted while starting the target: %v\n", err)
			return ExitInterrupted, nil
		}
		return report(stderr, err), nil
	}
	defer func() {
		if err := r.target.close(); err != nil {
			fmt.Fprintf(stderr, "scimcheck run: stopping the target: %v\n", err)
		}
	}()
	r.cfg = clientConfig(o, r.target)
	r.client, err = scim.New(r.cfg)
	if err != nil {
		return report(stderr, usagef("%v", err)), nil
	}
	defer r.client.CloseIdleConnections() // before the target closes: it waits for them
	if r.rd, err = newRedactor(o.Auth, r.target.secret); err != nil {
		return report(stderr, usagef("%v", err)), nil
	}
	r.rd = append(r.rd, scim.NewRedactor(r.target.redact...))
	stdout, stderr = r.startProgress(stdout, stderr) // progress.go
	out := &redactWriter{w: stdout, rd: r.rd}
	errw := &redactWriter{w: stderr, rd: r.rd}
	defer out.Flush()
	defer errw.Flush()
	return r.execute(ctx, out, errw), r
}

// errDeadline is the cause of the run's context ending at Options.Deadline.
type errDeadline struct{ limit time.Duration }

func (e *errDeadline) Error() string {
	return fmt.Sprintf("the run reached its --deadline of %s", e.limit)
}

// stopReason returns why ctx ended, for "not run: …"; "" while it has not.
func stopReason(ctx context.Context) string {
	if ctx.Err() == nil {
		return ""
	}
	var dl *errDeadline
	if errors.As(context.Cause(ctx), &dl) {
		return dl.Error()
	}
	return "the run was interrupted"
}

// execute probes the target, runs the selection and reports, within o.Deadline. out and errw
// redact.
func (r *run) execute(ctx context.Context, out, errw io.Writer) int {
	o := r.opts
	ctx, cancel := context.WithTimeoutCause(ctx, o.Deadline, &errDeadline{limit: o.Deadline})
	defer cancel()
	fmt.Fprintf(out, "seed: %d\n", r.seed)
	fmt.Fprintf(out, "target: %s\n", r.target.describe(o))
	fmt.Fprintf(out, "run id: %s; okta mode: %s; %d of %d scenarios selected\n", r.runID, o.Mode, len(r.selected), len(r.cat.scenarios))
	if err := probe(ctx, r.cfg, out); err != nil {
		return probeFailed(ctx, errw, "run", err)
	}

	defer func() {
		if r.rec != nil {
			r.rec.discard()
		}
	}()
	r.started = time.Now()
	status, err := r.runGodog(ctx, out)
	if r.elapsed == 0 { // godog ended without running its AfterSuite hook
		r.elapsed = time.Since(r.started)
	}
	r.stop = stopReason(ctx)
	r.rep.progress.stop()
	if err != nil {
		return report(errw, err)
	}
	// godog's report files are cleaned while scimcheck writes its own: the two only meet in
	// the report directory.
	formatErrs := make(chan []string, 1)
	go func() { formatErrs <- r.cleanFormatFiles() }()
	if err := r.writeTraces(out); err != nil {
		fmt.Fprintf(errw, "scimcheck run: %v\n", err)
	}
	tally := r.writeReport(out, errw)
	code := r.exitCode(ctx, status, tally, errw) // waivers.go
	code = r.writeReports(code, out, errw)       // report.go
	for _, e := range <-formatErrs {
		fmt.Fprintln(errw, e)
	}
	if code == ExitPass && r.target.inProcess {
		fmt.Fprintln(out, "\nnext: point it at your own server: SCIMCHECK_TOKEN='<the token Okta would send>' "+
			"scimcheck run --target https://your-server.example.com/scim/v2 (or --image your/server:tag; see scimcheck run --help)")
	}
	return code
}

// scenariosEnded runs when the last scenario has ended, before godog writes its summaries
// (cucumber.json takes it milliseconds): the run's time is taken, and with --report the files
// start rendering from the summary as it stands, for the exit code the run is heading for.
// writeReports keeps them if the summary is still the same once godog is done.
func (r *run) scenariosEnded(ctx context.Context) {
	r.elapsed = time.Since(r.started)
	if r.opts.ReportDir == "" {
		return
	}
	r.stop = stopReason(ctx)
	_, _, total := r.tallies()
	code, _ := r.exitCodeOf(ctx, 0, total)
	r.rep.early = r.renderReports(r.summary(code))
}

// cleanFormatFiles redacts the files godog wrote for --format NAME:FILE and takes the
// colours off pretty and progress files, and returns what went wrong, one line each, with
// what went wrong writing the files of --format cucumber:FILE, which are redacted as they
// are written (cucumber.go; writeReports reports --report's cucumber.json).
func (r *run) cleanFormatFiles() []string {
	var errs []string
	for _, f := range r.opts.Formats {
		if name, file, ok := strings.Cut(f, ":"); ok {
			var err error
			if sink := r.cucumber[file]; name == "cucumber" && sink != nil {
				if r.opts.ReportDir != "" && file == filepath.Join(r.opts.ReportDir, reportCucumber) {
					continue // writeReports reports it
				}
				err = sink.err
			} else {
				err = redactFile(file, r.rd, !r.opts.Color && (name == "pretty" || name == "progress"))
			}
			if err != nil {
				errs = append(errs, fmt.Sprintf("scimcheck run: --format %s: %v", name, err))
			}
		}
	}
	return errs
}

// describe returns what t is, for the "target:" line: its URL, and what runs there.
func (t *target) describe(o Options) string {
	where := t.url + t.note
	if t.inProcess {
		where += " (the reference server, in process)"
		if len(o.Quirks) > 0 {
			where += " with quirks " + strings.Join(o.Quirks, ", ")
		}
	}
	return where
}

// clientConfig returns the configuration of the client that talks to t as o says.
func clientConfig(o Options, t *target) scim.Config {
	return scim.Config{
		BaseURL: t.url, Auth: o.Auth, Secret: t.secret, Timeout: o.Timeout,
		Insecure: o.Insecure, CAFile: o.CAFile, MaxRPS: o.MaxRPS, MaxBody: o.MaxBody,
		Retry429: o.Retry429, Sleep: o.sleep,
	}
}

// probeFailed reports the error of probe as `scimcheck <cmd>` to errw and returns the exit
// code: ExitError for a target that cannot be reached or used, ExitDeadline or
// ExitInterrupted when ctx ended, else ExitError for a harness bug.
func probeFailed(ctx context.Context, errw io.Writer, cmd string, err error) int {
	var ue *unreachableError
	if errors.As(err, &ue) {
		fmt.Fprintf(errw, "scimcheck %s: %v\nnothing was run. The probe, to try by hand:\n%s", cmd, ue, ue.curl)
		return ExitError
	}
	var un *unusableError
	if errors.As(err, &un) {
		fmt.Fprintf(errw, "scimcheck %s: %v\nnothing was run: no scenario can pass against this answer (exit code 3). The probe, to try by hand:\n%s", cmd, un, un.curl)
		return ExitError
	}
	if why := stopReason(ctx); why != "" {
		fmt.Fprintf(errw, "scimcheck %s: %s while probing the target: %v\n", cmd, why, err)
		if errors.As(context.Cause(ctx), new(*errDeadline)) {
			return ExitDeadline
		}
		return ExitInterrupted
	}
	return reportAs(errw, cmd, fmt.Errorf("scimcheck bug: probing the target: %w", err))
}

// runGodog runs the selected scenarios with godog and returns its status. A panic that
// escapes godog is recorded in r.crash. Errors: the selection could not be handed to godog
// (a harness bug).
func (r *run) runGodog(ctx context.Context, out io.Writer) (status int, err error) {
	o := r.opts
	fsys := r.cat.selectedFS()
	byPickle, err := pickleIDs(fsys, r.selected)
	if err != nil {
		return 0, fmt.Errorf("scimcheck bug: %w", err)
	}
	r.byPickle = byPickle
	r.suite = &steps.Suite{Client: r.client, Seed: r.seed, RunID: r.runID, BatchSize: o.BatchSize, SetupWidth: o.Concurrency,
		ScenarioTimeout: o.ScenarioTimeout, Features: fsys, Stopped: func() string { return stopReason(ctx) }, Hooks: o.scenarioHook}
	if r.rec, err = r.newRecorder(); err != nil {
		return 0, err
	}
	if r.rec.render != nil || r.rec.partDir != "" {
		r.suite.Recorder = r.rec.record
	}
	if o.onExchange != nil {
		keep := r.suite.Recorder
		r.suite.Recorder = func(scenarioID string, ex *scim.Exchange) {
			if keep != nil {
				keep(scenarioID, ex)
			}
			o.onExchange(scenarioID, ex)
		}
	}
	defer func() {
		if p := recover(); p != nil {
			r.crash = fmt.Sprintf("panic: %v\n%s", p, debug.Stack())
			status = 1
		}
	}()
	// godog takes the colours off with a writer that writes one character per system call, to
	// the report files too; so godog writes colours, and they come off the console here and
	// off pretty:FILE and progress:FILE when the run ends (execute).
	godogOut := &failedStepsFilter{w: out} // godogout.go: each failure is printed once, by scimcheck
	var console io.Writer = godogOut
	if !o.Color {
		console = colors.Uncolored(godogOut)
	}
	formats, sinks, release := cucumberFormats(o.Formats, r.rd.net())
	formats = append(formats, o.godogFormats...)
	defer release()
	r.cucumber = sinks
	ts := godog.TestSuite{
		Name: "scimcheck",
		TestSuiteInitializer: func(tc *godog.TestSuiteContext) {
			tc.AfterSuite(func() { r.scenariosEnded(ctx) })
		},
		ScenarioInitializer: func(sc *godog.ScenarioContext) {
			r.suite.InitializeScenario(sc) // the Suite records each scenario's Result, after o.scenarioHook
			r.registerReportHooks(sc)      // report.go
		},
		Options: &godog.Options{
			FS:             fsys,
			Paths:          []string{featureDir},
			Format:         strings.Join(formats, ","),
			Output:         console,
			NoColors:       false,
			Concurrency:    o.Concurrency,
			Strict:         true,
			DefaultContext: ctx,
		},
	}
	status = ts.Run()
	return status, godogOut.Flush()
}

// prepareOutputs creates the report files and the trace directory of o, so that a path that
// cannot be written is a usage error before anything runs. Errors: *usageError.
func prepareOutputs(o Options) error {
	for _, f := range o.Formats {
		if name, file, ok := strings.Cut(f, ":"); ok {
			fh, err := os.Create(file)
			if err != nil {
				return usagef("--format %s: %v", name, err)
			}
			fh.Close()
		}
	}
	if o.TraceDir != "" && o.TraceDir != "-" {
		if err := os.MkdirAll(o.TraceDir, 0o755); err != nil {
			return usagef("--trace-dir: %v", err)
		}
	}
	return nil
}

// removeReports removes the report files prepareOutputs created.
func removeReports(o Options) {
	for _, f := range o.Formats {
		if _, file, ok := strings.Cut(f, ":"); ok {
			_ = os.Remove(file)
		}
	}
}

// report prints err to w as `scimcheck run` and returns its exit code (see reportAs).
func report(w io.Writer, err error) int { return reportAs(w, "run", err) }

// reportAs prints err to w as `scimcheck <cmd>` and returns its exit code: ExitUsage for a
// *usageError, else ExitError.
func reportAs(w io.Writer, cmd string, err error) int {
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(w, "scimcheck %s: %v\n(scimcheck %s --help explains every flag)\n", cmd, err, cmd)
		return ExitUsage
	}
	fmt.Fprintf(w, "scimcheck %s: %v\n", cmd, err)
	return ExitError
}

// randomSeed returns a random non-zero seed.
func randomSeed() int64 {
	var b [8]byte
	for {
		_, _ = crand.Read(b[:])
		if s := int64(binary.LittleEndian.Uint64(b[:]) >> 1); s != 0 {
			return s
		}
	}
}

// randomRunID returns "sc" and four random base-36 characters, e.g. "scn4k2".
func randomRunID() string {
	const digits = "0123456789abcdefghijklmnopqrstuvwxyz"
	var b [4]byte
	_, _ = crand.Read(b[:])
	id := []byte("sc")
	for _, c := range b {
		id = append(id, digits[int(c)%len(digits)])
	}
	return string(id)
}

// memoryLimit is the soft limit SoftMemoryLimit sets: a run keeps what its reports show,
// well under it, and the collector works harder near it instead of letting garbage double
// the heap.
const memoryLimit = 128 << 20

// SoftMemoryLimit sets the Go runtime's soft memory limit to 128 MiB unless $GOMEMLIMIT
// chose one: the scimcheck command calls it once at start.
func SoftMemoryLimit() {
	if _, ok := os.LookupEnv("GOMEMLIMIT"); !ok {
		debug.SetMemoryLimit(memoryLimit)
	}
}
