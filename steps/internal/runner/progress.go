package runner

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"unicode/utf8"
)

// progressWidth is the longest progress line, in runes: a line that wraps could not be
// rewritten in place.
const progressWidth = 79

// ANSI sequences: back to the start of the line, and erase it.
const clearLine = "\r\x1b[2K"

// progress shows one line on a terminal, rewritten in place as scenarios start:
// "scenario 12 of 64 · Push users · <name>". Every method is a no-op on a nil *progress, and
// all are safe for concurrent scenarios.
type progress struct {
	w     io.Writer // the terminal, stderr
	total int

	mu      sync.Mutex
	started int
	line    string // what is shown; "" when nothing is
	stopped bool
}

// startProgress returns stdout and stderr wrapped so that whatever they print first erases
// the progress line (which is then drawn again below it), and starts the line, when both are
// terminals (as o.isTerminal, or isTerminal, says). Otherwise it returns them unchanged and
// shows nothing.
func (r *run) startProgress(stdout, stderr io.Writer) (io.Writer, io.Writer) {
	tty := r.opts.isTerminal
	if tty == nil {
		tty = isTerminal
	}
	if !tty(stdout) || !tty(stderr) {
		return stdout, stderr
	}
	p := &progress{w: stderr, total: len(r.selected)}
	r.rep.progress = p
	return &progressWriter{w: stdout, p: p}, &progressWriter{w: stderr, p: p}
}

// start shows that the scenario name of capability starts.
func (p *progress) start(capability, name string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped {
		return
	}
	p.started++
	p.line = clipRunes(fmt.Sprintf("scenario %d of %d · %s · %s", p.started, p.total, capability, name), progressWidth)
	fmt.Fprint(p.w, clearLine+p.line)
}

// stop erases the line for good.
func (p *progress) stop() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.line != "" {
		fmt.Fprint(p.w, clearLine)
	}
	p.line, p.stopped = "", true
}

// progressWriter writes to w with the progress line erased first and drawn again after.
type progressWriter struct {
	w io.Writer
	p *progress
}

// Write writes b to the wrapped writer below the progress line.
func (pw *progressWriter) Write(b []byte) (int, error) {
	p := pw.p
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.line != "" {
		fmt.Fprint(p.w, clearLine)
	}
	n, err := pw.w.Write(b)
	if p.line != "" {
		fmt.Fprint(p.w, p.line)
	}
	return n, err
}

// clipRunes returns s cut to n runes, ending in "…" when cut.
func clipRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return strings.TrimRight(string([]rune(s)[:n-1]), " ") + "…"
}
