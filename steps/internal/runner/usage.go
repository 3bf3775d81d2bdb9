package runner

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// flagGroup is a section of `scimcheck run --help`: a title, what it is for, and an example.
type flagGroup struct {
	key, title, example string
}

// runFlagGroups returns the sections of `scimcheck run --help`, in order.
func runFlagGroups() []flagGroup {
	return []flagGroup{
		{"target", "Target and credential",
			"SCIMCHECK_TOKEN=… scimcheck run --target https://app.example.com/scim/v2 --auth header"},
		{"selection", "Selection",
			"scimcheck run --target … --tags '@push-users && ~@optional' --name 'deactivates'"},
		{"okta", "Okta mode",
			"scimcheck run --target … --okta-mode oin          # PATCH apps; aiw: PUT apps"},
		{"containers", "Containers (Docker)",
			"scimcheck run --image acme/scim:1.4 --container-port 3000 --container-token-env API_TOKEN"},
		{"reports", "Reports and gating",
			"scimcheck run --target … --report out --expected-failures waivers.json"},
		{"limits", "Rate and time limits",
			"scimcheck run --target … --max-rps 5 --timeout 30s --concurrency 1 --deadline 30m --scenario-timeout 5m"},
		{"replay", "Replay and the reference server",
			"scimcheck run --target … --name '^…$' --seed 42 --trace-dir -"},
	}
}

// runFlagGroup names the group of every flag of `scimcheck run`; a new flag only needs a line
// here (TestEveryRunFlagHasAGroup fails without one).
func runFlagGroup() map[string]string {
	return map[string]string{
		"target": "target", "token-file": "target", "auth": "target", "insecure": "target", "ca-file": "target",
		"tags": "selection", "name": "selection", "features": "selection",
		"okta-mode": "okta", "batch-size": "okta",
		"reference-container": "containers", "image": "containers", "dockerfile": "containers",
		"container-port": "containers", "container-env": "containers", "container-token-env": "containers",
		"container-cmd": "containers", "base-path": "containers", "container-startup-timeout": "containers",
		"report": "reports", "expected-failures": "reports", "strict-waivers": "reports", "format": "reports",
		"fail-on": "reports",
		"timeout": "limits", "max-rps": "limits", "max-retries": "limits", "max-retry-wait": "limits",
		"concurrency": "limits", "deadline": "limits", "scenario-timeout": "limits",
		"seed": "replay", "run-id": "replay", "trace-dir": "replay", "quirk": "replay", "server-log": "replay",
	}
}

// parseFlags parses args into fs for `scimcheck <cmd>`. On --help it prints usage and the
// flags grouped on stdout; on a flag error (which fs has printed) it prints where to look on
// stderr. It returns false, with the exit code, when the command ends there.
func parseFlags(fs *flag.FlagSet, args []string, stdout, stderr io.Writer, cmd, usage string, groups []flagGroup, groupOf map[string]string) (int, bool) {
	err := fs.Parse(args)
	switch {
	case err == nil:
		return ExitPass, true
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stdout, usage)
		printGroupedFlags(stdout, fs, groups, groupOf)
		return ExitPass, false
	}
	flagHint(stderr, cmd)
	return ExitUsage, false
}

// printGroupedFlags writes fs's flags to w under the titles of groups, each group's flags
// in order of name and then its example; flags of no group come last under "Other".
func printGroupedFlags(w io.Writer, fs *flag.FlagSet, groups []flagGroup, groupOf map[string]string) {
	byGroup := map[string][]*flag.Flag{}
	fs.VisitAll(func(f *flag.Flag) { byGroup[groupOf[f.Name]] = append(byGroup[groupOf[f.Name]], f) })
	for _, g := range groups {
		if len(byGroup[g.key]) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s:\n", g.title)
		for _, f := range byGroup[g.key] {
			printFlag(w, f)
		}
		fmt.Fprintf(w, "  e.g. %s\n", g.example)
	}
	if other := byGroup[""]; len(other) > 0 {
		fmt.Fprintf(w, "\nOther:\n")
		for _, f := range other {
			printFlag(w, f)
		}
	}
}

// printFlag writes one flag as flag.PrintDefaults does, with two dashes.
func printFlag(w io.Writer, f *flag.Flag) {
	name, usage := flag.UnquoteUsage(f)
	line := "  --" + f.Name
	if name != "" {
		line += " " + name
	}
	usage = strings.ReplaceAll(usage, "\n", "\n      ")
	if d := f.DefValue; d != "" && d != "false" && d != "0" && d != "[]" && !strings.Contains(usage, "(default") {
		usage += " (default " + d + ")"
	}
	fmt.Fprintf(w, "%s\n      %s\n", line, usage)
}

// flagHint writes the second line of a flag error (the flag package writes the first, the
// error itself): where to look.
func flagHint(w io.Writer, cmd string) {
	fmt.Fprintf(w, "run 'scimcheck %s --help'\n", cmd)
}
