package steps

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/scimcheck/scimcheck/steps/expect"
	"github.com/scimcheck/scimcheck/steps/scim"
)

// Update user attributes (features/okta/update-user-attributes.feature, okta-wire §3): Okta reads the user, then PUTs the object it got back with its changes; password sync (§9.5).

// The requirements of these checks: the "because" line of their failure messages.
const (
	becauseRead = `Okta reads the user by id before every update, deactivation and reactivation, and needs 200 with the user (okta-wire §3.1, §4, §5)`
	becausePut  = `Okta pushes a profile change as GET, then PUT of the object it got back with read-only attributes echoed (id, meta, groups, emails[].display), ` +
		`and needs 200 with the updated user; the next GET must show the change (okta-wire §3.1, §3.2, RFC 7644 §3.5.1)`
)

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

// checkPasswordNeverReturned: the password is never returned (RFC 7643 §4.1.1). Okta does not
// read it back, so only the RFC cares; it is a finding in any scenario.
var checkPasswordNeverReturned = expect.Check{
	ID:    "password-never-returned",
	Grade: expect.GradeRFC,
	Okta:  "Okta never reads the password back, so provisioning and the OIN review are unaffected; RFC 7643 says it is returned \"never\"",
}

// readBack sends GET /Users/{id} for alias and checks it answers 200: the requirement is
// becauseStillThere when the user should be inactive, becauseRead otherwise.
func (w *world) readBack(ctx context.Context, alias string, inactive bool) (*scim.Exchange, error) {
	u := w.user(alias)
	if u.id == "" {
		return nil, HarnessErrorf("scimcheck harness error in the feature: %q has no app id yet; provision it first", alias)
	}
	ex, err := w.send(ctx, get(userPath(u.id)))
	if err != nil {
		return nil, err
	}
	because := becauseRead
	if inactive || !u.active {
		because = becauseStillThere
	}
	return ex, expect.Graded(expect.Status(ex, http.StatusOK, because), checkUserReadable)
}

// readBackShows: Then reading "ada" back shows "name.givenName" as "Augusta".
func readBackShows(ctx context.Context, alias, path, value string) error {
	w := worldFromContext(ctx)
	want, err := w.expand(value, asIs)
	if err != nil {
		return err
	}
	ex, err := w.readBack(ctx, alias, false)
	if err != nil {
		return err
	}
	return expect.Equal(ex, path, want, becausePut)
}

// readBackShowsBool: Then reading "ada" back shows "active" as false.
func readBackShowsBool(ctx context.Context, alias, path, value string) error {
	w := worldFromContext(ctx)
	ex, err := w.readBack(ctx, alias, value == "false")
	if err != nil {
		return err
	}
	because := becauseActivate
	switch {
	case value == "false":
		because = becauseStillThere
	case w.deletedGroup():
		because = becauseGroupDelete
	}
	return expect.Equal(ex, path, value == "true", because+"; active is a JSON boolean (RFC 7643 §4.1.1)")
}

// readBackShowsNo: Then reading "ada" back shows no "title".
func readBackShowsNo(ctx context.Context, alias, path string) error {
	w := worldFromContext(ctx)
	ex, err := w.readBack(ctx, alias, false)
	if err != nil {
		return err
	}
	return expect.Unassigned(ex, path, "Okta pushes an attribute emptied in Okta as \"\" or leaves it out of the PUT; either way it is cleared, without an error (okta-wire §3.1, §8.6 C9337)")
}

// diagnosePutRefused: Okta's read-modify-write PUT, refused.
func diagnosePutRefused(c *clue) diagnosis {
	st := c.status()
	if c.method() != http.MethodPut || st < 400 || st > 499 || st == http.StatusNotFound {
		return diagnosis{}
	}
	body := c.sent()
	_, id := c.target()
	switch u := c.w.userByID(id); {
	case hasEmptyString(body):
		return found("empty-value-rejected", `an attribute emptied in Okta arrives as "" and must be cleared, not refused with `+strconv.Itoa(st)+
			`: Okta QA's "push empty values" test expects no error`)
	case u != nil && u.oldUserName != "" && body.Get("userName").String() == u.userName:
		return found("username-change-rejected", "userName changes must be accepted: Okta pushes a new userName for the same id as an ordinary profile PUT")
	case body.Get("id").Exists() || body.Get("meta").Exists() || body.Get("groups").Exists():
		return found("put-rejects-read-only", "a PUT must accept and ignore the read-only attributes Okta echoes back (id, meta, groups, emails[].display): "+
			"Okta PUTs the object its GET returned, with its changes written over it")
	}
	return diagnosis{}
}

