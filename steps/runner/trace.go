package runner

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/scimcheck/scimcheck/steps/scim"
)

// recorder keeps every exchange of a run by scenario name, for the transcripts. It is safe for
// concurrent scenarios; its record method is the steps.Suite Recorder.
type recorder struct {
	mu     sync.Mutex
	byName map[string][]*scim.Exchange
}

// record keeps ex under scenario.
func (r *recorder) record(scenario string, ex *scim.Exchange) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.byName == nil {
		r.byName = map[string][]*scim.Exchange{}
	}
	r.byName[scenario] = append(r.byName[scenario], ex)
}

// exchanges returns what was recorded under scenario.
func (r *recorder) exchanges(scenario string) []*scim.Exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.byName[scenario]
}

// transcript returns the shell script that replays the exchanges of sc: a header saying which
// scenario it is, how it ended, the seed and the command that reruns it, then each request as
// a curl command followed by its response as comments. The credential is $SCIMCHECK_TOKEN;
// every secret is redacted.
func (r *run) transcript(sc *scenario, out outcome, exs []*scim.Exchange) string {
	var b strings.Builder
	b.WriteString("#!/bin/sh\n")
	b.WriteString("# scimcheck transcript: every request of one scenario as a curl command, each\n")
	b.WriteString("# followed by the response it got, as comments.\n")
	fmt.Fprintf(&b, "#\n# scenario: %s\n", sc.name)
	fmt.Fprintf(&b, "# feature:  %s (%s)\n", sc.feature, sc.location())
	status := out.status
	if out.harness != "" {
		status = "error (a scimcheck bug, not the target's fault)"
	}
	if status == "" {
		status = "not run"
	}
	if out.waived != "" {
		status += " (waived by --expected-failures: " + out.waived + ")"
	}
	fmt.Fprintf(&b, "# status:   %s in %s\n", status, out.duration.Round(time.Millisecond))
	if out.message != "" {
		for _, line := range strings.Split(strings.TrimRight(out.message, "\n"), "\n") {
			b.WriteString("#   " + line + "\n")
		}
	}
	fmt.Fprintf(&b, "# seed:     %d (run id %s)\n", r.seed, r.runID)
	fmt.Fprintf(&b, "# rerun:    %s\n", r.rerunCommand(sc))
	if r.target.inProcess {
		b.WriteString("# target:   the in-process reference server, gone after the run: the rerun\n")
		b.WriteString("#           command reproduces it; the curl commands document it.\n")
	} else {
		fmt.Fprintf(&b, "# target:   %s\n", r.target.url)
	}
	b.WriteString("\n: \"${SCIMCHECK_TOKEN:?set SCIMCHECK_TOKEN to the target's credential}\"\n")
	if len(exs) == 0 {
		b.WriteString("\n# the scenario sent no request\n")
	}
	for i, ex := range exs {
		fmt.Fprintf(&b, "\n# %d/%d\n", i+1, len(exs))
		for j, rt := range ex.Retries {
			ra := "no Retry-After"
			if rt.RetryAfter != "" {
				ra = "Retry-After: " + rt.RetryAfter
			}
			fmt.Fprintf(&b, "# attempt %d: 429 Too Many Requests (%s); waited %s, then sent it again\n", j+1, ra, rt.Wait)
		}
		b.WriteString(ex.Curl())
	}
	return r.rd.net().String(b.String())
}

// writeTraces writes one transcript per scenario that ran: to stdout when o.TraceDir is "-",
// else to o.TraceDir/<slug of the name>.sh.
func (r *run) writeTraces(stdout io.Writer) error {
	if r.opts.TraceDir == "" {
		return nil
	}
	used := map[string]bool{}
	for _, sc := range r.selected {
		out := r.outcome(sc)
		if out.status == "" {
			continue
		}
		file := uniqueSlug(sc.name, used) + ".sh"
		text := r.transcript(sc, out, r.rec.exchanges(sc.name))
		if r.opts.TraceDir == "-" {
			fmt.Fprintf(stdout, "\n=== transcript %s ===\n%s", file, text)
			continue
		}
		path := filepath.Join(r.opts.TraceDir, file)
		if err := os.WriteFile(path, []byte(text), 0o755); err != nil {
			return fmt.Errorf("write transcript: %w", err)
		}
	}
	return nil
}

// uniqueSlug returns slug(name), made unique among used with a numeric suffix, and marks it
// used.
func uniqueSlug(name string, used map[string]bool) string {
	base := slug(name)
	s := base
	for i := 2; used[s]; i++ {
		s = fmt.Sprintf("%s-%d", base, i)
	}
	used[s] = true
	return s
}

// slug returns name in lower case with every run of other characters than letters and digits
// turned into one "-", at most 80 bytes; "scenario" when nothing is left.
func slug(name string) string {
	const max = 80
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if r >= unicode.MaxASCII || !(unicode.IsLetter(r) || unicode.IsDigit(r)) {
			dash = b.Len() > 0
			continue
		}
		if dash && b.Len()+2 > max || b.Len()+1 > max {
			break
		}
		if dash {
			b.WriteByte('-')
			dash = false
		}
		b.WriteRune(r)
	}
	if b.Len() == 0 {
		return "scenario"
	}
	return b.String()
}
