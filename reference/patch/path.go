package patch

import (
	"fmt"
	"strings"

	filterparser "github.com/scim2/filter-parser/v2"

	"github.com/scimcheck/scimcheck/reference"
	"github.com/scimcheck/scimcheck/reference/filter"
)

// maxPathLength and maxPathDepth bound what reaches the path parser, which recurses on
// parentheses. A real path (members[value eq "<uuid>"]) is well under 100 bytes.
const (
	maxPathLength = 8 << 10
	maxPathDepth  = 32
)

// target is what an operation's path (or a key of a path-less value) resolves to.
type target struct {
	path   string                  // as sent, for error details
	ext    *reference.Schema       // extension schema holding attr; nil for core attributes
	attr   *reference.Attribute    // nil when the path is an extension URN alone
	sub    *reference.Attribute    // sub-attribute from attr.sub or attr[filter].sub; nil for the whole attribute
	filter *filter.Filter          // the valuePath filter; nil without [...]
	expr   filterparser.Expression // the parsed valuePath filter, for Entra-style add (see newFromFilter)
}

// name returns the target's attribute path in canonical spelling ("emails.value",
// "manager.value"), for error details.
func (t target) name() string {
	if t.attr == nil {
		return t.ext.ID
	}
	if t.sub != nil {
		return t.attr.Name + "." + t.sub.Name
	}
	return t.attr.Name
}

// readOnly reports whether the target is a readOnly attribute or sub-attribute.
func (t target) readOnly() bool {
	return t.attr != nil && (t.attr.Mutability == reference.ReadOnly || t.sub != nil && t.sub.Mutability == reference.ReadOnly)
}

// resolvePath resolves an operation's path against rt: "attr", "attr.sub", "urn:…:attr",
// "urn:…:attr.sub", "attr[filter]", "attr[filter].sub" (RFC 7644 §3.5.2, §3.10), or an
// extension URN alone. Errors are *reference.Error, 400 invalidPath.
func resolvePath(rt *reference.ResourceType, raw string) (target, error) {
	p := strings.TrimSpace(raw)
	if ext := rt.Extension(p); ext != nil {
		return target{path: raw, ext: ext}, nil
	}
	if strings.EqualFold(p, rt.Schema.ID) {
		return target{}, pathErr("path %q is the core schema itself: name an attribute, or omit \"path\" and put the attributes in \"value\"", raw)
	}
	if err := checkPathShape(raw, p); err != nil {
		return target{}, err
	}
	// The parser reads "urn:…:2.0:User:manager.value" correctly, but a URN it does not know
	// would come back as a prefix too; splitting known URNs first keeps the two apart.
	urn, rest := rt.SplitURN(p)
	parsed, err := parsePath(rest)
	if err != nil {
		return target{}, pathErr("path %q is not a valid attribute path such as \"emails[type eq \\\"work\\\"].value\" (RFC 7644 §3.10): %v", raw, err)
	}
	ap := parsed.AttributePath
	if ap.URIPrefix != nil {
		if urn != "" {
			return target{}, pathErr("path %q names two schemas", raw)
		}
		return target{}, pathErr("path %q names schema %q, which resource type %s does not have (it has %s)", raw, ap.URI(), rt.Name, schemaList(rt))
	}
	sub := ap.SubAttributeName()
	if parsed.ValueExpression != nil && sub != "" {
		return target{}, pathErr("path %q puts a filter on sub-attribute %q: a filter selects values of a multi-valued attribute, as in \"emails[type eq \\\"work\\\"].value\"", raw, sub)
	}
	if parsed.SubAttribute != nil {
		sub = *parsed.SubAttribute
	}
	ext, a, _, ok := rt.Resolve(urn, ap.AttributeName, "")
	if !ok {
		return target{}, pathErr("path %q: resource type %s has no attribute %q", raw, rt.Name, ap.AttributeName)
	}
	t := target{path: raw, ext: ext, attr: a}
	if sub != "" {
		if t.sub = a.Sub(sub); t.sub == nil {
			if len(a.SubAttributes) == 0 {
				return target{}, pathErr("path %q: attribute %q has no sub-attributes, so %q cannot name one", raw, a.Name, sub)
			}
			return target{}, pathErr("path %q: attribute %q has no sub-attribute %q", raw, a.Name, sub)
		}
	}
	if parsed.ValueExpression != nil {
		if !a.MultiValued || a.Type != reference.TypeComplex {
			return target{}, pathErr("path %q has a filter, but %q is not a multi-valued complex attribute: only those can be filtered", raw, a.Name)
		}
		f, err := filter.FromExpression(parsed.ValueExpression, rt, a)
		if err != nil {
			detail := err.Error()
			if e, ok := reference.AsError(err); ok {
				detail = e.Detail
			}
			return target{}, pathErr("path %q has an invalid filter: %s", raw, detail)
		}
		t.filter, t.expr = f, parsed.ValueExpression
	}
	return t, nil
}

