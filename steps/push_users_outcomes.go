package steps

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/scimcheck/scimcheck/steps/expect"
)

// Push users, the outcomes: how Okta got there (a POST or a link) and what the app holds now, and the diagnoses of a look-up or create that went wrong.

// assignment returns the latest assignment sequence of alias.
func (w *world) assignment(alias string) (*sequence, error) {
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
	for i := len(w.sequences) - 1; i >= 0; i-- {
		f := w.sequences[i]
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

// diagnoseCreate: a POST answered 200, or 2xx with nothing in it.
func diagnoseCreate(c *clue) diagnosis {
	if c.method() != http.MethodPost {
		return diagnosis{}
	}
	st := c.status()
	switch {
	case strings.Contains(c.f.Unreadable, "empty") && st >= 200 && st <= 299:
		return found("create-empty-body", fmt.Sprintf("POST answered %s with an empty body: Okta needs the created resource with its id, "+
			`and fails the task with "Create new user returned empty user"`, c.ex.ShownStatus()))
	case c.statusCheck(http.StatusCreated) && st == http.StatusOK:
		return found("create-200", "a POST that creates must answer 201 Created, not 200 OK: Okta's spec test checks for 201")
	case c.statusCheck(http.StatusConflict) && st >= 200 && st <= 299:
		return found("no-409-on-duplicate", "a second POST for a userName the app already holds must be refused with 409 Conflict; "+
			"this server created a duplicate user instead")
	}
	return diagnosis{}
}

// diagnoseLookup: a filtered look-up that returned the wrong resources, or none.
func diagnoseLookup(c *clue) diagnosis {
	kind, id := c.target()
	attr, value, ok := c.filterValue()
	if c.method() != http.MethodGet || id != "" || !ok || !c.ex.IsJSON() {
		return diagnosis{}
	}
	body := c.got()
	others := 0
	for _, r := range body.Get("Resources").Array() {
		if !strings.EqualFold(r.Get(attr).String(), value) {
			others++
		}
	}
	if others > 0 {
		return found("filter-ignored", fmt.Sprintf("the filter is ignored: %s eq %q returned %s with another %s; "+
			"Okta links the first resource it gets back, which can be another person's account",
			attr, value, plural(others, "resource"), attr))
	}
	u := c.w.userByName(value)
	if kind != "Users" || attr != "userName" || body.Get("totalResults").Int() != 0 || u == nil || u.id == "" {
		return diagnosis{}
	}
	switch {
	case value != u.appName():
		return found("username-case-sensitive", fmt.Sprintf("the userName look-up is case-sensitive: userName eq %q found nobody although the app holds %q; "+
			"Okta will try to create a duplicate user and get 409 (userName is caseExact false, RFC 7643 §4.1.1)", value, u.appName()))
	case !u.active:
		return found("deactivated-hidden-from-lookup", "the userName look-up hides deactivated users: when Okta assigns the app again it finds nobody, "+
			"POSTs the user again and gets 409, so the user is never reactivated")
	case !strings.EqualFold(u.email, value):
		return found("lookup-matches-other-attribute", fmt.Sprintf("userName eq %q found nobody although the app holds a user with exactly that userName: "+
			"the look-up matches another attribute (the email?) instead of userName, so Okta creates a duplicate and gets 409", value))
	}
	if writes := c.w.writesBefore(c.ex, u.id); len(writes) > 0 && writes[len(writes)-1].JSON().Get("userName").String() == value {
		return found("username-change-not-saved", fmt.Sprintf("the %s answered %d with userName %q, but a look-up by that userName finds nobody: the change was not saved",
			writes[len(writes)-1].Request.Method, writes[len(writes)-1].Response.StatusCode, value))
	}
	return found("lookup-misses-user", "the userName look-up does not find a user the app holds: Okta will try to create a duplicate user and get 409")
}
