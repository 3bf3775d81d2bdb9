package runner

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// BenchmarkFullRun runs the whole Okta suite, with the run's defaults, against the in-process
// reference server (server start and stop included) and compares it with the loopback floor:
// as many trivial GETs, one after the other, to a bare httptest handler on loopback. Both are
// medians, the floor of as many timings as there were runs; it reports:
//
//	ms/run        median wall time of one full run (ms-lo, ms-hi: the fastest and slowest)
//	req/run       HTTP requests one run sends (the probe included)
//	floor-ms/run  median time of as many trivial loopback GETs
//	x-floor       ms/run ÷ floor-ms/run: what the harness, the steps and the reference
//	              server cost on top of the network itself (the log line gives its spread)
//
// Sub-benchmarks: plain, and with --report.
//
// Run it with: go test ./steps/runner -run '^$' -bench FullRun -benchtime 10x
func BenchmarkFullRun(b *testing.B) {
	b.Run("plain", func(b *testing.B) { benchFullRun(b, Options{Seed: 1, Formats: []string{"progress"}}) })
	// --report: what junit.xml, cucumber.json, summary.json and report.html add.
	b.Run("report", func(b *testing.B) {
		benchFullRun(b, Options{Seed: 1, Formats: []string{"progress"}, ReportDir: b.TempDir()})
	})
}

// benchFullRun is BenchmarkFullRun for the options o.
func benchFullRun(b *testing.B, o Options) {
	ctx := context.Background()
	var walls []time.Duration
	var requests int64
	for b.Loop() {
		wall, r := timedRun(ctx, b, o)
		walls = append(walls, wall)
		requests = r.suite.Requests() + 1
	}
	b.StopTimer()
	med, lo, hi := spread(walls)
	floor, flo, fhi := spread(loopbackFloor(b, int(requests), len(walls)))
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(med), "ms/run")
	b.ReportMetric(ms(lo), "ms-lo")
	b.ReportMetric(ms(hi), "ms-hi")
	b.ReportMetric(float64(requests), "req/run")
	b.ReportMetric(ms(floor), "floor-ms/run")
	b.ReportMetric(float64(med)/float64(floor), "x-floor")
	b.Logf("full run: %.1f ms (median of %d, %.1f–%.1f), %d requests; loopback floor: %.2f ms (%.2f–%.2f); ratio %.1fx (%.1f–%.1fx)",
		ms(med), len(walls), ms(lo), ms(hi), requests, ms(floor), ms(flo), ms(fhi),
		float64(med)/float64(floor), float64(lo)/float64(fhi), float64(hi)/float64(flo))
}

// loopbackFloor returns runs timings of n sequential GETs to a bare handler on loopback over
// one kept-alive connection.
func loopbackFloor(b *testing.B, n, runs int) []time.Duration {
	b.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/scim+json")
		_, _ = w.Write([]byte(`{"totalResults":0}`))
	}))
	defer srv.Close()
	client := srv.Client()
	var out []time.Duration
	for range max(runs, 1) {
		start := time.Now()
		for range n {
			resp, err := client.Get(srv.URL + "/scim/v2/Users?count=1")
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		out = append(out, time.Since(start))
	}
	return out
}

// timedRun runs o once and returns its wall time and state; a run that does not pass stops the
// benchmark.
func timedRun(ctx context.Context, b *testing.B, o Options) (time.Duration, *run) {
	b.Helper()
	start := time.Now()
	var errb syncBuffer
	code, r := runOnce(ctx, o, io.Discard, &errb)
	wall := time.Since(start)
	if code != ExitPass {
		b.Fatalf("exit %d: %s", code, errb.String())
	}
	return wall, r
}
