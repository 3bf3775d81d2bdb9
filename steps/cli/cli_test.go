package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimcheck/scimcheck/reference"
)

// TestDefaultRun is `go run .` (no arguments): every scenario against the in-process reference server,
// and every one passes.
func TestDefaultRun(t *testing.T) {
	t.Setenv("SCIMCHECK_TARGET", "")
	t.Setenv("SCIMCHECK_TOKEN", "")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out, errb bytes.Buffer
	code := Main(ctx, nil, &out, &errb)
	require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", out.String(), errb.String())
	stdout := out.String()
	assert.True(t, strings.HasPrefix(stdout, "seed: "), "the seed comes first")
	for _, row := range []string{
		"Capability", "Connection", "Errors", "Push users", "Update user attributes", "Deactivate users",
		"Reactivate users", "Push groups", "Import", "Reprovisioning", "Okta spec test",
	} {
		assert.Contains(t, stdout, "\n"+row+" ", "capability table row %q", row)
	}
	assert.Contains(t, stdout, " 0 failed")
	assert.Contains(t, stdout, "\nnext: point it at your own server: ", "a passing run ends with the next step")
	assert.NotContains(t, stdout, " broken ")
	assert.Empty(t, errb.String())
}

func TestDispatchListAndUsage(t *testing.T) {
	ctx := context.Background()
	var out, errb bytes.Buffer
	require.Equal(t, 0, Main(ctx, []string{"list", "--tags", "@connection"}, &out, &errb), errb.String())
	assert.Contains(t, out.String(), "okta/connection.feature:")

	out.Reset()
	errb.Reset()
	assert.Equal(t, 2, Main(ctx, []string{"run", "--okta-mode", "foo"}, &out, &errb))
	assert.Contains(t, errb.String(), "--okta-mode")

	errb.Reset()
	assert.Equal(t, 2, Main(ctx, []string{"--format", "xml"}, &out, &errb), "flags alone mean run")
	assert.Contains(t, errb.String(), "--format")
}

func TestHelp(t *testing.T) {
	ctx := context.Background()
	for _, args := range [][]string{{"-h"}, {"--help"}, {"-help"}, {"help"}} {
		t.Run(strings.Join(append([]string{"scimcheck"}, args...), " "), func(t *testing.T) {
			var out, errb bytes.Buffer
			require.Equal(t, 0, Main(ctx, args, &out, &errb))
			for _, cmd := range []string{"run", "explore", "serve", "list", "steps", "quirks", "version"} {
				assert.Contains(t, out.String(), "\n  scimcheck "+cmd+" ", "the command list, on stdout")
			}
			assert.Empty(t, errb.String())
		})
	}
	for _, tc := range []struct {
		args   []string
		groups []string
	}{
		{[]string{"run", "--help"}, []string{"Target and credential:", "Selection:", "Okta mode:", "Containers (Docker):",
			"Reports and gating:", "Rate and time limits:", "  e.g. scimcheck run --image"}},
		{[]string{"serve", "-h"}, []string{"Usage: scimcheck serve", "--addr"}},
		{[]string{"explore", "--help"}, []string{"Usage: scimcheck explore", "What to explore:", "  e.g. scimcheck explore --target"}},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var out, errb bytes.Buffer
			require.Equal(t, 0, Main(ctx, tc.args, &out, &errb))
			for _, g := range tc.groups {
				assert.Contains(t, out.String(), g, "on stdout")
			}
			assert.Empty(t, errb.String())
		})
	}
	for _, args := range [][]string{{"run", "--bogus"}, {"--bogus"}, {"serve", "--bogus"}, {"bogus"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			var out, errb bytes.Buffer
			require.Equal(t, 2, Main(ctx, args, &out, &errb))
			lines := strings.Split(strings.TrimRight(errb.String(), "\n"), "\n")
			require.Len(t, lines, 2, "two lines: the error and where to look:\n%s", errb.String())
			assert.Contains(t, lines[0], "bogus")
			assert.Regexp(t, `^run 'scimcheck (run |serve )?--help'$`, lines[1])
			assert.Empty(t, out.String())
		})
	}
}

func TestQuirksListsGrades(t *testing.T) {
	var out, errb bytes.Buffer
	require.Equal(t, 0, Main(context.Background(), []string{"quirks"}, &out, &errb))
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Len(t, lines, len(reference.QuirkCatalogue()))
	for _, l := range lines {
		require.Len(t, strings.Split(l, "\t"), 5, "name, grade, may fail, breaks, report: %q", l)
	}
	assert.Contains(t, out.String(), "items-per-page-echoes-count\treview\tconnection,import,spec-test\t")
	assert.Contains(t, out.String(), "gzip-responses\tnone\t-\t")
}
