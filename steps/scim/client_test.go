package scim

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// answer429 answers 429 with the given Retry-After values (nil = no header) until they run out,
// then 200.
func answer429(retryAfter ...*string) http.HandlerFunc {
	var n atomic.Int32
	return func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		if i < len(retryAfter) {
			if ra := retryAfter[i]; ra != nil {
				w.Header().Set("Retry-After", *ra)
			}
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		_, _ = w.Write([]byte(`{"ok":true}`))
	}
}

func ptr(s string) *string { return &s }

func TestRetry429(t *testing.T) {
	tests := []struct {
		name       string
		retryAfter []*string
		retry      Retry429
		wantWaits  []time.Duration
		wantStatus int
	}{
		{"retry-after seconds honoured", []*string{ptr("3"), ptr("3")}, Retry429{},
			[]time.Duration{3 * time.Second, 3 * time.Second}, 200},
		{"zero retry-after", []*string{ptr("0")}, Retry429{}, []time.Duration{0}, 200},
		{"no header: backoff doubles", []*string{nil, nil, nil}, Retry429{},
			[]time.Duration{time.Second, 2 * time.Second, 4 * time.Second}, 200},
		{"http-date: backoff", []*string{ptr("Wed, 21 Oct 2015 07:28:00 GMT"), ptr("soon")}, Retry429{},
			[]time.Duration{time.Second, 2 * time.Second}, 200},
		{"retry-after capped", []*string{ptr("300")}, Retry429{}, []time.Duration{120 * time.Second}, 200},
		{"backoff capped", []*string{nil, nil, nil}, Retry429{BackoffBase: 2 * time.Second, MaxWait: 5 * time.Second},
			[]time.Duration{2 * time.Second, 4 * time.Second, 5 * time.Second}, 200},
		{"gives up after max attempts", []*string{ptr("1"), ptr("1"), ptr("1"), ptr("1")}, Retry429{MaxAttempts: 3},
			[]time.Duration{time.Second, time.Second}, 429},
		{"retries disabled", []*string{ptr("1")}, Retry429{MaxAttempts: 1}, nil, 429},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var sl sleeps
			srv := serve(t, answer429(tt.retryAfter...))
			c := client(t, Config{BaseURL: srv.URL, Retry429: tt.retry, Sleep: sl.sleep})

			ex, err := c.Do(context.Background(), Request{Path: "/Users"})
			require.NoError(t, err, "a 429 is data, not an error")
			assert.Equal(t, tt.wantStatus, ex.Response.StatusCode)
			assert.Equal(t, tt.wantWaits, sl.all())
			assert.Equal(t, len(tt.wantWaits)+1, ex.Attempts)
			require.Len(t, ex.Retries, len(tt.wantWaits))
			for i, r := range ex.Retries {
				assert.Equal(t, tt.wantWaits[i], r.Wait)
				if ra := tt.retryAfter[i]; ra != nil {
					assert.Equal(t, *ra, r.RetryAfter)
				}
			}
		})
	}
}

func TestRetry429PastTheDeadlineIsNotWaitedFor(t *testing.T) {
	srv := serve(t, answer429(ptr("120")))
	c := client(t, Config{BaseURL: srv.URL})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	ex, err := c.Do(ctx, Request{Path: "/Users"})
	require.NoError(t, err, "the 429 is the answer, and data")
	assert.Equal(t, 429, ex.Response.StatusCode)
	assert.Equal(t, 1, ex.Attempts, "no wait begun, no second attempt")
	assert.NoError(t, ctx.Err(), "it did not wait for the deadline either")
	assert.Contains(t, ex.GaveUp, `the 429 asked for a wait of 2m0s (Retry-After: "120"), more than the `)
	assert.Contains(t, ex.GaveUp, "not waited for")
	assert.Contains(t, ex.Transcript(), "* "+ex.GaveUp+"\n")
}

func TestRetry429StoppedWhileWaiting(t *testing.T) {
	srv := serve(t, answer429(ptr("1")))
	c := client(t, Config{BaseURL: srv.URL, Sleep: func(ctx context.Context, d time.Duration) error { return context.Canceled }})
	ex, err := c.Do(context.Background(), Request{Path: "/Users"})
	require.Error(t, err)
	assert.True(t, errors.Is(err, context.Canceled))
	var te *TransportError
	assert.NotErrorAs(t, err, &te, "the caller stopping is not a target failure")
	assert.Equal(t, "GET /Users HTTP/1.1: waiting 1s to retry after 429: context canceled", err.Error())
	assert.Equal(t, 429, ex.Response.StatusCode, "the exchange keeps the last response")
}

