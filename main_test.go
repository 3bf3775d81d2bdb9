package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDefaultRun is `go run .`: no arguments runs every scenario against the in-process
// reference server, and every one passes.
func TestDefaultRun(t *testing.T) {
	t.Setenv("SCIMCHECK_TARGET", "")
	t.Setenv("SCIMCHECK_TOKEN", "")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out, errb bytes.Buffer
	code := dispatch(ctx, nil, &out, &errb)
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
	assert.NotContains(t, stdout, " FAIL ")
	assert.Empty(t, errb.String())
}

func TestDispatchListAndUsage(t *testing.T) {
	ctx := context.Background()
	var out, errb bytes.Buffer
	require.Equal(t, 0, dispatch(ctx, []string{"list", "--tags", "@connection"}, &out, &errb), errb.String())
	assert.Contains(t, out.String(), "okta/connection.feature:")

	out.Reset()
	errb.Reset()
	assert.Equal(t, 2, dispatch(ctx, []string{"run", "--okta-mode", "foo"}, &out, &errb))
	assert.Contains(t, errb.String(), "--okta-mode")

	errb.Reset()
	assert.Equal(t, 2, dispatch(ctx, []string{"--format", "xml"}, &out, &errb), "flags alone mean run")
	assert.Contains(t, errb.String(), "--format")
}
