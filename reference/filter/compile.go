package filter

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	filterparser "github.com/scim2/filter-parser/v2"

	"github.com/scimcheck/scimcheck/reference"
)

// compiler binds parsed expressions to a resource type.
type compiler struct {
	rt     *reference.ResourceType
	parent *reference.Attribute // the complex attribute of a value filter, nil at the top level
}

// target is a resolved attribute path.
type target struct {
	ext   string               // extension schema URN (the key holding it in a resource), "" for core
	attr  *reference.Attribute // top-level attribute, or a sub-attribute of compiler.parent
	sub   *reference.Attribute // sub-attribute of attr, nil when the path names attr itself
	whole string               // set instead of attr when the path names an extension object
	name  string               // the path as shown in error messages
}

func (c *compiler) compile(e filterparser.Expression) (node, error) {
	if isNil(e) {
		return nil, invalid("invalid filter: missing expression")
	}
	switch x := e.(type) {
	case *filterparser.AttributeExpression:
		return c.attrExpr(x)
	case *filterparser.LogicalExpression:
		l, err := c.compile(x.Left)
		if err != nil {
			return nil, err
		}
		r, err := c.compile(x.Right)
		if err != nil {
			return nil, err
		}
		switch strings.ToLower(string(x.Operator)) {
		case string(filterparser.AND):
			return &andNode{l: l, r: r}, nil
		case string(filterparser.OR):
			return &orNode{l: l, r: r}, nil
		}
		return nil, invalid("unknown logical operator %q in filter", clip(string(x.Operator)))
	case *filterparser.NotExpression:
		inner, err := c.compile(x.Expression)
		if err != nil {
			return nil, err
		}
		return &notNode{x: inner}, nil
	case *filterparser.ValuePath:
		return c.valuePath(x)
	}
	return nil, invalid("unsupported filter expression %T", e)
}

// resolve binds an attribute path to the schema.
func (c *compiler) resolve(p filterparser.AttributePath) (target, error) {
	uri, name, sub := p.URI(), p.AttributeName, p.SubAttributeName()
	if c.parent != nil {
		if uri != "" {
			return target{}, invalid("attribute %q in the value filter of %q must be a plain sub-attribute name", clip(p.String()), c.parent.Name)
		}
		s := c.parent.Sub(name)
		if s == nil {
			return target{}, invalid("unknown sub-attribute %q of %q in filter", clip(name), c.parent.Name)
		}
		if sub != "" {
			return target{}, invalid("unknown attribute \"%s.%s.%s\" in filter", c.parent.Name, s.Name, clip(sub))
		}
		return target{attr: s, name: c.parent.Name + "." + s.Name}, nil
	}
	if uri != "" && sub == "" {
		// "urn:…:enterprise:2.0:User pr": the parser reads the last URN segment as the name.
		if ext := c.rt.Extension(uri + ":" + name); ext != nil {
			return target{whole: ext.ID, name: ext.ID}, nil
		}
	}
	if uri != "" && !strings.EqualFold(uri, c.rt.Schema.ID) && c.rt.Extension(uri) == nil {
		return target{}, invalid("unknown schema %q in filter", clip(uri))
	}
	ext, a, s, ok := c.rt.Resolve(uri, name, sub)
	if !ok {
		return target{}, invalid("unknown attribute %q in filter", clip(p.String()))
	}
	if a.Returned == reference.ReturnedNever || a.Mutability == reference.WriteOnly {
		return target{}, invalid("attribute %q is write-only and cannot be used in a filter", a.Name)
	}
	t := target{attr: a, sub: s, name: a.Name}
	if ext != nil {
		t.ext = ext.ID
	}
	if s != nil {
		t.name += "." + s.Name
	}
	return t, nil
}

// pathOf returns the run-time look-up path of t.
func (t target) pathOf() path {
	p := path{ext: t.ext, attr: t.attr.Name}
	if t.sub != nil {
		p.sub = t.sub.Name
	}
	return p
}

func (c *compiler) valuePath(x *filterparser.ValuePath) (node, error) {
	if c.parent != nil {
		return nil, invalid("value filters cannot be nested (inside the value filter of %q)", c.parent.Name)
	}
	t, err := c.resolve(x.AttributePath)
	if err != nil {
		return nil, err
	}
	switch {
	case t.whole != "":
		return nil, invalid("a value filter [...] must follow a complex attribute, not the schema %q", t.whole)
	case t.sub != nil || t.attr.Type != reference.TypeComplex:
		return nil, invalid("a value filter [...] must follow a complex attribute; %q is not one", t.name)
	}
	inner, err := (&compiler{rt: c.rt, parent: t.attr}).compile(x.ValueFilter)
	if err != nil {
		return nil, err
	}
	return &valuePathNode{ext: t.ext, attr: t.attr.Name, inner: inner}, nil
}

// isComparison reports whether op is a comparison operator other than pr.
func isComparison(op string) bool {
	switch op {
	case "eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le":
		return true
	}
	return false
}

// isOrdering reports whether op is gt, ge, lt or le.
func isOrdering(op string) bool {
	return op == "gt" || op == "ge" || op == "lt" || op == "le"
}

// defined reports whether the comparison operator op is defined for attributes of type typ.
func defined(typ reference.AttrType, op string) bool {
	switch typ {
	case reference.TypeString, reference.TypeReference:
		return isComparison(op)
	case reference.TypeBinary:
		return isComparison(op) && !isOrdering(op)
	case reference.TypeBoolean:
		return op == "eq" || op == "ne"
	case reference.TypeInteger, reference.TypeDecimal, reference.TypeDateTime:
		return op == "eq" || op == "ne" || isOrdering(op)
	}
	return false
}