// parsePath runs the filter-parser path grammar, turning a panic inside it into an error.
func parsePath(p string) (path filterparser.Path, err error) {
	if path, ok := filter.ParseSimplePath(p); ok { // what ParsePath returns, sooner
		return path, nil
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("path parser failed: %v", r)
		}
	}()
	return filterparser.ParsePath([]byte(p))
}

// checkPathShape rejects paths too long or too deeply nested for the parser, and names the
// common mistakes (unterminated string, unbalanced brackets) precisely.
func checkPathShape(raw, p string) error {
	if p == "" {
		return pathErr("path is empty")
	}
	if len(p) > maxPathLength {
		return pathErr("path is %d bytes long; the limit is %d", len(p), maxPathLength)
	}
	var q filter.Quotes
	depth, brackets := 0, 0
	for _, r := range p {
		if !q.Outside(r) {
			continue
		}
		switch r {
		case '(':
			if depth++; depth > maxPathDepth {
				return pathErr("path %q nests parentheses more than %d deep", raw, maxPathDepth)
			}
		case ')':
			depth--
		case '[':
			if brackets++; brackets > 1 {
				return pathErr("path %q nests \"[\": a path has at most one filter, as in \"members[value eq \\\"…\\\"]\"", raw)
			}
		case ']':
			brackets--
		}
	}
	switch {
	case q.Open():
		return pathErr("path %q has an unterminated string: quote filter values as in emails[type eq \"work\"]", raw)
	case brackets != 0:
		return pathErr("path %q has unbalanced \"[\" and \"]\"", raw)
	case depth != 0:
		return pathErr("path %q has unbalanced parentheses", raw)
	}
	return nil
}

// resolveKey resolves a key of a path-less add or replace value: an attribute name, or a
// flattened "urn:…:User:department" / "urn:…:User:manager.value". ok is false for keys the
// resource type does not know, which are ignored like unknown attributes in a PUT.
func resolveKey(rt *reference.ResourceType, key string) (t target, ok bool) {
	urn, rest := rt.SplitURN(key)
	name, sub, _ := strings.Cut(rest, ".")
	ext, a, s, ok := rt.Resolve(urn, name, sub)
	if !ok {
		return target{}, false
	}
	return target{path: key, ext: ext, attr: a, sub: s}, true
}

// schemaList names rt's schemas for error details.
func schemaList(rt *reference.ResourceType) string {
	ids := []string{fmt.Sprintf("%q", rt.Schema.ID)}
	for _, e := range rt.Extensions {
		ids = append(ids, fmt.Sprintf("%q", e.ID))
	}
	return strings.Join(ids, " and ")
}

// pathErr returns a 400 invalidPath error.
func pathErr(format string, args ...any) *reference.Error {
	return reference.BadRequest(reference.ScimTypeInvalidPath, format, args...)
}
