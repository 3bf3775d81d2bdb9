package runner

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"

	rpt "github.com/scimcheck/scimcheck/steps/report"
	"github.com/scimcheck/scimcheck/steps/scim"
)

// recorder keeps, by scenario (its pickle id), what the reports show of each exchange: the latest ones
// of a scenario, up to reportTranscriptMax bytes of transcript, and how many earlier ones
// were left out. While the scenario runs it holds those exchanges (its world holds them all
// anyway); when it ends (finish) it renders them, redacted, and lets them go. With a trace directory it also writes every exchange's curl
// command to a part file as it arrives, so that --trace-dir holds them all while the run holds
// none of their bodies. It is safe for concurrent scenarios; its record method is the
// steps.Suite Recorder.
type recorder struct {
	// render returns ex as the reports show it, with its curl command when withCurl is set;
	// nil keeps nothing for the reports.
	render func(ex *scim.Exchange, withCurl bool) rpt.Exchange
	// partDir receives the part files of the transcripts; "" writes none.
	partDir string
	// tempDir is partDir when the recorder made it (--trace-dir -): discard removes it.
	tempDir string

	mu   sync.Mutex
	byID map[string]*recording // pickle id → recording
	err  error                 // the first part file that could not be written
}

// recording is what a recorder keeps of one scenario.
type recording struct {
	// pending are the latest exchanges while the scenario runs, oldest first, and
	// pendingSize a lower bound of their transcripts' size (estimate).
	pending     []*scim.Exchange
	pendingSize int
	finished    bool           // the scenario ended: kept is rendered
	withCurl    bool           // kept has the curl commands: the scenario did not pass
	kept        []rpt.Exchange // the latest exchanges, rendered, oldest first
	omitted     int            // exchanges before kept
	sent        int            // exchanges written to part
	part        *os.File       // the curl commands so far; nil without partDir
	closed      bool           // part is closed: the run is over
}

// newRecorder returns the run's recorder: it renders exchanges for --report and writes part
// files to --trace-dir (to a temporary directory for "-"). Errors: the temporary directory
// could not be made.
func (r *run) newRecorder() (*recorder, error) {
	rec := &recorder{partDir: r.opts.TraceDir}
	if r.opts.ReportDir != "" {
		rec.render = r.exchangeReport
	}
	if rec.partDir == "-" {
		dir, err := os.MkdirTemp("", "scimcheck-trace-")
		if err != nil {
			return nil, fmt.Errorf("--trace-dir -: %w", err)
		}
		rec.partDir, rec.tempDir = dir, dir
	}
	return rec, nil
}

// discard closes and removes the part files writeTraces did not use, and the temporary
// directory.
func (r *recorder) discard() {
	_ = r.close()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, rec := range r.byID {
		if rec.part != nil {
			_ = os.Remove(rec.part.Name())
		}
	}
	if r.tempDir != "" {
		_ = os.RemoveAll(r.tempDir)
	}
}

