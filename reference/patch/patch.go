// Package patch decodes and applies SCIM 2.0 PATCH requests (RFC 7644 §3.5.2) to the resources
// of the reference server. It accepts what Okta and Microsoft Entra ID actually send: path-less
// replace with a value object (Okta deactivation and group rename, okta-wire.md §4 and §6.4),
// op names in any letter case (Entra's "Replace"), one remove per member by value filter plus
// one add with an array (okta-wire.md §6.5), and Entra's remove of members listed in "value".
//
// Every value a PATCH writes goes through reference.NormalizeValue, so PATCH and PUT validate
// identically. The package is pure: no I/O, no clock; the caller checks required attributes and
// uniqueness on the result and updates meta.
package patch

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/scimcheck/scimcheck/reference"
)

// Operation is one PATCH operation as sent. Op is "add", "replace" or "remove" in any letter
// case (Parse checks it, Apply folds it). Path is empty when the operation has none. HasValue
// reports whether the operation carried a "value" member at all, so that an explicit
// "value": null (unassign) can be told from a missing value.
type Operation struct {
	Op       string
	Path     string
	Value    any
	HasValue bool
}

// The three PATCH operations (RFC 7644 §3.5.2), lower case.
const (
	opAdd     = "add"
	opReplace = "replace"
	opRemove  = "remove"
)

// Parse decodes and validates a PatchOp request body (RFC 7644 §3.5.2): a JSON object with a
// non-empty "Operations" array (the member name in any letter case), each operation an object
// with "op" (add, replace or remove in any letter case), an optional "path" string and a
// "value". "schemas" should list reference.PatchOpSchema; its absence is tolerated, a
// non-array is not. Member names inside an operation are matched case-insensitively too.
//
// Errors are *reference.Error with status 400: invalidSyntax for malformed JSON, wrong JSON
// types, an unknown op and an add or replace without a value; noTarget for a remove without a
// path.
func Parse(body []byte) ([]Operation, error) {
	var doc any
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, syntaxErr("PatchOp request body is not valid JSON: %v", err)
	}
	obj, ok := doc.(map[string]any)
	if !ok {
		return nil, syntaxErr("PatchOp request body must be a JSON object, got %s", reference.JSONType(doc))
	}
	schemas, found, err := member(obj, "schemas", "request body")
	if err != nil {
		return nil, err
	}
	if found && schemas != nil {
		list, ok := schemas.([]any)
		if !ok {
			return nil, syntaxErr("\"schemas\" must be a JSON array such as [%q], got %s", reference.PatchOpSchema, reference.JSONType(schemas))
		}
		for i, s := range list {
			if _, ok := s.(string); !ok {
				return nil, syntaxErr("\"schemas\"[%d] must be a schema URN string, got %s", i, reference.JSONType(s))
			}
		}
	}
	raw, found, err := member(obj, "Operations", "request body")
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, syntaxErr("PatchOp request body has no \"Operations\" array (RFC 7644 §3.5.2)")
	}
	list, ok := raw.([]any)
	if !ok {
		return nil, syntaxErr("\"Operations\" must be a JSON array of operations, got %s", reference.JSONType(raw))
	}
	if len(list) == 0 {
		return nil, syntaxErr("\"Operations\" is empty: a PatchOp request needs at least one operation")
	}
	ops := make([]Operation, 0, len(list))
	for i, el := range list {
		op, err := parseOperation(i, el)
		if err != nil {
			return nil, err
		}
		ops = append(ops, op)
	}
	return ops, nil
}

// parseOperation validates Operations[i].
func parseOperation(i int, el any) (Operation, error) {
	where := "Operations[" + strconv.Itoa(i) + "]"
	obj, ok := el.(map[string]any)
	if !ok {
		return Operation{}, syntaxErr("%s must be a JSON object with \"op\", \"path\" and \"value\", got %s", where, reference.JSONType(el))
	}
	rawOp, found, err := member(obj, "op", where)
	if err != nil {
		return Operation{}, err
	}
	if !found {
		return Operation{}, syntaxErr("%s has no \"op\": it must be \"add\", \"replace\" or \"remove\"", where)
	}
	name, ok := rawOp.(string)
	if !ok {
		return Operation{}, syntaxErr("%s \"op\" must be a string (\"add\", \"replace\" or \"remove\"), got %s", where, reference.JSONType(rawOp))
	}
	kind, err := opKind(name)
	if err != nil {
		return Operation{}, withWhere(where, err)
	}
	op := Operation{Op: name}
	rawPath, found, err := member(obj, "path", where)
	if err != nil {
		return Operation{}, err
	}
	if found && rawPath != nil {
		p, ok := rawPath.(string)
		if !ok {
			return Operation{}, syntaxErr("%s \"path\" must be a string such as \"members[value eq \\\"…\\\"]\", got %s", where, reference.JSONType(rawPath))
		}
		op.Path = p
	}
	op.Value, op.HasValue, err = member(obj, "value", where)
	if err != nil {
		return Operation{}, err
	}
	switch {
	case kind != opRemove && !op.HasValue:
		return Operation{}, syntaxErr("%s: %q needs a \"value\" (RFC 7644 §3.5.2.1, §3.5.2.3)", where, name)
	case kind == opRemove && strings.TrimSpace(op.Path) == "":
		return Operation{}, reference.BadRequest(reference.ScimTypeNoTarget,
			"%s: \"remove\" needs a \"path\" naming what to remove (RFC 7644 §3.5.2.2)", where)
	}
	return op, nil
}

// opKind folds op to one of opAdd, opReplace and opRemove. An unknown op is 400 invalidSyntax.
func opKind(op string) (string, error) {
	switch {
	case strings.EqualFold(op, opAdd):
		return opAdd, nil
	case strings.EqualFold(op, opReplace):
		return opReplace, nil
	case strings.EqualFold(op, opRemove):
		return opRemove, nil
	}
	return "", syntaxErr("unknown op %q: it must be \"add\", \"replace\" or \"remove\" (any letter case)", op)
}

// member returns obj's member name, matched case-insensitively. Two members differing only in
// letter case ("Operations" and "operations") are 400 invalidSyntax, as the request would be
// ambiguous.
func member(obj map[string]any, name, where string) (v any, found bool, err error) {
	var key string
	for k, x := range obj {
		if !strings.EqualFold(k, name) {
			continue
		}
		if found {
			a, b := min(k, key), max(k, key)
			return nil, false, syntaxErr("%s has both %q and %q: send %q once", where, a, b, name)
		}
		key, v, found = k, x, true
	}
	return v, found, nil
}

// syntaxErr returns a 400 invalidSyntax error.
func syntaxErr(format string, args ...any) *reference.Error {
	return reference.BadRequest(reference.ScimTypeInvalidSyntax, format, args...)
}

// withWhere returns err with its detail prefixed by where, when err is a *reference.Error.
func withWhere(where string, err error) error {
	e, ok := reference.AsError(err)
	if !ok {
		return err
	}
	return &reference.Error{Status: e.Status, ScimType: e.ScimType, Detail: where + ": " + e.Detail}
}
