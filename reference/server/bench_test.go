package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scimcheck/scimcheck/reference"
	"github.com/scimcheck/scimcheck/reference/store"
)

// benchSizes are the directory sizes the README quotes.
var benchSizes = []struct {
	name string
	n    int
}{{"10k", 10_000}, {"100k", 100_000}}

// benchGroupSize is how many members the group of the membership benchmark holds.
const benchGroupSize = 1000

// benchUser is a user as Okta creates it (okta-wire.md §2.3), numbered.
func benchUser(i int) reference.Resource {
	name := fmt.Sprintf("user-%06d@example.com", i)
	return reference.Resource{
		"userName":    name,
		"name":        map[string]any{"givenName": "Given" + strconv.Itoa(i), "familyName": "Family"},
		"emails":      []any{map[string]any{"value": name, "type": "work", "primary": true}},
		"displayName": "Given" + strconv.Itoa(i) + " Family",
		"locale":      "en-US",
		"externalId":  fmt.Sprintf("00u%017d", i),
		"active":      true,
	}
}

// populate creates n users through the store API, 1000 per transaction, and one group of the
// first benchGroupSize users. It returns the user ids and the group id.
func populate(tb testing.TB, st *store.Store, n int) ([]string, string) {
	tb.Helper()
	ctx := context.Background()
	ids := make([]string, 0, n)
	for start := 0; start < n; start += 1000 {
		err := st.Tx(ctx, func(tx reference.Tx) error {
			for i := start; i < min(start+1000, n); i++ {
				u, err := tx.Create(store.KindUser, "", benchUser(i))
				if err != nil {
					return err
				}
				ids = append(ids, u["id"].(string))
			}
			return nil
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
	members := make([]any, 0, benchGroupSize)
	for _, id := range ids[:min(benchGroupSize, n)] {
		members = append(members, map[string]any{"value": id})
	}
	var group string
	err := st.Tx(ctx, func(tx reference.Tx) error {
		g, err := tx.Create(store.KindGroup, "", reference.Resource{"displayName": "everyone", "members": members})
		if err == nil {
			group = g["id"].(string)
		}
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return ids, group
}

// serveBench serves one request and fails the benchmark unless it gets want.
func serveBench(b *testing.B, h *Handler, want int, method, target, body string) {
	var r = httptest.NewRequest(method, "http://scim.test"+BasePath+target, strings.NewReader(body))
	r.Header.Set("Authorization", "Bearer "+testToken)
	if body != "" {
		r.Header.Set("Content-Type", scimJSON)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != want {
		b.Fatalf("%s %s: %d %s", method, target, w.Code, w.Body.String())
	}
}

// BenchmarkUsers measures, through the HTTP handler (no network), the requests Okta makes,
// at 10k and 100k users, with the store in memory ("mem", serve's default) and in a SQLite
// file ("db", serve --db: WAL, synchronous commits): create, get by id, the userName eq
// look-up, a membership PATCH on a group of 1000 members, and pages of 100: the first, Okta's
// import walk through all of them, and the last one asked again and again. Populating uses
// the store API.
func BenchmarkUsers(b *testing.B) {
	for _, where := range []string{"mem", "db"} {
		for _, size := range benchSizes {
			if !b.Run(where+"/"+size.name, func(b *testing.B) { benchUsers(b, where, size.n) }) {
				b.Fatalf("%s/%s failed", where, size.name) // see run in benchUsers
			}
		}
	}
}

// benchUsers is BenchmarkUsers with n users in the store where says.
func benchUsers(b *testing.B, where string, n int) {
	path := ""
	if where == "db" {
		path = filepath.Join(b.TempDir(), "scim.db")
	}
	st, err := store.Open(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	began := time.Now()
	ids, group := populate(b, st, n)
	b.Logf("populated %d users in %s", n, time.Since(began).Round(time.Millisecond))
	h := NewHandler(st, Options{Token: testToken})
	rng := rand.New(rand.NewPCG(1, 2))
	// run is b.Run that fails b too: the go command would otherwise report a failed
	// sub-benchmark of a repeated (-count) benchmark as ok.
	run := func(name string, f func(b *testing.B)) {
		if !b.Run(name, f) {
			b.Fatalf("%s failed", name)
		}
	}
	created := 0 // across the repeats of "create", which share the store

	run("create", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			created++
			serveBench(b, h, 201, "POST", "/Users", oktaUser(fmt.Sprintf("bench-create-%d@example.com", created)))
		}
	})
	run("get-by-id", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			serveBench(b, h, 200, "GET", "/Users/"+ids[rng.IntN(len(ids))], "")
		}
	})
	run("lookup-username", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			name := fmt.Sprintf("USER-%06d@example.com", rng.IntN(n))
			serveBench(b, h, 200, "GET", "/Users?filter=userName%20eq%20%22"+name+"%22&startIndex=1&count=100", "")
		}
	})
	run("patch-membership", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			// Okta's shape (okta-wire.md §6.5): remove one member by filter, add another.
			out, in := ids[i%benchGroupSize], ids[benchGroupSize+i%benchGroupSize]
			if i/benchGroupSize%2 == 1 {
				out, in = in, out
			}
			i++
			body := `{` + patchSchema + `,"Operations":[{"op":"remove","path":"members[value eq \"` + out + `\"]"},` +
				`{"op":"add","path":"members","value":[{"value":"` + in + `","display":"` + in + `"}]}]}`
			serveBench(b, h, 200, "PATCH", "/Groups/"+group+"?excludedAttributes=members", body)
		}
	})
	run("page-100-first", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			serveBench(b, h, 200, "GET", "/Users?startIndex=1&count=100", "")
		}
	})
	run("page-100-import", func(b *testing.B) {
		// Okta's import: startIndex 1, 101, 201, … to the end, then again.
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			start := 1 + i*100%n
			i++
			serveBench(b, h, 200, "GET", "/Users?startIndex="+strconv.Itoa(start)+"&count=100", "")
		}
	})
	run("page-100-last", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			serveBench(b, h, 200, "GET", "/Users?startIndex="+strconv.Itoa(n-99)+"&count=100", "")
		}
	})
}