// hasEmptyString reports whether v holds "" anywhere.
func hasEmptyString(v gjson.Result) bool {
	found := false
	var walk func(r gjson.Result)
	walk = func(r gjson.Result) {
		switch {
		case r.Type == gjson.String && r.Str == "":
			found = true
		case r.IsArray() || r.IsObject():
			r.ForEach(func(_, el gjson.Result) bool { walk(el); return !found })
		}
	}
	walk(v)
	return found
}

// diagnoseUserWrite: a profile change that did not take, or an attribute a PUT left behind.
func diagnoseUserWrite(c *clue) diagnosis {
	kind, id := c.target()
	if kind != "Users" || id == "" {
		return diagnosis{}
	}
	if strings.HasPrefix(c.f.Expected, "nothing") && c.method() == http.MethodGet {
		writes := c.w.writesBefore(c.ex, id)
		if n := len(writes); n > 0 && writes[n-1].Request.Method == http.MethodPut {
			return found("put-merges", fmt.Sprintf(`PUT kept %s although Okta's PUT left it out or sent "": a PUT replaces the whole resource, `+
				`it is not a merge, so Okta's "push empty values" never clears anything`, topName(c.f.Path)))
		}
	}
	if c.method() == http.MethodPut || c.method() == http.MethodGet {
		return c.writeDiagnosis(id)
	}
	return diagnosis{}
}

// writeDiagnosis explains a value the latest write to user id should have set, checked on the
// write's answer or on the GET after it: not applied, dropped, or not saved.
func (c *clue) writeDiagnosis(id string) diagnosis {
	write := c.ex
	if c.method() == http.MethodGet {
		writes := c.w.writesBefore(c.ex, id)
		if len(writes) == 0 {
			return diagnosis{}
		}
		write = writes[len(writes)-1]
		if answered := write.JSON().Get(c.f.Path); write.IsJSON() && answered.Exists() && rendered(answered) == c.f.Expected {
			return found("write-not-saved", fmt.Sprintf("the %s answered %d with %s %s, but the next GET shows %s: the change was not saved; "+
				"Okta's CRUD test reads the user back after each change", write.Request.Method, write.Response.StatusCode,
				c.f.Path, c.f.Expected, orMissing(c.f)))
		}
	}
	sent := gjson.ParseBytes(write.Request.Body)
	switch {
	case c.f.Path == "active" && write.Request.Method == http.MethodPatch:
		return found("patch-active-ignored", "the PATCH replace of active was accepted but not applied: Okta deactivates and reactivates users of "+
			`OIN apps with exactly this PATCH ({"op":"replace","value":{"active":…}}), so they keep or lose access wrongly`)
	case c.f.Path == "active" && write.Request.Method == http.MethodPut:
		return found("put-ignores-active", "PUT ignored active: AIW apps deactivate and reactivate with a PUT of the whole user, so the server must take active from it")
	case write.Request.Method == http.MethodPut && sent.Get(c.f.Path).Exists():
		return found("put-drops-attribute", fmt.Sprintf("PUT dropped %s, which Okta sent: a PUT replaces the user with what Okta sent, attributes the user "+
			"did not have before included (Okta's 2023 spec test adds phoneNumbers)", topName(c.f.Path)))
	}
	return diagnosis{}
}

// orMissing renders a Failure's actual value, or "nothing" when the path was missing.
func orMissing(f *expect.Failure) string {
	if f.Missing || f.Actual == "" {
		return "nothing"
	}
	return f.Actual
}
