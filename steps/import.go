package steps

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/scimcheck/scimcheck/steps/expect"
	"github.com/scimcheck/scimcheck/steps/scim"
)

// Import (okta-wire §7): Okta reads every page, 100 at a time.

// The requirements of these checks: the "because" line of their failure messages.
const (
	becauseImport = `an import reads every page with GET /Users?startIndex=…&count=100 (and /Groups), stepping startIndex by 100 while it is <= totalResults; ` +
		`each page is a ListResponse with integer counts, and a server that ignores count or startIndex makes Okta skip or repeat resources (okta-wire §7)`
)

const (
	importPageSize = 100
	// importMaxPages stops a walk that would never end (a server that always reports more).
	importMaxPages = 1000
	// importAttempts is how often a walk disturbed by another client's writes is repeated.
	importAttempts = 5
)

// page is one GET of an import walk.
type page struct {
	start int
	ex    *scim.Exchange
}

// walk is one import: every page Okta read, in order.
type walk struct {
	kind  string // "users" or "groups"
	pages []page
}

// disturbed reports whether totalResults changed during the walk: another client was writing.
func (wk *walk) disturbed() bool {
	for _, p := range wk.pages[1:] {
		if p.ex.JSON().Get("totalResults").Int() != wk.pages[0].ex.JSON().Get("totalResults").Int() {
			return true
		}
	}
	return false
}

// endpoint returns "/Users" or "/Groups" for "users" or "groups".
func endpoint(kind string) string {
	if kind == "groups" {
		return "/Groups"
	}
	return "/Users"
}

// appHasOwnUsers: Given the app already has 120 users of this scenario.
func appHasOwnUsers(ctx context.Context, n int) error {
	w := worldFromContext(ctx)
	users := make([]*user, 0, n)
	for i := 1; i <= n; i++ {
		users = append(users, w.user(fmt.Sprintf("import%03d", i)))
	}
	err := w.vendorCreateAll(ctx, users)
	for _, u := range users {
		if u.id != "" {
			w.own["users"] = append(w.own["users"], u.id)
		}
	}
	return err
}

// appHasOwnGroups: Given the app already has 105 groups of this scenario.
func appHasOwnGroups(ctx context.Context, n int) error {
	w := worldFromContext(ctx)
	groups := make([]*group, 0, n)
	reqs := make([]scim.Request, 0, n)
	for i := 1; i <= n; i++ {
		g := w.group(fmt.Sprintf("importgroup%03d", i))
		groups = append(groups, g)
		reqs = append(reqs, groupCreateRequest(g))
	}
	exs, errs := w.sendAll(ctx, reqs)
	for i, g := range groups {
		if err := w.groupCreated(ctx, g, exs[i], errs[i]); err != nil {
			return err
		}
		w.own["groups"] = append(w.own["groups"], g.id)
	}
	return nil
}

// oktaImports: When Okta imports users / groups (again). Paging by offset is only exact while
// nobody else writes: a walk during which totalResults changed, or that did not see each of the
// scenario's own resources once, is repeated, at most importAttempts times, in case another
// client (another scenario) was writing. A server that pages wrongly fails every attempt the
// same way; the Then steps judge the last one.
func oktaImports(ctx context.Context, kind string) error {
	w := worldFromContext(ctx)
	for attempt := 1; ; attempt++ {
		wk, err := w.importWalk(ctx, kind)
		if err != nil {
			return err
		}
		if attempt == importAttempts || !wk.disturbed() && w.ownOnce(wk) {
			w.walks[kind] = append(w.walks[kind], wk)
			return nil
		}
	}
}

// ownOnce reports whether wk saw each of the scenario's own resources of its kind exactly once.
func (w *world) ownOnce(wk *walk) bool {
	seen := map[string]int{}
	for _, p := range wk.pages {
		for _, id := range resourceIDs(p.ex) {
			seen[id]++
		}
	}
	for _, id := range w.own[wk.kind] {
		if seen[id] != 1 {
			return false
		}
	}
	return true
}

