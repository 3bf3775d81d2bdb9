package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	rpt "github.com/scimcheck/scimcheck/steps/report"
	"github.com/scimcheck/scimcheck/steps/scim"
)

// TestLeakWatchSeesAFormAcrossWrites writes a text holding the secret in two pieces, split at
// every byte, and one piece at a time: the watch sees it whatever the split, passes every byte
// through unchanged, and sees nothing in a text without it.
func TestLeakWatchSeesAFormAcrossWrites(t *testing.T) {
	rd, err := newRedactor(scim.AuthBearer, canary)
	require.NoError(t, err)
	text := []byte(`{"note":"a value holding ` + canary + ` in its middle"}`)
	for cut := 0; cut <= len(text); cut++ {
		var out bytes.Buffer
		lw := newLeakWatch(&out, rd.net())
		_, _ = lw.Write(text[:cut])
		_, _ = lw.Write(text[cut:])
		assert.True(t, lw.seen, "split at %d", cut)
		assert.Equal(t, text, out.Bytes(), "split at %d", cut)
	}
	lw := newLeakWatch(io.Discard, rd.net())
	for i := range text {
		_, _ = lw.Write(text[i : i+1])
	}
	assert.True(t, lw.seen, "one byte at a time")

	clean := bytes.ReplaceAll(text, []byte(canary), []byte("canary-SECRET-7f3a9"))
	lw = newLeakWatch(io.Discard, rd.net())
	for i := range clean {
		_, _ = lw.Write(clean[i : i+1])
	}
	assert.False(t, lw.seen, "all but the secret's last letter is no secret")
}

// TestWriteReportFileRedactsWhatTheNetCatches renders a report whose value holds the secret
// (a renderer's bug: values are redacted at their source) where it straddles the file's
// write buffer: the file comes out redacted inside its string value and still parses. A
// report without it is written as rendered.
func TestWriteReportFileRedactsWhatTheNetCatches(t *testing.T) {
	rd, err := newRedactor(scim.AuthBearer, canary)
	require.NoError(t, err)
	r := &run{rd: rd}
	pad := strings.Repeat("x", 64<<10-len(`{"pad":"`)-5) // the secret starts 5 bytes before the first flush
	doc := `{"pad":"` + pad + `","leak":"Bearer ` + canary + `"}` + "\n"
	render := func(w io.Writer, _ *rpt.Summary) error { _, err := io.WriteString(w, doc); return err }
	path := filepath.Join(t.TempDir(), "summary.json")
	require.NoError(t, r.writeReportFile(path, render, nil))
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.NotContains(t, string(raw), canary)
	var v map[string]string
	require.NoError(t, json.Unmarshal(raw, &v), "redacted by its structure, it still parses")
	assert.Equal(t, "Bearer "+scim.Redacted, v["leak"])
	assert.Equal(t, pad, v["pad"])

	clean := strings.Replace(doc, canary, "no-secret-here", 1)
	render = func(w io.Writer, _ *rpt.Summary) error { _, err := io.WriteString(w, clean); return err }
	require.NoError(t, r.writeReportFile(path, render, nil))
	raw, err = os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, clean, string(raw))
}

// TestReportsKeepCurlOnlyForScenariosThatDidNotPass: the recorder renders the curl commands
// of a failed scenario's exchanges, for the reports, and none for one that passed, which
// the reports would drop.
func TestReportsKeepCurlOnlyForScenariosThatDidNotPass(t *testing.T) {
	r := runOpts(t, Options{ReportDir: t.TempDir(), Quirks: []string{"deactivated-user-404"}, Tags: "@deactivate-users, @connection", Seed: 7}, runLimit)
	require.Equal(t, ExitFail, r.code, r.dump())
	var passed, failed int
	for _, sc := range r.run.summary(r.code).Scenarios {
		if len(sc.Exchanges) == 0 {
			continue
		}
		curls := 0
		for _, ex := range sc.Exchanges {
			if ex.Curl != "" {
				curls++
			}
		}
		switch sc.Status {
		case rpt.StatusPassed:
			passed++
			assert.Zero(t, curls, "a scenario that passed: %s", sc.Name)
		case rpt.StatusFailed:
			failed++
			assert.Equal(t, len(sc.Exchanges), curls, "a scenario that failed: %s", sc.Name)
		}
	}
	assert.Positive(t, passed)
	assert.Positive(t, failed)
}

