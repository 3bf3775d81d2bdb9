package steps

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/tidwall/gjson"

	"github.com/scimcheck/scimcheck/steps/expect"
	"github.com/scimcheck/scimcheck/steps/scim"
)

// Then steps about users: how Okta got there, and what the app holds now.

// assignment returns the latest assignment flow of alias.
func (w *world) assignment(alias string) (*flow, error) {
	f := w.latest("assignment", alias)
	if f == nil || len(f.exchanges) == 0 {
		return nil, HarnessErrorf("scimcheck harness error in the feature: Okta did not assign the app to %q in this scenario", alias)
	}
	return f, nil
}

// createdWithPost: Then Okta created "ada" with a POST: 201 with an id, echoing what Okta sent.
func createdWithPost(ctx context.Context, alias string) error {
	w := worldFromContext(ctx)
	f, err := w.assignment(alias)
	if err != nil {
		return err
	}
	look := f.exchanges[0]
	if f.posted == nil {
		return failure(look, "totalResults", "0 (number): nobody in the app has this new userName", describe(look.JSON().Get("totalResults")),
			"a user the app does not hold is created with POST; a look-up that finds someone else makes Okta link the wrong account (okta-wire §2.2, §2.3)")
	}
	ex := f.posted
	sent := gjson.ParseBytes(ex.Request.Body)
	if err := expect.StatusIn(ex, []int{http.StatusOK, http.StatusCreated}, becauseCreate); err != nil {
		return err
	}
	if err := expect.NotEmpty(ex, "id", becauseCreate); err != nil {
		return err
	}
	if err := expect.Contains(ex, "schemas", schemaUser, becauseEcho); err != nil {
		return err
	}
	for _, p := range []string{"userName", "name.givenName", "name.familyName"} {
		if err := expect.Equal(ex, p, sent.Get(p).String(), becauseEcho); err != nil {
			return err
		}
	}
	if err := expect.Equal(ex, "active", true, becauseEcho); err != nil {
		return err
	}
	return created201(ex, becauseCreate)
}

// linkedWithoutPost: Then Okta linked "ada" to the existing app user without a POST.
func linkedWithoutPost(ctx context.Context, alias string) error {
	w := worldFromContext(ctx)
	f, err := w.assignment(alias)
	if err != nil {
		return err
	}
	look := f.exchanges[0]
	if f.posted != nil {
		return fmt.Errorf("Okta POSTed %q although the app already held it (id %q), because the look-up found nobody:\n%w",
			alias, f.priorID, failure(look, "totalResults", "1 (number): the user the app already holds",
				describe(look.JSON().Get("totalResults")), becauseLink))
	}
	if f.priorID != "" && f.foundID != f.priorID {
		return failure(look, "Resources.0.id", strconv.Quote(f.priorID)+" (string), the id of the user the app already holds",
			describe(look.JSON().Get("Resources.0.id")), becauseLink)
	}
	return nil
}

// sentNoPost: Then Okta sent no POST for "ada" during its latest sequence.
func sentNoPost(ctx context.Context, alias string) error {
	w := worldFromContext(ctx)
	for i := len(w.flows) - 1; i >= 0; i-- {
		f := w.flows[i]
		if f.alias != alias {
			continue
		}
		for _, ex := range f.exchanges {
			if kind, id := resourceOf(ex.Request.URL); ex.Request.Method == http.MethodPost && kind == "Users" && id == "" {
				return failure(ex, "request", "no POST: Okta reuses the id it stored", ex.RequestLine(), becauseSameID)
			}
		}
		return nil
	}
	return HarnessErrorf("scimcheck harness error in the feature: Okta sent nothing for %q in this scenario", alias)
}

// oneUserWithUserName: Then the app has exactly one user with the userName of "ada".
func oneUserWithUserName(ctx context.Context, alias string) error {
	w := worldFromContext(ctx)
	ex, err := w.send(ctx, lookupRequest(w.user(alias).userName, false))
	if err != nil {
		return err
	}
	const because = `the app holds one user per userName: a repeated or retried assignment links the user it finds instead of creating another (okta-wire §2.5, §9.1)`
	if err := expect.Status(ex, http.StatusOK, becauseLookup); err != nil {
		return err
	}
	if err := w.tolerantList(ex, becauseLookup); err != nil {
		return err
	}
	return expect.Equal(ex, "totalResults", 1, because)
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

// deletedGroup reports whether Okta deleted a group in this scenario.
func (w *world) deletedGroup() bool {
	for _, f := range w.flows {
		if f.kind == "group delete" {
			return true
		}
	}
	return false
}

// readBackShowsNo: Then reading "ada" back shows no "title".
func readBackShowsNo(ctx context.Context, alias, path string) error {
	w := worldFromContext(ctx)
	ex, err := w.readBack(ctx, alias, false)
	if err != nil {
		return err
	}
	return isEmpty(ex, path, "Okta pushes an attribute emptied in Okta as \"\" or leaves it out of the PUT; either way it is cleared, without an error (okta-wire §3.1, §8.6 C9337)")
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
