package expect

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimcheck/scimcheck/steps/scim"
)

// line is the request line of every exchange built by answer.
const line = "GET /scim/v2/Users?count=1 HTTP/1.1"

// rule is the requirement passed to every assertion in the tables.
const rule = "the rule"

// answer returns an exchange for "GET /scim/v2/Users?count=1" answered with status and a
// JSON body (Content-Type application/scim+json).
func answer(status int, body string) *scim.Exchange {
	return &scim.Exchange{
		Request: scim.RecordedRequest{Method: http.MethodGet, URL: "https://scim.example/scim/v2/Users?count=1"},
		Response: scim.RecordedResponse{
			Proto:      "HTTP/1.1",
			StatusCode: status,
			Status:     fmt.Sprintf("%d %s", status, http.StatusText(status)),
			Header:     http.Header{"Content-Type": {"application/scim+json"}},
			Body:       []byte(body),
		},
		Attempts: 1,
	}
}

// typed returns ex with its Content-Type set to ct.
func typed(ex *scim.Exchange, ct string) *scim.Exchange {
	ex.Response.Header.Set("Content-Type", ct)
	return ex
}

// testCase is one row of an assertion table: want "" means the assertion passes, otherwise
// the full failure message.
type testCase struct {
	name string
	ex   *scim.Exchange
	run  func(*scim.Exchange) error
	want string
}

// runTable runs the cases, checking that failures are *Failure with the exact message.
func runTable(t *testing.T, cases []testCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run(tc.ex)
			if tc.want == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			var f *Failure
			require.True(t, errors.As(err, &f), "a target failure is a *Failure: %v", err)
			assert.Equal(t, tc.want, err.Error())
		})
	}
}
