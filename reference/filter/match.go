package filter

import (
	"strings"
	"time"
)

// node is a compiled filter expression.
type node interface {
	match(m map[string]any) bool
}

type andNode struct{ l, r node }

func (n *andNode) match(m map[string]any) bool { return n.l.match(m) && n.r.match(m) }

type orNode struct{ l, r node }

func (n *orNode) match(m map[string]any) bool { return n.l.match(m) || n.r.match(m) }

type notNode struct{ x node }

func (n *notNode) match(m map[string]any) bool { return !n.x.match(m) }

// valuePathNode is attr[filter]: some element of the complex attribute attr (or its single
// value) satisfies inner.
type valuePathNode struct {
	ext, attr string
	inner     node
}

func (n *valuePathNode) match(m map[string]any) bool {
	c := container(m, n.ext)
	if c == nil {
		return false
	}
	v, _ := lookup(c, n.attr)
	switch x := v.(type) {
	case map[string]any:
		return n.inner.match(x)
	case []any:
		for _, e := range x {
			if em, ok := e.(map[string]any); ok && n.inner.match(em) {
				return true
			}
		}
	}
	return false
}

// presentNode is `attr pr`: the attribute holds a value that is not null, "", [] or {}.
type presentNode struct{ p path }

func (n *presentNode) match(m map[string]any) bool { return n.p.visit(m, presence{}) }

// presence is the leaf test of presentNode.
type presence struct{}

func (presence) test(v any) bool { return present(v, 0) }

// maxPresenceDepth bounds the recursion of present, so that a cyclic map cannot overflow
// the stack; anything nested that deep counts as present.
const maxPresenceDepth = 16

// present reports whether v is a value rather than null or empty.
func present(v any, depth int) bool {
	if depth > maxPresenceDepth {
		return true
	}
	switch x := v.(type) {
	case nil:
		return false
	case string:
		return x != ""
	case []any:
		for _, e := range x {
			if present(e, depth+1) {
				return true
			}
		}
		return false
	case map[string]any:
		for _, e := range x {
			if present(e, depth+1) {
				return true
			}
		}
		return false
	}
	return true
}

// Kinds of compare values.
const (
	kindString = iota + 1
	kindBool
	kindNumber
	kindTime
)

// cmpNode compares an attribute with a value. ne is compiled as a negated eq, so that it is
// true when the attribute is absent and, for a multi-valued attribute, when no value is equal.
type cmpNode struct {
	p         path
	op        string // eq co sw ew gt ge lt le
	negate    bool
	caseExact bool
	kind      int
	raw       string // the string compare value as written (unescaped)
	str       string // raw, lower-cased unless caseExact
	boolean   bool
	num       float64
	time      time.Time
	eqAttr    string // canonical attribute name when Equality applies
}

func (n *cmpNode) match(m map[string]any) bool {
	return n.p.visit(m, n) != n.negate
}

// test compares one stored value with the compare value.
func (n *cmpNode) test(v any) bool {
	switch n.kind {
	case kindString:
		s, ok := v.(string)
		if !ok {
			return false
		}
		if n.op == "eq" {
			if n.caseExact {
				return s == n.str
			}
			return strings.EqualFold(s, n.str)
		}
		if !n.caseExact {
			s = strings.ToLower(s)
		}
		switch n.op {
		case "co":
			return strings.Contains(s, n.str)
		case "sw":
			return strings.HasPrefix(s, n.str)
		case "ew":
			return strings.HasSuffix(s, n.str)
		}
		return order(n.op, strings.Compare(s, n.str))
	case kindBool:
		b, ok := v.(bool)
		return ok && n.op == "eq" && b == n.boolean
	case kindNumber:
		f, ok, err := toFloat(v)
		if !ok || err != nil {
			return false
		}
		switch {
		case f < n.num:
			return order(n.op, -1)
		case f > n.num:
			return order(n.op, 1)
		}
		return order(n.op, 0)
	case kindTime:
		s, ok := v.(string)
		if !ok {
			return false
		}
		t, err := parseTime(s)
		if err != nil {
			return false
		}
		return order(n.op, t.Compare(n.time))
	}
	return false
}

// order applies eq, gt, ge, lt or le to the result of a three-way comparison.
func order(op string, c int) bool {
	switch op {
	case "eq":
		return c == 0
	case "gt":
		return c > 0
	case "ge":
		return c >= 0
	case "lt":
		return c < 0
	case "le":
		return c <= 0
	}
	return false
}

// tester tests one stored value.
type tester interface {
	test(v any) bool
}

// path locates the values an attribute path names in a resource: ext is the key of the
// extension object holding attr ("" for core attributes) and sub the optional sub-attribute.
type path struct {
	ext, attr, sub string
}

// visit reports whether t holds for any value the path names. Multi-valued attributes
// contribute each of their values.
func (p path) visit(m map[string]any, t tester) bool {
	c := container(m, p.ext)
	if c == nil {
		return false
	}
	v, ok := lookup(c, p.attr)
	if !ok {
		return false
	}
	if p.sub == "" {
		return each(v, t)
	}
	switch x := v.(type) {
	case map[string]any:
		s, ok := lookup(x, p.sub)
		return ok && each(s, t)
	case []any:
		for _, e := range x {
			if em, ok := e.(map[string]any); ok {
				if s, ok := lookup(em, p.sub); ok && each(s, t) {
					return true
				}
			}
		}
	}
	return false
}

// each reports whether t holds for v or, when v is an array, for any of its elements.
func each(v any, t tester) bool {
	if arr, ok := v.([]any); ok {
		for _, e := range arr {
			if t.test(e) {
				return true
			}
		}
		return false
	}
	return t.test(v)
}

// container returns the object holding the attributes of extension ext (m itself for "").
func container(m map[string]any, ext string) map[string]any {
	if ext == "" {
		return m
	}
	v, _ := lookup(m, ext)
	c, _ := v.(map[string]any)
	return c
}

// lookup returns m's value for key, matching the key case-insensitively. An exact match wins;
// among keys differing only in case, the smallest one wins so that the result is stable.
func lookup(m map[string]any, key string) (any, bool) {
	if v, ok := m[key]; ok {
		return v, true
	}
	var (
		best  string
		value any
		found bool
	)
	for k, v := range m {
		if strings.EqualFold(k, key) && (!found || k < best) {
			best, value, found = k, v, true
		}
	}
	return value, found
}
