package expect

import (
	"testing"
	"time"

	"github.com/scimcheck/scimcheck/steps/scim"
)

const listSchemas = `"schemas":["` + SchemaListResponse + `"]`

func TestListResponse(t *testing.T) {
	run := func(ex *scim.Exchange) error { return ListResponse(ex, rule) }
	runTable(t, []testCase{
		{"a page", answer(200, `{`+listSchemas+`,"totalResults":1,"startIndex":1,"itemsPerPage":1,"Resources":[{"id":"1"}]}`), run, ""},
		{"empty without Resources", answer(200, `{`+listSchemas+`,"totalResults":0,"startIndex":1,"itemsPerPage":0}`), run, ""},
		{"itemsPerPage is not compared", answer(200, `{`+listSchemas+`,"totalResults":1,"startIndex":1,"itemsPerPage":100,"Resources":[{"id":"1"}]}`), run, ""},
		{"no schema", answer(200, `{"schemas":[],"totalResults":0,"startIndex":1,"itemsPerPage":0}`), run, line + `
  schemas: expected an array containing "` + SchemaListResponse + `", got [] (array of 0)
  because: the rule`},
		{"count as a string", answer(200, `{`+listSchemas+`,"totalResults":"1","startIndex":1,"itemsPerPage":1,"Resources":[]}`), run, line + `
  totalResults: expected an integer (a number with no fractional digits), got "1" (string)
  because: the rule`},
		{"Resources missing", answer(200, `{`+listSchemas+`,"totalResults":2,"startIndex":1,"itemsPerPage":2}`), run, line + `
  Resources: missing, expected an array of the page's resources
  because: the rule`},
		{"Resources an object", answer(200, `{`+listSchemas+`,"totalResults":1,"startIndex":1,"itemsPerPage":1,"Resources":{"id":"1"}}`), run, line + `
  Resources: expected an array, got {"id":"1"} (object)
  because: the rule`},
	})
}

func TestAtMostIsArrayUnassignedNotEqual(t *testing.T) {
	atMost := func(ex *scim.Exchange) error { return AtMost(ex, "itemsPerPage", 100, rule) }
	isArray := func(ex *scim.Exchange) error { return IsArray(ex, "Resources", rule) }
	unassigned := func(ex *scim.Exchange) error { return Unassigned(ex, "title", rule) }
	notEqual := func(ex *scim.Exchange) error { return NotEqual(ex, "id", "u-1", rule) }
	runTable(t, []testCase{
		{"at most: equal", answer(200, `{"itemsPerPage":100}`), atMost, ""},
		{"at most: over", answer(200, `{"itemsPerPage":101}`), atMost, line + `
  itemsPerPage: expected at most 100 (number), got 101 (number)
  because: the rule`},
		{"array: empty", answer(200, `{"Resources":[]}`), isArray, ""},
		{"array: missing", answer(200, `{}`), isArray, line + `
  Resources: missing, expected an array
  because: the rule`},
		{"array: string", answer(200, `{"Resources":"x"}`), isArray, line + `
  Resources: expected an array, got "x" (string)
  because: the rule`},
		{"unassigned: absent", answer(200, `{}`), unassigned, ""},
		{"unassigned: null, empty string, empty array", answer(200, `{"title":null}`), unassigned, ""},
		{"unassigned: empty string", answer(200, `{"title":""}`), unassigned, ""},
		{"unassigned: empty array", answer(200, `{"title":[]}`), unassigned, ""},
		{"unassigned: a value", answer(200, `{"title":"Boss"}`), unassigned, line + `
  title: expected nothing (absent, null, "" or []), got "Boss" (string)
  because: the rule`},
		{"not equal: other", answer(200, `{"id":"u-2"}`), notEqual, ""},
		{"not equal: same", answer(200, `{"id":"u-1"}`), notEqual, line + `
  id: expected a value other than "u-1" (string), got "u-1" (string)
  because: the rule`},
		{"not equal: missing", answer(200, `{}`), notEqual, line + `
  id: missing, expected a value other than "u-1"
  because: the rule`},
	})
}

func TestStringOrNumberAndWithin(t *testing.T) {
	code := func(ex *scim.Exchange) error { return StringOrNumber(ex, "status", "404", rule) }
	fast := func(ex *scim.Exchange) error { return Within(ex, 100*time.Millisecond, rule) }
	slow := answer(200, `{}`)
	slow.Duration = 250 * time.Millisecond
	runTable(t, []testCase{
		{"code as a string", answer(404, `{"status":"404"}`), code, ""},
		{"code as a number", answer(404, `{"status":404}`), code, ""},
		{"other code", answer(404, `{"status":"400"}`), code, line + `
  status: expected "404" (string) or 404 (number), got "400" (string)
  response: 404 Not Found, Content-Type: application/scim+json, 16 bytes
  because: the rule`},
		{"in time", answer(200, `{}`), fast, ""},
		{"too slow", slow, fast, line + `
  response time: expected at most 100 ms, got 250 ms
  because: the rule`},
	})
}
