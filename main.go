// Command scimcheck tells a SCIM 2.0 server's vendor, before Okta does, whether the server
// survives Okta's provisioning engine. `scimcheck` (or `scimcheck run`) replays Okta's requests
// against a target, by default the bundled reference server in process; `scimcheck serve` runs
// that reference server on its own.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	tclog "github.com/testcontainers/testcontainers-go/log"
	_ "golang.org/x/crypto/x509roots/fallback" // CA roots when the system has none (the FROM scratch image)

	"github.com/scimcheck/scimcheck/reference"
	"github.com/scimcheck/scimcheck/reference/server"
	"github.com/scimcheck/scimcheck/steps/runner"
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

func main() {
	reaperOff()
	tclog.SetDefault(tclog.NewNoopLogger()) // testcontainers' banner and progress lines off the console
	runner.SoftMemoryLimit()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := dispatch(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// reaperOff turns testcontainers' Ryuk reaper off for this process unless the user chose
// (TESTCONTAINERS_RYUK_DISABLED set either way). Ryuk is an image to pull, and scimcheck
// removes its containers itself (labelled org.scimcheck.run, also after Ctrl-C).
// testcontainers-go reads this switch only from its environment or properties file: it
// has no option in code, so the command, not the library, sets it.
func reaperOff() {
	if _, ok := os.LookupEnv("TESTCONTAINERS_RYUK_DISABLED"); !ok {
		_ = os.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
	}
}

// dispatch runs the subcommand args name and returns the exit code. No arguments runs the suite
// (`go run .`); help, -h and --help print the commands on stdout; flags without a command mean run.
func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) int {
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
