package runner

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// BenchmarkFullRun runs the whole Okta suite against the in-process reference server (server
// start and stop included) and compares it with the loopback floor: as many trivial GETs, one
// after the other, to a bare httptest handler on loopback. It reports:
//
//	ms/run        wall time of one full run
//	req/run       HTTP requests one run sends (the probe included)
//	floor-ms/run  the same number of trivial loopback GETs
//	x-floor       ms/run ÷ floor-ms/run: what the harness, the steps and the reference
//	              server cost on top of the network itself
//
// Run it with: go test ./steps/runner -run '^$' -bench FullRun -benchtime 20x
func BenchmarkFullRun(b *testing.B) {
	ctx := context.Background()
	var wall time.Duration
	var requests int64
	for b.Loop() {
		start := time.Now()
		var errb syncBuffer
		code, r := runOnce(ctx, Options{Seed: 1, Formats: []string{"progress"}}, io.Discard, &errb)
		wall += time.Since(start)
		if code != ExitPass {
			b.Fatalf("exit %d: %s", code, errb.String())
		}
		requests = r.suite.Requests() + 1
	}
	b.StopTimer()
	runs := float64(b.N)
	msPerRun := float64(wall.Microseconds()) / 1000 / runs
	floor := loopbackFloor(b, int(requests))
	b.ReportMetric(msPerRun, "ms/run")
	b.ReportMetric(float64(requests), "req/run")
	b.ReportMetric(floor, "floor-ms/run")
	b.ReportMetric(msPerRun/floor, "x-floor")
	b.Logf("full run: %.1f ms, %d requests; loopback floor for %d GETs: %.2f ms; ratio %.1fx",
		msPerRun, requests, requests, floor, msPerRun/floor)
}

// loopbackFloor returns the best of five timings, in milliseconds, of n sequential GETs to a
// bare handler on loopback over one kept-alive connection.
func loopbackFloor(b *testing.B, n int) float64 {
	b.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/scim+json")
		_, _ = w.Write([]byte(`{"totalResults":0}`))
	}))
	defer srv.Close()
	client := srv.Client()
	best := time.Duration(1<<63 - 1)
	for range 5 {
		start := time.Now()
		for range n {
			resp, err := client.Get(srv.URL + "/scim/v2/Users?count=1")
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		best = min(best, time.Since(start))
	}
	return float64(best.Microseconds()) / 1000
}
