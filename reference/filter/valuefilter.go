package filter

import (
	"strings"

	filterparser "github.com/scim2/filter-parser/v2"
)

// placeholder stands in for the content of each [...] while the rest of a filter is parsed.
const placeholder = "x pr"

// parseValueFilters parses text by parsing the content of each value filter [...] on its own,
// as a full filter, and the rest with a placeholder in each; it then grafts the value filters
// into the result. filter-parser only reads "a", "a and b", "a or b" and "not (…)" inside
// brackets, while RFC 7644 §3.4.2.2 allows any filter there, e.g.
// emails[type eq "work" and value co "@example.com" and primary eq true].
//
// ok is false when text has no value filter or the part outside the brackets does not parse;
// the caller then reports its own parse error. When ok is true, err is nil or the
// *reference.Error for the value filter that does not parse.
func parseValueFilters(text string) (e filterparser.Expression, ok bool, err error) {
	outer, inners := splitValueFilters(text)
	if len(inners) == 0 {
		return nil, false, nil
	}
	e, err = parseExpr(outer)
	if err != nil {
		return nil, false, nil
	}
	parsed := make([]filterparser.Expression, len(inners))
	for i, in := range inners {
		in = strings.TrimSpace(in)
		if in == "" {
			return nil, true, invalid("invalid filter syntax: empty value filter []")
		}
		p, perr := parseExpr(in)
		if perr != nil {
			return nil, true, syntaxError(in, perr)
		}
		parsed[i] = p
	}
	if n := graft(e, parsed); n != len(parsed) {
		return nil, true, invalid("invalid filter syntax: misplaced value filter [...]")
	}
	return e, true, nil
}

// splitValueFilters replaces the content of each [...] of text (outside strings) with the
// placeholder and returns the contents in order. checkShape has rejected nested and
// unbalanced brackets.
func splitValueFilters(text string) (outer string, inners []string) {
	var (
		b     strings.Builder
		q     Quotes
		start = -1
	)
	for i, r := range text {
		if q.Outside(r) {
			switch r {
			case '[':
				if start < 0 {
					b.WriteString("[" + placeholder)
					start = i + 1
					continue
				}
			case ']':
				if start >= 0 {
					inners = append(inners, text[start:i])
					start = -1
				}
			}
		}
		if start < 0 {
			b.WriteRune(r)
		}
	}
	return b.String(), inners
}

// graft replaces the value filters of the value paths of e, in textual order, with values,
// and returns how many it replaced.
func graft(e filterparser.Expression, values []filterparser.Expression) int {
	n := 0
	var walk func(e filterparser.Expression)
	walk = func(e filterparser.Expression) {
		switch x := e.(type) {
		case *filterparser.LogicalExpression:
			walk(x.Left)
			walk(x.Right)
		case *filterparser.NotExpression:
			walk(x.Expression)
		case *filterparser.ValuePath:
			if n < len(values) {
				x.ValueFilter = values[n]
			}
			n++
		}
	}
	walk(e)
	return n
}
