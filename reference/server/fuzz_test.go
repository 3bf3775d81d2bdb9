package server

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scimcheck/scimcheck/reference"
)

// Ids from fixtures/seed/preexisting.json, so fuzz inputs can name existing resources.
const (
	fuzzUser  = "5d7a1f0e-6c2b-4f5e-9a41-0b8c3e2d1a01"
	fuzzGroup = "9b1e2c3d-4a5f-4e6d-8c7b-2a1f0e9d8c01"
)

// unsupported are the endpoints answered 501 Not Implemented (RFC 7644 §3.12: "service
// provider does not support the requested operation"), the one 5xx a request may earn.
func unsupported(path string) bool {
	for _, part := range strings.Split(strings.ToLower(path), "/") {
		switch part {
		case "bulk", "me", ".search":
			return true
		}
	}
	return false
}

// FuzzHandler sends arbitrary methods, paths, queries, bodies and Content-Types through the
// handler, authenticated, against the seeded fixture. Whatever arrives, the answer is never a
// 5xx (but 501 for the unsupported endpoints), every 4xx carries a SCIM Error body whose status
// matches, and every body is JSON.
func FuzzHandler(f *testing.F) {
	seeds := []struct{ method, path, query, body, ct string }{
		{"GET", "Users", "filter=userName%20eq%20%22ada.lovelace%40example.com%22&startIndex=1&count=100", "", ""},
		{"GET", "Users", "filter=userName+eq+%22A%22&startIndex=0&count=-1", "", ""},
		{"GET", "Users", `filter=emails[type eq "work" and value co "@"] or not (title pr)`, "", ""},
		{"GET", "Users", "filter=((((", "", ""},
		{"GET", "Users", "sortBy=name.familyName&sortOrder=descending&attributes=userName,emails.value", "", ""},
		{"GET", "Users", "startIndex=9223372036854775807&count=9223372036854775807", "", ""},
		{"GET", "Groups", "excludedAttributes=members&filter=displayName%20eq%20%22Engineering%22", "", ""},
		{"GET", "Users/" + fuzzUser, "attributes=urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "", ""},
		{"GET", "/Groups//" + fuzzGroup + "/", "", "", ""},
		{"POST", "Users", "", `{"userName":"fuzz@example.com","active":true,"emails":[{"value":"x","primary":true}]}`, scimJSON},
		{"POST", "Users", "", `{"userName":"ADA.LOVELACE@example.com"}`, "application/json"},
		{"POST", "Users", "", `{"userName":{"a":1},"active":"True"}`, scimJSON},
		{"POST", "Users", "", `{"userName":"x","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":{"value":7}}}`, scimJSON},
		{"POST", "Groups", "", `{"displayName":"g","members":[{"value":"` + fuzzUser + `"},{"value":"` + fuzzGroup + `"}]}`, scimJSON},
		{"POST", "Groups", "", `{"displayName":"g","members":[{"value":null},"x",7]}`, scimJSON},
		{"PUT", "Users/" + fuzzUser, "", `{"id":"x","meta":{},"groups":[1],"userName":"ada.lovelace@example.com","password":"p"}`, scimJSON},
		{"PUT", "Groups/" + fuzzGroup, "", `{"displayName":"Engineering","members":[]}`, scimJSON},
		{"PATCH", "Users/" + fuzzUser, "", `{"Operations":[{"op":"replace","value":{"active":false}}]}`, scimJSON},
		{"PATCH", "Users/" + fuzzUser, "", `{"Operations":[{"op":"Add","path":"emails[type eq \"home\"].value","value":"h@x"}]}`, scimJSON},
		{"PATCH", "Users/" + fuzzUser, "", `{"Operations":[{"op":"remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value"}]}`, scimJSON},
		{"PATCH", "Groups/" + fuzzGroup, "", `{"Operations":[{"op":"remove","path":"members[value eq \"` + fuzzUser + `\"]"},{"op":"add","path":"members","value":[{"value":"` + fuzzUser + `"}]}]}`, scimJSON},
		{"PATCH", "Groups/" + fuzzGroup, "", `{"Operations":[{"op":"replace","value":{"id":"` + fuzzGroup + `","displayName":"E"}}]}`, scimJSON},
		{"PATCH", "Groups/" + fuzzGroup, "", `{"Operations":[{"op":"replace","path":"members","value":[]}]}`, scimJSON},
		{"PATCH", "Groups/" + fuzzGroup, "", `{"Operations":[{"op":"remove","path":"members[value eq \"a\" or display sw \"b\"]"}]}`, scimJSON},
		{"PATCH", "Users/" + fuzzUser, "", `{"Operations":[{"op":"replace","path":"name[givenName eq \"x\"]","value":1}]}`, scimJSON},
		{"DELETE", "Users/nope", "", "", scimJSON},
		{"POST", "Schemas", "", "test", "text/plain"},
		{"GET", "ServiceProviderConfig", "", "", ""},
		{"GET", "ResourceTypes/User", "", "", ""},
		{"POST", "Bulk", "", "{}", scimJSON},
		{"BREW", "Users", "", "", ""},
		{"PUT", "Users/" + fuzzUser, "", `[1,2,3]`, "text/plain; charset=utf-8"},
		{"PATCH", "Users/" + fuzzUser, "", `{"Operations":[{"op":"replace","value":{"\u0000":1e999}}]}`, scimJSON},
	}
	for _, s := range seeds {
		f.Add(s.method, s.path, s.query, s.body, s.ct)
	}
	c := newClient(f, func(o *Options) { o.MaxBodyBytes = 64 << 10 })
	require.NoError(f, LoadSeedFile(context.Background(), c.store, preexisting))

	f.Fuzz(func(t *testing.T, method, path, query, body, ct string) {
		r := &http.Request{
			Method:        method,
			URL:           &url.URL{Path: BasePath + "/" + path, RawQuery: query},
			Header:        http.Header{"Authorization": {"Bearer " + testToken}},
			Body:          io.NopCloser(strings.NewReader(body)),
			ContentLength: int64(len(body)),
			Host:          "scim.test",
		}
		if ct != "" {
			r.Header.Set("Content-Type", ct)
		}
		w := httptest.NewRecorder()
		c.h.ServeHTTP(w, r)
		got := w.Body.String()
		if w.Code >= 500 && !(w.Code == http.StatusNotImplemented && unsupported(path)) {
			t.Fatalf("%s %q ?%q (Content-Type %q) body %q\ngot %d: %s", method, path, query, ct, body, w.Code, got)
		}
		if w.Code == http.StatusNoContent || w.Code == http.StatusNotModified {
			return
		}
		var v map[string]any
		if err := json.Unmarshal([]byte(got), &v); err != nil {
			t.Fatalf("%s %q ?%q body %q\ngot %d with a body that is not a JSON object: %q", method, path, query, body, w.Code, got)
		}
		if w.Code >= 400 {
			schemas, _ := v["schemas"].([]any)
			if len(schemas) != 1 || schemas[0] != reference.ErrorSchema || v["status"] != strconv.Itoa(w.Code) || v["detail"] == "" {
				t.Fatalf("%s %q ?%q body %q\ngot %d with a body that is no SCIM Error: %s", method, path, query, body, w.Code, got)
			}
		}
	})
}
