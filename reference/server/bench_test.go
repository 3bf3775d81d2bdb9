package server

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
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
