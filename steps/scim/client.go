package scim

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Do sends r and returns the whole exchange. A body of 64 KiB or more of valid JSON is kept
// without its white space outside strings (RecordedResponse.Compacted). A non-2xx status, a 3xx included, is data in the
// Exchange, not an error.
//
// A 429 is retried as Config.Retry429 says; the Exchange then holds the last response and
// Retries lists the waits. A wait that would outlast ctx's deadline is not begun: the 429 is
// returned, and Exchange.GaveUp says why. Each attempt is bounded by Config.Timeout, body reading included.
//
// Errors:
//   - a malformed Request (a harness bug): a plain error and a nil Exchange;
//   - no usable response (the target failed): a *TransportError, with the Exchange holding
//     the request (and any partial response) so Curl and Transcript still work;
//   - ctx ended: an error wrapping ctx.Err(), with the Exchange as far as it got.
func (c *Client) Do(ctx context.Context, r Request) (*Exchange, error) {
	p, err := c.prepare(r)
	if err != nil {
		return nil, err
	}
	ex := &Exchange{
		Request:  p.record,
		redactor: c.redactor,
		source:   p.source,
		mode:     c.cfg.Auth,
		curl:     curlOptions{insecure: c.cfg.Insecure, caFile: c.cfg.CAFile, timeout: c.cfg.Timeout},
	}
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			ex.Err = fmt.Errorf("%s: %w", ex.RequestLine(), err)
			return ex, ex.Err
		}
		if c.limiter != nil {
			if err := c.cfg.Sleep(ctx, c.limiter.reserve()); err != nil {
				ex.Err = stopped(ex.RequestLine(), "waiting for the MaxRPS limit", err)
				return ex, ex.Err
			}
		}
		ex.Attempts = attempt
		ex.Response = RecordedResponse{}
		if err := c.once(ctx, p, ex); err != nil {
			ex.Err = err
			return ex, err
		}
		if ex.Response.StatusCode != http.StatusTooManyRequests || attempt >= c.cfg.Retry429.MaxAttempts {
			return ex, nil
		}
		ra := ex.Response.Header.Get("Retry-After")
		wait := c.retryWait(ra, attempt)
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			ex.GaveUp = fmt.Sprintf("the 429 asked for a wait of %s (Retry-After: %q), more than the %s left of the run's or the scenario's time (--deadline, --scenario-timeout): not waited for",
				wait, ra, time.Until(dl).Round(time.Second))
			return ex, nil
		}
		ex.Retries = append(ex.Retries, Retry{RetryAfter: ra, Wait: wait, Duration: ex.Duration})
		if err := c.cfg.Sleep(ctx, wait); err != nil {
			ex.Err = stopped(ex.RequestLine(), fmt.Sprintf("waiting %s to retry after 429", wait), err)
			return ex, ex.Err
		}
	}
}

// once sends one attempt of p and records its response in ex. The request line for an error
// is rendered only when one occurs.
func (c *Client) once(ctx context.Context, p *prepared, ex *Exchange) error {
	actx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	var body io.Reader = http.NoBody
	if len(p.record.Body) > 0 {
		body = bytes.NewReader(p.record.Body)
	}
	req, err := http.NewRequestWithContext(actx, p.method, p.url, body)
	if err != nil { // prepare validated the URL and method: a harness bug
		return redactError(c.redactor, err)
	}
	// The transport only reads the header, so the prepared one is sent as it is, unless a Host
	// header has to move into req.Host.
	req.Header = p.wire
	if _, ok := p.wire["Host"]; ok {
		req.Header = p.wire.Clone()
		if host := req.Header.Get("Host"); host != "" {
			req.Host = host
			req.Header.Del("Host")
		}
	}

	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		ex.Duration = time.Since(start)
		return c.failure(ctx, actx, ex.RequestLine(), err, false)
	}
	defer resp.Body.Close()
	ex.Response = RecordedResponse{
		Proto:        resp.Proto,
		StatusCode:   resp.StatusCode,
		Status:       resp.Status,
		Header:       resp.Header, // the response's own: nothing else holds it
		Uncompressed: resp.Uncompressed,
	}
	var b []byte
	if resp.ContentLength > c.cfg.MaxBody {
		// declared past the cap: only what a transcript shows is read
		b, err = readAll(resp.Body, min(truncatedKeep, c.cfg.MaxBody), -1)
		ex.Response.Truncated = true
	} else {
		b, ex.Response.Truncated, err = readBody(resp.Body, c.cfg.MaxBody, resp.ContentLength)
	}
	if ex.Response.Truncated {
		ex.Response.Cut = c.cfg.MaxBody
	}
	ex.Response.Body = b
	ex.Duration = time.Since(start)
	if err != nil {
		return c.failure(ctx, actx, ex.RequestLine(), err, true)
	}
	ex.compact()
	return nil
}

