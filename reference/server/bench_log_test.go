package server

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
)

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
