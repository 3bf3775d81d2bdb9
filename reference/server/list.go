package server

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/scimcheck/scimcheck/reference"
	"github.com/scimcheck/scimcheck/reference/filter"
)

// list answers GET /Users and GET /Groups (RFC 7644 §3.4.2).
func (h *Handler) list(w http.ResponseWriter, r *http.Request, rt *reference.ResourceType) {
	q := h.opts.Quirks
	raw := r.URL.RawQuery
	if q.Has(reference.QuirkPlusNotDecoded) {
		raw = strings.ReplaceAll(raw, "+", "%2B") // "+" stays a literal plus, not a space
	}
	params, err := url.ParseQuery(raw)
	if err != nil {
		h.writeError(w, reference.BadRequest(reference.ScimTypeInvalidSyntax, "malformed query string: %v", err))
		return
	}
	if q.Has(reference.QuirkPagingParamsRequired) && (params.Get("startIndex") == "" || params.Get("count") == "") {
		h.writeError(w, reference.BadRequest(reference.ScimTypeInvalidValue, "quirk: startIndex and count are required"))
		return
	}
	query := reference.Query{StartIndex: 1, Count: h.opts.MaxPageSize}
	if v := params.Get("startIndex"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			h.writeError(w, reference.BadRequest(reference.ScimTypeInvalidValue, "startIndex must be an integer, got %q", v))
			return
		}
		query.StartIndex = max(n, 1) // RFC 7644 §3.4.2.4: a value below 1 is interpreted as 1
	}
	if v := params.Get("count"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			h.writeError(w, reference.BadRequest(reference.ScimTypeInvalidValue, "count must be an integer, got %q", v))
			return
		}
		query.Count = min(max(n, 0), h.opts.MaxPageSize) // negative means 0; above the maximum is capped
	}
	requested := query.Count
	if q.Has(reference.QuirkCountIgnored) {
		query.Count = h.opts.MaxPageSize
	}
	if q.Has(reference.QuirkPageCap50) {
		query.Count = min(query.Count, 50)
	}
	if q.Has(reference.QuirkStartIndexIgnored) {
		query.StartIndex = 1
	}
	var f *filter.Filter
	if expr := params.Get("filter"); expr != "" && !q.Has(reference.QuirkFilterIgnored) {
		f, err = filter.Parse(expr, rt)
		if err != nil {
			h.writeError(w, err)
			return
		}
		if attr, value, ok := f.Equality(); ok && attr == "userName" && rt.Name == "User" && q.Has(reference.QuirkFilterOnEmail) {
			f, err = filter.Parse(`emails.value eq "`+filterEscaper.Replace(value)+`"`, rt)
			if err != nil {
				h.writeError(w, err)
				return
			}
		}
	}
	var matcher reference.Matcher
	if f != nil {
		matcher = f
		if rt.Name == "User" && (q.Has(reference.QuirkUserNameCaseSensitive) || q.Has(reference.QuirkInactiveHiddenInFilter)) {
			matcher = quirkyMatcher{Filter: f, quirks: q}
		}
	}
	query.Filter = matcher
	if sortBy := params.Get("sortBy"); sortBy != "" {
		less, err := sortFunc(rt, sortBy, params.Get("sortOrder"))
		if err != nil {
			h.writeError(w, err)
			return
		}
		query.Less = less
	}
	if query.Less == nil && q.Has(reference.QuirkOrderByID) {
		query.Less = func(a, b reference.Resource) bool { return str(a["id"]) < str(b["id"]) }
	}
	proj := parseProjection(rt, params.Get("attributes"), params.Get("excludedAttributes"))
	query.SkipMembers = proj.excludes("members")
	// unstable-order: every other list request is answered in reverse creation order, like a
	// database query without ORDER BY (deterministic, so the mutation matrix is reproducible).
	unstable := q.Has(reference.QuirkUnstableOrder) && query.Less == nil
	window := query
	if unstable {
		query.StartIndex, query.Count = 1, -1
	}
	var total int
	var page []reference.Resource
	err = h.store.Tx(r.Context(), func(tx reference.Tx) error {
		var err error
		total, page, err = tx.List(rt.Name, query)
		return err
	})
	if err != nil {
		h.writeError(w, err)
		return
	}
	if unstable {
		if h.lists.Add(1)%2 == 0 {
			slices.Reverse(page)
		}
		page = page[min(window.StartIndex-1, len(page)):min(window.StartIndex-1+window.Count, len(page))]
		query = window
	}
	if f != nil && total == 0 && q.Has(reference.QuirkFilter404) {
		h.writeError(w, reference.NotFound("%s not found", rt.Name))
		return
	}
	resources := make([]any, 0, len(page))
	for _, res := range page {
		resources = append(resources, h.present(r, rt, res, proj))
	}
	var totalV, startV, itemsV any = total, query.StartIndex, len(resources)
	if q.Has(reference.QuirkItemsPerPageEchoesCount) {
		itemsV = requested
	}
	if q.Has(reference.QuirkCountsAsStrings) {
		totalV, startV, itemsV = strconv.Itoa(total), strconv.Itoa(query.StartIndex), strconv.Itoa(len(resources))
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"schemas":      []string{reference.ListSchema},
		"totalResults": totalV,
		"startIndex":   startV,
		"itemsPerPage": itemsV,
		"Resources":    resources,
	})
}

// filterEscaper escapes a value for a quoted string of a filter (RFC 7644 §3.4.2.2).
var filterEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

// quirkyMatcher wraps a filter with the look-up quirks that only apply to Users.
type quirkyMatcher struct {
	*filter.Filter
	quirks reference.Quirks
}

func (m quirkyMatcher) Match(res map[string]any) bool {
	if !m.Filter.Match(res) {
		return false
	}
	if m.quirks.Has(reference.QuirkInactiveHiddenInFilter) && res["active"] == false {
		return false
	}
	if attr, value, ok := m.Filter.Equality(); ok && attr == "userName" && m.quirks.Has(reference.QuirkUserNameCaseSensitive) {
		return res["userName"] == value
	}
	return true
}

// createCaseSensitive creates a User whose userName is unique only in its exact letter case
// (the username-case-sensitive quirk): "Ada" and "ADA" are two users.
func createCaseSensitive(tx reference.Tx, rt *reference.ResourceType, res reference.Resource) (reference.Resource, error) {
	name := str(res["userName"])
	f, err := filter.Parse(`userName eq "`+filterEscaper.Replace(name)+`"`, rt)
	if err != nil {
		return nil, err
	}
	_, same, err := tx.List(reference.KindUser, reference.Query{Filter: f, StartIndex: 1, Count: -1})
	if err != nil {
		return nil, err
	}
	for _, u := range same {
		if u["userName"] == name {
			return nil, reference.Errorf(409, reference.ScimTypeUniqueness, "userName %q is already taken", name)
		}
	}
	return createDuplicate(tx, reference.KindUser, res)
}
