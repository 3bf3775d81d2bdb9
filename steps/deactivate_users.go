package steps

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/scimcheck/scimcheck/steps/expect"
	"github.com/scimcheck/scimcheck/steps/scim"
)

// Deactivate users (features/okta/deactivate-users.feature, okta-wire §4): a path-less PATCH active false (OIN) or a PUT of the whole user (AIW); the user stays readable and is never deleted.

// The requirements of these checks: the "because" line of their failure messages.
const (
	becauseDeactivate = `Okta deactivates with a path-less PATCH {"op":"replace","value":{"active":false}} in OIN apps (200 with the user, or 204) ` +
		`or with a PUT of the whole user with active false in AIW apps (200) (okta-wire §4)`
	becauseStillThere = `a deactivated user stays readable: GET /Users/{id} answers 200 with active false, not 404 (okta-wire §4, §8.5 steps 11 and 19)`
	becauseNoDelete   = `Okta never deletes users: unassignment and deactivation send PATCH or PUT with active false (okta-wire §4, §11 item 20)`
)

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
	q.deactived = ex
	if err := expect.StatusIn(ex, okStatuses(req.Method), becauseDeactivate); err != nil {
		return q.fail(what, `a failed "Deprovision" task; the user keeps access to the app (okta-wire §0, §4)`, err)
	}
	u.active = false
	return nil
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

// sequenceIndex returns the position of f among the scenario's sequences.
func (w *world) sequenceIndex(f *sequence) int {
	for i, g := range w.sequences {
		if g == f {
			return i
		}
	}
	return -1
}

// neverSentDeleteUsers: Then Okta never sent DELETE /Users.
func neverSentDeleteUsers(ctx context.Context) error {
	w := worldFromContext(ctx)
	for _, ex := range w.exchanges {
		if kind, id := resourceOf(ex.Request.URL); ex.Request.Method == http.MethodDelete && kind == "Users" && id != "" {
			return HarnessErrorf("scimcheck harness bug: it sent %s, which Okta never does (%s)", ex.RequestLine(), becauseNoDelete)
		}
	}
	return nil
}

// checkUserReadable: GET /Users/{id} answers 200, for a deactivated user too. Okta reads every
// user by id before it updates, deactivates or reactivates it (okta-wire §3.1, §4, §5 [C]), so
// it is at okta grade in any scenario, whatever the scenario's own subject.
var checkUserReadable = expect.Check{
	ID:    "user-readable",
	Grade: expect.GradeOkta,
	Okta: "Okta reads the user by id before every update, deactivation and reactivation: the task fails, " +
		"and a deactivated user cannot be reactivated through the id Okta stored",
}

// diagnoseActive: active of the wrong type, or a (de)activation that did not take.
func diagnoseActive(c *clue) diagnosis {
	if c.f.Path != "active" {
		return diagnosis{}
	}
	if strings.HasSuffix(c.f.Actual, "(string)") {
		return found("active-as-string", `active must be a JSON boolean (true or false), not the string "true": Okta and its spec test read active as a boolean`)
	}
	if !strings.HasSuffix(c.f.Expected, "(boolean)") || !strings.HasSuffix(c.f.Actual, "(boolean)") {
		return diagnosis{}
	}
	_, id := c.target()
	if c.method() == http.MethodGet && strings.HasPrefix(c.f.Expected, "true") && c.w.sentBefore(c.ex, http.MethodDelete, "Groups") {
		return found("group-delete-deactivates", "deleting a group deactivated its members: DELETE /Groups/{id} must leave the users alone; "+
			"Okta deletes a pushed group when the admin unlinks it, never its users")
	}
	return c.writeDiagnosis(id)
}

// deactivated reports whether id is a user of the scenario that Okta deactivated, by its sequences
// or by a PATCH or PUT setting active false.
func (c *clue) deactivated(id string) bool {
	u := c.w.userByID(id)
	if u == nil {
		return false
	}
	if !u.active {
		return true
	}
	writes := c.w.writesBefore(c.ex, id)
	return len(writes) > 0 && strings.Contains(string(writes[len(writes)-1].Request.Body), `"active":false`)
}
