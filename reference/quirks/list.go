package quirks

import (
	"slices"
	"strconv"

	"github.com/scimcheck/scimcheck/reference"
	"github.com/scimcheck/scimcheck/reference/filter"
)

// FilterFunc compiles a list request's filter expression (filter.Parse).
type FilterFunc = func(expr string, rt *reference.ResourceType) (*filter.Filter, error)

// Filter returns parse bent by the filter quirks that are on: every filter ignored
// (filter-ignored), userName eq matching the primary email instead (filter-matches-email).
// parse itself when none is on.
func (s *Set) Filter(parse FilterFunc) FilterFunc {
	switch {
	case s.has(reference.QuirkFilterIgnored):
		return func(string, *reference.ResourceType) (*filter.Filter, error) { return nil, nil }
	case s.has(reference.QuirkFilterOnEmail):
		return func(expr string, rt *reference.ResourceType) (*filter.Filter, error) {
			f, err := parse(expr, rt)
			if err != nil {
				return nil, err
			}
			if attr, value, ok := f.Equality(); ok && attr == "userName" && rt.Name == "User" {
				return parse(`emails.value eq `+quote(value), rt)
			}
			return f, nil
		}
	}
	return parse
}

// ListAnswer bends the ListResponse of a list request that asked for q (before the store's
// quirks bent it): startIndex always 1 (start-index-ignored), itemsPerPage echoing count
// (items-per-page-echoes-count), the numbers as strings (counts-as-strings).
func (s *Set) ListAnswer(q reference.Query, answer map[string]any) {
	if s.has(reference.QuirkStartIndexIgnored) {
		answer["startIndex"] = 1
	}
	if s.has(reference.QuirkItemsPerPageEchoesCount) {
		answer["itemsPerPage"] = q.Count
	}
	if s.has(reference.QuirkCountsAsStrings) {
		for _, k := range []string{"totalResults", "startIndex"} {
			if n, ok := answer[k].(int); ok {
				answer[k] = strconv.Itoa(n)
			}
		}
		if list, ok := answer["Resources"].([]any); ok {
			answer["itemsPerPage"] = strconv.Itoa(len(list))
		}
	}
}

// List answers a page the way the list quirks get it wrong: count ignored (count-ignored) or
// capped at 50 (page-cap-50), startIndex ignored (start-index-ignored), userName matched in
// its exact case (username-case-sensitive), deactivated users left out (deactivated-user-
// hidden-from-filter), sorted by id (order-by-id) or in an order that changes between
// requests (unstable-order), and 404 when a filter matches nothing (filter-not-found-404).
func (t *quirkyTx) List(kind string, query reference.Query) (int, []reference.Resource, error) {
	q := t.s.on
	if q.Has(reference.QuirkCountIgnored) {
		query.Count = t.s.cfg.MaxPageSize
	}
	if q.Has(reference.QuirkPageCap50) {
		query.Count = min(query.Count, 50)
	}
	if q.Has(reference.QuirkStartIndexIgnored) {
		query.StartIndex = 1
	}
	filtered := query.Filter != nil
	if filtered && kind == reference.KindUser && (q.Has(reference.QuirkUserNameCaseSensitive) || q.Has(reference.QuirkInactiveHiddenInFilter)) {
		query.Filter = quirkyMatcher{Matcher: query.Filter, quirks: q}
	}
	if query.Less == nil && q.Has(reference.QuirkOrderByID) {
		query.Less = func(a, b reference.Resource) bool { return str(a["id"]) < str(b["id"]) }
	}
	// unstable-order: every other list request is answered in reverse creation order, like a
	// database query without ORDER BY (deterministic, so the mutation matrix is reproducible).
	unstable := q.Has(reference.QuirkUnstableOrder) && query.Less == nil
	window := query
	if unstable {
		query.StartIndex, query.Count = 1, -1
	}
	total, page, err := t.Tx.List(kind, query)
	if err != nil {
		return 0, nil, err
	}
	if unstable {
		if t.s.lists.Add(1)%2 == 0 {
			slices.Reverse(page)
		}
		page = page[min(window.StartIndex-1, len(page)):min(window.StartIndex-1+window.Count, len(page))]
	}
	if filtered && total == 0 && q.Has(reference.QuirkFilter404) {
		return 0, nil, reference.NotFound("%s not found", kind)
	}
	for _, res := range page {
		t.version(res)
	}
	return total, page, nil
}

// quirkyMatcher wraps a filter with the look-up quirks that only apply to Users.
type quirkyMatcher struct {
	reference.Matcher
	quirks reference.Quirks
}

func (m quirkyMatcher) Match(res map[string]any) bool {
	if !m.Matcher.Match(res) {
		return false
	}
	if m.quirks.Has(reference.QuirkInactiveHiddenInFilter) && res["active"] == false {
		return false
	}
	if attr, value, ok := m.Matcher.Equality(); ok && attr == "userName" && m.quirks.Has(reference.QuirkUserNameCaseSensitive) {
		return res["userName"] == value
	}
	return true
}

func str(v any) string { s, _ := v.(string); return s }