func TestLimiterSpacesRequests(t *testing.T) {
	var sl sleeps
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {})
	c := client(t, Config{BaseURL: srv.URL, MaxRPS: 10, Sleep: sl.sleep})
	for range 5 {
		_, err := c.Do(context.Background(), Request{Path: "/Users"})
		require.NoError(t, err)
	}
	// The fake sleep does not wait, so each request books the slot 100ms after the last.
	waits := sl.all()
	require.Len(t, waits, 5)
	for i, w := range waits {
		slot := time.Duration(i) * 100 * time.Millisecond
		assert.LessOrEqual(t, w, slot, "wait %d", i)
		assert.Greater(t, w, slot-50*time.Millisecond, "wait %d", i)
	}
}

func TestLimiterIsSharedByGoroutines(t *testing.T) {
	var hits atomic.Int32
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) { hits.Add(1) })
	c := client(t, Config{BaseURL: srv.URL, MaxRPS: 100})
	start := time.Now()
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			_, err := c.Do(context.Background(), Request{Path: "/Users"})
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	assert.Equal(t, int32(10), hits.Load())
	assert.GreaterOrEqual(t, time.Since(start), 85*time.Millisecond, "10 requests at 100/s take 90ms")
}

func TestConcurrentUse(t *testing.T) {
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = fmt.Fprintf(w, `{"path":%q}`, r.URL.Path)
	})
	c := client(t, Config{BaseURL: srv.URL, Secret: canary})
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			ex, err := c.Do(context.Background(), Request{Path: fmt.Sprintf("/Users/%d", i)})
			if assert.NoError(t, err) {
				assert.Equal(t, fmt.Sprintf("/Users/%d", i), ex.JSON().Get("path").String())
				assert.NotContains(t, ex.Transcript(), canary)
			}
		})
	}
	wg.Wait()
}

func TestRedirectIsAStatus(t *testing.T) {
	var followed atomic.Bool
	mux := http.NewServeMux()
	mux.HandleFunc("/scim/v2/Users", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/login", http.StatusFound)
	})
	mux.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) { followed.Store(true) })
	srv := serve(t, mux.ServeHTTP)

	ex, err := client(t, Config{BaseURL: srv.URL + "/scim/v2"}).Do(context.Background(), Request{Path: "/Users"})
	require.NoError(t, err)
	assert.Equal(t, http.StatusFound, ex.Response.StatusCode)
	assert.Equal(t, "/login", ex.Response.Header.Get("Location"))
	assert.False(t, followed.Load(), "Okta does not follow redirects")
}

func TestStatusIsData(t *testing.T) {
	for _, status := range []int{400, 401, 404, 409, 500, 501, 503} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			var s seen
			srv := serve(t, s.handler(status, `{"detail":"no"}`))
			ex, err := client(t, Config{BaseURL: srv.URL}).Do(context.Background(), Request{Path: "/Users"})
			require.NoError(t, err)
			assert.Equal(t, status, ex.Response.StatusCode)
			assert.Equal(t, fmt.Sprintf("%d %s", status, http.StatusText(status)), ex.Response.Status)
			assert.Equal(t, "no", ex.JSON().Get("detail").String())
			assert.Equal(t, 1, ex.Attempts)
		})
	}
}

func TestGzipDecodedTransparently(t *testing.T) {
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		require.Equal(t, "gzip", r.Header.Get("Accept-Encoding"))
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Type", "application/scim+json")
		gz := gzip.NewWriter(w)
		_, _ = gz.Write([]byte(`{"totalResults":3}`))
		_ = gz.Close()
	})
	ex, err := client(t, Config{BaseURL: srv.URL}).Do(context.Background(), Request{Path: "/Users"})
	require.NoError(t, err)
	assert.True(t, ex.Response.Uncompressed)
	assert.Equal(t, int64(3), ex.JSON().Get("totalResults").Int())
	assert.Contains(t, ex.Transcript(), "< [body was gzip-encoded; shown decoded]\n")
}

func TestMaxBodyTruncates(t *testing.T) {
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(strings.Repeat("x", 100)))
	})
	ex, err := client(t, Config{BaseURL: srv.URL, MaxBody: 10}).Do(context.Background(), Request{Path: "/Users"})
	require.NoError(t, err, "truncation is recorded, not an error")
	assert.True(t, ex.Response.Truncated)
	assert.Equal(t, strings.Repeat("x", 10), string(ex.Response.Body))
	assert.Contains(t, ex.Transcript(), "< [body cut at 10 bytes by Config.MaxBody]\n")

	exact, err := client(t, Config{BaseURL: srv.URL, MaxBody: 100}).Do(context.Background(), Request{Path: "/Users"})
	require.NoError(t, err)
	assert.False(t, exact.Response.Truncated)
	assert.Len(t, exact.Response.Body, 100)
}
