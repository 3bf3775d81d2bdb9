// Package cli is the scimcheck command line: Main dispatches to the commands (run, explore,
// serve, list, steps, quirks, version, help). main calls it after setting the process-wide
// state; the commands themselves live in steps/internal/runner and reference/server.
package cli

import (
	"context"
	"fmt"
	"io"
	"runtime/debug"
	"strings"

	"github.com/scimcheck/scimcheck/reference"
	"github.com/scimcheck/scimcheck/reference/server"
	"github.com/scimcheck/scimcheck/steps/internal/runner"
)

const usage = `scimcheck: does your SCIM 2.0 server survive Okta's provisioning engine?

Usage:
  scimcheck run [flags]     replay Okta's provisioning against a target (default: the bundled
                            reference server, in process) and print a capability table;
                            bare "scimcheck" and "scimcheck --target …" (flags first) mean run too
  scimcheck explore [flags] draw random sequences of Okta admin actions, check the app against
                            Okta's model after each, and write the shortest failing sequence as
                            a feature file that "scimcheck run --features" replays
  scimcheck serve [flags]   run the bundled reference SCIM server
  scimcheck list            list the scenarios with their tags
  scimcheck steps           list the steps a feature file may use, with examples; run your own
                            feature files with: scimcheck run --features DIR
  scimcheck quirks          list the deliberate defects the reference server can switch on
  scimcheck version         print the version

Run "scimcheck <command> --help" for a command's flags.

Exit codes: 0 all scenarios passed; 1 a scenario failed; 2 usage or configuration error;
3 the target could not be reached or cannot be used (the probe's answer: the credential
refused, no SCIM service at the base URL, a sign-in page), or scimcheck itself failed;
4 the run reached --deadline; 130 interrupted.
`

// Main runs the subcommand args name and returns the exit code. No arguments runs the suite
// (`go run .`); help, -h and --help print the commands on stdout; flags without a command mean run.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cmd := "run" // bare `scimcheck` (and `go run .`) runs the whole suite
	switch {
	case len(args) == 0:
	case args[0] == "-h" || args[0] == "-help" || args[0] == "--help":
		cmd = "help"
	case len(args[0]) > 0 && args[0][0] != '-':
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "run":
		return runCommand(ctx, args, stdout, stderr)
	case "explore":
		return runner.ExploreCommand(ctx, args, stdout, stderr)
	case "serve":
		return server.Command(ctx, args, stdout, stderr)
	case "list":
		return listCommand(args, stdout, stderr)
	case "steps":
		return runner.StepsCommand(args, stdout, stderr)
	case "quirks":
		writeQuirks(stdout)
		return 0
	case "version":
		fmt.Fprintln(stdout, "scimcheck", version())
		return 0
	case "help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "scimcheck: unknown command %q\nrun 'scimcheck --help'\n", cmd)
	return 2
}

// version returns the module version stamped by `go install`, or "(devel)".
func version() string {
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" {
		return info.Main.Version
	}
	return "(devel)"
}

// runCommand runs `scimcheck run` (see runner.Command) and returns its exit code.
func runCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runner.Command(ctx, args, stdout, stderr)
}

// listCommand runs `scimcheck list` (see runner.ListCommand) and returns its exit code.
func listCommand(args []string, stdout, stderr io.Writer) int {
	return runner.ListCommand(args, stdout, stderr)
}

// writeQuirks prints the quirk catalogue as tab-separated lines: name, grade (okta, review,
// rfc or none), the capabilities it may fail, what it breaks and the report it mirrors.
func writeQuirks(w io.Writer) {
	for _, q := range reference.QuirkCatalogue() {
		fails := strings.Join(q.Fails, ",")
		if fails == "" {
			fails = "-"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", q.Name, q.Grade, fails, q.Breaks, q.Report)
	}
}

// SoftMemoryLimit sets the process's soft memory limit for a run (see runner.SoftMemoryLimit);
// for main, which owns the process.
func SoftMemoryLimit() { runner.SoftMemoryLimit() }
