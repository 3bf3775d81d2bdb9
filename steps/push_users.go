package steps

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/scimcheck/scimcheck/steps/expect"
	"github.com/scimcheck/scimcheck/steps/scim"
)

// Push users (features/okta/push-users.feature, okta-wire §2): Okta looks every assigned user up by userName, creates the ones it does not find with a POST, and links the ones it finds (activate and profile push, never a POST).

// The requirements of these checks: the "because" line of their failure messages.
const (
	becauseLookup = `Okta looks every assigned user up with GET /Users?filter=userName eq "…"&startIndex=1&count=100 ` +
		`and needs 200 with a ListResponse whose totalResults, startIndex and itemsPerPage are JSON integers: ` +
		`a startIndex "1" made Okta fail the sync silently (okta-wire §2.2, §9.4)`
	becauseFindExisting = `Okta's look-up filters on userName alone, whatever the email, and must find every user the app holds under that userName, ` +
		`in any case and inactive ones too; ` +
		`a look-up that misses one makes Okta POST a duplicate into a 409 (okta-wire §2.2, §2.5, §5, §9.4)`
	becauseCaseless = `userName is caseExact false, so "eq" matches it in any case (RFC 7643 §4.1.1, RFC 7644 §3.4.2.2); ` +
		`Okta's spec test looks the user up upper-cased (okta-wire §8.2 step 17)`
	becauseNotFound = `a userName nobody has is not an error: Okta's spec test needs 200 with totalResults 0 (okta-wire §2.2, §8.2 steps 5 and 9)`
	becauseCreate   = `Okta creates a user it did not find with POST /Users and needs 201 with the user and its new id, ` +
		`which it stores and uses for every later call; an empty body fails the task with "Create new user returned empty user" (okta-wire §2.3, §8.2 step 11)`
	becauseEcho = `the created user must echo what Okta sent, userName and names in their exact case, active true (okta-wire §2.3, §8.2 steps 11 and 13)`
	becauseDup  = `a POST for a userName the app already holds must be refused with 409 in the SCIM Error schema, ` +
		`which stops the provisioning job (okta-wire §2.5, §8.2 step 15)`
	becauseLink = `a user who is already in the app is linked: Okta's look-up finds it, Okta stores its id and never POSTs (okta-wire §2.4, §8.6 C9335)`
)

// oktaHasUsers: Given Okta has a user "ada" / users "ada, grace". It only names Okta users;
// nothing is sent.
func oktaHasUsers(ctx context.Context, list string) error {
	w := worldFromContext(ctx)
	for _, a := range aliases(list) {
		w.user(a)
	}
	return nil
}

// oktaHasNonEmailUser: the Okta username mapping yields "ada.<run>.<rand>", not an email
// address, while the email stays an address (okta-wire §2.2).
func oktaHasNonEmailUser(ctx context.Context, alias string) error {
	u := worldFromContext(ctx).user(alias)
	u.userName = strings.TrimSuffix(u.userName, "@example.com")
	return nil
}

// appHasActiveUsers: Given the app already has an active user "ada" (or active users "ada,
// grace"): the vendor's own app created them before Okta provisioning was on.
func appHasActiveUsers(ctx context.Context, list string) error {
	w := worldFromContext(ctx)
	var users []*user
	for _, a := range aliases(list) {
		users = append(users, w.user(a))
	}
	return w.vendorCreateAll(ctx, users)
}

// appHasUpperCasedUser: as appHasActiveUsers, with the userName stored upper-cased.
func appHasUpperCasedUser(ctx context.Context, alias string) error {
	w := worldFromContext(ctx)
	u := w.user(alias)
	return w.vendorCreate(ctx, u, strings.ToUpper(u.userName))
}

// vendorCreate creates u directly through the protocol, as the vendor's app would, and
// records its id. It is set-up, so it accepts any 2xx and finds the id by a look-up when the
// answer has none; a failure says the scenario could not start.
func (w *world) vendorCreate(ctx context.Context, u *user, userName string) error {
	ex, err := w.send(ctx, write(http.MethodPost, "/Users", vendorUserJSON(u, userName)))
	return w.vendorCreated(ctx, u, userName, ex, err)
}

// vendorCreateAll is vendorCreate for each of users, with its own userName, the POSTs sent
// several at a time (set-up, as Okta's engine would: fanOut). It returns the failure of the
// first user in order that could not be created.
func (w *world) vendorCreateAll(ctx context.Context, users []*user) error {
	reqs := make([]scim.Request, len(users))
	for i, u := range users {
		reqs[i] = write(http.MethodPost, "/Users", vendorUserJSON(u, u.userName))
	}
	exs, errs := w.sendAll(ctx, reqs)
	for i, u := range users {
		if err := w.vendorCreated(ctx, u, u.userName, exs[i], errs[i]); err != nil {
			return err
		}
	}
	return nil
}

