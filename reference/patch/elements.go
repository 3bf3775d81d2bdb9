package patch

import (
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strings"

	filterparser "github.com/scim2/filter-parser/v2"

	"github.com/scimcheck/scimcheck/reference"
)

// matches returns the indices of the elements of list that t selects: those its filter
// matches, or every element when t has none (attr.sub on a multi-valued attribute).
func matches(t target, list []any) []int {
	var idx []int
	for i, el := range list {
		if m, ok := el.(map[string]any); ok && (t.filter == nil || t.filter.Match(m)) {
			idx = append(idx, i)
		}
	}
	return idx
}

// writeElements applies an add or replace to the elements of a multi-valued attribute that t
// selects: "emails[type eq \"work\"]" (replace: each matching element is replaced by the value;
// add: the value's sub-attributes are merged into it), "emails[type eq \"work\"].value" and
// "emails.value" (the sub-attribute is set in each). Nothing selected is 400 noTarget, except
// for an add whose filter is a plain equality such as type eq "work": Entra sends
// {"op":"Add","path":"emails[type eq \"work\"].value",…} for a user without a work email, and
// the element {"type":"work","value":…} is then added.
func writeElements(res reference.Resource, t target, kind string, v any) error {
	a := t.attr
	c := container(res, t.ext, kind == opAdd)
	var list []any
	if c != nil {
		list, _ = c[a.Name].([]any)
	}
	idx := matches(t, list)
	if len(idx) == 0 {
		if kind == opAdd && t.filter != nil {
			if el, ok, err := newFromFilter(t, v); ok || err != nil {
				if err == nil && el != nil {
					c[a.Name] = appendUnique(a, list, []any{el}, true)
				}
				return err
			}
		}
		verb := "replace"
		if kind == opAdd {
			verb = "add to"
		}
		if t.filter == nil {
			return reference.BadRequest(reference.ScimTypeNoTarget, "path %q names %q in every value of %q, which has no values: nothing to %s", t.path, t.sub.Name, a.Name, verb)
		}
		return reference.BadRequest(reference.ScimTypeNoTarget, "path %q matched no value: nothing to %s", t.path, verb)
	}
	setsPrimary := t.sub != nil && t.sub.Name == "primary" && v == true || t.sub == nil && hasPrimary(v)
	primary, primaries := -1, 0 // with setsPrimary: the matched element now primary, and how many are
	for _, i := range idx {
		old := list[i].(map[string]any)
		var nu map[string]any
		switch {
		case t.sub != nil:
			nu = old
			if err := mergeSubs(a, nu, map[string]any{t.sub.Name: v}); err != nil {
				return err
			}
		case kind == opAdd:
			nu = old
			obj, ok := v.(map[string]any)
			if !ok {
				if _, err := reference.NormalizeSingle(a, v); err != nil {
					return err
				}
				continue // null or "": nothing to add
			}
			if err := mergeSubs(a, nu, obj); err != nil {
				return err
			}
		default:
			n, err := reference.NormalizeSingle(a, v)
			if err != nil {
				return err
			}
			nu, _ = n.(map[string]any)
			for _, s := range a.SubAttributes {
				if err := checkImmutable(a.Name+"."+s.Name, s, old[s.Name], nu[s.Name]); err != nil {
					return err
				}
			}
		}
		list[i] = nu
		if setsPrimary && isPrimary(nu) {
			primary, primaries = i, primaries+1
		}
	}
	if primaries > 1 {
		return reference.BadRequest(reference.ScimTypeInvalidValue, "path %q matched %d values and would make each of them primary; at most one value of %q may be primary (RFC 7643 §2.4)", t.path, primaries, a.Name)
	}
	if primary >= 0 {
		clearPrimary(list, func(i int) bool { return i == primary })
	}
	c[a.Name] = compact(list)
	return nil
}

// hasPrimary reports whether v is an object with "primary": true (in any letter case).
func hasPrimary(v any) bool {
	m, _ := v.(map[string]any)
	for k, x := range m {
		if strings.EqualFold(k, "primary") && x == true {
			return true
		}
	}
	return false
}

// newFromFilter builds the element an add with an unmatched equality filter creates: the value
// (of t.sub, or the value object's sub-attributes) plus the filter's sub-attribute values
// (type eq "work" and primary eq true). The filter's values win over the value's, so that the
// element matches the path and sending the same add again changes nothing. ok is false when the
// filter is not a conjunction of eq comparisons of sub-attributes. el is nil when the value is
// empty (nothing to add).
func newFromFilter(t target, v any) (el any, ok bool, err error) {
	a := t.attr
	eq := map[string]any{}
	if !collectEq(t.expr, a, eq) {
		return nil, false, nil
	}
	raw := map[string]any{}
	if t.sub != nil {
		if v == nil || v == "" {
			return nil, true, nil
		}
		raw[t.sub.Name] = v
	} else {
		obj, isObj := v.(map[string]any)
		if !isObj {
			_, err := reference.NormalizeSingle(a, v)
			return nil, true, err
		}
		for _, k := range slices.Sorted(maps.Keys(obj)) {
			if s := a.Sub(k); s != nil {
				raw[s.Name] = obj[k]
			}
		}
	}
	maps.Copy(raw, eq)
	el, err = reference.NormalizeSingle(a, raw)
	return el, true, err
}

