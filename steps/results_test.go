package steps_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimcheck/scimcheck/reference"
	"github.com/scimcheck/scimcheck/steps"
)

// TestResultOfASkippedStepIsSkipped: a scenario whose step skips it (an optional feature the
// server does not advertise) is skipped in its Result, never passed, with the reason; its
// steps say which one skipped and that the rest never ran.
func TestResultOfASkippedStepIsSkipped(t *testing.T) {
	results := runAgainst(t, reference.Quirk("etag-unsupported"), "@update-users")
	var etag *steps.Result
	for i, r := range results {
		if r.Name == "meta.version changes when Okta writes (RFC 7644 §3.14)" {
			etag = &results[i]
		}
	}
	require.NotNil(t, etag, "the ETag scenario ran")
	assert.Equal(t, steps.StatusSkipped, etag.Status)
	assert.Contains(t, etag.Message, "etag not advertised")
	require.GreaterOrEqual(t, len(etag.Steps), 3)
	assert.Equal(t, "Given", etag.Steps[0].Keyword)
	assert.Equal(t, "passed", etag.Steps[0].Status)
	assert.Equal(t, "And", etag.Steps[1].Keyword)
	assert.Equal(t, "skipped", etag.Steps[1].Status)
	assert.Contains(t, etag.Steps[1].Message, "etag not advertised")
	assert.Equal(t, "skipped", etag.Steps[2].Status, "the steps after it never ran")
	for _, r := range results {
		if r.Name != etag.Name {
			assert.Equal(t, steps.StatusPassed, r.Status, "%s: %s", r.Name, r.Message)
		}
	}
}
