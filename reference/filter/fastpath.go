package filter

import (
	"strings"
	"unicode/utf8"

	filterparser "github.com/scim2/filter-parser/v2"
)

// parseSimple parses the commonest filter shape, a single comparison of a plain attribute
// path with a string, e.g. Okta's `userName eq "ada@example.com"`, without running
// filter-parser, whose parse of it costs far more than the rest of a look-up. It returns the
// expression filter-parser would return for text, or ok false for any text outside the
// shape, which then goes to filter-parser as before:
//
//	attrPath 1*SP compareOp 1*SP string
//
// where attrPath is attrName ["." attrName], attrName is ["$"] ALPHA *(ALPHA / DIGIT / "-" /
// "_"), compareOp is one of eq ne co sw ew gt lt ge le in any letter case, and string is a
// quoted run of valid UTF-8 without control characters, quotes or backslashes (escapes are
// left to filter-parser). These are the productions filter-parser's grammar applies to such a
// text (its valuePath, URN prefix, pr, not, and/or and parentheses cannot match it), and the
// expression is built as filter-parser builds it: operator lower-cased, the string's content
// as written.
func parseSimple(text string) (e *filterparser.AttributeExpression, ok bool) {
	name, i := scanAttrName(text)
	if i == 0 {
		return nil, false
	}
	var sub *string
	if i < len(text) && text[i] == '.' {
		s, n := scanAttrName(text[i+1:])
		if n == 0 {
			return nil, false
		}
		sub = &s
		i += 1 + n
	}
	sp := countSpaces(text[i:])
	if sp == 0 {
		return nil, false
	}
	i += sp
	if len(text)-i < 2 {
		return nil, false
	}
	op := strings.ToLower(text[i : i+2])
	switch op {
	case "eq", "ne", "co", "sw", "ew", "gt", "lt", "ge", "le":
	default:
		return nil, false
	}
	i += 2
	sp = countSpaces(text[i:])
	if sp == 0 {
		return nil, false
	}
	i += sp
	rest := text[i:]
	if len(rest) < 2 || rest[0] != '"' || rest[len(rest)-1] != '"' {
		return nil, false
	}
	value := rest[1 : len(rest)-1]
	for _, c := range []byte(value) {
		if c < 0x20 || c == '"' || c == '\\' {
			return nil, false
		}
	}
	if !utf8.ValidString(value) {
		return nil, false
	}
	return &filterparser.AttributeExpression{
		AttributePath: filterparser.AttributePath{AttributeName: name, SubAttribute: sub},
		Operator:      filterparser.CompareOperator(op),
		CompareValue:  value,
	}, true
}

// scanAttrName returns the attrName at the start of s (["$"] ALPHA *(ALPHA / DIGIT / "-" /
// "_")) and its length, 0 when there is none.
func scanAttrName(s string) (string, int) {
	i := 0
	if i < len(s) && s[i] == '$' {
		i++
	}
	if i >= len(s) || !isAlpha(s[i]) {
		return "", 0
	}
	i++
	for i < len(s) && (isAlpha(s[i]) || (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_') {
		i++
	}
	return s[:i], i
}

func isAlpha(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }

// countSpaces returns how many SP (U+0020) s starts with.
func countSpaces(s string) int {
	i := 0
	for i < len(s) && s[i] == ' ' {
		i++
	}
	return i
}

// ParseSimplePath parses the commonest PATCH paths without running filter-parser: an
// attribute path ("members", "name.givenName") and a value path with one comparison of the
// shape parseSimple reads ("members[value eq \"…\"]", "emails[type eq \"work\"].value"),
// spaces allowed around the brackets' content as the grammar allows them. It returns what
// filterparser.ParsePath returns for p, or ok false for any other text, which then goes to
// filter-parser.
func ParseSimplePath(p string) (path filterparser.Path, ok bool) {
	i := strings.IndexByte(p, '[')
	if i < 0 {
		ap, ok := simpleAttrPath(p)
		if !ok {
			return filterparser.Path{}, false
		}
		return filterparser.Path{AttributePath: ap}, true
	}
	ap, ok := simpleAttrPath(strings.TrimRight(p[:i], " "))
	if !ok {
		return filterparser.Path{}, false
	}
	rest := p[i+1:]
	j := strings.LastIndexByte(rest, ']')
	if j < 0 {
		return filterparser.Path{}, false
	}
	inner, after := strings.Trim(rest[:j], " "), rest[j+1:]
	e, ok := parseSimple(inner)
	if !ok {
		return filterparser.Path{}, false
	}
	var sub *string
	if after != "" {
		if after[0] != '.' {
			return filterparser.Path{}, false
		}
		name, n := scanAttrName(after[1:])
		if n == 0 || 1+n != len(after) {
			return filterparser.Path{}, false
		}
		sub = &name
	}
	return filterparser.Path{AttributePath: ap, ValueExpression: e, SubAttribute: sub}, true
}

// simpleAttrPath parses attrName ["." attrName], the whole of s.
func simpleAttrPath(s string) (filterparser.AttributePath, bool) {
	name, n := scanAttrName(s)
	if n == 0 {
		return filterparser.AttributePath{}, false
	}
	if n == len(s) {
		return filterparser.AttributePath{AttributeName: name}, true
	}
	if s[n] != '.' {
		return filterparser.AttributePath{}, false
	}
	sub, m := scanAttrName(s[n+1:])
	if m == 0 || n+1+m != len(s) {
		return filterparser.AttributePath{}, false
	}
	return filterparser.AttributePath{AttributeName: name, SubAttribute: &sub}, true
}
