package server

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/scimcheck/scimcheck/reference"
)

// list answers GET /Users and GET /Groups (RFC 7644 §3.4.2).
func (h *Handler) list(w http.ResponseWriter, r *http.Request, rt *reference.ResourceType) {
	params, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		h.writeError(w, reference.BadRequest(reference.ScimTypeInvalidSyntax, "malformed query string: %v", err))
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
	if expr := params.Get("filter"); expr != "" {
		f, err := h.parseFilter(expr, rt)
		if err != nil {
			h.writeError(w, err)
			return
		}
		if f != nil { // a nil *filter.Filter is no filter, not a nil Matcher
			query.Filter = f
		}
	}
	if sortBy := params.Get("sortBy"); sortBy != "" {
		less, err := sortFunc(rt, sortBy, params.Get("sortOrder"))
		if err != nil {
			h.writeError(w, err)
			return
		}
		query.Less = less
	}
	proj := parseProjection(rt, params.Get("attributes"), params.Get("excludedAttributes"))
	query.SkipMembers = proj.excludes("members")
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
	resources := make([]any, 0, len(page))
	for _, res := range page {
		resources = append(resources, h.present(r, rt, res, proj))
	}
	answer := map[string]any{
		"schemas":      []string{reference.ListSchema},
		"totalResults": total,
		"startIndex":   query.StartIndex,
		"itemsPerPage": len(resources),
		"Resources":    resources,
	}
	h.quirks.ListAnswer(query, answer)
	h.writeJSON(w, http.StatusOK, answer)
}

// filterEscaper escapes a value for a quoted string of a filter (RFC 7644 §3.4.2.2), for the
// seed look-ups. A strings.Replacer is immutable and safe for concurrent use.
var filterEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`)
