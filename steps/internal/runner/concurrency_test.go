package runner

import (
	"io"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// serverID matches the ids the reference server assigns, which differ run to run.
var serverID = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// wholeTotal matches a totalResults value in a failure message: a list of the whole target
// counts what the other scenarios hold at that moment.
var wholeTotal = regexp.MustCompile(`(totalResults: expected [^\n]*, got )"?[0-9]+"?`)

// normalize returns a failure message without what differs between two correct runs: the
// ids the server assigned and the size of the whole target.
func normalize(msg string) string {
	return wholeTotal.ReplaceAllString(serverID.ReplaceAllString(msg, "{id}"), "${1}{total}")
}

// TestConcurrentRunKeepsTheVerdicts runs the suite one request at a time (--concurrency 1:
// one scenario at a time, set-up and cleanup one request at a time) and with the default
// concurrency, against the reference server with and without quirks, and compares every
// scenario's status and failure message.
func TestConcurrentRunKeepsTheVerdicts(t *testing.T) {
	quirks := []string{"", "username-case-sensitive", "member-add-not-idempotent", "counts-as-strings", "create-empty-body"}
	if testing.Short() {
		quirks = quirks[:2]
	}
	for _, q := range quirks {
		t.Run("quirk="+q, func(t *testing.T) {
			verdicts := func(concurrency int) map[string]string {
				o := Options{Seed: 7, RunID: "verdicts", Concurrency: concurrency, Formats: []string{"progress"}}
				if q != "" {
					o.Quirks = []string{q}
				}
				var errb syncBuffer
				code, r := runOnce(t.Context(), o, io.Discard, &errb)
				require.NotNil(t, r, errb.String())
				require.Contains(t, []int{ExitPass, ExitFail}, code, errb.String())
				out := map[string]string{}
				for _, res := range r.suite.Results() {
					out[res.Feature+": "+res.Name] = res.Status + "\n" + normalize(res.Message)
				}
				return out
			}
			sequential := verdicts(1)
			concurrent := verdicts(0)
			require.Len(t, concurrent, len(sequential))
			for name, want := range sequential {
				assert.Equal(t, want, concurrent[name], name)
			}
		})
	}
}