// maxPresize bounds the buffer readAll allocates up front from a Content-Length.
const maxPresize = 1 << 20

// truncatedKeep is how much of a body cut at Config.MaxBody an Exchange keeps: what a
// transcript shows. A run against a target whose every answer is too large then holds no more
// than that per exchange.
const truncatedKeep = renderMax

// readBlock is the size of the blocks readBody reads a body of unknown or large length in.
const readBlock = 256 << 10

// readBody reads r to its end, or until it holds more than limit bytes: then it returns the
// first truncatedKeep of them and truncated. length is the declared length, -1 when unknown.
// A body of unknown or large length is read in blocks, so that one cut at the cap never held
// more than limit bytes, nor a copy of them.
func readBody(r io.Reader, limit, length int64) (body []byte, truncated bool, err error) {
	if length >= 0 && length < maxPresize {
		body, err = readAll(r, limit+1, length)
	} else {
		var blocks [][]byte
		total := int64(0)
		lr := io.LimitReader(r, limit+1)
		for err == nil {
			var blk []byte
			blk, err = readAll(lr, readBlock, readBlock-1)
			total += int64(len(blk))
			if len(blk) > 0 {
				blocks = append(blocks, blk)
			}
			if len(blk) < readBlock {
				break
			}
		}
		if total > limit {
			return bytes.Clone(bytes.Join(blocks, nil)[:min(truncatedKeep, limit)]), true, err
		}
		body = bytes.Join(blocks, nil)
	}
	if int64(len(body)) > limit {
		return bytes.Clone(body[:min(truncatedKeep, limit)]), true, err
	}
	return body, false, err
}

// readAll is io.ReadAll(io.LimitReader(r, limit)), with the buffer sized from the declared
// length (-1 when unknown) so that a body is read without growing and copying it.
func readAll(r io.Reader, limit, length int64) ([]byte, error) {
	size := int64(512)
	if length >= 0 && length < maxPresize {
		size = length + 1 // room for the read that reports io.EOF
	}
	return readAllInto(make([]byte, 0, min(size, limit)), io.LimitReader(r, limit), limit)
}

// readAllInto appends r to b until io.EOF, as io.ReadAll does, growing b to at most limit
// bytes of capacity (r holds no more than that).
func readAllInto(b []byte, r io.Reader, limit int64) ([]byte, error) {
	for {
		if len(b) == cap(b) {
			grown := make([]byte, len(b), max(min(2*int64(cap(b)), limit), int64(cap(b))+1, 512))
			copy(grown, b)
			b = grown
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err != nil {
			if err == io.EOF {
				err = nil
			}
			return b, err
		}
	}
}

// retryWait returns how long to wait after the attempt-th response, a 429 whose Retry-After
// header is ra (see Retry429).
func (c *Client) retryWait(ra string, attempt int) time.Duration {
	rc := c.cfg.Retry429
	var wait time.Duration
	if n, err := strconv.ParseInt(strings.TrimSpace(ra), 10, 64); err == nil && n >= 0 {
		if n > int64(rc.MaxWait/time.Second) {
			return rc.MaxWait
		}
		wait = time.Duration(n) * time.Second
	} else {
		wait = rc.BackoffBase
		for i := 1; i < attempt && wait < rc.MaxWait; i++ {
			wait *= 2
		}
	}
	return min(wait, rc.MaxWait)
}

// stopped returns the error for a wait that Config.Sleep ended early: normally the caller's
// context ending, which is the harness stopping, not the target failing.
func stopped(line, what string, err error) error {
	return fmt.Errorf("%s: %s: %w", line, what, err)
}

// limiter spaces requests at least interval apart (a token bucket holding one token). It is
// safe for concurrent use.
type limiter struct {
	interval time.Duration
	now      func() time.Time

	mu   sync.Mutex
	next time.Time // when the next request may start
}

// reserve books the next slot and returns how long to wait for it.
func (l *limiter) reserve() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if l.next.Before(now) {
		l.next = now
	}
	wait := l.next.Sub(now)
	l.next = l.next.Add(l.interval)
	return wait
}

// Redactor returns the Redactor for the client's secret, for the harness's own logs.
func (c *Client) Redactor() *Redactor { return c.redactor }

// CloseIdleConnections closes the connections the Client keeps open for its next requests,
// among them any it dialled but never used (a server shutting down waits for those).
func (c *Client) CloseIdleConnections() { c.http.CloseIdleConnections() }
