package steps

import (
	"fmt"

	"github.com/tidwall/gjson"

	"github.com/scimcheck/scimcheck/steps/expect"
	"github.com/scimcheck/scimcheck/steps/scim"
)

// Checks of lists that need the world or a check's grade, and short names for package expect's
// failure helpers. Each returns an *expect.Failure, so its message reads like the others:
// request line, JSON path, expected and actual with JSON types, and the requirement.

// failure returns an *expect.Failure about path in ex (see expect.Fail).
func failure(ex *scim.Exchange, path, expected, actual, because string) error {
	return expect.Fail(ex, path, expected, actual, because)
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
	if err := expect.ListResponse(ex, because); err != nil {
		return err
	}
	return itemsPerPageCounts(ex)
}

// tolerantList checks a ListResponse in a step that replays Okta: what Okta needs fails the
// step; itemsPerPage is a finding (see world.tolerate).
func (w *world) tolerantList(ex *scim.Exchange, because string) error {
	if err := expect.ListResponse(ex, because); err != nil {
		return err
	}
	return w.tolerate(itemsPerPageCounts(ex))
}

// resourceIDs returns the ids of a list page's Resources, in order.
func resourceIDs(ex *scim.Exchange) []string {
	var ids []string
	for _, r := range ex.JSON().Get("Resources").Array() {
		ids = append(ids, r.Get("id").String())
	}
	return ids
}
