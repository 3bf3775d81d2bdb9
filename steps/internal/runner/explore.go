package runner

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/scimcheck/scimcheck/steps"
	"github.com/scimcheck/scimcheck/steps/scim"
)

const exploreUsage = `Usage: scimcheck explore [flags]

Draws a random sequence of Okta admin actions (assign, profile pushes of first and last name,
userName and primary email, deactivate, unassign, reactivate, assign again, suspend and
unsuspend, which send nothing, Group Push: create, link by name, rename, membership changes,
Push Now, unlink, unlink and delete, import) with users and groups the vendor's app created
before provisioning mixed in, and sends each with exactly the requests Okta sends, the same
flows as the scenarios of "scimcheck run". It keeps a model of what Okta believes, and after
every action checks the app against it at okta grade: the id Okta stored, the attributes Okta
pushed, the active state, each pushed group's name and its members, each exactly once.
Deviations below okta grade are noted as findings, as "run" does, and tolerated.

On the first divergence it shrinks the sequence (drops actions, merges users and groups,
simplifies member lists) to a short one that still fails the same way, and writes it as a
feature file in scimcheck's step vocabulary, with the seed, the diagnosis and the transcript
of the shrunk run as comments. "scimcheck run --features FILE" replays it: commit it, and the
reproduction is a regression test in your CI. The same seed against the same behaviour draws
the same sequence and writes the same scenario.

Without --target it explores the bundled reference server in process (nothing diverges);
--quirk switches one of its deliberate defects on. Credentials, 429 handling, --max-rps and
run-scoped names work as for "scimcheck run": the secret comes from $SCIMCHECK_TOKEN or
--token-file and is never printed; what the exploration creates is namespaced by the run id
and deleted (or deactivated) afterwards.

Examples:
  scimcheck explore --quirk deactivated-user-hidden-from-filter        # watch it find a defect
  SCIMCHECK_TOKEN=s3cret scimcheck explore --target https://app.example.com/scim/v2 \
      --seed 42 --steps 300 --okta-mode aiw --max-rps 5 --out repro
  scimcheck explore --target … --actions assign,deactivate,reactivate,address --report out   # CI: junit.xml etc. of a divergence
  SCIMCHECK_TOKEN=s3cret scimcheck run --target … --features repro    # replay, e.g. in CI

Exit codes:
  0   no divergence in the whole sequence
  1   a divergence: the shrunk scenario was written (its path is printed)
  2   usage or configuration error; nothing was sent
  3   the target could not be reached or used (the probe), or scimcheck itself failed
  4   --deadline was reached; 130 interrupted
`

// ExploreOptions configure one exploration: the target as Options says (its selection,
// report and container fields are not used), and what to draw.
type ExploreOptions struct {
	Options
	// Steps is how many actions to draw; 0: steps.DefaultExploreSteps (also for --steps 0).
	Steps int
	// Actions are the kinds of action to draw (steps.ExploreActions); empty: all.
	Actions []string
	// OutDir is where the reproduction is written; empty: the current directory. Mode (in
	// Options) is oin or aiw; empty: oin.
	OutDir string
}

// exploreFlagGroups returns the sections of `scimcheck explore --help`.
func exploreFlagGroups() []flagGroup {
	return []flagGroup{
		{"target", "Target and credential",
			"SCIMCHECK_TOKEN=… scimcheck explore --target https://app.example.com/scim/v2 --auth header"},
		{"explore", "What to explore",
			"scimcheck explore --target … --seed 42 --steps 300 --okta-mode aiw --actions assign,deactivate,reactivate"},
		{"limits", "Rate and time limits",
			"scimcheck explore --target … --max-rps 5 --timeout 30s --deadline 30m"},
		{"replay", "The reproduction and the reference server",
			"scimcheck explore --quirk group-rename-ignored --out repro && scimcheck run --features repro --quirk group-rename-ignored"},
	}
}

// exploreFlagGroup names the group of every flag of `scimcheck explore`.
func exploreFlagGroup() map[string]string {
	g := map[string]string{"steps": "explore", "actions": "explore", "out": "replay", "report": "replay"}
	for name, group := range runFlagGroup() {
		if group == "target" || group == "limits" || group == "replay" {
			g[name] = group
		}
	}
	g["okta-mode"], g["batch-size"], g["seed"] = "explore", "explore", "explore"
	return g
}

