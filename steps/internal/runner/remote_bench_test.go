package runner

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/scimcheck/scimcheck/reference/server"
	"github.com/scimcheck/scimcheck/steps/scim"
)

// BenchmarkRemote runs the whole Okta suite, with the run's defaults, against the reference
// server behind a loopback reverse proxy that holds every request for one round-trip time
// (0, 20, 50 and 100 ms) before forwarding it: a remote target without a network. It reports:
//
//	s/run         wall time of one full run (the median, with -benchtime Nx)
//	req/run       HTTP requests the run sent, the probe included
//	path-s        the critical path: the longest scenario's sequential requests × RTT
//	x-path        s/run ÷ path-s: how close the run comes to what latency alone forces
//
// A scenario's sequential requests are the most of its requests (cleanup included) of which
// no two were in flight at once: one after the other, each costs a full round trip.
//
// Run it with: go test ./steps/internal/runner -run '^$' -bench Remote -benchtime 1x
// (one RTT: -bench 'Remote/rtt=50ms'; settings: edit remoteOptions or pass flags through Command).
func BenchmarkRemote(b *testing.B) {
	for _, rtt := range []time.Duration{0, 20 * time.Millisecond, 50 * time.Millisecond, 100 * time.Millisecond} {
		b.Run(fmt.Sprintf("rtt=%s", durationName(rtt)), func(b *testing.B) {
			benchRemote(b, rtt)
		})
	}
}

// BenchmarkRemoteReport is BenchmarkFullRun/report through BenchmarkRemote's proxy at 20 and
// 50 ms: what --report adds to a run against a target across a network, with the same
// figures (report-%, report-cpu-%).
//
// Run it with: go test ./steps/internal/runner -run '^$' -bench RemoteReport -benchtime 5x
func BenchmarkRemoteReport(b *testing.B) {
	for _, rtt := range []time.Duration{20 * time.Millisecond, 50 * time.Millisecond} {
		b.Run(fmt.Sprintf("rtt=%s", durationName(rtt)), func(b *testing.B) {
			proxy, token := remoteTarget(b, rtt)
			reportCost(b, Options{Target: proxy, Token: token, Seed: 1, Formats: []string{"progress"}})
		})
	}
}

// remoteTarget starts the reference server behind a proxy adding rtt to every request, for
// the rest of b, and returns the proxy's SCIM base URL and the server's token.
func remoteTarget(b *testing.B, rtt time.Duration) (base, token string) {
	ref, err := server.Start(context.Background(), server.Config{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = ref.Close() })
	return newLatencyProxy(b, ref.URL, rtt), ref.Token
}

// durationName returns 0ms, 20ms, … for a sub-benchmark name.
func durationName(d time.Duration) string { return fmt.Sprintf("%dms", d.Milliseconds()) }

// benchRemote runs the suite b.N times through a proxy adding rtt to every request.
func benchRemote(b *testing.B, rtt time.Duration) {
	ctx := context.Background()
	proxy, token := remoteTarget(b, rtt)
	var walls []time.Duration
	var requests int64
	var path int
	for b.Loop() {
		chains := &chainRecorder{}
		o := Options{Target: proxy, Token: token, Seed: 1, Formats: []string{"progress"}, onExchange: chains.record}
		wall, r := timedRun(ctx, b, o)
		walls = append(walls, wall)
		requests = r.suite.Requests() + 1
		path = max(path, chains.longest())
	}
	b.StopTimer()
	med, lo, hi := spread(walls)
	b.ReportMetric(med.Seconds(), "s/run")
	b.ReportMetric(float64(requests), "req/run")
	critical := time.Duration(path) * rtt
	b.ReportMetric(critical.Seconds(), "path-s")
	ratio := 0.0
	if critical > 0 {
		ratio = float64(med) / float64(critical)
		b.ReportMetric(ratio, "x-path")
	}
	b.Logf("rtt %s: wall %s (median of %d, %s–%s), %d requests, critical path %d sequential requests × %s = %s, ratio %.2f",
		rtt, med.Round(time.Millisecond), len(walls), lo.Round(time.Millisecond), hi.Round(time.Millisecond),
		requests, path, rtt, critical, ratio)
}

// newLatencyProxy returns the SCIM base URL of a reverse proxy on loopback that sleeps rtt,
// then forwards the request to base (a SCIM base URL on loopback).
func newLatencyProxy(b *testing.B, base string, rtt time.Duration) string {
	b.Helper()
	u, err := url.Parse(base)
	if err != nil {
		b.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: u.Scheme, Host: u.Host})
	rp.Transport = &http.Transport{MaxIdleConnsPerHost: 64}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rtt > 0 {
			time.Sleep(rtt)
		}
		rp.ServeHTTP(w, r)
	}))
	b.Cleanup(srv.Close)
	return srv.URL + u.Path
}

// chainRecorder keeps when each scenario's exchanges were in flight.
type chainRecorder struct {
	mu    sync.Mutex
	spans map[string][][2]time.Time
}

// record is an Options.onExchange: ex has just been answered.
func (c *chainRecorder) record(scenario string, ex *scim.Exchange) {
	end := time.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.spans == nil {
		c.spans = map[string][][2]time.Time{}
	}
	c.spans[scenario] = append(c.spans[scenario], [2]time.Time{end.Add(-ex.Duration), end})
}

// longest returns the most sequential requests of any scenario: the largest set of its
// exchanges no two of which overlapped in time (earliest end first).
func (c *chainRecorder) longest() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	most := 0
	for _, spans := range c.spans {
		slices.SortFunc(spans, func(a, b [2]time.Time) int { return a[1].Compare(b[1]) })
		n, free := 0, time.Time{}
		for _, s := range spans {
			if !s[0].Before(free) {
				n, free = n+1, s[1]
			}
		}
		most = max(most, n)
	}
	return most
}

// spread returns the median, the least and the greatest of samples.
func spread(samples []time.Duration) (median, lo, hi time.Duration) {
	s := slices.Clone(samples)
	slices.Sort(s)
	n := len(s)
	median = s[n/2]
	if n%2 == 0 {
		median = (s[n/2-1] + s[n/2]) / 2
	}
	return median, s[0], s[n-1]
}
