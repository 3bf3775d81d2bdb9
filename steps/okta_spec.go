package steps

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/scimcheck/scimcheck/steps/expect"
	"github.com/scimcheck/scimcheck/steps/scim"
)

// Okta SCIM 2.0 Spec Test (features/okta/okta-spec-test.feature, okta-wire §8.2, §8.3): the random user and group of Okta's Runscope test, and its headers.

// specUser: Given the spec test's random user "runscope": randomGivenName is "Runscope" and
// three digits, randomFamilyName one capital, eight small letters and three digits, and the
// userName (= email) their concatenation at atko.com, here with the run id before the "@"
// (okta-wire §8.1).
func specUser(ctx context.Context, alias string) error {
	w := worldFromContext(ctx)
	given := "Runscope" + w.random(digits, 3)
	family := w.random(upper, 1) + w.random(lower, 8) + w.random(digits, 3)
	addr := given + family + "." + w.runID() + "@atko.com"
	w.users[alias] = w.newUser(alias, given, family, addr)
	return nil
}

// specGroup: Given the spec test's random group "runscope-group" (okta-wire §8.1, 2023 version).
func specGroup(ctx context.Context, alias string) error {
	w := worldFromContext(ctx)
	w.groups[alias] = &group{alias: alias, displayName: w.runID() + " Runscope Group " + w.random(digits, 3)}
	return nil
}

// specCreated: Given the spec test has created "runscope": its step 11 POST, which must work
// for the later steps to start.
func specCreated(ctx context.Context, alias string) error {
	w := worldFromContext(ctx)
	u, ok := w.users[alias]
	if !ok {
		return HarnessErrorf("scimcheck harness error in the feature: %q is not a spec test user; add `Given the spec test's random user %q`", alias, alias)
	}
	body := mustJSON(map[string]any{
		"schemas":     []string{schemaUser},
		"userName":    u.userName,
		"name":        nameBody{GivenName: u.givenName, FamilyName: u.familyName},
		"emails":      []emailBody{{Primary: true, Value: u.email, Type: "work"}},
		"displayName": u.displayName(),
		"active":      true,
	})
	ex, err := w.send(ctx, scim.Request{Method: http.MethodPost, Path: "/Users", Header: specHeader(http.MethodPost, "/Users"), Body: body})
	if err != nil {
		return setupError(fmt.Sprintf("creating %q with the spec test's step 11", alias), err)
	}
	if err := expect.StatusIn(ex, []int{http.StatusOK, http.StatusCreated}, becauseCreate); err != nil {
		return setupError(fmt.Sprintf("creating %q with the spec test's step 11", alias), err)
	}
	if err := expect.NotEmpty(ex, "id", becauseCreate); err != nil {
		return setupError(fmt.Sprintf("creating %q with the spec test's step 11", alias), err)
	}
	u.id, u.active = ex.JSON().Get("id").String(), true
	u.firstID = u.id
	return nil
}

// protocolHeader returns the headers of a protocol-level request: nil (Okta's, okta-wire §1.1)
// or, after "the client uses the headers of Okta's spec test", the spec test's (okta-wire §8.1,
// §8.3).
func (w *world) protocolHeader(method, path string) http.Header {
	if w.headers != profileSpecTest {
		return nil
	}
	return specHeader(method, path)
}

// specHeader returns the headers of Okta's spec test for a request: its GET headers, its POST
// /Users headers (application/json, no User-Agent), or the 2023 version's write headers.
func specHeader(method, path string) http.Header {
	h := http.Header{}
	kind, id := resourceOf("http://x/" + strings.TrimPrefix(path, "/"))
	switch {
	case method == http.MethodGet:
		h.Set("Accept-Charset", "utf-8")
		h.Set("Content-Type", "application/scim+json; charset=utf-8")
		h.Set("Accept", "application/scim+json")
		h.Set("User-Agent", "OKTA SCIM Integration")
	case method == http.MethodPost && kind == "Users" && id == "":
		h.Set("Content-Type", "application/json")
		h.Set("Accept", "application/scim+json; charset=utf-8")
	default:
		h.Set("Accept", "application/scim+json; charset=utf-8")
		h.Set("Content-Type", "application/scim+json")
		h.Set("User-Agent", "OKTA SCIM Integration")
	}
	return h
}

// usesSpecHeaders: Given the client uses the headers of Okta's spec test.
func usesSpecHeaders(ctx context.Context) error {
	worldFromContext(ctx).headers = profileSpecTest
	return nil
}
