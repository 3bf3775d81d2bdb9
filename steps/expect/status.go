package expect

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/scimcheck/scimcheck/steps/scim"
)

// ErrorSchema is the URN of the SCIM Error message (RFC 7644 §3.12).
const ErrorSchema = "urn:ietf:params:scim:api:messages:2.0:Error"

// Status checks that the response status is want. On failure the message quotes the server's
// SCIM error detail, or the start of its body. A 3xx fails like any other status: Okta does
// not follow redirects.
func Status(ex *scim.Exchange, want int, because string) error {
	return StatusIn(ex, []int{want}, because)
}

// StatusIn checks that the response status is one of want, e.g. []int{200, 204} for a PATCH.
// It returns a plain error when want is empty.
func StatusIn(ex *scim.Exchange, want []int, because string) error {
	if ex == nil {
		return errors.New("expect: the exchange is nil")
	}
	if len(want) == 0 {
		return errors.New("expect: no wanted status")
	}
	f := newFailure(ex, statusPath, orList(want), because)
	switch {
	case ex.Response.StatusCode == 0:
		f.Unreadable = unreadable(ex)
	case slices.Contains(want, ex.Response.StatusCode):
		return nil
	default:
		f.Actual = shownStatus(ex)
	}
	return done(ex, f)
}

// orList renders [200 201 204] as "200, 201 or 204".
func orList(codes []int) string {
	s := make([]string, len(codes))
	for i, c := range codes {
		s[i] = strconv.Itoa(c)
	}
	if len(s) == 1 {
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

// IsJSON checks that the response body is one valid JSON value. Okta parses every answer as
// JSON, error answers included (okta-wire §1.2).
func IsJSON(ex *scim.Exchange, because string) error {
	if ex == nil {
		return errors.New("expect: the exchange is nil")
	}
	f := newFailure(ex, "body", "a JSON document", because)
	if f.Unreadable = unreadable(ex); f.Unreadable == "" {
		return nil
	}
	return done(ex, f)
}

// ErrorBody checks a SCIM error answer (RFC 7644 §3.12, okta-wire §9.2): the HTTP status is
// status, and the body is JSON whose "schemas" holds ErrorSchema, whose "detail" is a
// non-empty string and whose "status" equals the HTTP status as a string or a number ("401"
// and 401 both pass: RFC 7644 says string, Okta's examples use numbers). It returns the first
// failure found.
func ErrorBody(ex *scim.Exchange, status int, because string) error {
	if err := Status(ex, status, because); err != nil {
		return err
	}
	if err := Contains(ex, "schemas", ErrorSchema, because); err != nil {
		return err
	}
	if err := check(ex, "detail", "a non-empty string", because, func(r gjson.Result) bool {
		return r.Type == gjson.String && strings.TrimSpace(r.Str) != ""
	}); err != nil {
		return err
	}
	code := strconv.Itoa(status)
	return check(ex, "status", fmt.Sprintf("%q (string) or %s (number)", code, code), because, func(r gjson.Result) bool {
		return (r.Type == gjson.String && r.Str == code) || (r.Type == gjson.Number && r.Raw == code)
	})
}
