package steps

import (
	"context"
	"fmt"
	"net/http"

	"github.com/scimcheck/scimcheck/steps/expect"
)

// Reactivate users (features/okta/reactivate-users.feature, okta-wire §5): PATCH or PUT active true, same id.

// The requirements of these checks: the "because" line of their failure messages.
const (
	becauseActivate = `Okta activates with PATCH {"op":"replace","value":{"active":true}} in OIN apps (200 with the user, or 204) ` +
		`or with a PUT of the whole user with active true in AIW apps (200) (okta-wire §2.4, §5)`
	becauseSameID = `a reactivated or re-linked user keeps the id Okta stored; Okta's CRUD test keeps using it (okta-wire §5, §8.5 step 15)`
)

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
	q.activated = ex
	if err := expect.StatusIn(ex, okStatuses(http.MethodPatch), becauseActivate); err != nil {
		return q.fail(what, "the task fails and the user stays inactive", err)
	}
	u.active = true
	return w.put(ctx, q, u, stale, false)
}

// activatedWith: Then Okta activated "ada" with a PATCH / PUT. It checks the last sequence that
// activated the user: the method, and a 200 answer showing active true (204 is accepted).
func activatedWith(ctx context.Context, alias, method string) error {
	w := worldFromContext(ctx)
	var f *sequence
	for _, kind := range []string{"reactivation", "assignment"} {
		if g := w.latest(kind, alias); g != nil && g.activated != nil && (f == nil || w.sequenceIndex(g) > w.sequenceIndex(f)) {
			f = g
		}
	}
	if f == nil {
		return fmt.Errorf("Okta never activated %q in this scenario: the look-up found nobody, so Okta POSTed instead of linking (%s)", alias, becauseLink)
	}
	return sentWith(f.activated, method, true, becauseActivate, w.mode)
}
