package steps

import (
	"context"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/scimcheck/scimcheck/steps/expect"
	"github.com/scimcheck/scimcheck/steps/scim"
)

// SCIM protocol (features/okta/protocol.feature, capability @protocol): checks of what RFC
// 7643/7644 requires and Okta neither sends nor reads. Each is at rfc grade and has its home
// scenario, tagged @rfc; no step that replays Okta runs them.

// checkLocation: a 201 carries Location, the resource's absolute URI, the same as meta.location.
var checkLocation = expect.Check{
	ID:    "created-location",
	Grade: expect.GradeRFC,
	Okta: "Okta stores the id from the body of the 201 and never reads Location or meta.location, so provisioning and the OIN review " +
		"are unaffected; clients that follow Location or meta.location cannot find the resource",
	Diagnosis: "a 201 Created must carry a Location header with the new resource's absolute URI, the same as its meta.location " +
		"(RFC 7644 §3.3, RFC 7643 §3.1)",
}

// checkMediaType: answers are labelled application/scim+json.
var checkMediaType = expect.Check{
	ID:    "response-media-type",
	Grade: expect.GradeRFC,
	Okta: "Okta parses the body as JSON whatever its label (okta-wire §1.2), so provisioning and the OIN review are unaffected; " +
		"clients that dispatch on the media type may refuse the answer",
	Diagnosis: "answers must be labelled Content-Type application/scim+json (RFC 7644 §3.1, §8.1)",
}

// checkChallenge: a 401 names the authentication scheme in WWW-Authenticate.
var checkChallenge = expect.Check{
	ID:    "www-authenticate",
	Grade: expect.GradeRFC,
	Okta: "Okta reads the status and the detail of a 401 and shows the admin the detail (okta-wire §1.4), so provisioning and the " +
		"OIN review are unaffected; other clients cannot tell which credentials you want",
	Diagnosis: "a 401 must carry a WWW-Authenticate header naming the scheme, e.g. Bearer realm=\"…\" (RFC 7235 §3.1, RFC 6750 §3)",
}

// checkErrorStatusString: an error's status is the HTTP status code as a JSON string.
var checkErrorStatusString = expect.Check{
	ID:    "error-status-string",
	Grade: expect.GradeRFC,
	Okta: "Okta's own examples send status as a number and its SPEC test accepts either (okta-wire §9.2), so provisioning and the OIN " +
		"review are unaffected; strict clients expect the string RFC 7644 specifies",
	Diagnosis: "an error's status must be the HTTP status code as a JSON string, \"404\", not the number 404 (RFC 7644 §3.12)",
}

// checkDiscovery: the discovery endpoints answer.
var checkDiscovery = expect.Check{
	ID:    "discovery-endpoints",
	Grade: expect.GradeRFC,
	Okta: "Okta does not call the discovery endpoints for SCIM 2.0 apps without entitlements (okta-wire §10), so provisioning and " +
		"the OIN review are unaffected; other clients learn the server's features and schemas there",
	Diagnosis: "GET /ServiceProviderConfig, /ResourceTypes and /Schemas must answer 200: they tell clients what the server supports (RFC 7644 §4)",
}

// checkOnePrimary: "primary": true marks at most one value of a multi-valued attribute.
var checkOnePrimary = expect.Check{
	ID:    "one-primary",
	Grade: expect.GradeRFC,
	Okta: "Okta sends one primary email and reads it back by its primary flag, so Okta's provisioning is unaffected; a client " +
		"reading two primaries cannot tell which address to use",
	Diagnosis: "the server stored two values marked primary: \"primary\": true may mark at most one value, so refuse the user " +
		"with 400 or keep one primary (RFC 7643 §2.4)",
}

// checkNoRepeats: a repeated (type, value) pair is not returned.
var checkNoRepeats = expect.Check{
	ID:    "no-repeated-values",
	Grade: expect.GradeRFC,
	Okta:  "Okta sends each email once, so Okta's provisioning is unaffected; other clients see the same address twice",
	Diagnosis: "the server returned the same (type, value) pair twice: duplicates SHOULD NOT be returned, so store a repeated " +
		"value once (RFC 7643 §2.4)",
}

