package runner

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

const listUsage = `Usage: scimcheck list [flags]

Prints the scenarios that "scimcheck run" with the same flags would run, one per line: its
location, feature, name and tags. Exit code 0, or 2 for a usage error (a selection that
matches nothing included).

Flags:
`

// ListCommand runs `scimcheck list` with args (the flags, without the subcommand name) and
// returns the exit code: ExitPass, or ExitUsage for bad flags or an empty selection.
func ListCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("list", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, listUsage)
		fs.PrintDefaults()
	}
	mode := fs.String("okta-mode", ModeBoth, "Okta integration `kind`: oin, aiw or both (as for run)")
	tags := fs.String("tags", "", "godog tag `expression` (as for run)")
	name := fs.String("name", "", "scenario name `regexp` (as for run)")
	var featureDirs multiFlag
	fs.Var(&featureDirs, "features", "list the .feature files under `dir` instead of scimcheck's own (as for run); repeatable")
	if code, ok := parseOnlyFlags(fs, args, stderr); !ok {
		return code
	}
	return List(Options{Mode: *mode, Tags: *tags, Name: *name, FeatureDirs: featureDirs}, stdout, stderr)
}

// List prints the scenarios o selects (by Mode, Tags and Name), one per line, and returns the
// exit code: ExitPass, ExitUsage for a bad or empty selection, ExitError when the embedded
// features do not parse.
func List(o Options, stdout, stderr io.Writer) int {
	if o.Mode == "" {
		o.Mode = ModeBoth
	}
	if o.Mode != ModeBoth && o.Mode != ModeOIN && o.Mode != ModeAIW {
		return reportAs(stderr, "list", usagef("--okta-mode %q: want oin, aiw or both", o.Mode))
	}
	if len(o.FeatureDirs) > 0 && o.features == nil {
		fsys, err := featuresFrom(o.FeatureDirs)
		if err == nil {
			err = checkSteps(fsys)
		}
		if err != nil {
			return reportAs(stderr, "list", err)
		}
		o.features = fsys
	}
	cat, err := loadCatalogue(o.features)
	if err != nil {
		return reportAs(stderr, "list", err)
	}
	sel, err := newSelector(o.Mode, o.Tags, o.Name)
	if err != nil {
		return reportAs(stderr, "list", err)
	}
	selected, err := sel.apply(cat)
	if err != nil {
		return reportAs(stderr, "list", err)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	for _, sc := range selected {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", sc.location(), sc.feature, sc.name, strings.Join(sc.tags, " "))
	}
	if err := tw.Flush(); err != nil {
		return reportAs(stderr, "list", err)
	}
	return ExitPass
}

// StepsCommand runs `scimcheck steps`: every step a feature file may use (the patterns of
// package steps, quoted arguments as "…"), each with an example from scimcheck's own features,
// for writing feature files that `scimcheck run --features DIR` runs. It returns the exit code.
func StepsCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("steps", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: scimcheck steps\n\nLists every step a feature file may use, each with an example from scimcheck's own features.\n"+
			"Write feature files with them and run them with: scimcheck run --features DIR\n")
	}
	if code, ok := parseOnlyFlags(fs, args, stderr); !ok {
		return code
	}
	vocab, err := vocabulary()
	if err != nil {
		return reportAs(stderr, "steps", err)
	}
	for _, v := range vocab {
		fmt.Fprintln(stdout, readablePattern(v.pattern.String()))
		if v.example != "" {
			fmt.Fprintln(stdout, "    e.g. "+v.example)
		}
	}
	return ExitPass
}

// readablePattern renders a step pattern for people: anchors dropped, a quoted argument as
// "…", a number as N, (a|b) alternatives and optional parts kept.
func readablePattern(p string) string {
	p = strings.TrimSuffix(strings.TrimPrefix(p, "^"), "$")
	r := strings.NewReplacer(`"([^"]*)"`, `"…"`, `(\d+)`, "N", `(-?\d+)`, "N", `(\d+(?: or \d+)*)`, "N [or N]…",
		`(\w+)`, "WORD", `(?:`, "(", `\+`, "+", `\.`, ".")
	return r.Replace(p)
}

// parseOnlyFlags parses args with fs, which takes no arguments besides its flags. It returns
// false with the exit code when the command should stop: ExitPass after --help (fs.Usage
// printed it), ExitUsage for a bad flag or an argument.
func parseOnlyFlags(fs *flag.FlagSet, args []string, stderr io.Writer) (int, bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitPass, false
		}
		return ExitUsage, false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "scimcheck %s: unexpected argument %q (see --help)\n", fs.Name(), fs.Arg(0))
		return ExitUsage, false
	}
	return 0, true
}