// ExploreCommand runs `scimcheck explore` with args and returns the exit code (see Explore).
func ExploreCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("explore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {}
	var eo ExploreOptions
	shared := addTargetFlags(fs, &eo.Options)
	retry := addRetryFlags(fs, &eo.Options)
	fs.StringVar(&eo.Mode, "okta-mode", ModeOIN, "Okta integration `kind`: oin (PATCH) or aiw (PUT everywhere)")
	fs.IntVar(&eo.Steps, "steps", steps.DefaultExploreSteps, "`n` actions to draw")
	actions := fs.String("actions", "", "comma-separated `kinds` of action to draw (default all): "+strings.Join(steps.ExploreActions(), ", "))
	fs.StringVar(&eo.OutDir, "out", ".", "`dir` the reproduction is written to, as explore-<cause>-<mode>-seed<N>.feature")
	fs.StringVar(&eo.ReportDir, "report", "", "on a divergence, replay the reproduction once as `run --features` does and write its junit.xml, cucumber.json, summary.json and report.html to `dir`")
	fs.DurationVar(&eo.Deadline, "deadline", DefaultDeadline, "time `limit` of the exploration and its shrinking, from the probe on: then it stops and exits 4")
	if code, ok := parseFlags(fs, args, stdout, stderr, "explore", exploreUsage, exploreFlagGroups(), exploreFlagGroup()); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "scimcheck explore: unexpected argument %q (see --help)\n", fs.Arg(0))
		return ExitUsage
	}
	if err := retry.apply(&eo.Options); err != nil {
		return reportAs(stderr, "explore", err)
	}
	if err := shared.apply(&eo.Options); err != nil {
		fmt.Fprintf(stderr, "scimcheck explore: %v\n", err)
		return ExitUsage
	}
	if *actions != "" {
		for _, a := range strings.Split(*actions, ",") {
			eo.Actions = append(eo.Actions, strings.TrimSpace(a))
		}
	}
	return Explore(ctx, eo, stdout, stderr)
}

// check returns a *usageError when eo asks for what explore does not do; it creates the
// --report directory and clears the reports an earlier run left there.
func (eo ExploreOptions) check() error {
	if eo.Mode != ModeOIN && eo.Mode != ModeAIW {
		return usagef("--okta-mode %q: explore replays one kind of app at a time: want oin or aiw", eo.Mode)
	}
	if eo.Steps < 0 {
		return usagef("--steps %d: must not be negative", eo.Steps)
	}
	for _, a := range eo.Actions {
		if !slices.Contains(steps.ExploreActions(), a) {
			return usagef("--actions: unknown action %q: want some of %s", a, strings.Join(steps.ExploreActions(), ", "))
		}
	}
	if info, err := os.Stat(eo.OutDir); eo.OutDir != "" && (err != nil || !info.IsDir()) {
		return usagef("--out %s: not a directory", eo.OutDir)
	}
	// Before anything is sent, as run does: no stale reports for CI to read as this result.
	return prepareReportDir(eo.ReportDir)
}

// Explore explores the target of eo (the in-process reference server without a target),
// prints what it does, and on a divergence writes the shrunk scenario to eo.OutDir. It returns
// ExitPass (no divergence), ExitFail (a divergence, written), ExitUsage, ExitError (the probe
// failed, or a harness bug), ExitDeadline or ExitInterrupted. No output holds the credential.
func Explore(ctx context.Context, eo ExploreOptions, stdout, stderr io.Writer) int {
	if eo.Mode == "" {
		eo.Mode = ModeOIN
	}
	if eo.OutDir == "" {
		eo.OutDir = "."
	}
	if eo.Steps == 0 {
		eo.Steps = steps.DefaultExploreSteps
	}
	if err := eo.check(); err != nil {
		return reportAs(stderr, "explore", err)
	}
	o, err := eo.Options.withDefaults()
	if err != nil {
		return reportAs(stderr, "explore", err)
	}
	seed, runID := o.Seed, o.RunID
	if seed == 0 {
		seed = randomSeed()
	}
	if runID == "" {
		runID = randomRunID()
	}
	t, err := openTarget(ctx, o)
	if err != nil {
		return reportAs(stderr, "explore", err)
	}
	defer func() {
		if err := t.close(); err != nil {
			fmt.Fprintf(stderr, "scimcheck explore: stopping the target: %v\n", err)
		}
	}()
	cfg := clientConfig(o, t)
	client, err := scim.New(cfg)
	if err != nil {
		return reportAs(stderr, "explore", usagef("%v", err))
	}
	defer client.CloseIdleConnections()
	rd, err := newRedactor(o.Auth, t.secret)
	if err != nil {
		return reportAs(stderr, "explore", usagef("%v", err))
	}
	rd = append(rd, scim.NewRedactor(t.redact...))
	out, errw := &redactWriter{w: stdout, rd: rd}, &redactWriter{w: stderr, rd: rd}
	defer out.Flush()
	defer errw.Flush()

	ctx, cancel := context.WithTimeoutCause(ctx, o.Deadline, &errDeadline{limit: o.Deadline})
	defer cancel()
	fmt.Fprintf(out, "seed: %d\ntarget: %s\nrun id: %s; okta mode: %s; %d actions\n", seed, t.describe(o), runID, eo.Mode, eo.Steps)
	if err := probe(ctx, cfg, out); err != nil {
		return probeFailed(ctx, errw, "explore", err)
	}
	suite := &steps.Suite{Client: client, Seed: seed, RunID: runID, BatchSize: o.BatchSize, SetupWidth: o.Concurrency}
	start := time.Now()
	x, err := suite.Explore(ctx, steps.ExploreOptions{Steps: eo.Steps, AIW: eo.Mode == ModeAIW, Actions: eo.Actions,
		Progress: func(format string, args ...any) { fmt.Fprintf(out, "explore: "+format+"\n", args...) }})
	if err != nil {
		if why := stopReason(ctx); why != "" {
			fmt.Fprintf(errw, "scimcheck explore: %s: %v\n", why, err)
			if errors.As(context.Cause(ctx), new(*errDeadline)) {
				return ExitDeadline
			}
			return ExitInterrupted
		}
		return reportAs(errw, "explore", err)
	}
	for _, f := range suite.Findings() {
		fmt.Fprintf(out, "finding (%s, tolerated as Okta does): %s ×%d\n", f.Failure.Grade, f.Failure.Key(), f.Seen)
	}
	for _, n := range x.Cleanup {
		fmt.Fprintf(errw, "scimcheck explore: cleanup: %s\n", n)
	}
	d := x.Divergence
	if d == nil {
		fmt.Fprintf(out, "no divergence: after each of %d actions the app held what Okta believes (%d requests in %s)\n",
			x.Actions, suite.Requests(), time.Since(start).Round(time.Millisecond))
		return ExitPass
	}
	file := filepath.Join(eo.OutDir, x.FeatureName())
	if err := os.WriteFile(file, rd.Bytes(x.Feature(exploreCommandLine(eo, seed))), 0o644); err != nil {
		return reportAs(errw, "explore", fmt.Errorf("write the reproduction: %w", err))
	}
	fmt.Fprintf(out, "\ndivergence after action %d: %s\nshrunk to %d steps in %d runs (%s):\n\n", d.Found, d.Diagnosis, len(d.Steps),
		d.ShrinkRuns, d.ShrinkTime.Round(time.Millisecond))
	for _, s := range d.Scenario() {
		fmt.Fprintf(out, "    %s\n", s)
	}
	if d.Stopped != "" {
		fmt.Fprintf(out, "\nshrinking stopped early, so a shorter sequence may exist: %s\n", d.Stopped)
	}
	fmt.Fprintf(out, "\n%s\n\nwrote %s; replay it with: scimcheck run --features %s%s\n", d.Message, file, file, replayTarget(eo))
	if eo.ReportDir != "" {
		replayReports(ctx, eo, file, out, errw)
	}
	return ExitFail
}

