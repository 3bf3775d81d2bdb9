package runner

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"syscall"
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
// Sub-benchmarks: plain, and report: what --report (junit.xml, cucumber.json, summary.json
// and report.html) adds, each iteration a plain run and a --report run one after the other, so
// that the load of a shared machine weighs on both alike (see benchReportCost).
//
// Run it with: go test ./steps/internal/runner -run '^$' -bench FullRun -benchtime 10x
func BenchmarkFullRun(b *testing.B) {
	b.Run("plain", func(b *testing.B) { benchFullRun(b, Options{Seed: 1, Formats: []string{"progress"}}) })
	b.Run("report", benchReportCost)
}

// benchReportCost times pairs of full runs, without and with --report, and reports:
//
//	ms/run, plain-ms/run            median wall time with and without --report
//	report-%                        how much longer the median --report run took, in percent
//	cpu-ms/run, plain-cpu-ms/run    median CPU time (user + system) of the process per run
//	report-cpu-%                    how much more CPU a --report run used, in percent
//	tail-ms/run, plain-tail-ms/run  median time after the last scenario ended (tailOf)
func benchReportCost(b *testing.B) {
	reportCost(b, Options{Seed: 1, Formats: []string{"progress"}})
}

// reportCost is benchReportCost for runs with the options plain, and plain with --report.
func reportCost(b *testing.B, plain Options) {
	ctx := context.Background()
	withReport := plain
	withReport.ReportDir = b.TempDir()
	var walls, plainWalls, cpus, plainCPUs, tails, plainTails []time.Duration
	for b.Loop() {
		cpu0, t0 := cpuTime(b), time.Now()
		wall, r := timedRun(ctx, b, plain)
		cpu1, t1 := cpuTime(b), time.Now()
		rwall, rr := timedRun(ctx, b, withReport)
		cpu2 := cpuTime(b)
		plainWalls, walls = append(plainWalls, wall), append(walls, rwall)
		plainCPUs, cpus = append(plainCPUs, cpu1-cpu0), append(cpus, cpu2-cpu1)
		plainTails, tails = append(plainTails, tailOf(t0, wall, r)), append(tails, tailOf(t1, rwall, rr))
	}
	b.StopTimer()
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	pct := func(with, without time.Duration) float64 { return 100 * (float64(with)/float64(without) - 1) }
	med, lo, hi := spread(walls)
	pmed, plo, phi := spread(plainWalls)
	cmed, _, _ := spread(cpus)
	pcmed, _, _ := spread(plainCPUs)
	b.ReportMetric(ms(med), "ms/run")
	b.ReportMetric(ms(pmed), "plain-ms/run")
	b.ReportMetric(pct(med, pmed), "report-%")
	b.ReportMetric(ms(cmed), "cpu-ms/run")
	b.ReportMetric(ms(pcmed), "plain-cpu-ms/run")
	b.ReportMetric(pct(cmed, pcmed), "report-cpu-%")
	tmed, tlo, thi := spread(tails)
	ptmed, _, _ := spread(plainTails)
	b.ReportMetric(ms(tmed), "tail-ms/run")
	b.ReportMetric(ms(ptmed), "plain-tail-ms/run")
	b.Logf("--report: %.1f ms (median of %d, %.1f–%.1f) against %.1f ms without (%.1f–%.1f): %+.0f ms, %+.1f%%; CPU %.1f ms against %.1f ms: %+.1f%%; after the last scenario %.1f ms (%.1f–%.1f) against %.1f ms",
		ms(med), len(walls), ms(lo), ms(hi), ms(pmed), ms(plo), ms(phi), ms(med-pmed), pct(med, pmed),
		ms(cmed), ms(pcmed), pct(cmed, pcmed), ms(tmed), ms(tlo), ms(thi), ms(ptmed))
}

// tailOf returns how much of a run's wall time came after its last scenario ended (godog's
// summaries and report files, and the console report), for a run timed from start.
func tailOf(start time.Time, wall time.Duration, r *run) time.Duration {
	return start.Add(wall).Sub(r.started.Add(r.elapsed))
}

// cpuTime returns the CPU time (user and system) this process has used so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
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
