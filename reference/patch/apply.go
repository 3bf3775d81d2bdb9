package patch

import (
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/scimcheck/scimcheck/reference"
)

// Apply applies ops, in order, to a deep copy of res and returns the new resource in
// canonical form (see reference.Resource): empty values, empty complex attributes, empty
// extension objects and empty lists are removed. res and the operations' values are never
// modified. The request is atomic: the first operation that fails returns its error, prefixed
// with "Operations[i] (op \"path\")", and nothing is applied.
//
// Errors are *reference.Error with status 400: invalidSyntax (unknown op, add or replace
// without a value, a path-less value that is not an object), invalidPath (malformed path,
// unknown attribute, invalid filter), noTarget (remove without path; a replace whose filter
// matches nothing), mutability (writing a readOnly attribute through a path, changing a
// readOnly attribute in a path-less value, changing an immutable value), invalidValue (a value
// of the wrong JSON type, unassigning a required attribute). A nil rt is a 500.
func Apply(res reference.Resource, ops []Operation, rt *reference.ResourceType) (reference.Resource, error) {
	if rt == nil || rt.Schema == nil {
		return nil, reference.Errorf(500, "", "patch: Apply needs a resource type")
	}
	out, _ := reference.DeepCopy(res).(map[string]any)
	if out == nil {
		out = reference.Resource{}
	}
	for i, op := range ops {
		if err := applyOp(out, rt, op); err != nil {
			return nil, withWhere(describe(i, op), err)
		}
	}
	prune(out)
	return out, nil
}

// describe names operation i for error details.
func describe(i int, op Operation) string {
	s := "Operations[" + strconv.Itoa(i) + "] (" + op.Op
	if strings.TrimSpace(op.Path) == "" {
		return s + " without path)"
	}
	return s + " " + strconv.Quote(op.Path) + ")"
}

// applyOp applies one operation to res in place.
func applyOp(res reference.Resource, rt *reference.ResourceType, op Operation) error {
	kind, err := opKind(op.Op)
	if err != nil {
		return err
	}
	hasPath := strings.TrimSpace(op.Path) != ""
	switch {
	case kind == opRemove && !hasPath:
		return reference.BadRequest(reference.ScimTypeNoTarget, "\"remove\" needs a \"path\" naming what to remove (RFC 7644 §3.5.2.2)")
	case kind != opRemove && !op.HasValue:
		return syntaxErr("%q needs a \"value\" (RFC 7644 §3.5.2.1, §3.5.2.3)", op.Op)
	case !hasPath:
		obj, ok := op.Value.(map[string]any)
		if !ok {
			return syntaxErr("without a \"path\", \"value\" must be a JSON object of attributes such as {\"active\":false}, got %s", reference.JSONType(op.Value))
		}
		return writeObject(res, rt, kind, nil, obj)
	}
	t, err := resolvePath(rt, op.Path)
	if err != nil {
		return err
	}
	if kind == opRemove {
		return remove(res, t, op)
	}
	if t.attr == nil { // the path is an extension URN: the value holds its attributes
		return writeExtension(res, rt, kind, t.ext, op.Value)
	}
	return write(res, t, kind, op.Value, false)
}

