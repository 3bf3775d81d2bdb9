// Package filter compiles and evaluates SCIM 2.0 filters (RFC 7644 §3.4.2.2) against the
// resources of the reference server. Parsing is done by github.com/scim2/filter-parser/v2;
// this package binds the parsed expression to a resource type's schema, rejects what the
// schema makes meaningless (unknown attributes, gt on a boolean, co on a dateTime, …) with a
// 400 invalidFilter *reference.Error, and evaluates the result against map[string]any
// resources as decoded by encoding/json.
package filter

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	qparser "github.com/q-uint/parser"
	filterparser "github.com/scim2/filter-parser/v2"

	"github.com/scimcheck/scimcheck/reference"
)

// MaxLength is the longest filter, in bytes, that Parse accepts.
const MaxLength = 8 << 10

// MaxDepth is the deepest nesting of parentheses that Parse accepts.
const MaxDepth = 64

// Filter is a compiled SCIM filter bound to a resource type. It is immutable and safe for
// concurrent use.
type Filter struct {
	text string
	root node
}

// Parse compiles a filter expression for resources of rt. Errors are *reference.Error, 400
// invalidFilter, with a detail a developer understands ("unknown attribute \"foo\" in filter",
// "operator gt is not defined for boolean attribute \"active\"", "invalid filter syntax near …").
// Leading and trailing spaces are ignored.
func Parse(expr string, rt *reference.ResourceType) (*Filter, error) {
	text := strings.TrimSpace(expr)
	if text == "" {
		return nil, invalid("filter is empty")
	}
	if rt == nil || rt.Schema == nil {
		return nil, invalid("filter has no resource type to apply to")
	}
	if len(text) > MaxLength {
		return nil, invalid("filter is longer than %d bytes", MaxLength)
	}
	if err := checkShape(text); err != nil {
		return nil, err
	}
	if simple, ok := parseSimple(text); ok {
		root, err := (&compiler{rt: rt}).compile(simple)
		if err != nil {
			return nil, err
		}
		return &Filter{text: text, root: root}, nil
	}
	e, err := parseExpr(text)
	if err != nil {
		// filter-parser reads at most two comparisons inside [...]; RFC 7644 allows any filter.
		grafted, ok, verr := parseValueFilters(text)
		switch {
		case !ok:
			return nil, syntaxError(text, err)
		case verr != nil:
			return nil, verr
		}
		e = grafted
	}
	root, err := (&compiler{rt: rt}).compile(e)
	if err != nil {
		return nil, err
	}
	return &Filter{text: text, root: root}, nil
}

// FromExpression compiles an already-parsed expression. parent is nil for a resource filter;
// for the filter inside a valuePath of a PATCH path such as members[value eq "x"] or
// emails[type eq "work"], parent is the multi-valued complex attribute and Match is then called
// with ONE element (map[string]any) of that attribute. Attribute names inside such a filter are
// sub-attributes of parent. Errors are *reference.Error, 400 invalidFilter.
func FromExpression(e filterparser.Expression, rt *reference.ResourceType, parent *reference.Attribute) (*Filter, error) {
	if rt == nil || rt.Schema == nil {
		return nil, invalid("filter has no resource type to apply to")
	}
	if parent != nil && parent.Type != reference.TypeComplex {
		return nil, invalid("a value filter needs a complex attribute; %q is %s", parent.Name, parent.Type)
	}
	if isNil(e) {
		return nil, invalid("filter is empty")
	}
	root, err := (&compiler{rt: rt, parent: parent}).compile(e)
	if err != nil {
		return nil, err
	}
	return &Filter{text: fmt.Sprint(e), root: root}, nil
}

// Match reports whether the resource (or element, see FromExpression) satisfies the filter. It
// never panics, whatever the map holds; a value of the wrong type simply does not match.
func (f *Filter) Match(res map[string]any) bool {
	if f == nil || f.root == nil {
		return false
	}
	return f.root.match(res)
}

// Equality reports whether the whole filter is a single `attr eq "string"` on a top-level,
// single-valued core string attribute (e.g. userName, displayName, externalId, id), returning
// the canonical attribute name and the compared value (unescaped, case as written). The caller
// must honour the attribute's caseExact when it looks the value up. The store uses it to answer
// Okta's `userName eq "…"` look-up from an index.
func (f *Filter) Equality() (attr, value string, ok bool) {
	if f == nil {
		return "", "", false
	}
	c, isCmp := f.root.(*cmpNode)
	if !isCmp || c.eqAttr == "" {
		return "", "", false
	}
	return c.eqAttr, c.raw, true
}

// String returns the filter's expression text.
func (f *Filter) String() string {
	if f == nil {
		return ""
	}
	return f.text
}

// invalid returns a 400 invalidFilter error.
func invalid(format string, args ...any) *reference.Error {
	return reference.BadRequest(reference.ScimTypeInvalidFilter, format, args...)
}

// parseExpr runs filter-parser, turning a panic inside it into an error.
func parseExpr(text string) (e filterparser.Expression, err error) {
	defer func() {
		if r := recover(); r != nil {
			e, err = nil, fmt.Errorf("filter parser failed: %v", r)
		}
	}()
	return filterparser.ParseFilterNumber([]byte(text))
}

// checkShape finds unterminated strings, unbalanced parentheses or brackets and excessive
// nesting before the parser runs, so that these common mistakes get a precise message.
func checkShape(text string) error {
	var (
		q                Quotes
		strStart         int
		parens, brackets int
		col              int
	)
	for _, r := range text {
		col++
		if opened := !q.Open(); !q.Outside(r) {
			if opened {
				strStart = col
			}
			continue
		}
		switch r {
		case '(':
			parens++
			if parens > MaxDepth {
				return invalid("filter nests parentheses more than %d deep", MaxDepth)
			}
		case ')':
			parens--
			if parens < 0 {
				return invalid("invalid filter syntax: unexpected \")\" at column %d", col)
			}
		case '[':
			brackets++
			if brackets > 1 {
				return invalid("invalid filter syntax: nested \"[\" at column %d", col)
			}
		case ']':
			brackets--
			if brackets < 0 {
				return invalid("invalid filter syntax: unexpected \"]\" at column %d", col)
			}
		}
	}
	switch {
	case q.Open():
		return invalid("invalid filter syntax: unterminated string starting at column %d", strStart)
	case parens > 0:
		return invalid("invalid filter syntax: missing \")\"")
	case brackets > 0:
		return invalid("invalid filter syntax: missing \"]\"")
	}
	return nil
}

// syntaxError turns a filter-parser error into a 400 invalidFilter naming where it went wrong.
func syntaxError(text string, err error) *reference.Error {
	near := text
	var pe *qparser.ExpectedParseError
	if errors.As(err, &pe) {
		if row, col := pe.Conflict.Position(); row == 0 {
			start := col - (utf8.RuneCountInString(pe.String) - 1)
			runes := []rune(text)
			start = max(0, min(start, len(runes)))
			near = string(runes[start:])
		}
	}
	near = strings.TrimSpace(near)
	if near == "" {
		return invalid("invalid filter syntax: the filter ends too early")
	}
	near = clip(near)
	return invalid("invalid filter syntax near '%s'", near)
}

// isNil reports whether e is nil or a typed nil pointer.
func isNil(e filterparser.Expression) bool {
	switch x := e.(type) {
	case nil:
		return true
	case *filterparser.AttributeExpression:
		return x == nil
	case *filterparser.LogicalExpression:
		return x == nil
	case *filterparser.NotExpression:
		return x == nil
	case *filterparser.ValuePath:
		return x == nil
	}
	return false
}