// BenchmarkMemory reports what holding users costs: the Go heap after GC, the process's
// resident set (VmRSS; modernc SQLite keeps its pages in memory it maps itself, outside the Go
// heap) and SQLite's page bytes, each as the growth from an empty store. Run it alone for a
// clean RSS baseline: go test -run '^$' -bench BenchmarkMemory ./reference/server
func BenchmarkMemory(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(size.name+"-users", func(b *testing.B) {
			for b.Loop() {
				st, err := store.Open(context.Background(), "")
				if err != nil {
					b.Fatal(err)
				}
				heap0, rss0 := heapBytes(), rssBytes(b)
				populate(b, st, size.n)
				heap1, rss1 := heapBytes(), rssBytes(b)
				stats, err := st.Stats(context.Background())
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(heap1-heap0)/(1<<20), "heap-MB")
				b.ReportMetric(float64(rss1-rss0)/(1<<20), "rss-MB")
				b.ReportMetric(float64(stats.PageBytes)/(1<<20), "sqlite-MB")
				b.ReportMetric(float64(rss1-rss0)/float64(size.n), "rss-B/user")
				_ = st.Close()
			}
		})
	}
}

func heapBytes() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// rssBytes reads VmRSS from /proc/self/status (Linux; 0 elsewhere) after handing the Go
// heap's free pages back to the OS, so garbage does not count as holding users.
func rssBytes(b *testing.B) int64 {
	debug.FreeOSMemory()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				b.Fatalf("parse VmRSS %q: %v", rest, err)
			}
			return kb << 10
		}
	}
	return 0
}

// BenchmarkRequestLog measures what the request log costs: GET /Users/{id} from 1 and from 16
// concurrent clients, at `serve`'s --log-level off and info (text and json), the log written
// to a file as stderr redirected would be. "handler" calls the HTTP handler in process (the
// server's own work, where the log's share shows); "http" goes over loopback with keep-alive,
// the client in the same process. It reports requests per second:
// go test -run '^$' -bench RequestLog -count 5 ./reference/server
func BenchmarkRequestLog(b *testing.B) {
	for _, via := range []string{"handler", "http"} {
		for _, clients := range []int{1, 16} {
			for _, lv := range []struct{ name, level, format string }{{"off", "off", "text"}, {"text", "info", "text"}, {"json", "info", "json"}} {
				b.Run(fmt.Sprintf("%s/clients=%d/log=%s", via, clients, lv.name), func(b *testing.B) {
					out, err := os.Create(filepath.Join(b.TempDir(), "stderr"))
					if err != nil {
						b.Fatal(err)
					}
					defer out.Close()
					logger, err := NewLogger(out, lv.level, lv.format)
					if err != nil {
						b.Fatal(err)
					}
					ctx, cancel := context.WithCancel(context.Background())
					defer cancel()
					run, err := Start(ctx, Config{Options: Options{Token: testToken, Log: logger}})
					if err != nil {
						b.Fatal(err)
					}
					defer run.Close()
					ids, _ := populate(b, run.Store, 100)
					client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
					defer client.CloseIdleConnections()
					get := func(id string) error { return getOK(client, run.URL+"/Users/"+id) }
					if via == "handler" {
						get = func(id string) error { return serveOK(run.Handler, "/Users/"+id) }
					}
					b.ResetTimer()
					err = concurrently(b.N, clients, func(i int) error { return get(ids[i%len(ids)]) })
					b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
					if err != nil {
						b.Fatal(err)
					}
				})
			}
		}
	}
}

