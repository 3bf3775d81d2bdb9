package runner

import (
	"bytes"
	"errors"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCucumberWriteErrorIsReported: a cucumber file that cannot be written is said so (godog's
// own formatter drops the error), and with --report it makes the run an error, as any other
// report file that cannot be written. Linux only: every write to /dev/full fails.
func TestCucumberWriteErrorIsReported(t *testing.T) {
	res := runOpts(t, Options{Formats: []string{"progress", "cucumber:/dev/full"}, Name: "^Test API Credentials"}, runLimit)
	assert.Equal(t, ExitPass, res.code, res.dump())
	assert.Contains(t, res.stderr, "scimcheck run: --format cucumber: write /dev/full: no space left on device\n")

	dir := t.TempDir()
	res = runOpts(t, Options{Formats: []string{"progress"}, ReportDir: dir, Name: "^Test API Credentials"}, runLimit)
	require.Equal(t, ExitPass, res.code, res.dump())
	res.run.cucumber[filepath.Join(dir, reportCucumber)].err = errors.New("write cucumber.json: no space left on device")
	var out, errw bytes.Buffer
	assert.Equal(t, ExitError, res.run.writeReports(ExitPass, &out, &errw))
	assert.Equal(t, "scimcheck run: --report: write cucumber.json: write cucumber.json: no space left on device\n", errw.String())
}
