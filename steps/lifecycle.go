package steps

import (
	"context"
	"fmt"
	"net/http"

	"github.com/scimcheck/scimcheck/steps/expect"
	"github.com/scimcheck/scimcheck/steps/scim"
)

// Deactivation and reactivation (okta-wire §4, §5).

// oktaDeactivates: When Okta deactivates "ada" (also "unassigns the app from"): GET, then the
// path-less PATCH active false (OIN) or a PUT of the whole user with active false (AIW).
func oktaDeactivates(ctx context.Context, alias string) error {
	w := worldFromContext(ctx)
	u := w.user(alias)
	q := w.begin("deactivation", alias, fmt.Sprintf("Okta's deactivation of %q (%s app)", alias, w.mode))
	got, err := w.readForUpdate(ctx, q, u)
	if err != nil {
		return err
	}
	req := write(http.MethodPatch, userPath(u.id), patchJSON(activeOp(false)))
	if w.mode == modeAIW {
		req = write(http.MethodPut, userPath(u.id), mustJSON(oktaPUT(got, u, false)))
	}
	what := req.Method + " /Users/{id} with active false"
	ex, err := q.send(ctx, what, req)
	if err != nil {
		return err
	}
	q.f.deactived = ex
	if err := expect.StatusIn(ex, okStatuses(req.Method), becauseDeactivate); err != nil {
		return q.fail(what, `a failed "Deprovision" task; the user keeps access to the app (okta-wire §0, §4)`, err)
	}
	u.active = false
	return nil
}

// oktaReactivates: When Okta reactivates "ada": with the stored id, GET, activate, GET, PUT
// (okta-wire §5).
func oktaReactivates(ctx context.Context, alias string) error {
	w := worldFromContext(ctx)
	q := w.begin("reactivation", alias, fmt.Sprintf("Okta's reactivation of %q (%s app)", alias, w.mode))
	return w.activateAndUpdate(ctx, q, w.user(alias))
}

// oktaReactivatesStale: the race of devforum 14380 (okta-wire §3.1, §11 item 19): GET, PATCH
// active true, then a profile PUT built from the first read, still carrying active false.
func oktaReactivatesStale(ctx context.Context, alias string) error {
	w := worldFromContext(ctx)
	u := w.user(alias)
	q := w.begin("reactivation", alias, fmt.Sprintf("Okta's reactivation of %q with a stale profile push", alias))
	stale, err := w.readForUpdate(ctx, q, u)
	if err != nil {
		return err
	}
	const what = "PATCH /Users/{id} with active true"
	ex, err := q.send(ctx, what, write(http.MethodPatch, userPath(u.id), patchJSON(activeOp(true))))
	if err != nil {
		return err
	}
	q.f.activated = ex
	if err := expect.StatusIn(ex, okStatuses(http.MethodPatch), becauseActivate); err != nil {
		return q.fail(what, "the task fails and the user stays inactive", err)
	}
	u.active = true
	return w.put(ctx, q, u, stale, false)
}

// activatedWith: Then Okta activated "ada" with a PATCH / PUT. It checks the last flow that
// activated the user: the method, and a 200 answer showing active true (204 is accepted).
func activatedWith(ctx context.Context, alias, method string) error {
	w := worldFromContext(ctx)
	var f *flow
	for _, kind := range []string{"reactivation", "assignment"} {
		if g := w.latest(kind, alias); g != nil && g.activated != nil && (f == nil || w.flowIndex(g) > w.flowIndex(f)) {
			f = g
		}
	}
	if f == nil {
		return fmt.Errorf("Okta never activated %q in this scenario: the look-up found nobody, so Okta POSTed instead of linking (%s)", alias, becauseLink)
	}
	return sentWith(f.activated, method, true, becauseActivate, w.mode)
}

// deactivatedWith: Then Okta deactivated "ada" with a PATCH / PUT.
func deactivatedWith(ctx context.Context, alias, method string) error {
	w := worldFromContext(ctx)
	f := w.latest("deactivation", alias)
	if f == nil || f.deactived == nil {
		return HarnessErrorf("scimcheck harness error in the feature: Okta did not deactivate %q in this scenario", alias)
	}
	return sentWith(f.deactived, method, false, becauseDeactivate, w.mode)
}

// sentWith checks that ex was sent with method, and that a 200 answer shows active.
func sentWith(ex *scim.Exchange, method string, active bool, because string, m mode) error {
	if ex.Request.Method != method {
		return HarnessErrorf("scimcheck harness error in the feature: this scenario runs as an %s app, which sends %s, not %s; tag it @oin or @aiw",
			m, ex.Request.Method, method)
	}
	if ex.Response.StatusCode == http.StatusNoContent && method == http.MethodPatch {
		return nil
	}
	if err := expect.StatusIn(ex, okStatuses(method), because); err != nil {
		return err
	}
	return expect.Equal(ex, "active", active, because)
}

// flowIndex returns the position of f among the scenario's flows.
func (w *world) flowIndex(f *flow) int {
	for i, g := range w.flows {
		if g == f {
			return i
		}
	}
	return -1
}
