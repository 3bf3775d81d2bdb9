package runner

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/scimcheck/scimcheck/reference/server"
	"github.com/scimcheck/scimcheck/steps/scim"
)

const runUsage = `Usage: scimcheck [run] [flags]

Replays what Okta's provisioning engine sends to a SCIM 2.0 server (create, update,
deactivate, reactivate and push users, push groups, import, Okta's spec test) and checks
every answer the way Okta reads it. It ends with a capability table (pass / FAIL / skip, with
the reason for each skip) and, for every failed scenario, the command that reruns just it.

Without --target it starts the bundled reference server in process, on a loopback port with a
random token, and runs against that: every scenario passes there.

Credentials: the secret is read from $SCIMCHECK_TOKEN, or from the file named by --token-file;
never from the command line. --auth says how it is sent (okta-wire §1.3):
  bearer   Authorization: Bearer <token>      (OIN "Bearer", "OAuth Bearer Token")
  header   Authorization: <token>, verbatim   (OIN "Header Auth")
  basic    Authorization: Basic base64(<user:password>); the secret is "user:password"
The secret never appears in any output, report, transcript or log (as "[REDACTED]", or as
$SCIMCHECK_TOKEN in curl commands).

Examples:
  scimcheck                                         # everything, against the reference server
  scimcheck run --quirk deactivated-user-404        # watch a known defect fail
  SCIMCHECK_TOKEN=s3cret scimcheck serve --addr 127.0.0.1:8080 &
  SCIMCHECK_TOKEN=s3cret scimcheck run --target http://127.0.0.1:8080/scim/v2
  scimcheck run --target https://app.example.com/scim/v2 --token-file ~/.okta-scim-token \
      --okta-mode oin --tags '@push-users,@deactivate-users' --format junit:report.xml
  scimcheck run --target … --name 'deactivates' --seed 42 --trace-dir -   # one capability, replayable
  scimcheck list --okta-mode aiw                    # what would run

Containers (Docker; testcontainers-go): --image or --dockerfile starts the server under test
in a container, waits until it answers HTTP on --container-port, runs against its port as
published on 127.0.0.1, and removes the container afterwards, also after a failure or Ctrl-C.
The credential still comes from $SCIMCHECK_TOKEN or --token-file; hand it to the container
with --container-token-env NAME (sets $NAME in it, never printed; a random credential when
none is set), or with --container-env. --container-env values are never printed; rerun
commands name the variable only (--container-env NAME passes on your own $NAME).
--reference-container runs the bundled reference server in a container instead of in process
(its image is built locally FROM scratch; nothing is pulled). No Docker engine, or a container
that does not start or answer within --container-startup-timeout: exit 3.
  scimcheck run --reference-container --quirk internal-error
  SCIMCHECK_TOKEN=s3cret scimcheck run --image acme/scim:1.4 --container-port 3000 \
      --base-path /api/scim/v2 --container-token-env API_TOKEN --container-env LOG_LEVEL=debug
  scimcheck run --dockerfile ./server --container-token-env SCIM_TOKEN --container-env DB_PASSWORD
  scimcheck run --image scimcheck --container-cmd 'serve --addr 0.0.0.0:8080' --container-token-env SCIMCHECK_TOKEN

Reports and CI gating: --report DIR writes junit.xml, cucumber.json, summary.json (a stable,
versioned schema) and report.html (one self-contained page to hand over). --expected-failures
FILE lists known failures, [{"name": "<scenario>", "reason": "<why>"}] in JSON or YAML: they
show as "waived" and do not fail the run; entries whose scenario passed (stale) or that name
no scenario are printed, and fail the run with --strict-waivers. On a terminal a progress
line on stderr says which scenario runs.
  scimcheck run --target … --report out --expected-failures waivers.json

Exit codes:
  0   every selected scenario passed (skips are listed in the table, not failed)
  1   at least one scenario failed: the target does not behave as Okta needs
  2   usage or configuration error; nothing was sent
  3   the target could not be reached (no HTTP answer to GET /ServiceProviderConfig), or its
      answers prove that no scenario can pass: GET /Users?startIndex=1&count=1 is refused
      (401, 403), not found (404), redirected, or not JSON (a sign-in page); nothing is run
      and the hint is printed (a 429 or 500 is an answer the scenarios judge); or scimcheck
      itself failed (a panic in a step, a step without a definition: a harness bug)
  4   the run reached --deadline (default 15m) before every scenario ran: the scenarios
      running then are "interrupted", the rest "not run" (neither counts as failed); the
      reports are written, with result "deadline"
  130 interrupted (SIGINT or SIGTERM): as for 4, with result "interrupted"

Time limits: --timeout bounds one request (60s, as Okta), --scenario-timeout one scenario
(2m; a request unanswered then fails it with "no answer within 2m0s"), --deadline the run
(15m). A 429 whose Retry-After asks for more time than is left is not waited for: the
scenario fails on the 429, saying so.
`

// multiFlag collects a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// Command runs `scimcheck run` with args (the flags, without the subcommand name) and returns
// the exit code (see Run). --help prints the usage, its flags grouped, on stdout and returns
// 0; a flag error is two lines on stderr (the error, where to look) and returns 2.
func Command(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return command(ctx, args, stdout, stderr, nil)
}

