package runner

import (
	"strings"
	"unicode"
)

// tagExpr is a parsed godog tag expression: a disjunction (",") of conjunctions ("&&") of
// tags, each possibly negated ("~"), e.g. "@push-users && ~@optional, @import". The empty
// expression matches every scenario.
type tagExpr [][]tagTerm

// tagTerm is one tag of a conjunction, without its "@".
type tagTerm struct {
	tag string
	not bool
}

// parseTagExpr parses s with godog's syntax. It returns a *usageError when a term is empty or
// is not a single tag, which godog would silently treat as a tag that matches nothing (or
// panic on).
func parseTagExpr(s string) (tagExpr, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var expr tagExpr
	for _, alt := range strings.Split(s, ",") {
		var and []tagTerm
		for _, raw := range strings.Split(alt, "&&") {
			t := strings.TrimSpace(raw)
			not := strings.HasPrefix(t, "~")
			t = strings.TrimPrefix(strings.TrimPrefix(t, "~"), "@")
			if t == "" || strings.IndexFunc(t, badTagRune) >= 0 {
				return nil, usagef("--tags %q: %q is not a tag; write e.g. \"@push-users && ~@optional, @import\" "+
					"(&& is and, ~ is not, a comma is or; no parentheses)", s, strings.TrimSpace(raw))
			}
			and = append(and, tagTerm{tag: t, not: not})
		}
		expr = append(expr, and)
	}
	return expr, nil
}

// badTagRune reports whether r cannot be part of a tag name.
func badTagRune(r rune) bool {
	return unicode.IsSpace(r) || strings.ContainsRune("@~()&|,!", r)
}

// match reports whether a scenario with tags (each with or without its "@") is selected.
func (e tagExpr) match(tags []string) bool {
	if len(e) == 0 {
		return true
	}
	has := make(map[string]bool, len(tags))
	for _, t := range tags {
		has[strings.TrimPrefix(t, "@")] = true
	}
	for _, and := range e {
		ok := true
		for _, term := range and {
			if has[term.tag] == term.not {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}
