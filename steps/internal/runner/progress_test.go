package runner

import (
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestProgressLine(t *testing.T) {
	tests := []struct {
		name     string
		terminal func(io.Writer) bool
		want     []string // in stderr
	}{
		{name: "not a terminal: silent", terminal: nil},
		{name: "stdout a terminal, stderr not: silent", terminal: isStdout},
		{
			name: "a terminal: one line, rewritten in place", terminal: func(io.Writer) bool { return true },
			want: []string{
				clearLine + "scenario 1 of 3 · Connection · Test API Credentials reads a page of users and…",
				clearLine + "scenario 2 of 3 · Connection · a request with a wrong token is refused with 401",
				clearLine + "scenario 3 of 3 · Connection · ",
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb terminalBuffer
			out.stdout = true
			// One scenario at a time, so that the line names them in order.
			o := Options{Tags: "@connection", Concurrency: 1, isTerminal: tc.terminal}
			code, _ := runOnce(t.Context(), o, &out, &errb)
			require.Equal(t, ExitPass, code, out.String()+errb.String())
			assert.NotContains(t, out.String(), "\x1b", "stdout never holds the progress line")
			if tc.want == nil {
				assert.Empty(t, errb.String())
				return
			}
			got := errb.String()
			for _, w := range tc.want {
				assert.Contains(t, got, w)
			}
			assert.True(t, strings.HasSuffix(got, clearLine), "the line is erased at the end: %q", got)
			for _, line := range strings.Split(got, clearLine) {
				assert.LessOrEqual(t, len([]rune(line)), progressWidth, "a line that wraps cannot be rewritten: %q", line)
			}
		})
	}
}

func TestProgressWriterErasesTheLineFirst(t *testing.T) {
	var term strings.Builder
	p := &progress{w: &term, total: 2}
	stdout := &progressWriter{w: &term, p: p}
	p.start("Push users", "ada")
	_, err := io.WriteString(stdout, "Feature: Push users\n")
	require.NoError(t, err)
	p.stop()
	_, err = io.WriteString(stdout, "table\n")
	require.NoError(t, err)
	p.start("Import", "too late") // after stop: nothing
	assert.Equal(t,
		clearLine+"scenario 1 of 2 · Push users · ada"+ // drawn
			clearLine+"Feature: Push users\n"+"scenario 1 of 2 · Push users · ada"+ // erased, printed, redrawn
			clearLine+"table\n", // erased for good
		term.String())

	var nilProgress *progress
	nilProgress.start("x", "y")
	nilProgress.stop()
}

// terminalBuffer is a syncBuffer that a test's isTerminal can tell apart.
type terminalBuffer struct {
	syncBuffer
	stdout bool
}

// isStdout reports whether w is the terminalBuffer standing for stdout.
func isStdout(w io.Writer) bool {
	tb, ok := w.(*terminalBuffer)
	return ok && tb.stdout
}