func (c *compiler) attrExpr(x *filterparser.AttributeExpression) (node, error) {
	op := strings.ToLower(string(x.Operator))
	if op != "pr" && !isComparison(op) {
		return nil, invalid("unknown operator %q in filter", clip(string(x.Operator)))
	}
	t, err := c.resolve(x.AttributePath)
	if err != nil {
		return nil, err
	}
	var p path
	if t.whole != "" {
		p = path{attr: t.whole}
	} else {
		p = t.pathOf()
	}
	if op == "pr" {
		return &presentNode{p: p}, nil
	}
	if x.CompareValue == nil {
		switch op {
		case "eq":
			return &notNode{x: &presentNode{p: p}}, nil
		case "ne":
			return &presentNode{p: p}, nil
		}
		return nil, invalid("operator %s cannot compare %q with null; only eq and ne can", op, t.name)
	}
	if t.whole != "" {
		return nil, invalid("operator %s is not defined for the extension %q; use pr or a null comparison", op, t.whole)
	}
	leaf, name := t.attr, t.name
	if t.sub != nil {
		leaf = t.sub
	}
	if leaf.Type == reference.TypeComplex {
		// RFC 7644 §3.4.2.2: a multi-valued complex attribute without a sub-attribute filters
		// on its "value" sub-attribute.
		v := leaf.Sub("value")
		if t.sub != nil || !leaf.MultiValued || v == nil {
			return nil, invalid("operator %s is not defined for complex attribute %q; compare one of its sub-attributes", op, name)
		}
		leaf, name, p.sub = v, name+"."+v.Name, v.Name
	}
	if !defined(leaf.Type, op) {
		return nil, invalid("operator %s is not defined for %s attribute %q", op, leaf.Type, name)
	}
	n := &cmpNode{p: p, op: op, caseExact: leaf.CaseExact}
	if op == "ne" {
		n.op, n.negate = "eq", true
	}
	if err := n.setValue(leaf, name, x.CompareValue); err != nil {
		return nil, err
	}
	if c.parent == nil && n.op == "eq" && !n.negate && n.kind == kindString && t.ext == "" && t.sub == nil &&
		leaf == t.attr && leaf.Type == reference.TypeString && !leaf.MultiValued {
		n.eqAttr = leaf.Name
	}
	return n, nil
}

// setValue checks that the compare value fits the attribute's type and stores it.
func (n *cmpNode) setValue(a *reference.Attribute, name string, v any) error {
	mismatch := func() error {
		return invalid("cannot compare %s attribute %q with %s", a.Type, name, describe(v))
	}
	switch a.Type {
	case reference.TypeString, reference.TypeReference, reference.TypeBinary:
		s, ok := v.(string)
		if !ok {
			return mismatch()
		}
		n.kind, n.raw = kindString, unescape(s)
		n.str = n.raw
		if !n.caseExact {
			n.str = strings.ToLower(n.raw)
		}
	case reference.TypeBoolean:
		b, ok := v.(bool)
		if !ok {
			return mismatch()
		}
		n.kind, n.boolean = kindBool, b
	case reference.TypeInteger, reference.TypeDecimal:
		f, ok, err := toFloat(v)
		if err != nil {
			return invalid("number %s in filter is out of range", clip(fmt.Sprint(v)))
		}
		if !ok {
			return mismatch()
		}
		n.kind, n.num = kindNumber, f
	case reference.TypeDateTime:
		s, ok := v.(string)
		if !ok {
			return mismatch()
		}
		tm, err := parseTime(unescape(s))
		if err != nil {
			return invalid("value %q for dateTime attribute %q is not an RFC 3339 timestamp", clip(s), name)
		}
		n.kind, n.time = kindTime, tm
	default:
		return invalid("attribute %q of type %s cannot be compared", name, a.Type)
	}
	return nil
}

// describe renders a compare value for an error message.
func describe(v any) string {
	switch x := v.(type) {
	case string:
		return fmt.Sprintf("string %q", clip(x))
	case bool:
		return fmt.Sprintf("boolean %t", x)
	case json.Number, int, int64, int32, float64, float32, uint, uint64, uint32:
		return fmt.Sprintf("number %v", x)
	}
	return clip(fmt.Sprintf("%T %v", v, v))
}

// maxShown is how many characters of a user-supplied name or value an error message shows.
const maxShown = 100

// clip shortens s to maxShown characters for an error message.
func clip(s string) string {
	if utf8.RuneCountInString(s) <= maxShown {
		return s
	}
	return string([]rune(s)[:maxShown]) + "…"
}

// unescape resolves the JSON escapes (\" \\ \uXXXX …) filter-parser leaves in string values.
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var out string
	if err := json.Unmarshal([]byte(`"`+s+`"`), &out); err != nil {
		return s
	}
	return out
}

// parseTime parses an RFC 3339 timestamp, with or without fractional seconds.
func parseTime(s string) (time.Time, error) {
	return time.Parse(time.RFC3339Nano, s)
}

// toFloat converts a JSON or Go number. ok is false for non-numbers; err is set for numbers
// that do not fit a float64.
func toFloat(v any) (f float64, ok bool, err error) {
	switch x := v.(type) {
	case float64:
		f = x
	case float32:
		f = float64(x)
	case int:
		f = float64(x)
	case int64:
		f = float64(x)
	case int32:
		f = float64(x)
	case uint:
		f = float64(x)
	case uint64:
		f = float64(x)
	case uint32:
		f = float64(x)
	case json.Number:
		f, err = strconv.ParseFloat(string(x), 64)
		if err != nil {
			return 0, true, err
		}
	default:
		return 0, false, nil
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, true, strconv.ErrRange
	}
	return f, true, nil
}
