package server

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tidwall/gjson"

	"github.com/scimcheck/scimcheck/reference"
)

// directory creates users for filter tests and returns their ids by userName.
func directory(t *testing.T, c *client) map[string]string {
	t.Helper()
	ids := map[string]string{}
	for _, body := range []string{
		`{"userName":"ada@example.com","name":{"givenName":"Ada","familyName":"Lovelace"},"title":"Analyst","active":true,
			"emails":[{"value":"ada@example.com","type":"work","primary":true}],"externalId":"00uADA"}`,
		`{"userName":"grace@example.com","name":{"givenName":"Grace","familyName":"Hopper"},"title":"Admiral","active":true,
			"emails":[{"value":"grace@navy.mil","type":"work"},{"value":"g@home","type":"home"}]}`,
		`{"userName":"alan@example.org","name":{"givenName":"Alan","familyName":"Turing"},"active":false,
			"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Crypto"}}`,
	} {
		r := c.must(201, "POST", "/Users", body)
		ids[r.JSON("userName").String()] = r.JSON("id").String()
	}
	return ids
}

func userNames(r response) []string {
	out := []string{}
	for _, v := range r.JSON("Resources.#.userName").Array() {
		out = append(out, v.String())
	}
	return out
}

func TestFilterOverHTTP(t *testing.T) {
	c := newClient(t)
	ids := directory(t, c)
	ada, grace, alan := "ada@example.com", "grace@example.com", "alan@example.org"
	tests := []struct {
		filter string
		want   []string
	}{
		{`userName eq "ada@example.com"`, []string{ada}},
		{`userName eq "ADA@EXAMPLE.COM"`, []string{ada}},
		{`userName ne "ada@example.com"`, []string{grace, alan}},
		{`userName co "EXAMPLE"`, []string{ada, grace, alan}},
		{`userName sw "a"`, []string{ada, alan}},
		{`userName ew ".org"`, []string{alan}},
		{`title pr`, []string{ada, grace}},
		{`not (title pr)`, []string{alan}},
		{`meta.created gt "2000-01-01T00:00:00Z"`, []string{ada, grace, alan}},
		{`meta.created ge "2000-01-01T00:00:00Z"`, []string{ada, grace, alan}},
		{`meta.created lt "2000-01-01T00:00:00Z"`, []string{}},
		{`meta.created le "2999-01-01T00:00:00Z"`, []string{ada, grace, alan}},
		{`name.familyName gt "I"`, []string{ada, alan}},
		{`active eq false`, []string{alan}},
		{`active eq true and title eq "admiral"`, []string{grace}},
		{`title eq "Analyst" or userName sw "alan"`, []string{ada, alan}},
		{`(title eq "Analyst" or title eq "Admiral") and not (userName sw "g")`, []string{ada}},
		{`emails[type eq "home"]`, []string{grace}},
		{`emails[type eq "work" and value co "navy"]`, []string{grace}},
		{`emails.value eq "g@home"`, []string{grace}},
		{`emails eq "ada@example.com"`, []string{ada}},
		{`externalId eq "00uADA"`, []string{ada}},
		{`externalId eq "00uada"`, []string{}},
		{`id eq "` + ids[grace] + `"`, []string{grace}},
		{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "crypto"`, []string{alan}},
		{`meta.resourceType eq "User"`, []string{ada, grace, alan}},
	}
	for _, tc := range tests {
		t.Run(tc.filter, func(t *testing.T) {
			for _, enc := range []struct{ name, q string }{
				{"%20", url.PathEscape(tc.filter)},
				{"+", url.QueryEscape(tc.filter)},
			} {
				r := c.must(200, "GET", "/Users?filter="+enc.q+"&startIndex=1&count=100", "")
				assert.Equal(t, tc.want, userNames(r), "spaces as %s", enc.name)
				assert.Equal(t, int64(len(tc.want)), r.JSON("totalResults").Int())
			}
		})
	}
}

func TestInvalidFilter(t *testing.T) {
	c := newClient(t)
	for _, f := range []string{
		`userName eq`, `userName eq "unterminated`, `(userName eq "a"`, `favouriteColour eq "blue"`,
		`active gt true`, `userName xx "a"`, `emails[type eq "work"`, `and`, ` `, `userName eq "a" and`,
		`meta.created gt "yesterday"`, `name eq "Ada"`,
	} {
		t.Run(f, func(t *testing.T) {
			r := c.do("GET", "/Users?filter="+url.QueryEscape(f), "")
			assertSCIMError(t, r, 400, reference.ScimTypeInvalidFilter)
		})
	}
	assertSCIMError(t, c.do("GET", "/Groups?filter=userName%20eq%20%22x%22", ""), 400, reference.ScimTypeInvalidFilter)
	assertSCIMError(t, c.do("GET", "/Users?filter=%zz", ""), 400, reference.ScimTypeInvalidSyntax)
}

func TestPaging(t *testing.T) {
	c := newClient(t)
	var all []string
	for i := range 250 {
		all = append(all, c.createUser(fmt.Sprintf("user-%03d@example.com", i)))
	}
	page := func(q string) response {
		t.Helper()
		r := c.must(200, "GET", "/Users?"+q, "")
		for _, k := range []string{"totalResults", "startIndex", "itemsPerPage"} {
			require.Equal(t, gjson.Number, r.JSON(k).Type, "%s is a JSON integer: %s", k, r.JSON(k).Raw)
			require.NotContains(t, r.JSON(k).Raw, ".", k)
		}
		require.Equal(t, r.JSON("Resources.#").Int(), r.JSON("itemsPerPage").Int(), "itemsPerPage = len(Resources)")
		require.Equal(t, []any{reference.ListSchema}, r.JSON("schemas").Value())
		require.True(t, r.JSON("Resources").IsArray())
		return r
	}
	ids := func(r response) []string {
		out := []string{}
		for _, v := range r.JSON("Resources.#.id").Array() {
			out = append(out, v.String())
		}
		return out
	}

	t.Run("Okta import steps by 100", func(t *testing.T) {
		var seen []string
		for start := 1; start <= 250; start += 100 {
			r := page(fmt.Sprintf("startIndex=%d&count=100", start))
			assert.Equal(t, int64(250), r.JSON("totalResults").Int())
			assert.Equal(t, int64(start), r.JSON("startIndex").Int())
			seen = append(seen, ids(r)...)
		}
		assert.Equal(t, all, seen, "every user once, in a stable order")
	})
	t.Run("beyond the end", func(t *testing.T) {
		r := page("startIndex=301&count=100")
		assert.Equal(t, int64(0), r.JSON("itemsPerPage").Int())
		assert.Equal(t, int64(250), r.JSON("totalResults").Int())
		assert.Equal(t, int64(301), r.JSON("startIndex").Int())
		assert.Equal(t, "[]", r.JSON("Resources").Raw)
	})
	t.Run("test connection", func(t *testing.T) {
		r := page("startIndex=1&count=2")
		assert.Equal(t, all[:2], ids(r))
	})
	t.Run("startIndex below 1 means 1", func(t *testing.T) {
		for _, s := range []string{"0", "-1", "-100"} {
			r := page("startIndex=" + s + "&count=3")
			assert.Equal(t, int64(1), r.JSON("startIndex").Int())
			assert.Equal(t, all[:3], ids(r))
		}
	})
	t.Run("count 0 and negative give the total only", func(t *testing.T) {
		for _, n := range []string{"0", "-5"} {
			r := page("count=" + n)
			assert.Equal(t, int64(250), r.JSON("totalResults").Int())
			assert.Equal(t, int64(0), r.JSON("itemsPerPage").Int())
		}
	})
	t.Run("count above the maximum is capped", func(t *testing.T) {
		c := newClient(t, func(o *Options) { o.MaxPageSize = 200 })
		for range 210 {
			c.createUser(fmt.Sprint(len(all), "-", c.must(200, "GET", "/Users?count=0", "").JSON("totalResults").Int()))
		}
		r := c.must(200, "GET", "/Users?count=100000", "")
		assert.Equal(t, int64(200), r.JSON("itemsPerPage").Int())
		assert.Equal(t, int64(210), r.JSON("totalResults").Int())
		spc := c.must(200, "GET", "/ServiceProviderConfig", "")
		assert.Equal(t, int64(200), spc.JSON("filter.maxResults").Int(), "the maximum is documented")
	})
	t.Run("no parameters: the default maximum", func(t *testing.T) {
		r := page("")
		assert.Equal(t, int64(250), r.JSON("itemsPerPage").Int())
		assert.GreaterOrEqual(t, DefaultMaxPageSize, 200)
	})
	t.Run("stable across pages of other sizes, with a filter", func(t *testing.T) {
		var seen []string
		for start := 1; start <= 250; start += 7 {
			seen = append(seen, ids(page(fmt.Sprintf("filter=userName%%20sw%%20%%22user%%22&startIndex=%d&count=7", start)))...)
		}
		assert.Equal(t, all, seen)
	})
	t.Run("bad numbers", func(t *testing.T) {
		assertSCIMError(t, c.do("GET", "/Users?startIndex=one", ""), 400, reference.ScimTypeInvalidValue)
		assertSCIMError(t, c.do("GET", "/Users?count=1.5", ""), 400, reference.ScimTypeInvalidValue)
		assertSCIMError(t, c.do("GET", "/Users?count=99999999999999999999", ""), 400, reference.ScimTypeInvalidValue)
		r := page("startIndex=9223372036854775807&count=100")
		assert.Equal(t, int64(0), r.JSON("itemsPerPage").Int())
	})
}

func TestEmptyList(t *testing.T) {
	c := newClient(t)
	for _, p := range []string{"/Users?startIndex=1&count=2", "/Groups?startIndex=1&count=100", "/Groups",
		`/Users?filter=userName%20eq%20%22abcdefgh%40atko.com%22&startIndex=1&count=100`} {
		r := c.must(200, "GET", p, "")
		assert.JSONEq(t, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"startIndex":1,"itemsPerPage":0,"Resources":[]}`, r.Body, p)
	}
}

func TestSort(t *testing.T) {
	c := newClient(t)
	directory(t, c)
	c.must(201, "POST", "/Users", `{"userName":"zed@example.com"}`) // no name, no title
	tests := []struct {
		q    string
		want []string
	}{
		{"sortBy=userName", []string{"ada@example.com", "alan@example.org", "grace@example.com", "zed@example.com"}},
		{"sortBy=USERNAME&sortOrder=descending", []string{"zed@example.com", "grace@example.com", "alan@example.org", "ada@example.com"}},
		{"sortBy=name.familyName", []string{"grace@example.com", "ada@example.com", "alan@example.org", "zed@example.com"}},
		{"sortBy=name.familyName&sortOrder=descending", []string{"alan@example.org", "ada@example.com", "grace@example.com", "zed@example.com"}},
		{"sortBy=title&sortOrder=ascending", []string{"grace@example.com", "ada@example.com", "alan@example.org", "zed@example.com"}},
		{"sortBy=emails", []string{"ada@example.com", "grace@example.com", "alan@example.org", "zed@example.com"}},
		{"sortBy=meta.created", []string{"ada@example.com", "grace@example.com", "alan@example.org", "zed@example.com"}},
		{"sortBy=active", []string{"alan@example.org", "ada@example.com", "grace@example.com", "zed@example.com"}},
		{"sortBy=userName&startIndex=2&count=2", []string{"alan@example.org", "grace@example.com"}},
		{"sortBy=userName&filter=userName%20co%20%22example.com%22", []string{"ada@example.com", "grace@example.com", "zed@example.com"}},
	}
	for _, tc := range tests {
		t.Run(tc.q, func(t *testing.T) {
			assert.Equal(t, tc.want, userNames(c.must(200, "GET", "/Users?"+tc.q, "")))
		})
	}
	assertSCIMError(t, c.do("GET", "/Users?sortBy=nope", ""), 400, reference.ScimTypeInvalidValue)
	assertSCIMError(t, c.do("GET", "/Users?sortBy=userName&sortOrder=up", ""), 400, reference.ScimTypeInvalidValue)
}

func TestAttributesProjection(t *testing.T) {
	c := newClient(t)
	ids := directory(t, c)
	id := ids["ada@example.com"]
	ent := reference.EnterpriseSchema
	tests := []struct {
		q       string
		present []string
		absent  []string
	}{
		{"attributes=userName", []string{"id", "schemas", "userName"}, []string{"name", "emails", "active", "title"}},
		{"attributes=name.givenName,emails.value", []string{"name.givenName", "emails.0.value"}, []string{"name.familyName", "emails.0.type", "userName"}},
		{"attributes=USERNAME,Active", []string{"userName", "active"}, []string{"title"}},
		{"excludedAttributes=emails,name.familyName", []string{"userName", "name.givenName"}, []string{"emails", "name.familyName"}},
		{"excludedAttributes=id,schemas", []string{"id"}, []string{}},
		{"excludedAttributes=emails.type", []string{"emails.0.value"}, []string{"emails.0.type"}},
		{"attributes=nosuch", []string{"id"}, []string{"userName"}},
		{"attributes=meta.version", []string{"meta.version"}, []string{"meta.created"}},
	}
	for _, tc := range tests {
		t.Run(tc.q, func(t *testing.T) {
			for _, r := range []response{
				c.must(200, "GET", "/Users/"+id+"?"+tc.q, ""),
				{Status: 200, Body: c.must(200, "GET", `/Users?filter=id%20eq%20%22`+id+`%22&`+tc.q, "").JSON("Resources.0").Raw},
			} {
				for _, p := range tc.present {
					assert.True(t, r.JSON(p).Exists(), "%s present in %s", p, r.Body)
				}
				for _, p := range tc.absent {
					assert.False(t, r.JSON(p).Exists(), "%s absent in %s", p, r.Body)
				}
			}
		})
	}
	t.Run("extension attributes", func(t *testing.T) {
		alan := ids["alan@example.org"]
		key := strings.ReplaceAll(ent, ".", `\.`)
		r := c.must(200, "GET", "/Users/"+alan+"?attributes="+ent+":department", "")
		assert.Equal(t, "Crypto", r.JSON(key+".department").String())
		assert.False(t, r.JSON("userName").Exists())
		r = c.must(200, "GET", "/Users/"+alan+"?excludedAttributes="+ent+":department", "")
		assert.False(t, r.JSON(key).Exists() && r.JSON(key+".department").Exists())
	})
	t.Run("on writes too", func(t *testing.T) {
		r := c.patch("/Users/"+id+"?attributes=active", `[{"op":"replace","value":{"active":false}}]`)
		assert.Equal(t, 200, r.Status)
		assert.False(t, r.JSON("userName").Exists())
		assert.Equal(t, gjson.False, r.JSON("active").Type)
	})
}