// concurrently calls fn(0) … fn(n-1) from the given number of goroutines and returns the first
// error (after which the goroutine that met it stops).
func concurrently(n, goroutines int, fn func(i int) error) error {
	var next atomic.Int64
	var first atomic.Value
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			for i := next.Add(1); i <= int64(n); i = next.Add(1) {
				if err := fn(int(i - 1)); err != nil {
					first.CompareAndSwap(nil, err)
					return
				}
			}
		})
	}
	wg.Wait()
	err, _ := first.Load().(error)
	return err
}

// serveOK serves GET target through h in process and returns an error unless it is 200.
func serveOK(h *Handler, target string) error {
	r := httptest.NewRequest(http.MethodGet, "http://scim.test"+BasePath+target, nil)
	r.Header.Set("Authorization", "Bearer "+testToken)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusOK {
		return fmt.Errorf("GET %s: %d %s", target, w.Code, w.Body.String())
	}
	return nil
}

// getOK GETs url with the test token and returns an error unless the answer is 200.
func getOK(c *http.Client, url string) error {
	r, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	r.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := c.Do(r)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return nil
}

// BenchmarkSeedMemory reports the peak resident set (VmHWM) of `scimcheck serve --seed-data`
// run as a child process (this test binary) with 10k and 100k users as Okta creates them,
// until it listens: "stream" is serve as it is, "whole" loads the file as serve did before
// it streamed (read whole, unmarshalled, then loaded). Run it alone:
// go test -run '^$' -bench SeedMemory -benchtime 1x ./reference/server
func BenchmarkSeedMemory(b *testing.B) {
	for _, size := range benchSizes {
		path := filepath.Join(b.TempDir(), "seed.json")
		writeSeed(b, path, size.n)
		info, err := os.Stat(path)
		if err != nil {
			b.Fatal(err)
		}
		for _, mode := range []string{"stream", "whole"} {
			b.Run(size.name+"/"+mode, func(b *testing.B) {
				for b.Loop() {
					env := []string{"SCIMCHECK_TOKEN=" + testToken}
					if mode == "whole" {
						env = append(env, childWholeSeed+"="+path)
					}
					peak := childPeakRSS(b, env, "--addr", "127.0.0.1:0", "--log-level", "off", "--seed-data", path)
					b.ReportMetric(float64(peak)/(1<<20), "peak-RSS-MB")
					b.ReportMetric(float64(info.Size())/(1<<20), "file-MB")
				}
			})
		}
	}
}

// writeSeed writes a seed file of n benchUsers and one group of the first benchGroupSize of
// them, named by userName.
func writeSeed(tb testing.TB, path string, n int) {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	w.WriteString(`{"Users":[`)
	for i := range n {
		if i > 0 {
			w.WriteByte(',')
		}
		if err := enc.Encode(benchUser(i)); err != nil {
			tb.Fatal(err)
		}
	}
	w.WriteString(`],"Groups":[{"displayName":"everyone","members":[`)
	for i := range min(n, benchGroupSize) {
		if i > 0 {
			w.WriteByte(',')
		}
		fmt.Fprintf(w, `{"userName":"user-%06d@example.com"}`, i)
	}
	w.WriteString("]}]}\n")
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
}

// childPeakRSS runs `scimcheck serve args` as a child process (this test binary, see childEnv)
// with env added, until it listens, and returns its peak resident set in bytes. It fails b
// unless the child exits 0.
func childPeakRSS(b *testing.B, env []string, args ...string) int64 {
	b.Helper()
	raw, err := json.Marshal(args)
	if err != nil {
		b.Fatal(err)
	}
	cmd := exec.CommandContext(b.Context(), os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), childEnv+"="+string(raw)), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		b.Fatalf("serve %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	_, hwm, ok := strings.Cut(stderr.String(), childHWMPrefix)
	if !ok {
		b.Fatalf("the child reports no peak resident set: %s", stderr.String())
	}
	kb, err := strconv.ParseInt(strings.TrimSpace(hwm), 10, 64)
	if err != nil {
		b.Fatal(err)
	}
	return kb << 10
}
