package server

import (
	"strings"
	"time"

	"github.com/scimcheck/scimcheck/reference"
)

// sortFunc returns the order sortBy and sortOrder ask for (RFC 7644 §3.4.2.3). Resources
// without a value sort last in either direction; ties keep creation order. Errors: 400
// invalidValue for an unknown attribute or sort order.
func sortFunc(rt *reference.ResourceType, sortBy, order string) (func(a, b reference.Resource) bool, error) {
	desc := false
	switch strings.ToLower(order) {
	case "", "ascending":
	case "descending":
		desc = true
	default:
		return nil, reference.BadRequest(reference.ScimTypeInvalidValue, "sortOrder must be \"ascending\" or \"descending\", got %q", order)
	}
	urn, rest := rt.SplitURN(sortBy)
	name, subName, _ := strings.Cut(rest, ".")
	ext, a, sub, ok := rt.Resolve(urn, name, subName)
	if !ok {
		return nil, reference.BadRequest(reference.ScimTypeInvalidValue, "sortBy names unknown attribute %q", sortBy)
	}
	attr := a
	if sub != nil {
		attr = sub
	} else if a.Type == reference.TypeComplex && a.MultiValued {
		attr = a.Sub("value")
	}
	key := func(res reference.Resource) (any, bool) {
		src := map[string]any(res)
		if ext != nil {
			m, ok := res[ext.ID].(map[string]any)
			if !ok {
				return nil, false
			}
			src = m
		}
		v := src[a.Name]
		if list, ok := v.([]any); ok { // multi-valued: the primary value, else the first
			var pick any
			for _, el := range list {
				if m, ok := el.(map[string]any); ok && m["primary"] == true {
					pick = el
				}
			}
			if pick == nil && len(list) > 0 {
				pick = list[0]
			}
			v = pick
		}
		if m, ok := v.(map[string]any); ok {
			field := "value"
			if sub != nil {
				field = sub.Name
			}
			v = m[field]
		}
		return v, v != nil
	}
	cmp := func(x, y any) int {
		switch xv := x.(type) {
		case string:
			yv, _ := y.(string)
			if attr != nil && attr.Type == reference.TypeDateTime {
				tx, _ := time.Parse(time.RFC3339Nano, xv)
				ty, _ := time.Parse(time.RFC3339Nano, yv)
				return tx.Compare(ty)
			}
			if attr == nil || !attr.CaseExact {
				xv, yv = strings.ToLower(xv), strings.ToLower(yv)
			}
			return strings.Compare(xv, yv)
		case float64:
			yv, _ := y.(float64)
			switch {
			case xv < yv:
				return -1
			case xv > yv:
				return 1
			}
		case bool:
			yv, _ := y.(bool)
			switch {
			case !xv && yv:
				return -1
			case xv && !yv:
				return 1
			}
		}
		return 0
	}
	return func(ra, rb reference.Resource) bool {
		x, okx := key(ra)
		y, oky := key(rb)
		switch {
		case !okx:
			return false
		case !oky:
			return true
		}
		c := cmp(x, y)
		if desc {
			return c > 0
		}
		return c < 0
	}, nil
}