// vendorCreated is the rest of vendorCreate, once the POST was answered (ex, err).
func (w *world) vendorCreated(ctx context.Context, u *user, userName string, ex *scim.Exchange, err error) error {
	if err != nil {
		return setupError(fmt.Sprintf("creating %q in the app", u.alias), err)
	}
	if err := expect.StatusIn(ex, []int{200, 201}, "the scenario needs a user that is already in the app"); err != nil {
		return setupError(fmt.Sprintf("creating %q in the app", u.alias), err)
	}
	id := ex.JSON().Get("id").String()
	if id == "" {
		look, err := w.send(ctx, lookupRequest(userName, false))
		if err != nil {
			return setupError(fmt.Sprintf("finding the id of %q", u.alias), err)
		}
		id = look.JSON().Get("Resources.0.id").String()
		if id == "" {
			return setupError(fmt.Sprintf("finding the id of %q", u.alias),
				expect.NotEmpty(look, "Resources.0.id", "the create answer had no id, so the user must be found by its userName"))
		}
		w.createdUsers = append(w.createdUsers, id)
	}
	u.id, u.active = id, true
	if u.firstID == "" {
		u.firstID = id
	}
	if userName != u.userName {
		u.appUserName = userName
	}
	return nil
}

// setupError says a Given step could not prepare the scenario.
func setupError(what string, err error) error {
	return fmt.Errorf("set-up failed while %s, so the scenario could not start (the failing request is not the behaviour under test, but Okta needs it too):\n%w", what, err)
}

// oktaAssigns: When Okta assigns the app to "ada" (also "again", "has assigned", "retries the
// assignment of").
func oktaAssigns(ctx context.Context, alias string) error {
	w := worldFromContext(ctx)
	return w.assign(ctx, alias)
}

// oktaProvisions: Given Okta has provisioned "ada, grace": each is assigned and must end up in
// the app, created or linked.
// When Okta's assignment breaks on a check at okta grade, the user is set up directly (a
// detour, see world.detour) so that the scenario still reaches its subject; the scenario is
// then blocked by that cause, not failed, unless its subject fails too.
func oktaProvisions(ctx context.Context, list string) error {
	w := worldFromContext(ctx)
	for _, a := range aliases(list) {
		if err := w.assign(ctx, a); err != nil {
			if w.detour(ctx, a, err) != nil {
				return err
			}
		}
	}
	return nil
}

// detour sets up alias without Okta's assignment, after the assignment failed with err: the
// user the look-up found is taken as it is, else it is created with a plain POST /Users. It
// records err's failure as the scenario's set-up cause and returns nil when the user is now in
// the app; it returns an error, and records nothing, when err is no okta-grade check failure
// (a transport failure, a harness error) or the detour fails too.
func (w *world) detour(ctx context.Context, alias string, err error) error {
	var f *expect.Failure
	if !errors.As(err, &f) || !f.Grade.AtLeast(expect.GradeOkta) {
		return err
	}
	u := w.user(alias)
	if u.id == "" {
		ex, serr := w.send(ctx, write(http.MethodPost, "/Users", createUserJSON(u)))
		if serr != nil {
			return serr
		}
		id := ex.JSON().Get("id").String()
		if st := ex.Response.StatusCode; (st != http.StatusOK && st != http.StatusCreated) || id == "" {
			return err
		}
		u.id, u.active = id, true
		if u.firstID == "" {
			u.firstID = id
		}
	}
	w.diagnoseFailure(f)
	w.detours = append(w.detours, f)
	return nil
}

// assign replays an assignment: the look-up, then POST when nobody was found, or the link
// sequence (GET, activate, GET, PUT) when the user was (okta-wire §2.2–§2.4).
func (w *world) assign(ctx context.Context, alias string) error {
	u := w.user(alias)
	q := w.begin("assignment", alias, fmt.Sprintf("Okta's assignment of %q", alias))
	ex, err := q.send(ctx, "the look-up GET /Users?filter=userName eq …", lookupRequest(u.userName, false))
	if err != nil {
		return err
	}
	found, err := q.foundUser(ex, u.userName)
	if err != nil {
		return err
	}
	if found == "" {
		return w.create(ctx, q, u)
	}
	q.foundID = found
	u.id = found
	if u.firstID == "" {
		u.firstID = found
	}
	return w.activateAndUpdate(ctx, q, u)
}