// importWalk reads every page: startIndex 1, 101, 201, … while startIndex <= totalResults.
func (w *world) importWalk(ctx context.Context, kind string) (*walk, error) {
	q := w.begin("import", kind, "Okta's import of "+kind)
	wk := &walk{kind: kind}
	for start := 1; ; start += importPageSize {
		what := fmt.Sprintf("GET %s?startIndex=%d&count=%d, page %d", endpoint(kind), start, importPageSize, len(wk.pages)+1)
		ex, err := q.send(ctx, what, get(fmt.Sprintf("%s?startIndex=%d&count=%d", endpoint(kind), start, importPageSize)))
		if err != nil {
			return nil, err
		}
		if err := expect.Status(ex, http.StatusOK, becauseImport); err != nil {
			return nil, q.fail(what, "the import fails (okta-wire §7, §9.1)", err)
		}
		if err := expect.Integer(ex, "totalResults", becauseImport); err != nil {
			return nil, q.fail(what, "Okta cannot read the page and the import fails silently (okta-wire §2.2, §9.4)", err)
		}
		wk.pages = append(wk.pages, page{start: start, ex: ex})
		if int64(start+importPageSize) > ex.JSON().Get("totalResults").Int() {
			return wk, nil
		}
		if len(wk.pages) >= importMaxPages {
			return nil, q.fail(what, "the import never ends", failure(ex, "totalResults",
				fmt.Sprintf("at most %d resources for a test import", importMaxPages*importPageSize),
				describe(ex.JSON().Get("totalResults")), becauseImport))
		}
	}
}

// lastWalk returns the scenario's latest walk of the kind Okta imported last.
func (w *world) lastWalk() (*walk, error) {
	for i := len(w.sequences) - 1; i >= 0; i-- {
		if f := w.sequences[i]; f.kind == "import" {
			if list := w.walks[f.alias]; len(list) > 0 {
				return list[len(list)-1], nil
			}
		}
	}
	return nil, HarnessErrorf("scimcheck harness error in the feature: Okta did not import in this scenario")
}

// pagesAreListResponses: Then every page was a ListResponse whose itemsPerPage counts its
// resources (and whose startIndex is the one asked for).
func pagesAreListResponses(ctx context.Context) error {
	wk, err := worldFromContext(ctx).lastWalk()
	if err != nil {
		return err
	}
	for _, p := range wk.pages {
		if err := listPage(p.ex, becauseImport); err != nil {
			return err
		}
		if err := expect.Equal(p.ex, "startIndex", p.start, becauseImport); err != nil {
			return err
		}
	}
	return nil
}

// pagesAreFull: Then every page but the last held 100 resources (count=100 is honoured).
func pagesAreFull(ctx context.Context) error {
	wk, err := worldFromContext(ctx).lastWalk()
	if err != nil {
		return err
	}
	for _, p := range wk.pages {
		total := int(p.ex.JSON().Get("totalResults").Int())
		want := min(importPageSize, max(total-p.start+1, 0))
		if err := expect.IsArray(p.ex, "Resources", becauseImport); err != nil {
			return err
		}
		if got := len(p.ex.JSON().Get("Resources").Array()); got != want {
			return failure(p.ex, "Resources", fmt.Sprintf("an array of %d: count=%d with totalResults %d leaves %d from startIndex %d", want, importPageSize, total, want, p.start),
				fmt.Sprintf("an array of %d", got), becauseImport)
		}
	}
	return nil
}

