package patch

import (
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/scimcheck/scimcheck/reference"
	"github.com/scimcheck/scimcheck/reference/codec"
)

// mergeSubs writes the sub-attributes in raw into cur, an element or single-valued value of
// complex attribute a, validating each through reference.NormalizeSingle so that PATCH and PUT
// agree. Unknown and readOnly sub-attributes are ignored, as NormalizeSingle does; null and ""
// unassign a sub-attribute; an immutable sub-attribute with a value cannot change.
func mergeSubs(a *reference.Attribute, cur, raw map[string]any) error {
	for _, k := range slices.Sorted(maps.Keys(raw)) {
		s := a.Sub(k)
		if s == nil || s.Mutability == reference.ReadOnly {
			continue
		}
		var nv any
		if rv := raw[k]; rv != nil && rv != "" {
			n, err := reference.NormalizeSingle(a, map[string]any{k: rv})
			if err != nil {
				return err
			}
			m, _ := n.(map[string]any)
			nv = m[s.Name]
		}
		if err := checkImmutable(a.Name+"."+s.Name, s, cur[s.Name], nv); err != nil {
			return err
		}
		if reference.IsEmpty(nv) {
			delete(cur, s.Name)
		} else {
			cur[s.Name] = nv
		}
	}
	return nil
}

// normalizeList validates the value of an add or replace of multi-valued attribute a: a JSON
// array, or a single object (tolerated, as one element). It returns the normalized elements,
// empty elements dropped.
func normalizeList(a *reference.Attribute, v any) ([]any, error) {
	if m, ok := v.(map[string]any); ok {
		v = []any{m}
	}
	nv, err := reference.NormalizeValue(a, v)
	if err != nil {
		return nil, err
	}
	list, _ := nv.([]any)
	return list, nil
}

// appendUnique appends the elements of add to cur, skipping those already present (see
// identity) and duplicates within add, and returns the list. With fixPrimary, when an added
// element is primary every other element stops being primary (RFC 7643 §2.4: "primary" true
// appears at most once); the last primary element added wins. Cost is O(len(cur)+len(add)).
func appendUnique(a *reference.Attribute, cur, add []any, fixPrimary bool) []any {
	if len(add) == 0 {
		return cur
	}
	seen := newIdentity(a, len(cur)+len(add))
	for _, el := range cur {
		seen.add(el)
	}
	primary := -1
	for _, el := range add {
		if !seen.add(el) {
			continue
		}
		cur = append(cur, el)
		if isPrimary(el) {
			primary = len(cur) - 1
		}
	}
	if fixPrimary && primary >= 0 {
		clearPrimary(cur, func(i int) bool { return i == primary })
	}
	return cur
}

// identity tells whether an element is already in a multi-valued attribute. Elements of an
// attribute whose "value" sub-attribute is immutable (Group.members) are the same when their
// value is the same: adding an existing member is a no-op whatever its display says (Okta POSTs
// a group with members, then PATCH-adds the same members, okta-wire.md §6.1). Elements of other
// attributes (emails, roles, …) are the same only when equal in every sub-attribute.
type identity struct {
	byValue bool // identify by the "value" sub-attribute
	fold    bool // "value" is not caseExact: compare it case-insensitively
	seen    map[string]struct{}
}

// newIdentity returns an empty identity set for the elements of a, sized for n elements.
func newIdentity(a *reference.Attribute, n int) *identity {
	id := &identity{seen: make(map[string]struct{}, n)}
	if v := a.Sub("value"); v != nil {
		id.byValue, id.fold = v.Mutability == reference.Immutable, !v.CaseExact
	}
	return id
}

// valueKey returns the look-up key of a "value" sub-attribute: s, in lower case unless value
// is caseExact.
func (id *identity) valueKey(s string) string {
	if id.fold {
		return strings.ToLower(s)
	}
	return s
}

// add records el and reports whether it was new.
func (id *identity) add(el any) bool {
	k := id.key(el)
	if _, dup := id.seen[k]; dup {
		return false
	}
	id.seen[k] = struct{}{}
	return true
}

// key returns el's identity: its value (see valueKey), or its canonical JSON.
func (id *identity) key(el any) string {
	if id.byValue {
		if m, ok := el.(map[string]any); ok {
			if s, ok := m["value"].(string); ok && s != "" {
				return id.valueKey(s)
			}
		}
	}
	b, err := codec.Marshal(el) // map keys sorted: equal elements give equal keys
	if err != nil {
		return "\x00?"
	}
	return "\x00" + string(b)
}

// isPrimary reports whether el is an element with "primary": true.
func isPrimary(el any) bool {
	m, _ := el.(map[string]any)
	p, _ := m["primary"].(bool)
	return p
}

// clearPrimary unassigns "primary" on every element of list except those keep reports.
// Unassigned means false (RFC 7643 §2.4), and keeps the resource canonical.
func clearPrimary(list []any, keep func(i int) bool) {
	for i, el := range list {
		if m, ok := el.(map[string]any); ok && !keep(i) {
			delete(m, "primary")
		}
	}
}

// compact drops nil and empty elements from list, in place.
func compact(list []any) []any {
	return slices.DeleteFunc(list, reference.IsEmpty)
}

// checkImmutable returns 400 mutability when attribute (or sub-attribute) a, named name, is
// immutable, has a value, and would change (RFC 7643 §7: set when added, never updated).
func checkImmutable(name string, a *reference.Attribute, old, nu any) error {
	if a.Mutability != reference.Immutable || reference.IsEmpty(old) || equal(old, nu) {
		return nil
	}
	return reference.BadRequest(reference.ScimTypeMutability,
		"attribute %q is immutable: it is %s and cannot become %s (RFC 7643 §7); remove the value and add a new one instead",
		name, show(old), show(nu))
}

// equal reports whether two JSON values are the same, all empty values being the same.
func equal(x, y any) bool {
	if reference.IsEmpty(x) && reference.IsEmpty(y) {
		return true
	}
	return reflect.DeepEqual(x, y)
}

// prune removes empty values from m, recursively: empty strings, null, empty lists, complex
// values and extension objects left without sub-attributes.
func prune(m map[string]any) {
	for k, v := range m {
		switch x := v.(type) {
		case map[string]any:
			prune(x)
		case []any:
			for _, el := range x {
				if em, ok := el.(map[string]any); ok {
					prune(em)
				}
			}
			if n := compact(x); len(n) != len(x) {
				m[k], v = n, n
			}
		}
		if reference.IsEmpty(v) {
			delete(m, k)
		}
	}
}
