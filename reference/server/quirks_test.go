package server

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tidwall/gjson"

	"github.com/scimcheck/scimcheck/reference"
	"github.com/scimcheck/scimcheck/reference/quirks"
)

// quirkProbe shows one quirk: broken runs against a server with the quirk on and reports
// whether the defect showed; the same probe against a correct server must report false.
type quirkProbe func(t *testing.T, c *client) bool

func deactivate(c *client, id string) response {
	return c.patch("/Users/"+id, `[{"op":"replace","value":{"active":false}}]`)
}

var quirkProbes = map[reference.Quirk]quirkProbe{
	reference.QuirkUserNameCaseSensitive: func(t *testing.T, c *client) bool {
		c.createUser("Ada@Example.com")
		found := c.must(200, "GET", `/Users?filter=userName%20eq%20%22ada@example.com%22`, "").JSON("totalResults").Int()
		created := c.do("POST", "/Users", oktaUser("ADA@example.com")).Status
		exact := c.do("POST", "/Users", oktaUser("Ada@Example.com")).Status
		require.Equal(t, 409, exact, "an exact duplicate is always 409")
		return found == 0 && created == 201
	},
	reference.QuirkFilterIgnored: func(t *testing.T, c *client) bool {
		c.createUser("a")
		c.createUser("b")
		return c.must(200, "GET", `/Users?filter=userName%20eq%20%22a%22`, "").JSON("totalResults").Int() == 2
	},
	reference.QuirkFilter404: func(t *testing.T, c *client) bool {
		return c.do("GET", `/Users?filter=userName%20eq%20%22nobody%22`, "").Status == 404
	},
	reference.QuirkCountsAsStrings: func(t *testing.T, c *client) bool {
		return c.must(200, "GET", "/Users", "").JSON("startIndex").Type == gjson.String
	},
	reference.QuirkItemsPerPageEchoesCount: func(t *testing.T, c *client) bool {
		return c.must(200, "GET", "/Users?startIndex=101&count=100", "").JSON("itemsPerPage").Int() == 100
	},
	reference.QuirkPageCap50: func(t *testing.T, c *client) bool {
		for i := range 60 {
			c.createUser(fmt.Sprint("u", i))
		}
		return c.must(200, "GET", "/Users?count=100", "").JSON("itemsPerPage").Int() == 50
	},
	reference.QuirkNo409OnDuplicate: func(t *testing.T, c *client) bool {
		c.createUser("a")
		ok := c.do("POST", "/Users", oktaUser("a")).Status == 201
		return ok && c.must(200, "GET", "/Users", "").JSON("totalResults").Int() == 2
	},
	reference.QuirkCreate200: func(t *testing.T, c *client) bool {
		return c.do("POST", "/Users", oktaUser("a")).Status == 200
	},
	reference.QuirkCreateEmptyBody: func(t *testing.T, c *client) bool {
		r := c.do("POST", "/Users", oktaUser("a"))
		return r.Status == 201 && r.Body == ""
	},
	reference.QuirkInactiveUser404: func(t *testing.T, c *client) bool {
		id := c.createUser("a")
		deactivate(c, id)
		return c.do("GET", "/Users/"+id, "").Status == 404
	},
	reference.QuirkInactiveHiddenInFilter: func(t *testing.T, c *client) bool {
		id := c.createUser("a")
		deactivate(c, id)
		return c.must(200, "GET", `/Users?filter=userName%20eq%20%22a%22`, "").JSON("totalResults").Int() == 0
	},
	reference.QuirkPathlessPatchRejected: func(t *testing.T, c *client) bool {
		return deactivate(c, c.createUser("a")).Status == 400
	},
	reference.QuirkOpCaseSensitive: func(t *testing.T, c *client) bool {
		return c.patch("/Users/"+c.createUser("a"), `[{"op":"Replace","path":"active","value":false}]`).Status == 400
	},
	reference.QuirkPatchActiveIgnored: func(t *testing.T, c *client) bool {
		r := deactivate(c, c.createUser("a"))
		return r.Status == 200 && r.JSON("active").Bool()
	},
	reference.QuirkPutRejectsReadOnly: func(t *testing.T, c *client) bool {
		id := c.createUser("a")
		return c.do("PUT", "/Users/"+id, c.must(200, "GET", "/Users/"+id, "").Body).Status == 400
	},
	reference.QuirkMemberAddDuplicates: func(t *testing.T, c *client) bool {
		u := c.createUser("a")
		g := c.createGroup("g", u)
		r := c.patch("/Groups/"+g, `[{"op":"add","path":"members","value":[{"value":"`+u+`"}]}]`)
		return r.Status >= 400 || len(memberValues(r)) > 1
	},
	reference.QuirkRemoveNonMemberError: func(t *testing.T, c *client) bool {
		g := c.createGroup("g")
		return c.patch("/Groups/"+g, `[{"op":"remove","path":"members[value eq \"`+c.createUser("a")+`\"]"}]`).Status == 400
	},
	reference.QuirkRenameRejectsID: func(t *testing.T, c *client) bool {
		g := c.createGroup("g")
		return c.patch("/Groups/"+g, `[{"op":"replace","value":{"id":"`+g+`","displayName":"h"}}]`).Status == 400
	},
	reference.QuirkMembersReplaceIgnored: func(t *testing.T, c *client) bool {
		g := c.createGroup("g", c.createUser("a"))
		r := c.patch("/Groups/"+g, `[{"op":"replace","path":"members","value":[]}]`)
		return len(memberValues(r)) == 1
	},
	reference.QuirkNonJSONErrors: func(t *testing.T, c *client) bool {
		r := c.do("GET", "/Users/nope", "")
		return r.Status == 404 && !gjson.Valid(r.Body)
	},
	reference.QuirkJSONContentTypeOnly: func(t *testing.T, c *client) bool {
		ok := c.do("POST", "/Users", oktaUser("b"), "Content-Type: application/json").Status == 201
		return ok && c.do("POST", "/Users", oktaUser("a")).Status == 415
	},
	reference.Quirk401WithoutBody: func(t *testing.T, c *client) bool {
		r := c.do("GET", "/Users", "", "Authorization: Bearer nope")
		return r.Status == 401 && r.Body == ""
	},
	reference.QuirkNo401: func(t *testing.T, c *client) bool {
		return c.do("GET", "/Users", "", "Authorization: Bearer nope").Status == 200
	},
	reference.QuirkStartIndexIgnored: func(t *testing.T, c *client) bool {
		a := c.createUser("a")
		c.createUser("b")
		return c.must(200, "GET", "/Users?startIndex=2&count=1", "").JSON("Resources.0.id").String() == a
	},
	reference.QuirkUnstableOrder: func(t *testing.T, c *client) bool {
		for i := range 30 {
			c.createUser(fmt.Sprint("u", i))
		}
		first := c.must(200, "GET", "/Users", "").JSON("Resources.#.id").String()
		for range 5 {
			if c.must(200, "GET", "/Users", "").JSON("Resources.#.id").String() != first {
				return true
			}
		}
		return false
	},
	reference.QuirkUserNameChangeRejected: func(t *testing.T, c *client) bool {
		return c.do("PUT", "/Users/"+c.createUser("a"), `{"userName":"b"}`).Status == 400
	},
	reference.QuirkPutDropsNewAttributes: func(t *testing.T, c *client) bool {
		r := c.do("PUT", "/Users/"+c.createUser("a"), `{"userName":"a","phoneNumbers":[{"value":"555","type":"work"}]}`)
		return r.Status == 200 && !r.JSON("phoneNumbers").Exists()
	},
	reference.QuirkPatch204: func(t *testing.T, c *client) bool {
		return deactivate(c, c.createUser("a")).Status == 204
	},
	reference.QuirkFilterOnEmail: func(t *testing.T, c *client) bool {
		c.must(201, "POST", "/Users", `{"userName":"login-a","emails":[{"value":"a@x"}]}`)
		return c.must(200, "GET", `/Users?filter=userName%20eq%20%22login-a%22`, "").JSON("totalResults").Int() == 0
	},
	reference.QuirkPasswordReturned: func(t *testing.T, c *client) bool {
		return c.must(200, "GET", "/Users/"+c.createUser("a"), "").JSON("password").Exists()
	},
	reference.QuirkActiveAsString: func(t *testing.T, c *client) bool {
		return c.must(200, "GET", "/Users/"+c.createUser("a"), "").JSON("active").Type == gjson.String
	},
	reference.QuirkGroupDelete200: func(t *testing.T, c *client) bool {
		return c.do("DELETE", "/Groups/"+c.createGroup("g"), "").Status == 200
	},
	reference.QuirkRemoveAllMembers: func(t *testing.T, c *client) bool {
		a, b := c.createUser("a"), c.createUser("b")
		g := c.createGroup("g", a, b)
		return len(memberValues(c.patch("/Groups/"+g, `[{"op":"remove","path":"members[value eq \"`+a+`\"]"}]`))) == 0
	},
	reference.QuirkRenameIgnored: func(t *testing.T, c *client) bool {
		g := c.createGroup("g")
		patched := c.patch("/Groups/"+g, `[{"op":"replace","value":{"displayName":"h"}}]`).JSON("displayName").String() == "g"
		put := c.must(200, "PUT", "/Groups/"+g, `{"displayName":"i"}`).JSON("displayName").String() == "g"
		return patched && put
	},
	reference.QuirkNoLocation: func(t *testing.T, c *client) bool {
		return c.must(201, "POST", "/Users", oktaUser("a")).Header.Get("Location") == ""
	},
	reference.QuirkRelativeLocation: func(t *testing.T, c *client) bool {
		return strings.HasPrefix(c.must(201, "POST", "/Users", oktaUser("a")).JSON("meta.location").String(), "/")
	},
	reference.QuirkErrorStatusNumber: func(t *testing.T, c *client) bool {
		return c.must(404, "GET", "/Users/nobody", "").JSON("status").Type == gjson.Number
	},
	reference.QuirkJSONResponses: func(t *testing.T, c *client) bool {
		return strings.HasPrefix(c.must(200, "GET", "/Users", "").Header.Get("Content-Type"), "application/json")
	},
	reference.QuirkNoWWWAuthenticate: func(t *testing.T, c *client) bool {
		return c.must(401, "GET", "/Users", "", "Authorization:").Header.Get("WWW-Authenticate") == ""
	},
	reference.QuirkNoDiscovery: func(t *testing.T, c *client) bool {
		return c.do("GET", "/ServiceProviderConfig", "").Status == 404 && c.do("GET", "/Schemas", "").Status == 404
	},
	reference.QuirkETagUnsupported: func(t *testing.T, c *client) bool {
		get := c.must(200, "GET", "/Users/"+c.createUser("a"), "")
		spc := c.must(200, "GET", "/ServiceProviderConfig", "")
		return get.Header.Get("ETag") == "" && !get.JSON("meta.version").Exists() && spc.JSON("etag.supported").Type == gjson.False
	},
	reference.QuirkGzip: func(t *testing.T, c *client) bool {
		plain := c.must(200, "GET", "/Users", "")
		zipped := c.must(200, "GET", "/Users", "", "Accept-Encoding: gzip, deflate")
		return plain.Header.Get("Content-Encoding") == "" && zipped.Header.Get("Content-Encoding") == "gzip"
	},
	reference.QuirkVendorExtension: func(t *testing.T, c *client) bool {
		got := c.must(200, "GET", "/Users/"+c.createUser("a"), "")
		return got.JSON(`schemas.#(=="` + quirks.VendorExtension + `")`).Exists()
	},
	reference.QuirkEmptyArrays: func(t *testing.T, c *client) bool {
		return c.must(200, "GET", "/Users/"+c.createUser("a"), "").JSON("roles").IsArray()
	},
	reference.QuirkNumericIDs: func(t *testing.T, c *client) bool {
		id := c.createUser("a")
		return strings.Trim(id, "0123456789") == "" && c.do("GET", "/Users/"+id, "").Status == 200
	},
	reference.QuirkMembersValueOnly: func(t *testing.T, c *client) bool {
		g := c.must(200, "GET", "/Groups/"+c.createGroup("g", c.createUser("a")), "")
		return g.JSON("members.0.value").Exists() && !g.JSON("members.0.$ref").Exists()
	},
	reference.QuirkOrderByID: func(t *testing.T, c *client) bool {
		var ids []string
		for i := range 12 {
			ids = append(ids, c.createUser(fmt.Sprint("u", i)))
		}
		slices.Sort(ids)
		got := c.must(200, "GET", "/Users", "").JSON("Resources.#.id").Array()
		return len(got) == len(ids) && got[0].String() == ids[0] && got[len(got)-1].String() == ids[len(ids)-1]
	},
	reference.QuirkPrettyJSON: func(t *testing.T, c *client) bool {
		return strings.HasSuffix(c.must(200, "GET", "/Users", "").Body, "}\n")
	},
	reference.QuirkTwoPrimaries: func(t *testing.T, c *client) bool {
		r := c.do("POST", "/Users", `{"userName":"a","emails":[{"value":"a@x","primary":true},{"value":"b@x","primary":true}]}`)
		return r.Status == 201 && r.JSON(`emails.#(primary==true)#`).Get("#").Int() == 2
	},
	reference.QuirkDuplicateValues: func(t *testing.T, c *client) bool {
		r := c.must(201, "POST", "/Users", `{"userName":"a","emails":[{"value":"a@x","type":"work"},{"value":"a@x","type":"work"}]}`)
		return r.JSON("emails.#").Int() == 2
	},
	reference.QuirkNoopChangesVersion: func(t *testing.T, c *client) bool {
		a := c.createUser("a")
		g := c.createGroup("g", a)
		before := c.must(200, "GET", "/Groups/"+g, "").JSON("meta.version").String()
		after := c.patch("/Groups/"+g, `[{"op":"add","path":"members","value":[{"value":"`+a+`"}]}]`).JSON("meta.version").String()
		return before != after
	},
	reference.QuirkVersionUnchanged: func(t *testing.T, c *client) bool {
		id := c.createUser("a")
		v := c.must(200, "GET", "/Users/"+id, "").Header.Get("ETag")
		return deactivate(c, id).Header.Get("ETag") == v
	},
	reference.QuirkStatus500: func(t *testing.T, c *client) bool {
		return c.do("GET", "/Users", "").Status == 500
	},
	reference.QuirkPlusNotDecoded: func(t *testing.T, c *client) bool {
		c.createUser("a")
		return c.do("GET", `/Users?filter=userName+eq+%22a%22&startIndex=1&count=100`, "").Status == 400
	},
	reference.QuirkEmptyValueRejected: func(t *testing.T, c *client) bool {
		return c.do("PUT", "/Users/"+c.createUser("a"), `{"userName":"a","title":""}`).Status == 400
	},
	reference.QuirkPutMergesOmitted: func(t *testing.T, c *client) bool {
		id := c.createUser("a")
		c.must(200, "PUT", "/Users/"+id, `{"userName":"a","title":"Analyst"}`)
		return c.must(200, "PUT", "/Users/"+id, `{"userName":"a"}`).JSON("title").Exists()
	},
	reference.QuirkUnknownID500: func(t *testing.T, c *client) bool {
		return c.do("GET", "/Users/010101001010101011001010101011", "").Status == 500
	},
	reference.QuirkCountIgnored: func(t *testing.T, c *client) bool {
		for i := range 3 {
			c.createUser(fmt.Sprint("u", i))
		}
		return len(c.must(200, "GET", "/Users?startIndex=1&count=2", "").JSON("Resources").Array()) == 3
	},
	reference.QuirkPagingParamsRequired: func(t *testing.T, c *client) bool {
		return c.do("GET", "/Groups", "").Status == 400
	},
	reference.QuirkJSONContentTypeRejected: func(t *testing.T, c *client) bool {
		ok := c.do("POST", "/Users", oktaUser("a")).Status == 201
		return ok && c.do("POST", "/Users", oktaUser("b"), "Content-Type: application/json").Status == 415
	},
	reference.QuirkPutIgnoresActive: func(t *testing.T, c *client) bool {
		r := c.do("PUT", "/Users/"+c.createUser("a"), `{"userName":"a","active":false}`)
		return r.Status == 200 && r.JSON("active").Bool()
	},
	reference.QuirkPutNotSaved: func(t *testing.T, c *client) bool {
		id := c.createUser("a")
		r := c.must(200, "PUT", "/Users/"+id, `{"userName":"a","title":"Analyst"}`)
		return r.JSON("title").String() == "Analyst" && !c.must(200, "GET", "/Users/"+id, "").JSON("title").Exists()
	},
	reference.QuirkGroupPutKeepsMembers: func(t *testing.T, c *client) bool {
		g := c.createGroup("g", c.createUser("a"))
		return len(memberValues(c.must(200, "PUT", "/Groups/"+g, `{"displayName":"h","members":[]}`))) == 1
	},
	reference.QuirkMemberPatchCap50: func(t *testing.T, c *client) bool {
		var members []string
		for i := range 51 {
			members = append(members, `{"value":"`+c.createUser(fmt.Sprint("u", i))+`"}`)
		}
		g := c.createGroup("g")
		return c.patch("/Groups/"+g, `[{"op":"add","path":"members","value":[`+strings.Join(members, ",")+`]}]`).Status == 400
	},
	reference.QuirkUnchangedNameConflict: func(t *testing.T, c *client) bool {
		g := c.createGroup("g")
		return c.patch("/Groups/"+g, `[{"op":"replace","value":{"id":"`+g+`","displayName":"g"}}]`).Status == 409
	},
	reference.QuirkGroupDeleteDeactivates: func(t *testing.T, c *client) bool {
		u := c.createUser("a")
		c.must(204, "DELETE", "/Groups/"+c.createGroup("g", u), "")
		return !c.must(200, "GET", "/Users/"+u, "").JSON("active").Bool()
	},
}

// TestEveryQuirkShows: each quirk of the catalogue changes what a client sees, and the
// correct server does not show it; otherwise a scenario "failing under quirk X" proves nothing.
func TestEveryQuirkShows(t *testing.T) {
	for _, info := range reference.QuirkCatalogue() {
		t.Run(string(info.Name), func(t *testing.T) {
			probe, ok := quirkProbes[info.Name]
			require.True(t, ok, "no probe for quirk %s", info.Name)
			good := newClient(t)
			assert.False(t, probe(t, good), "the correct server shows %q", info.Breaks)
			bad := newClient(t, func(o *Options) { o.Quirks = reference.Quirks{info.Name: true} })
			assert.True(t, probe(t, bad), "quirk %s does not show: %s", info.Name, info.Breaks)
		})
	}
	names := make([]string, 0, len(quirkProbes))
	for q := range quirkProbes {
		names = append(names, string(q))
	}
	slices.Sort(names)
	assert.Len(t, names, len(reference.QuirkCatalogue()), "a probe for a quirk not in the catalogue: %s", strings.Join(names, ", "))
}