// sawOwnOnce: Then the import saw each of this scenario's users exactly once.
func sawOwnOnce(ctx context.Context, kind string) error {
	w := worldFromContext(ctx)
	list := w.walks[kind]
	if len(list) == 0 {
		return HarnessErrorf("scimcheck harness error in the feature: Okta did not import %s in this scenario", kind)
	}
	wk := list[len(list)-1]
	own := map[string]bool{}
	for _, id := range w.own[kind] {
		own[id] = true
	}
	seen := map[string]int{} // id → page number of its first sighting
	for n, p := range wk.pages {
		for _, id := range resourceIDs(p.ex) {
			if !own[id] {
				continue
			}
			if first, dup := seen[id]; dup {
				return failure(p.ex, "Resources", fmt.Sprintf("each of this scenario's %d %s once across all pages", len(own), kind),
					fmt.Sprintf("%q again on page %d, already on page %d", id, n+1, first), becauseImport)
			}
			seen[id] = n + 1
		}
	}
	var missing []string
	for _, id := range w.own[kind] {
		if seen[id] == 0 {
			missing = append(missing, strconv.Quote(id))
		}
	}
	if len(missing) > 0 {
		last := wk.pages[len(wk.pages)-1].ex
		return failure(last, "Resources", fmt.Sprintf("each of this scenario's %d %s once across all %d pages", len(own), kind, len(wk.pages)),
			fmt.Sprintf("%d never seen: %s", len(missing), clipList(missing)), becauseImport)
	}
	return nil
}

// sameOrder: Then both imports saw this scenario's users in the same order.
func sameOrder(ctx context.Context, kind string) error {
	w := worldFromContext(ctx)
	list := w.walks[kind]
	if len(list) < 2 {
		return HarnessErrorf("scimcheck harness error in the feature: Okta imported %s fewer than twice in this scenario", kind)
	}
	own := map[string]bool{}
	for _, id := range w.own[kind] {
		own[id] = true
	}
	order := func(wk *walk) (ids []string, pageOf []page) {
		for _, p := range wk.pages {
			for _, id := range resourceIDs(p.ex) {
				if own[id] {
					ids, pageOf = append(ids, id), append(pageOf, p)
				}
			}
		}
		return ids, pageOf
	}
	first, _ := order(list[len(list)-2])
	second, pages := order(list[len(list)-1])
	for i := range min(len(first), len(second)) {
		if first[i] != second[i] {
			return failure(pages[i].ex, "Resources", fmt.Sprintf("this scenario's %s in the order of the first import: %q at position %d", kind, first[i], i+1),
				fmt.Sprintf("%q", second[i]), "ordering must be stable across requests whatever count and startIndex are (okta-wire §7)")
		}
	}
	if len(first) != len(second) {
		return sawOwnOnce(ctx, kind)
	}
	return nil
}

// pageAfterLast: When the client asks for the page of users after the last one: it learns
// totalResults, then asks for a startIndex a full page beyond it.
func pageAfterLast(ctx context.Context, kind string) error {
	w := worldFromContext(ctx)
	w.because = "a page past the end is not an error: 200, a ListResponse with itemsPerPage 0 and Resources [] (RFC 7644 §3.4.2.4, okta-wire §7)"
	ex, err := w.send(ctx, get(endpoint(kind)+"?startIndex=1&count=1"))
	if err != nil {
		return err
	}
	if err := expect.Integer(ex, "totalResults", becauseImport); err != nil {
		return err
	}
	start := (ex.JSON().Get("totalResults").Int()/importPageSize+2)*importPageSize + 1
	_, err = w.send(ctx, get(fmt.Sprintf("%s?startIndex=%d&count=%d", endpoint(kind), start, importPageSize)))
	return err
}

// checkItemsPerPage: a ListResponse's itemsPerPage counts the resources on the page. Okta pages
// by startIndex and totalResults, so only its review notices (okta-wire §7, §9.4 [C3]).
var checkItemsPerPage = expect.Check{
	ID:    "list-items-per-page",
	Grade: expect.GradeReview,
	Okta: "Okta's runtime pages by startIndex and totalResults and does not read itemsPerPage, so provisioning works; " +
		"Okta QA rejected a server whose itemsPerPage echoed count (okta-wire §7, §9.4)",
}