// collectEq stores into out the compared values of e when e is sub eq value, or an "and" of
// such comparisons, on sub-attributes of a, and reports whether it was.
func collectEq(e filterparser.Expression, a *reference.Attribute, out map[string]any) bool {
	switch x := e.(type) {
	case *filterparser.AttributeExpression:
		if x == nil {
			return false
		}
		p := x.AttributePath
		s := a.Sub(p.AttributeName)
		if !strings.EqualFold(string(x.Operator), string(filterparser.EQ)) || p.URIPrefix != nil || p.SubAttribute != nil || s == nil {
			return false
		}
		v := x.CompareValue
		if str, ok := v.(string); ok {
			v = unquote(str)
		}
		out[s.Name] = v
		return true
	case *filterparser.LogicalExpression:
		return x != nil && strings.EqualFold(string(x.Operator), string(filterparser.AND)) &&
			collectEq(x.Left, a, out) && collectEq(x.Right, a, out)
	}
	return false
}

// unquote resolves JSON escapes in a filter string literal as the parser returns it.
func unquote(s string) string {
	if !strings.ContainsRune(s, '\\') {
		return s
	}
	var out string
	if err := json.Unmarshal([]byte(`"`+s+`"`), &out); err != nil {
		return s
	}
	return out
}

// removeElements removes the elements t selects (attr[filter]), or the sub-attribute from each
// of them (attr[filter].sub, attr.sub). Nothing selected is not an error: removing a member
// that is not there is a no-op (RFC 7644 §3.5.2.2 only requires noTarget without a path).
func removeElements(c map[string]any, t target) error {
	a := t.attr
	list, _ := c[a.Name].([]any)
	idx := matches(t, list)
	for _, i := range idx {
		if t.sub == nil {
			list[i] = nil
			continue
		}
		m := list[i].(map[string]any)
		if err := checkImmutable(t.name(), t.sub, m[t.sub.Name], nil); err != nil {
			return err
		}
		delete(m, t.sub.Name)
	}
	if len(idx) > 0 {
		c[a.Name] = compact(list)
	}
	return nil
}

// removeListed removes from c the elements of multi-valued attribute a that one of the
// elements listed in v selects (Entra's remove with a value list). For Group.members, whose
// elements are identified by value (see identity), {"value":"id1"} selects the member id1
// whatever else it says. Otherwise a listed element selects the elements that have each of its
// sub-attributes equal (strings case-insensitively unless caseExact). Listed elements with a
// value are found through a map, so the cost stays linear for large groups.
func removeListed(c map[string]any, a *reference.Attribute, v any) error {
	sel, err := normalizeList(a, v)
	if err != nil || c == nil {
		return err
	}
	list, _ := c[a.Name].([]any)
	id := newIdentity(a, len(sel))
	byValue := map[string][]map[string]any{}
	var loose []map[string]any
	for _, el := range sel {
		m := el.(map[string]any) // NormalizeValue of a complex attribute yields objects
		if s, ok := m["value"].(string); ok {
			k := id.valueKey(s)
			byValue[k] = append(byValue[k], m)
		} else {
			loose = append(loose, m)
		}
	}
	selects := func(x, m map[string]any) bool { return id.byValue && x["value"] != nil || subset(a, x, m) }
	removed := false
	for i, el := range list {
		m, ok := el.(map[string]any)
		if !ok {
			continue
		}
		s, _ := m["value"].(string)
		if slices.ContainsFunc(byValue[id.valueKey(s)], func(x map[string]any) bool { return selects(x, m) }) ||
			slices.ContainsFunc(loose, func(x map[string]any) bool { return selects(x, m) }) {
			list[i], removed = nil, true
		}
	}
	if removed {
		c[a.Name] = compact(list)
	}
	return nil
}

// subset reports whether every sub-attribute of sel has the same value in el.
func subset(a *reference.Attribute, sel, el map[string]any) bool {
	for k, v := range sel {
		if s, ok := v.(string); ok {
			e, _ := el[k].(string)
			if sub := a.Sub(k); sub != nil && !sub.CaseExact && strings.EqualFold(s, e) || s == e {
				continue
			}
			return false
		}
		if !reflect.DeepEqual(v, el[k]) {
			return false
		}
	}
	return true
}