// writeObject applies a path-less add or replace (RFC 7644 §3.5.2.1, §3.5.2.3): each key of obj
// is an attribute (case-insensitive), an extension URN holding an object of extension
// attributes, or a flattened "urn:…:User:department". With ext set, obj holds the attributes
// of that extension. Core attributes nested under the core schema URN are accepted too.
// "schemas" and "meta" keys are ignored, so are keys naming no attribute (as in a PUT). Keys
// are applied in sorted order, so the result never depends on map order.
func writeObject(res reference.Resource, rt *reference.ResourceType, kind string, ext *reference.Schema, obj map[string]any) error {
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		v := obj[k]
		if ext == nil {
			if strings.EqualFold(k, "schemas") || strings.EqualFold(k, "meta") {
				continue
			}
			if strings.EqualFold(k, rt.Schema.ID) {
				// {"urn:…:core:2.0:User":{"displayName":…}}: core attributes nested like an extension.
				inner, ok := v.(map[string]any)
				if !ok {
					return reference.BadRequest(reference.ScimTypeInvalidValue, "%q must be a JSON object of core attributes, got %s", rt.Schema.ID, reference.JSONType(v))
				}
				if err := writeObject(res, rt, kind, nil, inner); err != nil {
					return err
				}
				continue
			}
			if e := rt.Extension(k); e != nil {
				if err := writeExtension(res, rt, kind, e, v); err != nil {
					return err
				}
				continue
			}
		}
		var (
			t  target
			ok bool
		)
		if ext != nil {
			name, sub, _ := strings.Cut(k, ".")
			var e *reference.Schema
			e, t.attr, t.sub, ok = rt.Resolve(ext.ID, name, sub)
			t.path, t.ext = k, e
		} else {
			t, ok = resolveKey(rt, k)
		}
		if !ok || t.ext == nil && t.attr.Name == "meta" {
			continue
		}
		if t.sub != nil && t.sub.Mutability == reference.ReadOnly && t.attr.Mutability != reference.ReadOnly {
			continue // like manager.displayName inside an object: dropped, as NormalizeSingle does
		}
		if err := write(res, t, kind, v, true); err != nil {
			return err
		}
	}
	return nil
}

// writeExtension applies an add or replace whose value is an extension object, from a
// path-less value keyed by the extension URN or from a path naming the URN alone. null
// unassigns the whole extension.
func writeExtension(res reference.Resource, rt *reference.ResourceType, kind string, ext *reference.Schema, v any) error {
	switch x := v.(type) {
	case nil:
		delete(res, ext.ID)
		return nil
	case map[string]any:
		return writeObject(res, rt, kind, ext, x)
	}
	return reference.BadRequest(reference.ScimTypeInvalidValue, "extension %q must be a JSON object of its attributes such as {\"department\":\"Sales\"}, got %s", ext.ID, reference.JSONType(v))
}

// write applies an add or replace of v to target t. pathless is true when t comes from a key
// of a path-less value: a readOnly attribute is then compared with its current value rather
// than rejected outright.
func write(res reference.Resource, t target, kind string, v any, pathless bool) error {
	if t.readOnly() {
		return writeReadOnly(res, t, v, pathless)
	}
	a := t.attr
	switch {
	case t.filter != nil || t.sub != nil && a.MultiValued:
		return writeElements(res, t, kind, v)
	case t.sub != nil:
		c := container(res, t.ext, true)
		cur, _ := c[a.Name].(map[string]any)
		if cur == nil {
			cur = map[string]any{}
		}
		if err := mergeSubs(a, cur, map[string]any{t.sub.Name: v}); err != nil {
			return err
		}
		c[a.Name] = cur
		return nil
	case a.MultiValued:
		list, err := normalizeList(a, v)
		if err != nil {
			return err
		}
		c := container(res, t.ext, true)
		if kind == opAdd {
			cur, _ := c[a.Name].([]any)
			c[a.Name] = appendUnique(a, cur, list, true)
			return nil
		}
		// replace: the list given is the new list; "value": [] empties it (Okta's push of an empty group).
		c[a.Name] = appendUnique(a, nil, list, false)
		return nil
	case a.Type == reference.TypeComplex:
		return writeComplex(res, t, v)
	}
	nv, err := reference.NormalizeValue(a, v)
	if err != nil {
		return err
	}
	return set(container(res, t.ext, true), a, t.ext, nv)
}

// writeComplex adds or replaces a single-valued complex attribute such as name or manager. Both
// merge: RFC 7644 §3.5.2.3 says sub-attributes not in the value "are left unchanged", so
// replace of name with {"givenName":"Ada"} keeps familyName. null or "" unassigns it.
func writeComplex(res reference.Resource, t target, v any) error {
	a := t.attr
	c := container(res, t.ext, true)
	obj, ok := v.(map[string]any)
	if !ok {
		nv, err := reference.NormalizeSingle(a, v) // a type error, or nil for null and ""
		if err != nil {
			return err
		}
		return set(c, a, t.ext, nv)
	}
	cur, _ := c[a.Name].(map[string]any)
	if cur == nil {
		cur = map[string]any{}
	}
	if err := mergeSubs(a, cur, obj); err != nil {
		return err
	}
	c[a.Name] = cur
	return nil
}