// checkNoopVersion: a write that changes nothing leaves meta.version and lastModified alone.
var checkNoopVersion = expect.Check{
	ID:    "noop-keeps-version",
	Grade: expect.GradeRFC,
	Okta: "Okta sends no If-Match and re-adds the members it has just pushed (okta-wire §6.1), so provisioning is unaffected; a " +
		"client caching by ETag re-reads the group for nothing",
	Diagnosis: "re-adding members who are already in the group changed nothing, yet meta.version or lastModified moved: an add " +
		"of a value already present is no modification (RFC 7644 §3.5.2.1, §3.14)",
}

// locationIsMetaLocation: Then the response header "Location" is the absolute URL in the JSON
// at "meta.location".
func locationIsMetaLocation(ctx context.Context) error {
	const because = "a 201 Created carries Location, the URI of the new resource, which is its meta.location (RFC 7644 §3.3, RFC 7643 §3.1)"
	return onResponse(ctx, func(ex *scim.Exchange, _ string) error {
		loc := ex.Response.Header.Get("Location")
		if loc == "" {
			return expect.Graded(failure(ex, "header Location", "the new resource's absolute URI", "no Location header", because), checkLocation)
		}
		if !absoluteURL(loc) {
			return expect.Graded(failure(ex, "header Location", "an absolute http(s) URI", strconv.Quote(loc), because), checkLocation)
		}
		meta, err := at(ex, "meta.location", because)
		if err != nil {
			return expect.Graded(err, checkLocation)
		}
		if !absoluteURL(meta.String()) || meta.String() != loc {
			return expect.Graded(failure(ex, "meta.location", fmt.Sprintf("%q (string), the Location header", loc), describe(meta), because), checkLocation)
		}
		return nil
	})
}

// absoluteURL reports whether s is an absolute http or https URL with a host.
func absoluteURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// labelledSCIM: Then the response is labelled application/scim+json.
func labelledSCIM(ctx context.Context) error {
	const because = "SCIM answers are labelled application/scim+json (RFC 7644 §3.1, §8.1)"
	return onResponse(ctx, func(ex *scim.Exchange, _ string) error {
		ct := ex.Response.Header.Get("Content-Type")
		if mt, _, err := mime.ParseMediaType(ct); err == nil && mt == "application/scim+json" {
			return nil
		}
		return expect.Graded(failure(ex, "header Content-Type", "application/scim+json", strconv.Quote(ct), because), checkMediaType)
	})
}

// carriesChallenge: Then the response carries a WWW-Authenticate header.
func carriesChallenge(ctx context.Context) error {
	const because = "a 401 names the authentication scheme it wants in WWW-Authenticate (RFC 7235 §3.1, RFC 6750 §3)"
	return onResponse(ctx, func(ex *scim.Exchange, _ string) error {
		if strings.TrimSpace(ex.Response.Header.Get("WWW-Authenticate")) != "" {
			return nil
		}
		return expect.Graded(failure(ex, "header WWW-Authenticate", "a challenge, e.g. Bearer realm=\"…\"", "no WWW-Authenticate header", because), checkChallenge)
	})
}

// errorStatusIsString: Then the JSON at "status" is the status code as a string.
func errorStatusIsString(ctx context.Context) error {
	const because = "an error's status is the HTTP status code as a JSON string (RFC 7644 §3.12)"
	return onResponse(ctx, func(ex *scim.Exchange, _ string) error {
		return expect.Graded(expect.Equal(ex, "status", strconv.Itoa(ex.Response.StatusCode), because), checkErrorStatusString)
	})
}

// discoveryAnswers: Then the discovery endpoints answer: GET /ServiceProviderConfig,
// /ResourceTypes and /Schemas, each 200 with its schema or a ListResponse.
func discoveryAnswers(ctx context.Context) error {
	w := worldFromContext(ctx)
	const because = "the discovery endpoints describe the server: /ServiceProviderConfig, /ResourceTypes and /Schemas answer 200 (RFC 7644 §4)"
	for _, ep := range []struct{ path, schema string }{
		{"/ServiceProviderConfig", "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"},
		{"/ResourceTypes", "urn:ietf:params:scim:api:messages:2.0:ListResponse"},
		{"/Schemas", "urn:ietf:params:scim:api:messages:2.0:ListResponse"},
	} {
		ex, err := w.send(ctx, get(ep.path))
		if err != nil {
			return err
		}
		if err := expect.Status(ex, http.StatusOK, because); err != nil {
			return expect.Graded(err, checkDiscovery)
		}
		if err := expect.Contains(ex, "schemas", ep.schema, because); err != nil {
			return expect.Graded(err, checkDiscovery)
		}
	}
	return nil
}

