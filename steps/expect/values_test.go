package expect

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimcheck/scimcheck/steps/scim"
)

type count int

func TestEqual(t *testing.T) {
	eq := func(path string, want any) func(*scim.Exchange) error {
		return func(ex *scim.Exchange) error { return Equal(ex, path, want, rule) }
	}
	runTable(t, []testCase{
		{"number", answer(200, `{"totalResults":1}`), eq("totalResults", 1), ""},
		{"named integer type", answer(200, `{"totalResults":1}`), eq("totalResults", count(1)), ""},
		{"uint", answer(200, `{"totalResults":1}`), eq("totalResults", uint8(1)), ""},
		{"1.0 equals 1", answer(200, `{"n":1.0}`), eq("n", 1), ""},
		{"float", answer(200, `{"x":1.5}`), eq("x", 1.5), ""},
		{"int64 beyond float precision", answer(200, `{"n":9007199254740993}`), eq("n", int64(9007199254740993)), ""},
		{"string", answer(200, `{"userName":"ada"}`), eq("userName", "ada"), ""},
		{"bool", answer(200, `{"active":false}`), eq("active", false), ""},
		{"null", answer(200, `{"x":null}`), eq("x", nil), ""},
		{"nested path", answer(200, `{"Resources":[{"name":{"givenName":"Ada"}}]}`), eq("Resources.0.name.givenName", "Ada"), ""},

		{"wrong number", answer(200, `{"totalResults":0}`), eq("totalResults", 1), line + `
  totalResults: expected 1 (number), got 0 (number)
  because: the rule`},
		{"int64 beyond float precision differs", answer(200, `{"n":9007199254740993}`), eq("n", int64(9007199254740992)), line + `
  n: expected 9007199254740992 (number), got 9007199254740993 (number)
  because: the rule`},
		{"string is not number", answer(200, `{"startIndex":"1"}`), eq("startIndex", 1), line + `
  startIndex: expected 1 (number), got "1" (string)
  because: the rule`},
		{"number is not string", answer(200, `{"status":401}`), eq("status", "401"), line + `
  status: expected "401" (string), got 401 (number)
  because: the rule`},
		{"string is not bool", answer(200, `{"active":"True"}`), eq("active", true), line + `
  active: expected true (boolean), got "True" (string)
  because: the rule`},
		{"case differs", answer(200, `{"userName":"Ada"}`), eq("userName", "ada"), line + `
  userName: expected "ada" (string), got "Ada" (string)
  because: the rule`},
		{"object is not null", answer(200, `{"x":{"a":1}}`), eq("x", nil), line + `
  x: expected null, got {"a":1} (object)
  because: the rule`},
		{"missing", answer(200, `{}`), eq("totalResults", 1), line + `
  totalResults: missing, expected 1 (number)
  because: the rule`},
		{"missing is not null", answer(200, `{}`), eq("x", nil), line + `
  x: missing, expected null
  because: the rule`},
		{"not JSON, with status", typed(answer(500, `<html>oops</html>`), "text/html"), eq("totalResults", 1), line + `
  totalResults: expected 1 (number), but the body is not JSON: "<html>oops</html>"
  response: 500 Internal Server Error, Content-Type: text/html, 17 bytes
  because: the rule`},
		{"error status with detail", answer(404, `{"detail":"User not found","status":"404"}`), eq("id", "u-1"), line + `
  id: missing, expected "u-1" (string)
  response: 404 Not Found, Content-Type: application/scim+json, 42 bytes
  detail: "User not found"
  because: the rule`},
	})
}

func TestEqualHarnessErrors(t *testing.T) {
	ex := answer(200, `{"x":1}`)
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"unsupported want", Equal(ex, "x", []int{1}, rule), "expect: want has unsupported type []int: use a string, bool, integer, float or nil"},
		{"nil exchange", Equal(nil, "x", 1, rule), "expect: the exchange is nil"},
		{"empty path", Equal(ex, "", 1, rule), "expect: the JSON path is empty"},
		{"nil exchange, status", Status(nil, 200, rule), "expect: the exchange is nil"},
		{"empty status set", StatusIn(ex, nil, rule), "expect: no wanted status"},
		{"nil exchange, IsJSON", IsJSON(nil, rule), "expect: the exchange is nil"},
		{"nil exchange, Absent", Absent(nil, "x", rule), "expect: the exchange is nil"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Error(t, tt.err)
			var f *Failure
			assert.False(t, errors.As(tt.err, &f), "a harness error is not a *Failure")
			assert.Equal(t, tt.want, tt.err.Error())
		})
	}
}

func TestEqualFold(t *testing.T) {
	fold := func(want string) func(*scim.Exchange) error {
		return func(ex *scim.Exchange) error { return EqualFold(ex, "Resources.0.userName", want, rule) }
	}
	runTable(t, []testCase{
		{"same case", answer(200, `{"Resources":[{"userName":"ada@example.com"}]}`), fold("ada@example.com"), ""},
		{"other case", answer(200, `{"Resources":[{"userName":"ADA@Example.COM"}]}`), fold("ada@example.com"), ""},
		{"different", answer(200, `{"Resources":[{"userName":"bob@example.com"}]}`), fold("ada@example.com"), line + `
  Resources.0.userName: expected "ada@example.com" (string, any case), got "bob@example.com" (string)
  because: the rule`},
		{"no resources", answer(200, `{"totalResults":0,"Resources":[]}`), fold("ada@example.com"), line + `
  Resources.0.userName: missing, expected "ada@example.com" (string, any case)
  because: the rule`},
	})
}

