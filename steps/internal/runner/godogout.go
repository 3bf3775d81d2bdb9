package runner

import (
	"bytes"
	"io"
	"regexp"
	"sync"
)

// godogSummary matches the first line of godog's closing counts ("4 scenarios (4 failed)"),
// colours allowed.
var godogSummary = regexp.MustCompile(`^(?:\x1b\[[0-9;]*m)*\d+ scenarios? \(`)

// failedStepsFilter passes godog's console output to w without its "--- Failed steps:" block:
// scimcheck prints every failure itself after the capability table, so that each failure is
// printed once. It works on whole lines (Flush writes the last partial one) and is safe for
// concurrent use.
type failedStepsFilter struct {
	w io.Writer

	mu       sync.Mutex
	buf      []byte
	skipping bool
}

// Write buffers p and writes its complete lines, but those of the failed-steps block.
func (f *failedStepsFilter) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.buf = append(f.buf, p...)
	for {
		i := bytes.IndexByte(f.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		line := f.buf[:i+1]
		switch {
		case bytes.Contains(line, []byte("--- Failed steps:")):
			f.skipping = true
		case f.skipping && godogSummary.Match(line):
			f.skipping = false
		}
		if !f.skipping {
			if _, err := f.w.Write(line); err != nil {
				return 0, err
			}
		}
		f.buf = f.buf[i+1:]
	}
}

// Flush writes what is left of an unfinished line.
func (f *failedStepsFilter) Flush() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.buf) == 0 || f.skipping {
		f.buf = f.buf[:0]
		return nil
	}
	_, err := f.w.Write(f.buf)
	f.buf = f.buf[:0]
	return err
}
