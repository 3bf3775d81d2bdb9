package steps

import (
	"context"
	"sync"

	"github.com/scimcheck/scimcheck/steps/scim"
)

// fanOut sends reqs, at most the suite's SetupWidth at a time, in their order, the way Okta's
// engine works on many users at once. It is for set-up and cleanup, never for the requests a
// scenario is about, whose order is Okta's. answered is called for each answer as it arrives,
// one call at a time (so it may use the world), with the index of its request; when it
// returns false, no further request is sent (those in flight finish). The Client's MaxRPS
// limit and 429 retries apply to each request as to any other.
func (w *world) fanOut(ctx context.Context, reqs []scim.Request, answered func(i int, ex *scim.Exchange, err error) bool) {
	width := max(w.suite.SetupWidth, 1)
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		done bool
	)
	slots := make(chan struct{}, width)
	for i, r := range reqs {
		slots <- struct{}{}
		mu.Lock()
		stop := done
		mu.Unlock()
		if stop {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			ex, err := w.suite.Client.Do(ctx, r)
			mu.Lock()
			defer mu.Unlock()
			if !answered(i, ex, err) {
				done = true
			}
		}()
	}
	wg.Wait()
}

// sendAll sends reqs through fanOut, each recorded as send records it, and returns the
// exchanges and errors in the order of reqs. After the first error or answer outside 2xx no
// further request is sent: the entries of those not sent are nil, and come after the first
// failure, so a caller that checks the answers in order stops before them.
func (w *world) sendAll(ctx context.Context, reqs []scim.Request) ([]*scim.Exchange, []error) {
	exs, errs := make([]*scim.Exchange, len(reqs)), make([]error, len(reqs))
	w.fanOut(ctx, reqs, func(i int, ex *scim.Exchange, err error) bool {
		if ex != nil {
			w.observe(ex)
		}
		if err != nil {
			err = sendError(ctx, err)
		}
		exs[i], errs[i] = ex, err
		return err == nil && ex.Response.StatusCode >= 200 && ex.Response.StatusCode <= 299
	})
	return exs, errs
}