// command is Command with eng for the Docker engine (nil: the real one).
func command(ctx context.Context, args []string, stdout, stderr io.Writer, eng *engine) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {} // help goes to stdout, below; an error is not followed by the help
	o := Options{engine: eng}
	var formats, featureDirs multiFlag
	shared := addTargetFlags(fs, &o) // the flags explore shares
	fs.StringVar(&o.Mode, "okta-mode", ModeBoth, "Okta integration `kind`: oin (PATCH; leaves out @aiw), aiw (PUT; leaves out @oin) or both")
	fs.StringVar(&o.Tags, "tags", "", "godog tag `expression`, e.g. '@push-users && ~@optional, @import' (&& and, ~ not, comma or); see `scimcheck list`")
	fs.StringVar(&o.Name, "name", "", "run only scenarios whose name matches this `regexp`")
	fs.Var(&featureDirs, "features", "run the .feature files under `dir` (or one file) instead of scimcheck's own, e.g. a reproduction from `scimcheck explore`; repeatable (steps: `scimcheck steps`)")
	fs.Var(&formats, "format", "`formatter`: pretty, progress, junit:FILE or cucumber:FILE; repeatable (default pretty on a terminal, else progress)")
	fs.StringVar(&o.TraceDir, "trace-dir", "", "write each scenario's requests as a curl script to `dir`/<scenario>.sh; - prints them")
	fs.DurationVar(&o.Deadline, "deadline", DefaultDeadline, "time `limit` of the whole run, from the probe on (a container's start has --container-startup-timeout): then it stops, writes its reports and exits 4, so unattended CI never hangs on a stalled target")
	fs.DurationVar(&o.ScenarioTimeout, "scenario-timeout", DefaultScenarioTimeout, "time `limit` of one scenario: a request still unanswered then fails it (\"no answer within …\") and the run goes on")
	fs.IntVar(&o.Concurrency, "concurrency", DefaultConcurrency, "`n` scenarios run at once, and n set-up and cleanup requests of a scenario (1: one request at a time, in order)")
	containerFlags := addContainerFlags(fs, &o.Container) // container.go
	reportFlags := addReportFlags(fs, &o)                 // reportflags.go
	// usage.go
	if code, ok := parseFlags(fs, args, stdout, stderr, "run", runUsage, runFlagGroups(), runFlagGroup()); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "scimcheck run: unexpected argument %q: select scenarios with --name or --tags (see --help)\n", fs.Arg(0))
		return ExitUsage
	}
	o.Formats, o.FeatureDirs = formats, featureDirs
	if err := containerFlags.apply(fs, &o); err != nil {
		return report(stderr, err)
	}
	if err := reportFlags.apply(&o); err != nil {
		return report(stderr, err)
	}
	if err := shared.apply(&o); err != nil {
		fmt.Fprintf(stderr, "scimcheck run: %v\n", err)
		return ExitUsage
	}
	if len(o.Formats) == 0 && isTerminal(stdout) {
		o.Formats = []string{"pretty"}
	}
	o.Color = isTerminal(stdout) && os.Getenv("NO_COLOR") == ""
	return Run(ctx, o, stdout, stderr)
}

// targetFlags are the flags `scimcheck run` and `scimcheck explore` share, until applied: the
// target and its credential, TLS, the seed and run id, request limits, the in-process
// reference server's quirks and log.
type targetFlags struct {
	auth   *string
	quirks multiFlag
}

// addTargetFlags defines the shared flags on fs, writing to o where it can.
func addTargetFlags(fs *flag.FlagSet, o *Options) *targetFlags {
	f := &targetFlags{}
	f.auth = fs.String("auth", string(scim.AuthBearer), "`mode` the secret is sent in: bearer, header or basic (basic: the secret is user:password)")
	fs.StringVar(&o.Target, "target", os.Getenv("SCIMCHECK_TARGET"), "SCIM base `URL` of the server under test, e.g. https://app.example.com/scim/v2 (default $SCIMCHECK_TARGET; none: the in-process reference server)")
	fs.StringVar(&o.TokenFile, "token-file", "", "`file` holding the secret (default: $SCIMCHECK_TOKEN)")
	fs.Int64Var(&o.Seed, "seed", 0, "`seed` of all generated data; 0 picks one (always printed, so a run can be repeated)")
	fs.StringVar(&o.RunID, "run-id", "", "`id` in every name the run creates on the target (default: random, so runs never collide)")
	fs.DurationVar(&o.Timeout, "timeout", scim.DefaultTimeout, "per-request time `limit`, body included (Okta closes the socket after 60s)")
	fs.BoolVar(&o.Insecure, "insecure", false, "skip TLS certificate verification")
	fs.StringVar(&o.CAFile, "ca-file", "", "PEM `file` of CA certificates to trust besides the system's")
	fs.IntVar(&o.BatchSize, "batch-size", DefaultBatchSize, "most group membership changes per PATCH (Okta: 100)")
	fs.Float64Var(&o.MaxRPS, "max-rps", 0, "cap on `requests` per second, retries included; 0: none")
	fs.StringVar(&o.ServerLog, "server-log", "", "write the in-process reference server's request log to `file` (it never holds a credential)")
	fs.Var(&f.quirks, "quirk", "switch a deliberate defect `name` on in the in-process reference server; repeatable (see `scimcheck quirks`)")
	return f
}

// apply completes o with the shared flags that need converting, and reads the credential
// from $SCIMCHECK_TOKEN or --token-file. Errors: the token file cannot be read.
func (f *targetFlags) apply(o *Options) error {
	o.Auth = scim.AuthMode(*f.auth)
	o.Quirks = f.quirks
	token, err := server.ReadToken(o.TokenFile)
	if err != nil {
		return err
	}
	o.Token = token
	return nil
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