// foundUser reads the look-up answer: the id of the one user with userName, or "" when there
// is none (200 with totalResults 0, or the 404 Okta also accepts).
func (q *sequence) foundUser(ex *scim.Exchange, userName string) (string, error) {
	const what = "the look-up GET /Users?filter=userName eq …"
	if ex.Response.StatusCode == http.StatusNotFound && expect.Contains(ex, "schemas", expect.ErrorSchema, "") == nil {
		return "", nil
	}
	if err := expect.Status(ex, http.StatusOK, becauseLookup); err != nil {
		return "", q.fail(what, `the task fails: "Error while verifying if user … exists" (okta-wire §1.4, §2.2)`, err)
	}
	if err := q.w.tolerantList(ex, becauseLookup); err != nil {
		return "", q.fail(what, "Okta cannot read the answer and fails the sync silently: no POST is sent (okta-wire §2.2, §9.4)", err)
	}
	body := ex.JSON()
	if body.Get("totalResults").Int() == 0 {
		return "", nil
	}
	if n := body.Get("totalResults").Int(); n != 1 {
		return "", q.fail(what, "Okta links the first resource it gets back: with several matches it may link another person's account",
			failure(ex, "totalResults", "1 (number): the one user with this userName", describe(body.Get("totalResults")), becauseLookupMatch))
	}
	if err := expect.EqualFold(ex, "Resources.0.userName", userName, becauseLookupMatch); err != nil {
		return "", q.fail(what, "Okta would link another person's account", err)
	}
	if err := expect.NotEmpty(ex, "Resources.0.id", becauseLookupMatch); err != nil {
		return "", q.fail(what, "Okta has no id to store and fails the task", err)
	}
	return body.Get("Resources.0.id").String(), nil
}

// create sends Okta's POST /Users for u (okta-wire §2.3).
func (w *world) create(ctx context.Context, q *sequence, u *user) error {
	const what = "POST /Users, creating the user the look-up did not find"
	ex, err := q.send(ctx, what, write(http.MethodPost, "/Users", createUserJSON(u)))
	if err != nil {
		return err
	}
	q.posted = ex
	if ex.Response.StatusCode == http.StatusConflict {
		look := q.exchanges[0]
		okta := fmt.Sprintf("Okta trusted the look-up, POSTed (request 2, %s) and got %s; it marks the task failed "+
			"and the admin sees the 409 (okta-wire §2.5, §9.4)", ex.RequestLine(), ex.ShownStatus())
		if d := ex.JSON().Get("detail"); d.Exists() {
			okta += ": " + ex.Redact(d.String())
		}
		return &sequenceError{title: q.title, kind: q.kind, n: 1, what: "the look-up GET /Users?filter=userName eq …",
			err: expect.Graded(failure(look, "totalResults", "1 (number): the user the server holds, as its 409 to the POST shows",
				describe(look.JSON().Get("totalResults")), becauseFindExisting), expect.Check{Grade: expect.GradeOkta, Okta: okta})}
	}
	if err := expect.StatusIn(ex, []int{http.StatusOK, http.StatusCreated}, becauseCreate); err != nil {
		return q.fail(what, `the task fails: "Automatic provisioning of user … failed" (okta-wire §2.3)`, err)
	}
	if err := expect.NotEmpty(ex, "id", becauseCreate); err != nil {
		return q.fail(what, `the task fails: "Create new user returned empty user" (okta-wire §2.3)`, err)
	}
	u.id, u.active = ex.JSON().Get("id").String(), true
	if u.firstID == "" {
		u.firstID = u.id
	}
	return nil
}

// activateAndUpdate links a found user the way Okta does: GET, activate (PATCH or PUT by
// mode), GET, PUT the profile (okta-wire §2.4, §5).
func (w *world) activateAndUpdate(ctx context.Context, q *sequence, u *user) error {
	if err := w.activate(ctx, q, u); err != nil {
		return err
	}
	return w.putProfile(ctx, q, u)
}

// activate reads u, then activates it: PATCH active true in OIN apps, PUT of the whole user
// with active true in AIW apps.
func (w *world) activate(ctx context.Context, q *sequence, u *user) error {
	got, err := w.readForUpdate(ctx, q, u)
	if err != nil {
		return err
	}
	var req = write(http.MethodPatch, userPath(u.id), patchJSON(activeOp(true)))
	if w.mode == modeAIW {
		req = write(http.MethodPut, userPath(u.id), mustJSON(oktaPUT(got, u, true)))
	}
	what := req.Method + " /Users/{id} with active true"
	ex, err := q.send(ctx, what, req)
	if err != nil {
		return err
	}
	q.activated = ex
	if err := expect.StatusIn(ex, okStatuses(req.Method), becauseActivate); err != nil {
		return q.fail(what, "the task fails and the user stays inactive in the app (okta-wire §2.4, §5)", err)
	}
	u.active = true
	return nil
}

