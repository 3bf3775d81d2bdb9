package reference

import (
	"math"
	"strings"
	"time"
)

// Resource is a SCIM resource as the reference server holds it: the JSON object decoded by
// encoding/json (numbers float64), with known attributes under their canonical names, extension
// attributes nested under the extension URN, and unknown attributes dropped.
type Resource = map[string]any

// NormalizeResource validates a client-supplied resource body (POST or PUT) against rt and
// returns it in canonical form: attribute names as the schema spells them, extension attributes
// (sent nested under the URN, or flattened as "urn:…:User:department") under the extension URN,
// empty values ("", [], {}, null) removed. Read-only attributes (id, meta, groups, …) and
// schemas are dropped, not rejected: Okta echoes them back in its read-modify-write PUT
// (RFC 7644 §3.5.1). Unknown attributes are ignored. Errors are *Error, 400 invalidValue or
// invalidSyntax, naming the attribute.
func NormalizeResource(rt *ResourceType, body map[string]any) (Resource, error) {
	out := Resource{}
	seen := map[string]string{} // attribute → the key that named it
	for k, v := range body {
		if strings.EqualFold(k, "schemas") {
			if _, ok := v.([]any); !ok && v != nil {
				return nil, BadRequest(ScimTypeInvalidValue, "\"schemas\" must be an array of schema URNs, got %s", jsonType(v))
			}
			continue
		}
		if ext := rt.Extension(k); ext != nil {
			obj, ok := v.(map[string]any)
			if !ok {
				if v == nil {
					continue
				}
				return nil, BadRequest(ScimTypeInvalidValue, "extension %q must be a JSON object, got %s", ext.ID, jsonType(v))
			}
			for ek, ev := range obj {
				if err := once(seen, ext, ext.Attr(ek), k+"."+ek); err != nil {
					return nil, err
				}
				if err := setNormalized(out, ext, ext.Attr(ek), ek, ev); err != nil {
					return nil, err
				}
			}
			continue
		}
		if urn, rest := rt.SplitURN(k); urn != "" {
			ext := rt.Extension(urn)
			name, _, _ := strings.Cut(rest, ".")
			var a *Attribute
			if ext != nil {
				a = ext.Attr(name)
			} else {
				a = rt.coreAttr(name)
			}
			if !strings.Contains(rest, ".") {
				if err := once(seen, ext, a, k); err != nil {
					return nil, err
				}
			}
			if err := setNormalized(out, ext, a, rest, v); err != nil {
				return nil, err
			}
			continue
		}
		if err := once(seen, nil, rt.coreAttr(k), k); err != nil {
			return nil, err
		}
		if err := setNormalized(out, nil, rt.coreAttr(k), k, v); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// once records in seen that key names attribute a (of extension ext, nil for the core schema)
// and returns a 400 invalidSyntax *Error when another key already named it: "userName" and
// "USERNAME", or an extension attribute sent both nested and flattened. JSON objects have no
// order, so storing either value would be a coin toss (RFC 7643 §2.1: names are
// case-insensitive). Unknown and read-only attributes are ignored, as NormalizeResource does.
func once(seen map[string]string, ext *Schema, a *Attribute, key string) error {
	if a == nil || a.Mutability == ReadOnly {
		return nil
	}
	id := a.Name
	if ext != nil {
		id = ext.ID + ":" + a.Name
	}
	if prev, ok := seen[id]; ok {
		first, second := min(prev, key), max(prev, key)
		return BadRequest(ScimTypeInvalidSyntax, "keys %q and %q both name attribute %q (attribute names are case-insensitive): send it once", first, second, a.Name)
	}
	seen[id] = key
	return nil
}

// setNormalized stores v for attribute a (nil: unknown, ignored) into out, under ext's URN when
// ext is not nil.
func setNormalized(out Resource, ext *Schema, a *Attribute, key string, v any) error {
	if a == nil || a.Mutability == ReadOnly {
		return nil
	}
	nv, err := NormalizeValue(a, v)
	if err != nil {
		return err
	}
	target := out
	if ext != nil {
		m, _ := out[ext.ID].(map[string]any)
		if m == nil {
			m = map[string]any{}
			out[ext.ID] = m
		}
		target = m
	}
	if IsEmpty(nv) {
		delete(target, a.Name)
	} else {
		target[a.Name] = nv
	}
	if ext != nil && len(target) == 0 {
		delete(out, ext.ID)
	}
	_ = key
	return nil
}

// NormalizeValue checks that v has the JSON type attribute a requires and returns it in
// canonical form (sub-attribute names canonical, read-only sub-attributes and empty values
// dropped). nil, "", [] and {} come back as nil, meaning "unassigned". Errors are *Error, 400
// invalidValue, naming the attribute and the JSON type received.
func NormalizeValue(a *Attribute, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	if a.MultiValued {
		arr, ok := v.([]any)
		if !ok {
			return nil, BadRequest(ScimTypeInvalidValue, "attribute %q is multi-valued and must be a JSON array, got %s", a.Name, jsonType(v))
		}
		out := make([]any, 0, len(arr))
		for _, el := range arr {
			nv, err := NormalizeSingle(a, el)
			if err != nil {
				return nil, err
			}
			if !IsEmpty(nv) {
				out = append(out, nv)
			}
		}
		if len(out) == 0 {
			return nil, nil
		}
		return out, nil
	}
	return NormalizeSingle(a, v)
}

// NormalizeSingle normalizes one value of attribute a (for a multi-valued attribute, one
// element). See NormalizeValue.
func NormalizeSingle(a *Attribute, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch a.Type {
	case TypeComplex:
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, BadRequest(ScimTypeInvalidValue, "attribute %q must be a JSON object, got %s", a.Name, jsonType(v))
		}
		out := map[string]any{}
		seen := map[string]string{}
		for k, sv := range obj {
			s := a.Sub(k)
			if s == nil || s.Mutability == ReadOnly {
				continue
			}
			if err := once(seen, nil, s, k); err != nil {
				return nil, err
			}
			nv, err := NormalizeSingle(s, sv)
			if err != nil {
				if e, ok := AsError(err); ok {
					e.Detail = strings.Replace(e.Detail, "attribute \""+s.Name+"\"", "attribute \""+a.Name+"."+s.Name+"\"", 1)
				}
				return nil, err
			}
			if !IsEmpty(nv) {
				out[s.Name] = nv
			}
		}
		if len(out) == 0 {
			return nil, nil
		}
		return out, nil
	case TypeBoolean:
		if _, ok := v.(bool); !ok {
			return nil, BadRequest(ScimTypeInvalidValue, "attribute %q must be a JSON boolean (true or false), got %s", a.Name, jsonType(v))
		}
		return v, nil
	case TypeInteger:
		f, ok := v.(float64)
		if !ok || f != math.Trunc(f) {
			return nil, BadRequest(ScimTypeInvalidValue, "attribute %q must be a JSON integer, got %s", a.Name, jsonType(v))
		}
		return v, nil
	case TypeDecimal:
		if _, ok := v.(float64); !ok {
			return nil, BadRequest(ScimTypeInvalidValue, "attribute %q must be a JSON number, got %s", a.Name, jsonType(v))
		}
		return v, nil
	case TypeDateTime:
		s, ok := v.(string)
		if !ok {
			return nil, BadRequest(ScimTypeInvalidValue, "attribute %q must be a dateTime string, got %s", a.Name, jsonType(v))
		}
		if s == "" {
			return nil, nil
		}
		if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
			return nil, BadRequest(ScimTypeInvalidValue, "attribute %q must be an xsd:dateTime such as 2026-01-02T15:04:05Z, got %q", a.Name, s)
		}
		return s, nil
	default: // string, reference, binary
		s, ok := v.(string)
		if !ok {
			return nil, BadRequest(ScimTypeInvalidValue, "attribute %q must be a JSON string, got %s", a.Name, jsonType(v))
		}
		if s == "" {
			return nil, nil
		}
		return s, nil
	}
}

// IsEmpty reports whether v is unassigned in SCIM terms: null, "", an empty array or object.
func IsEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}

// jsonType names v's JSON type for error messages, with the value when it is short.
func jsonType(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		if x {
			return "boolean true"
		}
		return "boolean false"
	case float64:
		return "number"
	case string:
		if len(x) <= 40 {
			return "string \"" + x + "\""
		}
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "unknown type"
}

// JSONType names v's JSON type ("string \"True\"", "number", "object", …) for error messages.
func JSONType(v any) string { return jsonType(v) }

// DeepCopy returns a deep copy of a decoded JSON value.
func DeepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = DeepCopy(e)
		}
		return m
	case []any:
		a := make([]any, len(x))
		for i, e := range x {
			a[i] = DeepCopy(e)
		}
		return a
	}
	return v
}