// replayReports runs the reproduction file once more, as `scimcheck run --features file
// --report eo.ReportDir` against the same target would, so that a divergence has the reports
// of a run: junit.xml, cucumber.json, summary.json and report.html. It prints where they are
// and what the replay found; its table goes nowhere (the exploration printed the failure).
func replayReports(ctx context.Context, eo ExploreOptions, file string, out, errw io.Writer) {
	ro := eo.Options
	ro.FeatureDirs, ro.Formats, ro.Mode, ro.Tags, ro.Name = []string{file}, nil, ModeBoth, "", ""
	ro.Seed, ro.RunID = 0, "" // a fresh run: its own data and names, as the printed replay has
	ro.Deadline = 0
	if dl, ok := ctx.Deadline(); ok {
		ro.Deadline = max(time.Until(dl), time.Second)
	}
	switch code := Run(ctx, ro, io.Discard, errw); code {
	case ExitFail:
		fmt.Fprintf(out, "reports of the replayed reproduction (it fails again, as it should): %s\n", eo.ReportDir)
	case ExitPass:
		fmt.Fprintf(out, "reports of the replayed reproduction: %s; the replay passed, so the divergence did not reproduce (a flaky target?)\n", eo.ReportDir)
	default:
		fmt.Fprintf(out, "reports of the replayed reproduction: %s (the replay ended with exit code %d; see above)\n", eo.ReportDir, code)
	}
}

// exploreCommandLine returns the command that draws the same sequence, for the feature file.
func exploreCommandLine(eo ExploreOptions, seed int64) string {
	args := []string{"scimcheck", "explore", "--seed", strconv.FormatInt(seed, 10), "--okta-mode", eo.Mode}
	if eo.Steps != steps.DefaultExploreSteps {
		args = append(args, "--steps", strconv.Itoa(eo.Steps))
	}
	if len(eo.Actions) > 0 {
		args = append(args, "--actions", strings.Join(eo.Actions, ","))
	}
	for _, q := range eo.Quirks {
		args = append(args, "--quirk", q)
	}
	if eo.Target != "" {
		args = append(args, "--target", eo.Target)
	}
	return strings.Join(args, " ")
}

// replayTarget returns the flags that point the replay at the same target.
func replayTarget(eo ExploreOptions) string {
	switch {
	case eo.Target != "":
		return " --target " + eo.Target
	case len(eo.Quirks) > 0:
		return " --quirk " + strings.Join(eo.Quirks, " --quirk ")
	}
	return ""
}