func TestNumberAndInteger(t *testing.T) {
	num := func(ex *scim.Exchange) error { return Number(ex, "n", rule) }
	integer := func(ex *scim.Exchange) error { return Integer(ex, "n", rule) }
	runTable(t, []testCase{
		{"number: integer", answer(200, `{"n":1}`), num, ""},
		{"number: fraction", answer(200, `{"n":1.5}`), num, ""},
		{"number: string", answer(200, `{"n":"1"}`), num, line + `
  n: expected a number, got "1" (string)
  because: the rule`},
		{"number: missing", answer(200, `{}`), num, line + `
  n: missing, expected a number
  because: the rule`},
		{"integer: positive", answer(200, `{"n":100}`), integer, ""},
		{"integer: negative", answer(200, `{"n":-3}`), integer, ""},
		{"integer: 1.0", answer(200, `{"n":1.0}`), integer, line + `
  n: expected an integer (a number with no fractional digits), got 1.0 (number)
  because: the rule`},
		{"integer: exponent", answer(200, `{"n":1e2}`), integer, line + `
  n: expected an integer (a number with no fractional digits), got 1e2 (number)
  because: the rule`},
		{"integer: string", answer(200, `{"n":"1"}`), integer, line + `
  n: expected an integer (a number with no fractional digits), got "1" (string)
  because: the rule`},
	})
}

func TestNotEmpty(t *testing.T) {
	run := func(ex *scim.Exchange) error { return NotEmpty(ex, "v", rule) }
	fail := func(got string) string {
		return line + "\n  v: expected a non-empty value, got " + got + "\n  because: the rule"
	}
	runTable(t, []testCase{
		{"string", answer(200, `{"v":"x"}`), run, ""},
		{"array", answer(200, `{"v":[1]}`), run, ""},
		{"object", answer(200, `{"v":{"a":1}}`), run, ""},
		{"zero", answer(200, `{"v":0}`), run, ""},
		{"false", answer(200, `{"v":false}`), run, ""},
		{"empty string", answer(200, `{"v":""}`), run, fail(`"" (string)`)},
		{"blank string", answer(200, `{"v":"  "}`), run, fail(`"  " (string)`)},
		{"empty array", answer(200, `{"v":[]}`), run, fail(`[] (array of 0)`)},
		{"empty object", answer(200, `{"v":{}}`), run, fail(`{} (object)`)},
		{"null", answer(200, `{"v":null}`), run, fail(`null`)},
		{"missing", answer(200, `{}`), run, line + "\n  v: missing, expected a non-empty value\n  because: the rule"},
		{"empty body", answer(201, ``), run, line + `
  v: expected a non-empty value, but the body is empty
  response: 201 Created, Content-Type: application/scim+json, 0 bytes
  because: the rule`},
	})
}

func TestAbsent(t *testing.T) {
	run := func(ex *scim.Exchange) error { return Absent(ex, "password", rule) }
	runTable(t, []testCase{
		{"missing", answer(200, `{"id":"1"}`), run, ""},
		{"null", answer(200, `{"password":null}`), run, ""},
		{"present", answer(200, `{"password":"1mz050nq"}`), run, line + `
  password: expected absent (or null), got "1mz050nq" (string)
  because: the rule`},
		{"not JSON", typed(answer(200, `ok`), "text/plain"), run, line + `
  password: expected absent (or null), but the body is not JSON: "ok"
  response: 200 OK, Content-Type: text/plain, 2 bytes
  because: the rule`},
	})
}

func TestContains(t *testing.T) {
	run := func(ex *scim.Exchange) error { return Contains(ex, "schemas", ErrorSchema, rule) }
	runTable(t, []testCase{
		{"contains", answer(200, `{"schemas":["x","`+ErrorSchema+`"]}`), run, ""},
		{"other URN", answer(200, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"]}`), run, line + `
  schemas: expected an array containing "urn:ietf:params:scim:api:messages:2.0:Error", got ["urn:ietf:params:scim:schemas:core:2.0:User"] (array of 1)
  because: the rule`},
		{"string, not array", answer(200, `{"schemas":"`+ErrorSchema+`"}`), run, line + `
  schemas: expected an array containing "urn:ietf:params:scim:api:messages:2.0:Error", got "urn:ietf:params:scim:api:messages:2.0:Error" (string)
  because: the rule`},
		{"missing", answer(200, `{}`), run, line + `
  schemas: missing, expected an array containing "urn:ietf:params:scim:api:messages:2.0:Error"
  because: the rule`},
	})
}

func TestLen(t *testing.T) {
	run := func(ex *scim.Exchange) error { return Len(ex, "Resources", 1, rule) }
	runTable(t, []testCase{
		{"one", answer(200, `{"Resources":[{"id":"1"}]}`), run, ""},
		{"three", answer(200, `{"Resources":[1,2,3]}`), run, line + `
  Resources: expected an array of 1, got [1,2,3] (array of 3)
  because: the rule`},
		{"object", answer(200, `{"Resources":{"id":"1"}}`), run, line + `
  Resources: expected an array of 1, got {"id":"1"} (object)
  because: the rule`},
		{"long value clipped", answer(200, `{"Resources":[`+strings.Repeat(`"abcdefghi",`, 30)+`"z"]}`), run, line + `
  Resources: expected an array of 1, got [` + strings.Repeat(`"abcdefghi",`, 16) + `"abcdef… (array of 31)
  because: the rule`},
	})
}