// okStatuses returns what Okta accepts for a write: 200 or 204 for PATCH, 200 for PUT.
func okStatuses(method string) []int {
	if method == http.MethodPatch {
		return []int{http.StatusOK, http.StatusNoContent}
	}
	return []int{http.StatusOK}
}

// oktaLooksUp: When Okta looks up "ada": the existence check alone, checked by Then steps.
func oktaLooksUp(ctx context.Context, alias string) error {
	w := worldFromContext(ctx)
	u := w.user(alias)
	w.because = becauseNotFound
	if u.id != "" {
		w.because = becauseFindExisting
	}
	_, err := w.send(ctx, lookupRequest(u.userName, false))
	return err
}

// oktaLooksUpUpper: the look-up with the userName upper-cased (okta-wire §8.2 step 17).
func oktaLooksUpUpper(ctx context.Context, alias string) error {
	w := worldFromContext(ctx)
	w.because = becauseCaseless
	_, err := w.send(ctx, lookupRequest(strings.ToUpper(w.user(alias).userName), false))
	return err
}

// oktaLooksUpPlus: the look-up with spaces encoded as "+" (okta-wire §2.2, older captures).
func oktaLooksUpPlus(ctx context.Context, alias string) error {
	w := worldFromContext(ctx)
	w.because = `a query string may encode spaces as "+" as well as %20, and Okta's older captures do (okta-wire §2.2)`
	_, err := w.send(ctx, lookupRequest(w.user(alias).userName, true))
	return err
}

// oktaSendsSamePost: Okta's POST /Users for the user, once more (okta-wire §8.2 step 15).
func oktaSendsSamePost(ctx context.Context, alias string) error {
	w := worldFromContext(ctx)
	w.because = becauseDup
	_, err := w.send(ctx, write(http.MethodPost, "/Users", createUserJSON(w.user(alias))))
	return err
}

// checkCreated201: a POST that creates answers 201, not 200. Okta's runtime takes either and
// stores the id (okta-wire §2.3, §6.1 [C]); its spec test checks for 201 (§8.2 step 11).
var checkCreated201 = expect.Check{
	ID:    "create-201",
	Grade: expect.GradeReview,
	Okta:  "Okta's runtime accepts 200 or 201 with the created resource, so provisioning works; Okta's SPEC test checks for 201",
}

// created201 checks that the POST of ex answered 201 Created, at checkCreated201's grade.
func created201(ex *scim.Exchange, because string) error {
	return expect.Graded(expect.Status(ex, http.StatusCreated, because), checkCreated201)
}

// checkNotFoundIsEmpty: a look-up that matches nobody answers 200 with totalResults 0. Okta's
// runtime also takes a 404 SCIM error as "not found" (okta-wire §2.2 [C]); its SPEC test does
// not (§8.2 step 5).
var checkNotFoundIsEmpty = expect.Check{
	ID:    "filter-no-match-404", // the diagnosis rule of that id names it
	Grade: expect.GradeReview,
	Okta: "Okta's runtime takes a 404 SCIM error as \"not found\" and goes on, so provisioning works; Okta's SPEC test " +
		"needs 200 with totalResults 0 and fails on 404 (okta-wire §2.2, §8.2 step 5)",
}

// oktaFindsNobody: Then Okta finds nobody: the latest look-up answered "not found" the way
// Okta's runtime reads it, 200 with totalResults 0 or a 404 SCIM error (then a finding).
func oktaFindsNobody(ctx context.Context) error {
	w := worldFromContext(ctx)
	ex, err := w.response()
	if err != nil {
		return err
	}
	because := w.requirement()
	if ex.Response.StatusCode == http.StatusNotFound && expect.Contains(ex, "schemas", expect.ErrorSchema, "") == nil {
		return w.tolerate(expect.Graded(expect.Status(ex, http.StatusOK, because), checkNotFoundIsEmpty))
	}
	if err := expect.Status(ex, http.StatusOK, because); err != nil {
		return err
	}
	if err := w.tolerantList(ex, because); err != nil {
		return err
	}
	return expect.Equal(ex, "totalResults", 0, because)
}