// set stores normalized value nv for attribute a in container c, or unassigns a when nv is
// empty, enforcing required and immutable.
func set(c map[string]any, a *reference.Attribute, ext *reference.Schema, nv any) error {
	if reference.IsEmpty(nv) {
		if a.Required && ext == nil {
			return requiredErr(a)
		}
		if err := checkImmutable(a.Name, a, c[a.Name], nil); err != nil {
			return err
		}
		delete(c, a.Name)
		return nil
	}
	if err := checkImmutable(a.Name, a, c[a.Name], nv); err != nil {
		return err
	}
	c[a.Name] = nv
	return nil
}

// writeReadOnly handles an add or replace of a readOnly attribute. Through a path it is 400
// mutability. In a path-less value (Okta's group rename carries the group's "id") a value equal
// to the current one is ignored and a different one is 400 mutability.
func writeReadOnly(res reference.Resource, t target, v any, pathless bool) error {
	if !pathless {
		return reference.BadRequest(reference.ScimTypeMutability, "attribute %q is readOnly and cannot be modified by PATCH (RFC 7643 §7)", t.name())
	}
	var cur any
	if c := container(res, t.ext, false); c != nil {
		cur = c[t.attr.Name]
		if t.sub != nil {
			m, _ := cur.(map[string]any)
			cur = m[t.sub.Name]
		}
	}
	if equal(cur, v) {
		return nil
	}
	return reference.BadRequest(reference.ScimTypeMutability,
		"attribute %q is readOnly: the value sent (%s) differs from the current value (%s); send the current value or leave %q out",
		t.name(), show(v), show(cur), t.path)
}

// remove applies a remove operation (RFC 7644 §3.5.2.2).
func remove(res reference.Resource, t target, op Operation) error {
	if t.attr == nil {
		delete(res, t.ext.ID)
		return nil
	}
	if t.readOnly() {
		return reference.BadRequest(reference.ScimTypeMutability, "attribute %q is readOnly and cannot be removed by PATCH (RFC 7643 §7)", t.name())
	}
	a := t.attr
	c := container(res, t.ext, false)
	switch {
	case t.filter != nil || t.sub != nil && a.MultiValued:
		return removeElements(c, t)
	case t.sub != nil:
		cur, _ := c[a.Name].(map[string]any)
		if cur == nil {
			return nil
		}
		if err := checkImmutable(t.name(), t.sub, cur[t.sub.Name], nil); err != nil {
			return err
		}
		delete(cur, t.sub.Name)
		return nil
	case a.MultiValued && op.HasValue && op.Value != nil:
		// Entra: {"op":"Remove","path":"members","value":[{"value":"id1"}]} removes those members only.
		return removeListed(c, a, op.Value)
	}
	// Removing a required attribute is 400 invalidValue, not mutability: the attribute is
	// readWrite (it may change), but RFC 7644 §3.12 defines invalidValue as "a required value
	// was missing", which is what the result would be.
	if a.Required && t.ext == nil {
		return requiredErr(a)
	}
	if c == nil {
		return nil
	}
	if err := checkImmutable(a.Name, a, c[a.Name], nil); err != nil {
		return err
	}
	delete(c, a.Name)
	return nil
}

// container returns the map holding attributes of ext in res: res itself for core attributes
// (ext nil), else res[ext.ID], created when create is true and it is missing. It returns nil
// when the extension object is missing and create is false.
func container(res reference.Resource, ext *reference.Schema, create bool) map[string]any {
	if ext == nil {
		return res
	}
	m, ok := res[ext.ID].(map[string]any)
	if !ok && create {
		m = map[string]any{}
		res[ext.ID] = m
	}
	return m
}

// requiredErr is the error for unassigning required attribute a.
func requiredErr(a *reference.Attribute) error {
	return reference.BadRequest(reference.ScimTypeInvalidValue,
		"attribute %q is required and cannot be removed or set to an empty value; replace it with a new value instead", a.Name)
}

// show formats a JSON value for an error detail, shortened when long.
func show(v any) string {
	if reference.IsEmpty(v) {
		return "unassigned"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return reference.JSONType(v)
	}
	s := string(b)
	if r := []rune(s); len(r) > 60 {
		s = string(r[:60]) + "…"
	}
	return s
}
