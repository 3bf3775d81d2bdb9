package expect

import (
	"fmt"
	"strconv"
	"time"

	"github.com/tidwall/gjson"

	"github.com/scimcheck/scimcheck/steps/scim"
)

// SchemaListResponse is the schema URN of a ListResponse (RFC 7644 §3.4.2).
const SchemaListResponse = "urn:ietf:params:scim:api:messages:2.0:ListResponse"

// ListResponse checks what Okta needs of a ListResponse (RFC 7644 §3.4.2, okta-wire §7): the
// ListResponse schema, integer totalResults, startIndex and itemsPerPage, and a Resources
// array, which may be left out only when totalResults is 0. It does not compare itemsPerPage
// with the page: Okta's runtime does not read it.
func ListResponse(ex *scim.Exchange, because string) error {
	if err := Contains(ex, "schemas", SchemaListResponse, because); err != nil {
		return err
	}
	for _, p := range []string{"totalResults", "startIndex", "itemsPerPage"} {
		if err := Integer(ex, p, because); err != nil {
			return err
		}
	}
	body := ex.JSON()
	switch res := body.Get("Resources"); {
	case !res.Exists() && body.Get("totalResults").Int() == 0:
	case !res.Exists():
		return FailMissing(ex, "Resources", "an array of the page's resources", because)
	case !res.IsArray():
		return Fail(ex, "Resources", "an array", Describe(res), because)
	}
	return nil
}

// AtMost checks that the value at path is an integer no larger than n.
func AtMost(ex *scim.Exchange, path string, n int64, because string) error {
	if err := Integer(ex, path, because); err != nil {
		return err
	}
	if v := ex.JSON().Get(path); v.Int() > n {
		return Fail(ex, path, fmt.Sprintf("at most %d (number)", n), Describe(v), because)
	}
	return nil
}

// IsArray checks that the value at path is an array, of any length.
func IsArray(ex *scim.Exchange, path, because string) error {
	v, err := jsonAt(ex, path, because)
	switch {
	case err != nil:
		return err
	case !v.Exists():
		return FailMissing(ex, path, "an array", because)
	case !v.IsArray():
		return Fail(ex, path, "an array", Describe(v), because)
	}
	return nil
}

// Unassigned checks that the value at path is unassigned: absent, null, "" or [] (RFC 7643
// §2.5).
func Unassigned(ex *scim.Exchange, path, because string) error {
	v, err := jsonAt(ex, path, because)
	switch {
	case err != nil:
		return err
	case !v.Exists(), v.Type == gjson.Null, v.Type == gjson.String && v.Str == "", v.IsArray() && len(v.Array()) == 0:
		return nil
	}
	return Fail(ex, path, "nothing (absent, null, \"\" or [])", Describe(v), because)
}

// NotEqual checks that the value at path exists and is not the string s.
func NotEqual(ex *scim.Exchange, path, s, because string) error {
	v, err := jsonAt(ex, path, because)
	switch {
	case err != nil:
		return err
	case !v.Exists():
		return FailMissing(ex, path, "a value other than "+strconv.Quote(s), because)
	case v.Type == gjson.String && v.Str == s:
		return Fail(ex, path, "a value other than "+strconv.Quote(s)+" (string)", Describe(v), because)
	}
	return nil
}

// StringOrNumber checks that the value at path is code as a string or as a number, the way
// Okta's spec test compares ("401" and 401 both pass, okta-wire §8, §9.2).
func StringOrNumber(ex *scim.Exchange, path, code, because string) error {
	v, err := jsonAt(ex, path, because)
	switch {
	case err != nil:
		return err
	case !v.Exists():
		return FailMissing(ex, path, fmt.Sprintf("%q (string) or %s (number)", code, code), because)
	case v.Type == gjson.String && v.Str == code, v.Type == gjson.Number && v.Raw == code:
		return nil
	}
	return Fail(ex, path, fmt.Sprintf("%q (string) or %s (number)", code, code), Describe(v), because)
}

// Within checks that ex's response arrived within d; an exchange without a response fails
// as Status reports it.
func Within(ex *scim.Exchange, d time.Duration, because string) error {
	if ex.Response.StatusCode == 0 || ex.Duration <= d {
		return Status(ex, ex.Response.StatusCode, because) // no response: report it
	}
	return Fail(ex, "response time", fmt.Sprintf("at most %d ms", d.Milliseconds()),
		fmt.Sprintf("%d ms", ex.Duration.Milliseconds()), because)
}

// jsonAt returns the JSON value at path in ex's body, after checking the body is JSON.
func jsonAt(ex *scim.Exchange, path, because string) (gjson.Result, error) {
	if err := IsJSON(ex, because); err != nil {
		return gjson.Result{}, err
	}
	return ex.JSON().Get(path), nil
}