// record keeps what the reports show of ex under the scenario whose pickle id is scenario and
// appends its curl command to the scenario's part file.
func (r *recorder) record(scenario string, ex *scim.Exchange) {
	var trace string
	if r.partDir != "" {
		trace = traceOf(ex)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.byID == nil {
		r.byID = map[string]*recording{}
	}
	rec := r.byID[scenario]
	if rec == nil {
		rec = &recording{}
		r.byID[scenario] = rec
	}
	switch {
	case r.render == nil:
	case rec.finished: // after the scenario's end: kept as it comes
		rec.kept = append(rec.kept, r.render(ex, rec.withCurl))
	default:
		rec.pending = append(rec.pending, ex)
		rec.pendingSize += estimate(ex)
		for len(rec.pending) > 1 && rec.pendingSize > reportTranscriptMax {
			rec.pendingSize -= estimate(rec.pending[0])
			rec.pending[0] = nil
			rec.pending = rec.pending[1:]
			rec.omitted++
		}
	}
	if r.partDir == "" || r.err != nil || rec.closed {
		return
	}
	if rec.part == nil {
		if rec.part, r.err = os.CreateTemp(r.partDir, ".scimcheck-*.part"); r.err != nil {
			r.err = fmt.Errorf("write transcript: %w", r.err)
			return
		}
	}
	rec.sent++
	if _, err := fmt.Fprintf(rec.part, "\n# request %d\n%s", rec.sent, trace); err != nil {
		r.err = fmt.Errorf("write transcript: %w", err)
	}
}

// estimate returns a lower bound of the size of ex's transcript, without rendering it.
func estimate(ex *scim.Exchange) int {
	return len(ex.Request.URL) + min(len(ex.Request.Body), scim.ShownMax) + min(len(ex.Response.Body), scim.ShownMax)
}

// finish renders what the reports show of scenario's exchanges, the latest first, until
// their transcripts pass reportTranscriptMax, with their curl commands when withCurl is set
// (the reports show those of a scenario that did not pass), and lets the exchanges go.
func (r *recorder) finish(scenario string, withCurl bool) {
	if r.render == nil {
		return
	}
	r.mu.Lock()
	rec := r.byID[scenario]
	if rec == nil || rec.finished {
		r.mu.Unlock()
		return
	}
	pending := rec.pending
	rec.pending, rec.pendingSize, rec.finished, rec.withCurl = nil, 0, true, withCurl
	r.mu.Unlock()

	var kept []rpt.Exchange
	size, omitted := 0, 0
	for i := len(pending) - 1; i >= 0; i-- {
		e := r.render(pending[i], withCurl) // outside the lock: rendering is the expensive part
		if size += len(e.Transcript); size > reportTranscriptMax && len(kept) > 0 {
			omitted = i + 1
			break
		}
		kept = append(kept, e)
	}
	slices.Reverse(kept)
	r.mu.Lock()
	defer r.mu.Unlock()
	rec.kept = append(kept, rec.kept...)
	rec.omitted += omitted
}

// traceOf returns ex for a transcript: its 429 retries as comments, then its curl command and
// response (Exchange.Curl).
func traceOf(ex *scim.Exchange) string {
	var b strings.Builder
	for j, rt := range ex.Retries {
		ra := "no Retry-After"
		if rt.RetryAfter != "" {
			ra = "Retry-After: " + rt.RetryAfter
		}
		fmt.Fprintf(&b, "# attempt %d: 429 Too Many Requests (%s); waited %s, then sent it again\n", j+1, ra, rt.Wait)
	}
	b.WriteString(ex.Curl())
	return b.String()
}

// shown returns what the reports show of scenario's exchanges, oldest first, and how many
// earlier ones were left out; withCurl is finish's, for a scenario whose end godog never
// reported. The list is the recorder's own, to read only: exchanges that come later are
// appended past its end, and a summary built twice shares it, which reflect.DeepEqual sees
// at once (writeReports).
func (r *recorder) shown(scenario string, withCurl bool) ([]rpt.Exchange, int) {
	r.finish(scenario, withCurl)
	r.mu.Lock()
	defer r.mu.Unlock()
	rec := r.byID[scenario]
	if rec == nil {
		return nil, 0
	}
	return slices.Clip(rec.kept), rec.omitted
}

// close closes the part files and returns the first error writing them.
func (r *recorder) close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, rec := range r.byID {
		if rec.part != nil && !rec.closed {
			rec.closed = true
			if err := rec.part.Close(); err != nil && r.err == nil {
				r.err = fmt.Errorf("write transcript: %w", err)
			}
		}
	}
	return r.err
}

// partOf returns the part file of scenario and how many exchanges it holds; "" when none.
func (r *recorder) partOf(scenario string) (string, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if rec := r.byID[scenario]; rec != nil && rec.part != nil {
		return rec.part.Name(), rec.sent
	}
	return "", 0
}

// transcriptHeader returns the start of the shell script that replays the exchanges of sc:
// which scenario it is, how it ended, the seed and the command that reruns it; n requests
// follow it, each as a curl command followed by its response as comments. The credential is
// $SCIMCHECK_TOKEN; every secret is redacted.
func (r *run) transcriptHeader(sc *scenario, out outcome, n int) string {
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
	fmt.Fprintf(&b, "# requests: %d\n", n)
	b.WriteString("\n: \"${SCIMCHECK_TOKEN:?set SCIMCHECK_TOKEN to the target's credential}\"\n")
	if n == 0 {
		b.WriteString("\n# the scenario sent no request\n")
	}
	return r.rd.net().String(b.String())
}

// writeTraces writes one transcript per scenario that ran: to stdout when o.TraceDir is "-",
// else to o.TraceDir/<slug of the name>.sh. Each is the header and the scenario's part file,
// redacted a line at a time, and the part file is removed.
func (r *run) writeTraces(stdout io.Writer) error {
	if r.opts.TraceDir == "" {
		return nil
	}
	if err := r.rec.close(); err != nil {
		return err
	}
	used := map[string]bool{}
	for _, sc := range r.selected {
		out := r.outcome(sc)
		if out.status == "" {
			continue
		}
		file := uniqueSlug(sc.name, used) + ".sh"
		part, n := r.rec.partOf(sc.pickle)
		w, done := stdout, func() error { return nil }
		if r.opts.TraceDir == "-" {
			fmt.Fprintf(stdout, "\n=== transcript %s ===\n", file)
		} else {
			f, err := os.OpenFile(filepath.Join(r.opts.TraceDir, file), os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o755)
			if err != nil {
				return fmt.Errorf("write transcript: %w", err)
			}
			w, done = f, f.Close
		}
		err := r.copyTranscript(w, r.transcriptHeader(sc, out, n), part)
		if cerr := done(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("write transcript: %w", err)
		}
	}
	return nil
}

// copyTranscript writes header, then the part file (when not "") redacted line by line, to
// w, and removes the part file.
func (r *run) copyTranscript(w io.Writer, header, part string) error {
	if _, err := io.WriteString(w, header); err != nil || part == "" {
		return err
	}
	defer os.Remove(part)
	f, err := os.Open(part)
	if err != nil {
		return err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 64<<10)
	for {
		line, err := br.ReadString('\n')
		if len(line) > 0 {
			if _, werr := io.WriteString(w, r.rd.net().String(line)); werr != nil {
				return werr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
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
