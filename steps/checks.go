package steps

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/scimcheck/scimcheck/steps/expect"
	"github.com/scimcheck/scimcheck/steps/scim"
)

// Checks that package expect does not offer. Each returns an *expect.Failure, so its message
// reads like the others: request line, JSON path, expected and actual with JSON types, and the
// requirement.

// failure returns an *expect.Failure about path in ex (see expect.Fail).
func failure(ex *scim.Exchange, path, expected, actual, because string) error {
	return expect.Fail(ex, path, expected, actual, because)
}

// missingFailure returns an *expect.Failure saying path is absent from ex's body.
func missingFailure(ex *scim.Exchange, path, expected, because string) error {
	return expect.FailMissing(ex, path, expected, because)
}

// describe renders a JSON value with its type (see expect.Describe).
func describe(r gjson.Result) string { return expect.Describe(r) }

// at returns the JSON value at path in ex's body, after checking the body is JSON.
func at(ex *scim.Exchange, path, because string) (gjson.Result, error) {
	if err := expect.IsJSON(ex, because); err != nil {
		return gjson.Result{}, err
	}
	return ex.JSON().Get(path), nil
}

// listResponse checks what Okta needs of a ListResponse (RFC 7644 §3.4.2, okta-wire §7): the
// ListResponse schema, integer totalResults, startIndex and itemsPerPage, and a Resources array
// (it may be left out only when totalResults is 0). itemsPerPageCounts checks the rest.
func listResponse(ex *scim.Exchange, because string) error {
	if err := expect.Contains(ex, "schemas", schemaList, because); err != nil {
		return err
	}
	for _, p := range []string{"totalResults", "startIndex", "itemsPerPage"} {
		if err := expect.Integer(ex, p, because); err != nil {
			return err
		}
	}
	body := ex.JSON()
	switch res := body.Get("Resources"); {
	case !res.Exists() && body.Get("totalResults").Int() == 0:
	case !res.Exists():
		return missingFailure(ex, "Resources", "an array of the page's resources", because)
	case !res.IsArray():
		return failure(ex, "Resources", "an array", describe(res), because)
	}
	return nil
}

// itemsPerPageCounts checks that a ListResponse's itemsPerPage equals the resources on the
// page, at checkItemsPerPage's grade (review): Okta's runtime does not read it.
func itemsPerPageCounts(ex *scim.Exchange) error {
	body := ex.JSON()
	n := len(body.Get("Resources").Array())
	if items := body.Get("itemsPerPage"); items.Type == gjson.Number && items.Int() != int64(n) {
		return expect.Graded(failure(ex, "itemsPerPage", fmt.Sprintf("%d (number), the count of Resources on the page", n), describe(items),
			"itemsPerPage must equal the number of resources actually returned: Okta QA rejected a server that echoed the requested count (okta-wire §7, §9.4)"),
			checkItemsPerPage)
	}
	return nil
}

// listPage checks a ListResponse whole, itemsPerPage included: for the steps whose subject is
// the list answer.
func listPage(ex *scim.Exchange, because string) error {
	if err := listResponse(ex, because); err != nil {
		return err
	}
	return itemsPerPageCounts(ex)
}

// tolerantList checks a ListResponse in a step that replays Okta: what Okta needs fails the
// step; itemsPerPage is a finding (see world.tolerate).
func (w *world) tolerantList(ex *scim.Exchange, because string) error {
	if err := listResponse(ex, because); err != nil {
		return err
	}
	return w.tolerate(itemsPerPageCounts(ex))
}

// atMost checks that the value at path is an integer no larger than n.
func atMost(ex *scim.Exchange, path string, n int64, because string) error {
	if err := expect.Integer(ex, path, because); err != nil {
		return err
	}
	if v := ex.JSON().Get(path); v.Int() > n {
		return failure(ex, path, fmt.Sprintf("at most %d (number)", n), describe(v), because)
	}
	return nil
}

// isArray checks that the value at path is an array, of any length.
func isArray(ex *scim.Exchange, path, because string) error {
	v, err := at(ex, path, because)
	switch {
	case err != nil:
		return err
	case !v.Exists():
		return missingFailure(ex, path, "an array", because)
	case !v.IsArray():
		return failure(ex, path, "an array", describe(v), because)
	}
	return nil
}

// isEmpty checks that the value at path is unassigned: absent, null, "" or [] (RFC 7643 §2.5).
func isEmpty(ex *scim.Exchange, path, because string) error {
	v, err := at(ex, path, because)
	switch {
	case err != nil:
		return err
	case !v.Exists(), v.Type == gjson.Null, v.Type == gjson.String && v.Str == "", v.IsArray() && len(v.Array()) == 0:
		return nil
	}
	return failure(ex, path, "nothing (absent, null, \"\" or [])", describe(v), because)
}

// notEqual checks that the value at path exists and is not the string s.
func notEqual(ex *scim.Exchange, path, s, because string) error {
	v, err := at(ex, path, because)
	switch {
	case err != nil:
		return err
	case !v.Exists():
		return missingFailure(ex, path, "a value other than "+strconv.Quote(s), because)
	case v.Type == gjson.String && v.Str == s:
		return failure(ex, path, "a value other than "+strconv.Quote(s)+" (string)", describe(v), because)
	}
	return nil
}

// stringOrNumber checks that the value at path is code as a string or as a number, the way
// Okta's spec test compares ("401" and 401 both pass, okta-wire §8, §9.2).
func stringOrNumber(ex *scim.Exchange, path, code, because string) error {
	v, err := at(ex, path, because)
	switch {
	case err != nil:
		return err
	case !v.Exists():
		return missingFailure(ex, path, fmt.Sprintf("%q (string) or %s (number)", code, code), because)
	case v.Type == gjson.String && v.Str == code, v.Type == gjson.Number && v.Raw == code:
		return nil
	}
	return failure(ex, path, fmt.Sprintf("%q (string) or %s (number)", code, code), describe(v), because)
}

// within checks that ex's response arrived within d.
func within(ex *scim.Exchange, d time.Duration, because string) error {
	if ex.Response.StatusCode == 0 || ex.Duration <= d {
		return expect.Status(ex, ex.Response.StatusCode, because) // no response: report it
	}
	return failure(ex, "response time", fmt.Sprintf("at most %d ms", d.Milliseconds()),
		fmt.Sprintf("%d ms", ex.Duration.Milliseconds()), because)
}

// resourceIDs returns the ids of a list page's Resources, in order.
func resourceIDs(ex *scim.Exchange) []string {
	var ids []string
	for _, r := range ex.JSON().Get("Resources").Array() {
		ids = append(ids, r.Get("id").String())
	}
	return ids
}

// joinQuoted renders names as "a", "b" and "c".
func joinQuoted(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	if len(q) <= 1 {
		return strings.Join(q, "")
	}
	return strings.Join(q[:len(q)-1], ", ") + " and " + q[len(q)-1]
}