// diagnoseCounts: ListResponse counts and paging.
func diagnoseCounts(c *clue) diagnosis {
	body, q := c.got(), c.query()
	resources := len(body.Get("Resources").Array())
	count, countErr := strconv.Atoi(q.Get("count"))
	start, _ := strconv.Atoi(q.Get("startIndex"))
	switch p := c.f.Path; {
	case (p == "totalResults" || p == "startIndex" || p == "itemsPerPage") && strings.HasSuffix(c.f.Actual, "(string)"):
		return found("counts-not-integers", "totalResults, startIndex and itemsPerPage must be JSON integers: Okta requires integers; "+
			`a string startIndex "1" makes Okta's sync fail silently`)
	case start > 1 && body.Get("startIndex").Type == gjson.Number && body.Get("startIndex").Int() == 1:
		return found("start-index-ignored", fmt.Sprintf("startIndex is ignored: the page at startIndex=%d is the first page again, so Okta's import "+
			"sees the first resources over and over and never the rest", start))
	case countErr == nil && resources > count:
		return found("count-ignored", fmt.Sprintf("count is ignored: count=%d returned %d resources, and a page must hold at most count: "+
			"Okta's connection test asks for 2 and its import pages by 100", count, resources))
	case p == "itemsPerPage" && strings.Contains(c.f.Expected, "count of Resources"):
		return found("items-per-page-echoes-count", "itemsPerPage must count the resources on this page, not echo count: Okta QA rejected a server "+
			"answering itemsPerPage 100 with no resources")
	case c.sequence == "" && c.lastSequence() == "import" && p == "Resources":
		return c.importDiagnosis(count, start, resources)
	}
	return diagnosis{}
}

// lastSequence returns the kind of the scenario's latest Okta sequence.
func (c *clue) lastSequence() string {
	if n := len(c.w.sequences); n > 0 {
		return c.w.sequences[n-1].kind
	}
	return ""
}

// importDiagnosis explains an import that did not see each resource once, in the same order.
func (c *clue) importDiagnosis(count, start, resources int) diagnosis {
	total := int(c.got().Get("totalResults").Int())
	if count > 0 && resources < count && resources < total-start+1 {
		return found("page-short", fmt.Sprintf("the server returned %d resources for count=%d although %d remain: Okta steps startIndex by %d "+
			"whatever a page holds, so it skips the rest of every page", resources, count, total-start+1, count))
	}
	for _, wk := range c.w.walks {
		for _, walk := range wk {
			if len(walk.pages) > 1 && firstID(walk.pages[0].ex) != "" && firstID(walk.pages[0].ex) == firstID(walk.pages[1].ex) {
				return found("start-index-ignored", "startIndex is ignored: the page at startIndex=101 starts with the same resources as the first page, "+
					"so Okta's import sees the first resources over and over and never the rest")
			}
		}
	}
	return found("unstable-order", "the list order changes between requests: Okta pages with startIndex and needs the same order every time "+
		"(sort by creation time or id), or it skips some resources and sees others twice")
}

// firstID returns the id of a page's first resource.
func firstID(ex *scim.Exchange) string { return ex.JSON().Get("Resources.0.id").String() }

// diagnoseListRequest: a list request refused for its query string.
func diagnoseListRequest(c *clue) diagnosis {
	_, id := c.target()
	if c.method() != http.MethodGet || id != "" || c.status() != http.StatusBadRequest {
		return diagnosis{}
	}
	q := c.query()
	switch {
	case strings.Contains(c.rawQuery(), "+"):
		return found("plus-not-decoded", `a "+" in the query string must be decoded as a space: Okta's look-ups may send filter=userName+eq+"…", `+
			"which this server refuses, so Okta never finds the user")
	case q.Get("startIndex") == "" || q.Get("count") == "":
		return found("paging-params-required", "startIndex and count are optional (RFC 7644 §3.4.2.4): a list request without them must answer 200; "+
			"Okta's spec test sends GET /Groups and its userName filters without them")
	}
	return diagnosis{}
}