// The status of an exchange in the reports: a standard one stays whole whatever the secret (a
// one-letter token would make "204 No Con[REDACTED]en[REDACTED]" of it), a reason phrase of
// the target's own loses the secret, and no answer reads "no response".
func TestExchangeReportStatusWithAOneLetterSecret(t *testing.T) {
	rd, err := newRedactor(scim.AuthBearer, "t")
	require.NoError(t, err)
	r := &run{rd: rd}
	for status, want := range map[string]string{
		"204 No Content": "204 No Content", "204 Totally Done": "204 To[REDACTED]ally Done", "": "no response",
	} {
		code := 0
		if status != "" {
			code = 204
		}
		ex := &scim.Exchange{
			Request:  scim.RecordedRequest{Method: http.MethodGet, URL: "http://127.0.0.1/scim/v2/Users"},
			Response: scim.RecordedResponse{StatusCode: code, Status: status},
		}
		assert.Equal(t, want, r.exchangeReport(ex, false).Status, status)
	}
}

// shownExchanges keeps the latest exchanges up to reportTranscriptMax bytes of transcript and
// curl (curl counted only when shown), always the latest one, and drops the curl commands
// of a scenario whose reports show none; it copies the list only then.
func TestShownExchangesKeepsTheLatestUpToTheCap(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	for range 500 {
		exs := make([]rpt.Exchange, rnd.IntN(12))
		for i := range exs {
			exs[i].Transcript = strings.Repeat("t", rnd.IntN(reportTranscriptMax/3))
			if rnd.IntN(8) == 0 { // over the cap on its own
				exs[i].Transcript = strings.Repeat("t", reportTranscriptMax+1)
			}
			if rnd.IntN(2) == 0 {
				exs[i].Curl = strings.Repeat("c", rnd.IntN(reportTranscriptMax/4))
			}
		}
		for _, withCurl := range []bool{true, false} {
			// the specification: from the latest back, while the total fits, the latest always
			var want []rpt.Exchange
			size, first := 0, 0
			for i := len(exs) - 1; i >= 0; i-- {
				e := exs[i]
				if !withCurl {
					e.Curl = ""
				}
				if size += len(e.Transcript) + len(e.Curl); size > reportTranscriptMax && len(want) > 0 {
					first = i + 1
					break
				}
				want = append([]rpt.Exchange{e}, want...)
			}
			got, omitted := shownExchanges(exs, withCurl)
			assert.Equal(t, first, omitted)
			assert.Equal(t, len(want), len(got))
			for i := range want {
				assert.True(t, want[i] == got[i], "exchange %d of %d", i, len(want))
			}
			if len(got) > 0 && (withCurl || !slices.ContainsFunc(exs[first:], func(e rpt.Exchange) bool { return e.Curl != "" })) {
				assert.Same(t, &exs[first], &got[0], "no copy when nothing changes")
			}
		}
	}
}

// The probe's line shows a standard status whole and the target's own reason phrase
// redacted, as every other place an exchange's status is shown: with a one-letter token the
// console's net (forms of 8 bytes or more) would have let "Totally Fine" through.
func TestProbeLineShowsTheStatusAsTranscriptsDo(t *testing.T) {
	for reason, want := range map[string]string{"OK": "→ 200 OK in ", "Totally Fine": "→ 200 To[REDACTED]ally Fine in "} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hj, _, _ := w.(http.Hijacker).Hijack()
			body := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"]}`
			_, _ = fmt.Fprintf(hj, "HTTP/1.1 200 %s\r\nContent-Type: application/scim+json\r\nContent-Length: %d\r\n\r\n%s", reason, len(body), body)
			_ = hj.Close()
		}))
		var out bytes.Buffer
		require.NoError(t, probe(context.Background(), scim.Config{BaseURL: srv.URL, Secret: "t", Timeout: 5 * time.Second}, &out))
		srv.Close()
		assert.Contains(t, out.String(), "probe: GET /ServiceProviderConfig HTTP/1.1 "+want, reason)
	}
}
