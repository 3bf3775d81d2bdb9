package runner

import (
	"context"
	"io"
	"sync"
	"testing"

	"github.com/scimcheck/scimcheck/steps/scim"
)

// BenchmarkWriteReports times what --report adds once the scenarios are over: summary.json,
// junit.xml and report.html rendered, redacted and written, from one full run against the
// in-process reference server (cucumber.json is written beside them, from godog's results:
// cucumber.go). Each iteration renders the files afresh: the run's own early render is
// dropped first, or writeReports would only check that the summary still holds.
//
// Run it with: go test ./steps/internal/runner -run '^$' -bench WriteReports -count 5
func BenchmarkWriteReports(b *testing.B) {
	var errb syncBuffer
	code, r := runOnce(context.Background(), Options{Seed: 1, Formats: []string{"progress"}, ReportDir: b.TempDir()}, io.Discard, &errb)
	if code != ExitPass {
		b.Fatalf("exit %d: %s", code, errb.String())
	}
	b.ReportAllocs()
	for b.Loop() {
		r.rep.early = nil
		if got := r.writeReports(code, io.Discard, &errb); got != code {
			b.Fatalf("writeReports: exit %d: %s", got, errb.String())
		}
	}
}

// BenchmarkExchangeReport times what --report adds while the scenarios run: every exchange of
// one full run against the in-process reference server rendered for the reports (request
// line, status, transcript, redaction and the escaped copies for report.html and junit.xml),
// as the recorder does when each scenario ends (exchangeReport). Curl commands are left out,
// as for the scenarios that pass.
//
// Run it with: go test ./steps/internal/runner -run '^$' -bench ExchangeReport -benchtime 100x -count 5 -benchmem
func BenchmarkExchangeReport(b *testing.B) {
	var mu sync.Mutex
	var exs []*scim.Exchange
	keep := func(_ string, ex *scim.Exchange) {
		mu.Lock()
		defer mu.Unlock()
		exs = append(exs, ex)
	}
	var errb syncBuffer
	code, r := runOnce(context.Background(), Options{Seed: 1, Formats: []string{"progress"}, onExchange: keep}, io.Discard, &errb)
	if code != ExitPass {
		b.Fatalf("exit %d: %s", code, errb.String())
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, ex := range exs {
			r.exchangeReport(ex, false)
		}
	}
	b.ReportMetric(float64(len(exs)), "exchanges/op")
}
