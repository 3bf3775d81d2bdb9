package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"

	rpt "github.com/scimcheck/scimcheck/steps/report"
)

// waivers is a loaded --expected-failures file: the scenarios known to fail, each with why.
//
// The file is a JSON list (YAML when its name ends in .yaml or .yml) of entries
//
//	[{"name": "<scenario name, exactly as `scimcheck list` prints it>", "reason": "<why>"}]
//
// A listed scenario that fails is "waived": it does not fail the run. A listed scenario that
// passes is "stale", and an entry that names no scenario is "unknown"; both are printed as
// warnings, and fail the run with --strict-waivers. A harness error is never waived.
type waivers struct {
	path    string
	entries []rpt.Waiver
	byName  map[string]string // name → reason
}

// loadWaivers reads the --expected-failures file at path; nil for "". Errors (*usageError):
// the file cannot be read or parsed, has fields other than name and reason, or an entry
// without a name or a reason, or a name listed twice.
func loadWaivers(path string) (*waivers, error) {
	if path == "" {
		return nil, nil
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, usagef("--expected-failures: %v", err)
	}
	var entries []rpt.Waiver
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml":
		dec := yaml.NewDecoder(bytes.NewReader(raw))
		dec.KnownFields(true)
		var list []struct {
			Name   string `yaml:"name"`
			Reason string `yaml:"reason"`
		}
		if err := dec.Decode(&list); err != nil && !errors.Is(err, io.EOF) {
			return nil, usagef("--expected-failures %s: %v", path, err)
		}
		for _, e := range list {
			entries = append(entries, rpt.Waiver{Name: e.Name, Reason: e.Reason})
		}
	default:
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&entries); err != nil {
			return nil, usagef("--expected-failures %s: want a JSON list of {\"name\": …, \"reason\": …}: %v", path, err)
		}
	}
	w := &waivers{path: path, entries: entries, byName: map[string]string{}}
	for i, e := range entries {
		e.Name, e.Reason = strings.TrimSpace(e.Name), strings.TrimSpace(e.Reason)
		switch {
		case e.Name == "":
			return nil, usagef("--expected-failures %s: entry %d has no name", path, i+1)
		case e.Reason == "":
			return nil, usagef("--expected-failures %s: %q has no reason: say why the failure is expected", path, e.Name)
		}
		if _, dup := w.byName[e.Name]; dup {
			return nil, usagef("--expected-failures %s: %q is listed twice", path, e.Name)
		}
		w.byName[e.Name] = e.Reason
		w.entries[i] = e
	}
	return w, nil
}

// reason returns why the scenario called name is expected to fail, and whether it is listed.
func (w *waivers) reason(name string) (string, bool) {
	if w == nil {
		return "", false
	}
	reason, ok := w.byName[name]
	return reason, ok
}

// stale returns the entries whose scenario ran and passed.
func (w *waivers) stale(r *run) []rpt.Waiver {
	if w == nil {
		return nil
	}
	passed := map[string]bool{}
	for _, sc := range r.selected {
		if out := r.outcome(sc); out.status == statusPassed && out.harness == "" {
			passed[sc.name] = true
		}
	}
	var out []rpt.Waiver
	for _, e := range w.entries {
		if passed[e.Name] {
			out = append(out, e)
		}
	}
	return out
}

// unknown returns the entries that name no scenario of the catalogue.
func (w *waivers) unknown(c *catalogue) []rpt.Waiver {
	if w == nil {
		return nil
	}
	known := map[string]bool{}
	for _, sc := range c.scenarios {
		known[sc.name] = true
	}
	var out []rpt.Waiver
	for _, e := range w.entries {
		if !known[e.Name] {
			out = append(out, e)
		}
	}
	return out
}

// writeWaivers prints the waived failures and the stale and unknown entries.
func (r *run) writeWaivers(out io.Writer) {
	w := r.rep.waivers
	if w == nil {
		return
	}
	first := true
	for _, sc := range r.selected {
		o := r.outcome(sc)
		if o.waived == "" {
			continue
		}
		if first {
			fmt.Fprintf(out, "\nWaived failures (expected by %s; they do not fail the run):\n", w.path)
			first = false
		}
		fmt.Fprintf(out, "\n  ≈ %s (%s)\n      waived: %s\n", sc.name, sc.location(), o.waived)
		for _, line := range headLines(o.message, 3) {
			fmt.Fprintf(out, "      %s\n", line)
		}
		fmt.Fprintf(out, "    %s\n", r.rerunCommand(sc))
	}
	consequence := "a warning; --strict-waivers makes it fail the run"
	if r.opts.StrictWaivers {
		consequence = "this fails the run (--strict-waivers)"
	}
	if stale := w.stale(r); len(stale) > 0 {
		fmt.Fprintf(out, "\nStale waivers in %s: these scenarios passed, so their entries can go (%s):\n", w.path, consequence)
		for _, e := range stale {
			fmt.Fprintf(out, "  - %s (waived because: %s)\n", e.Name, e.Reason)
		}
	}
	if unknown := w.unknown(r.cat); len(unknown) > 0 {
		fmt.Fprintf(out, "\nUnknown waivers in %s: no scenario has these names; `scimcheck list` prints them all (%s):\n", w.path, consequence)
		for _, e := range unknown {
			fmt.Fprintf(out, "  - %q\n", e.Name)
		}
	}
}

// exitCode returns the run's exit code from godog's status and the totals, and says on errw
// what made it anything but ExitPass or ExitFail.
func (r *run) exitCode(ctx context.Context, status int, t tally, errw io.Writer) int {
	code, why := r.exitCodeOf(ctx, status, t)
	if why != "" {
		fmt.Fprintln(errw, "scimcheck run: "+why)
	}
	return code
}

// exitCodeOf is exitCode without printing: the code, and why, when that needs saying.
func (r *run) exitCodeOf(ctx context.Context, status int, t tally) (int, string) {
	var dl *errDeadline
	switch {
	case errors.As(context.Cause(ctx), &dl):
		return ExitDeadline, fmt.Sprintf("%v: the results above are incomplete (exit code 4)", dl)
	case ctx.Err() != nil:
		return ExitInterrupted, fmt.Sprintf("interrupted (%v): the results above are incomplete", context.Cause(ctx))
	case r.crash != "" || t.harness > 0 || t.notRun > 0:
		return ExitError, ""
	case t.gating > 0:
		return ExitFail, ""
	case r.opts.StrictWaivers && len(r.rep.waivers.stale(r))+len(r.rep.waivers.unknown(r.cat)) > 0:
		return ExitFail, fmt.Sprintf("--strict-waivers: %s has stale or unknown entries (listed above)", r.rep.waivers.path)
	case status != 0 && t.waived+t.failed+t.blocked == 0:
		return ExitError, "scimcheck bug: godog reported a failure that no scenario accounts for"
	}
	return ExitPass, ""
}
