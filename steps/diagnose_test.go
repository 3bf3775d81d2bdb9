package steps

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/cucumber/godog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimcheck/scimcheck/steps/expect"
	"github.com/scimcheck/scimcheck/steps/scim"
)

// TestEveryStepIsDiagnosed: the table wraps every step function; a signature diagnosing does
// not know is a harness bug that shows at once.
func TestEveryStepIsDiagnosed(t *testing.T) {
	require.NotEmpty(t, stepDefs)
	for _, d := range stepDefs {
		assert.NotNil(t, d.fn, d.expr.String())
	}
	assert.PanicsWithValue(t, "scimcheck harness bug: step function of type func(int) error cannot be diagnosed; add its signature to diagnosing",
		func() { diagnosing(func(int) error { return nil }) })
}

// TestDiagnoseLeavesOthersAlone: only target failures get a diagnosis; nil, skips and harness
// errors come back unchanged.
func TestDiagnoseLeavesOthersAlone(t *testing.T) {
	ctx := worldToContext(context.Background(), newWorld(&Suite{}, "p1", "okta/x.feature", "x", nil))
	harness := errors.New("scimcheck harness error in the feature: …")
	skip := fmt.Errorf("%w: no groups", godog.ErrSkip)
	assert.NoError(t, diagnose(ctx, nil))
	assert.Same(t, harness, diagnose(ctx, harness))
	assert.Same(t, skip, diagnose(ctx, skip))
}

// TestDiagnosisComesFirst: a recognised failure reads "diagnosis: …" above its report and
// still unwraps to the *expect.Failure.
func TestDiagnosisComesFirst(t *testing.T) {
	w := newWorld(&Suite{}, "p1", "okta/x.feature", "x", nil)
	ex := &scim.Exchange{
		Request:  scim.RecordedRequest{Method: "GET", URL: "http://h/scim/v2/Users?startIndex=1&count=2"},
		Response: scim.RecordedResponse{StatusCode: 200, Body: []byte(`{"totalResults":"3","startIndex":1,"itemsPerPage":2,"Resources":[{},{}]}`)},
	}
	w.observe(ex)
	err := diagnose(worldToContext(context.Background(), w), expect.Integer(ex, "totalResults", "Okta needs integers"))
	require.Error(t, err)
	assert.Regexp(t, `^diagnosis: totalResults, startIndex and itemsPerPage must be JSON integers: Okta requires integers; `+
		`a string startIndex "1" makes Okta's sync fail silently\nGET /scim/v2/Users\?startIndex=1&count=2 HTTP/1.1\n`, err.Error())
	var f *expect.Failure
	assert.ErrorAs(t, err, &f)
}
