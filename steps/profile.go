package steps

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/scimcheck/scimcheck/steps/expect"
)

// Profile pushes (okta-wire §3): GET /Users/{id}, then PUT of the returned object with Okta's
// changes written over it.

// readForUpdate is the GET /Users/{id} that precedes every write Okta makes to a user. It
// returns the decoded user.
func (w *world) readForUpdate(ctx context.Context, q *sequence, u *user) (map[string]any, error) {
	if u.id == "" {
		return nil, HarnessErrorf("scimcheck harness error in the feature: %q has no app id yet; provision it first", u.alias)
	}
	const what = "GET /Users/{id}, reading the user before writing it"
	ex, err := q.send(ctx, what, get(userPath(u.id)))
	if err != nil {
		return nil, err
	}
	if err := expect.Status(ex, http.StatusOK, becauseRead); err != nil {
		return nil, q.fail(what, "the task fails: Okta cannot read the user it is about to update (okta-wire §3.1, §4)", err)
	}
	var got map[string]any
	if err := expect.IsJSON(ex, becauseRead); err != nil || json.Unmarshal(ex.Response.Body, &got) != nil {
		if err == nil {
			err = failure(ex, "body", "a JSON object (the user)", describe(ex.JSON()), becauseRead)
		}
		return nil, q.fail(what, "the task fails: Okta cannot parse the user (okta-wire §1.2)", err)
	}
	return got, nil
}

// putProfile reads u and PUTs Okta's profile over what came back (okta-wire §3.1).
func (w *world) putProfile(ctx context.Context, q *sequence, u *user) error {
	got, err := w.readForUpdate(ctx, q, u)
	if err != nil {
		return err
	}
	return w.put(ctx, q, u, got, u.active)
}

// put sends the read-modify-write PUT built from got and u.
func (w *world) put(ctx context.Context, q *sequence, u *user, got map[string]any, active bool) error {
	const what = "PUT /Users/{id}, the profile Okta pushes"
	ex, err := q.send(ctx, what, write(http.MethodPut, userPath(u.id), mustJSON(oktaPUT(got, u, active))))
	if err != nil {
		return err
	}
	clear(u.cleared)
	if err := expect.Status(ex, http.StatusOK, becausePut); err != nil {
		return q.fail(what, `the task fails: "Error while trying to push profile update for …", with the server's detail (okta-wire §1.4, §3.1)`, err)
	}
	u.appUserName = "" // the app now holds Okta's userName
	return nil
}

// pushProfile runs Okta's profile push for alias after change updated Okta's profile of it.
func (w *world) pushProfile(ctx context.Context, alias string, change func(u *user)) error {
	u := w.user(alias)
	change(u)
	q := w.begin("profile push", alias, fmt.Sprintf("Okta's profile push for %q", alias))
	return w.putProfile(ctx, q, u)
}

// oktaChanges: When Okta changes the first name of "ada" to "Augusta".
func oktaChanges(ctx context.Context, attr, alias, value string) error {
	w := worldFromContext(ctx)
	return w.pushProfile(ctx, alias, func(u *user) {
		switch attr {
		case "first name":
			u.givenName = value
		case "last name":
			u.familyName = value
		case "middle name":
			u.middleName = value
		case "title":
			u.title = value
		}
	})
}

// oktaChangesAddress: When Okta changes the userName (and/or primary email) of "ada" to a new
// address (okta-wire §3.2).
func oktaChangesAddress(ctx context.Context, attr, alias string) error {
	w := worldFromContext(ctx)
	addr := w.newAddress(alias)
	return w.pushProfile(ctx, alias, func(u *user) {
		if attr != "primary email" {
			u.oldUserName, u.userName = u.userName, addr
		}
		if attr != "userName" {
			u.email = addr
		}
	})
}

// oktaAddsPhone: When Okta adds the work phone number "555-555-5555" to "ada" (okta-wire §8.3
// "Update User").
func oktaAddsPhone(ctx context.Context, number, alias string) error {
	w := worldFromContext(ctx)
	return w.pushProfile(ctx, alias, func(u *user) { u.phone = number })
}

// oktaClears: When Okta empties (sends "") or removes (leaves out) the title of "ada"
// (okta-wire §8.6 C9337 "push empty values").
func oktaClears(ctx context.Context, how, attr, alias string) error {
	w := worldFromContext(ctx)
	return w.pushProfile(ctx, alias, func(u *user) {
		switch attr {
		case "title":
			u.title = ""
		case "middle name":
			u.middleName = ""
		}
		u.cleared[attr] = how
	})
}

// oktaSyncsPassword: When Okta syncs a new password for "ada": GET, then PATCH with the
// password in a path-less replace (OIN) or PUT (AIW) (okta-wire §9.5, shape inferred).
func oktaSyncsPassword(ctx context.Context, alias string) error {
	w := worldFromContext(ctx)
	u := w.user(alias)
	u.password = w.random(lower+upper+digits+pwSymbol, 8)
	q := w.begin("password sync", alias, fmt.Sprintf("Okta's password sync for %q", alias))
	got, err := w.readForUpdate(ctx, q, u)
	if err != nil {
		return err
	}
	if w.mode == modeAIW {
		return w.put(ctx, q, u, got, u.active)
	}
	const what = "PATCH /Users/{id} with the new password"
	ex, err := q.send(ctx, what, write(http.MethodPatch, userPath(u.id), patchJSON(passwordOp(u.password))))
	if err != nil {
		return err
	}
	if err := expect.StatusIn(ex, okStatuses(http.MethodPatch), "Okta syncs passwords with PATCH and needs 200 or 204 (okta-wire §9.5)"); err != nil {
		return q.fail(what, "the password push fails and the user cannot sign in with the new password", err)
	}
	return nil
}