// refusedOrOnePrimary: Then the app refused the user with 400 or kept one primary email.
func refusedOrOnePrimary(ctx context.Context) error {
	const because = `"primary": true marks at most one value of a multi-valued attribute (RFC 7643 §2.4)`
	return refusedOr(ctx, func(ex *scim.Exchange) error {
		n := ex.JSON().Get(`emails.#(primary==true)#.value`).Array()
		if len(n) <= 1 {
			return nil
		}
		return expect.Graded(failure(ex, "emails", "at most one value with primary true", fmt.Sprintf("%d marked primary", len(n)), because), checkOnePrimary)
	})
}

// refusedOrNoRepeats: Then the app refused the user with 400 or kept the repeated email once.
func refusedOrNoRepeats(ctx context.Context) error {
	const because = "a multi-valued attribute SHOULD NOT hold the same (type, value) pair twice (RFC 7643 §2.4)"
	return refusedOr(ctx, func(ex *scim.Exchange) error {
		seen := map[string]bool{}
		for _, e := range ex.JSON().Get("emails").Array() {
			key := strings.ToLower(e.Get("type").String() + " " + e.Get("value").String())
			if seen[key] {
				return expect.Graded(failure(ex, "emails", "each (type, value) pair once", describe(ex.JSON().Get("emails")), because), checkNoRepeats)
			}
			seen[key] = true
		}
		return nil
	})
}

// refusedOr passes when the latest answer is a 400 SCIM error, and otherwise requires a
// 200 or 201 with a user (the clean-up deletes it) and runs check on it.
func refusedOr(ctx context.Context, check func(ex *scim.Exchange) error) error {
	return onResponse(ctx, func(ex *scim.Exchange, because string) error {
		if ex.Response.StatusCode == http.StatusBadRequest {
			return expect.ErrorBody(ex, http.StatusBadRequest, because)
		}
		if err := expect.StatusIn(ex, []int{http.StatusOK, http.StatusCreated}, because); err != nil {
			return err
		}
		return check(ex)
	})
}

// notesGroupVersion: When the client notes the version of group "engineering".
func notesGroupVersion(ctx context.Context, alias string) error {
	w := worldFromContext(ctx)
	ex, err := w.send(ctx, get(groupPath(w.group(alias).id)))
	if err != nil {
		return err
	}
	if err := expect.Status(ex, http.StatusOK, becauseGroupRead); err != nil {
		return err
	}
	w.vars["version of "+alias] = ex.JSON().Get("meta.version").String() + " " + ex.JSON().Get("meta.lastModified").String()
	return nil
}

// groupVersionUnchanged: Then the version of group "engineering" is unchanged: meta.version
// and meta.lastModified read as before (each compared when the server sends it).
func groupVersionUnchanged(ctx context.Context, alias string) error {
	w := worldFromContext(ctx)
	before, ok := w.vars["version of "+alias]
	if !ok {
		return HarnessErrorf("scimcheck harness error in the feature: note the version of group %q first", alias)
	}
	ex, err := w.send(ctx, get(groupPath(w.group(alias).id)))
	if err != nil {
		return err
	}
	if err := expect.Status(ex, http.StatusOK, becauseGroupRead); err != nil {
		return err
	}
	const because = "a PATCH that changes nothing is no modification, so meta.version and lastModified stay (RFC 7644 §3.5.2.1, §3.14)"
	version, modified, _ := strings.Cut(before, " ")
	for _, f := range []struct{ path, was string }{{"meta.version", version}, {"meta.lastModified", modified}} {
		if f.was == "" {
			continue
		}
		if got := ex.JSON().Get(f.path); got.String() != f.was {
			return expect.Graded(failure(ex, f.path, strconv.Quote(f.was)+" (string), as before the PATCH", describe(got), because), checkNoopVersion)
		}
	}
	return nil
}
