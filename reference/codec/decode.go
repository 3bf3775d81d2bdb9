package codec

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// Unmarshal returns what json.Unmarshal(data, &v) stores in an any v, and its error: maps,
// slices, strings, float64s, bools and nils. The JSON the server stores and most request
// bodies are decoded without reflection; anything unusual (a syntax error, an escaped
// surrogate, invalid UTF-8, a number out of range, deep nesting) goes to encoding/json.
func Unmarshal(data []byte) (any, error) {
	d := decoder{data: data}
	if v, ok := d.document(); ok {
		return v, nil
	}
	var v any
	err := json.Unmarshal(data, &v)
	return v, err
}

// maxDecodeDepth bounds the nesting the fast decoder follows; deeper documents go to
// encoding/json.
const maxDecodeDepth = 1000

// decoder is the fast path of Unmarshal. Each method returns ok false at anything it does
// not decode exactly as encoding/json does.
type decoder struct {
	data  []byte
	i     int
	depth int
}

func (d *decoder) document() (any, bool) {
	v, ok := d.value()
	if !ok {
		return nil, false
	}
	d.space()
	return v, d.i == len(d.data)
}

func (d *decoder) space() {
	for d.i < len(d.data) {
		switch d.data[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *decoder) value() (any, bool) {
	d.space()
	if d.i >= len(d.data) {
		return nil, false
	}
	switch c := d.data[d.i]; {
	case c == '{':
		return d.object()
	case c == '[':
		return d.array()
	case c == '"':
		return d.string()
	case c == 't':
		return true, d.literal("true")
	case c == 'f':
		return false, d.literal("false")
	case c == 'n':
		return nil, d.literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		return d.number()
	}
	return nil, false
}

func (d *decoder) literal(word string) bool {
	if len(d.data)-d.i < len(word) || string(d.data[d.i:d.i+len(word)]) != word {
		return false
	}
	d.i += len(word)
	return true
}

func (d *decoder) object() (any, bool) {
	if d.depth++; d.depth > maxDecodeDepth {
		return nil, false
	}
	defer func() { d.depth-- }()
	d.i++ // {
	m := map[string]any{}
	d.space()
	if d.i < len(d.data) && d.data[d.i] == '}' {
		d.i++
		return m, true
	}
	for {
		d.space()
		if d.i >= len(d.data) || d.data[d.i] != '"' {
			return nil, false
		}
		k, ok := d.string()
		if !ok {
			return nil, false
		}
		d.space()
		if d.i >= len(d.data) || d.data[d.i] != ':' {
			return nil, false
		}
		d.i++
		v, ok := d.value()
		if !ok {
			return nil, false
		}
		m[k.(string)] = v // a repeated key keeps its last value, as in encoding/json
		d.space()
		if d.i >= len(d.data) {
			return nil, false
		}
		switch d.data[d.i] {
		case ',':
			d.i++
		case '}':
			d.i++
			return m, true
		default:
			return nil, false
		}
	}
}

func (d *decoder) array() (any, bool) {
	if d.depth++; d.depth > maxDecodeDepth {
		return nil, false
	}
	defer func() { d.depth-- }()
	d.i++ // [
	a := []any{}
	d.space()
	if d.i < len(d.data) && d.data[d.i] == ']' {
		d.i++
		return a, true
	}
	for {
		v, ok := d.value()
		if !ok {
			return nil, false
		}
		a = append(a, v)
		d.space()
		if d.i >= len(d.data) {
			return nil, false
		}
		switch d.data[d.i] {
		case ',':
			d.i++
		case ']':
			d.i++
			return a, true
		default:
			return nil, false
		}
	}
}

// string decodes a string whose characters are valid UTF-8, with the escapes \" \\ \/ \b \f
// \n \r \t and \uXXXX outside the surrogates.
func (d *decoder) string() (any, bool) {
	d.i++ // "
	start := d.i
	for d.i < len(d.data) {
		c := d.data[d.i]
		switch {
		case c == '"':
			b := d.data[start:d.i]
			d.i++
			if s, ok := commonStrings[string(b)]; ok { // no allocation for the lookup
				return s, true
			}
			return string(b), true
		case c == '\\':
			return d.escapedString(start)
		case c < 0x20:
			return nil, false
		case c < utf8.RuneSelf:
			d.i++
		default:
			r, size := utf8.DecodeRune(d.data[d.i:])
			if r == utf8.RuneError && size == 1 {
				return nil, false
			}
			d.i += size
		}
	}
	return nil, false
}

// escapedString continues string from its first backslash.
func (d *decoder) escapedString(start int) (any, bool) {
	b := make([]byte, 0, d.i-start+16)
	b = append(b, d.data[start:d.i]...)
	for d.i < len(d.data) {
		c := d.data[d.i]
		switch {
		case c == '"':
			d.i++
			return string(b), true
		case c == '\\':
			if d.i+1 >= len(d.data) {
				return nil, false
			}
			e := d.data[d.i+1]
			d.i += 2
			switch e {
			case '"', '\\', '/':
				b = append(b, e)
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				if d.i+4 > len(d.data) {
					return nil, false
				}
				var r rune
				for _, h := range d.data[d.i : d.i+4] {
					switch {
					case h >= '0' && h <= '9':
						h -= '0'
					case h >= 'a' && h <= 'f':
						h = h - 'a' + 10
					case h >= 'A' && h <= 'F':
						h = h - 'A' + 10
					default:
						return nil, false
					}
					r = r<<4 | rune(h)
				}
				if r >= 0xD800 && r < 0xE000 {
					return nil, false // surrogates: encoding/json pairs or replaces them
				}
				d.i += 4
				b = utf8.AppendRune(b, r)
			default:
				return nil, false
			}
		case c < 0x20:
			return nil, false
		case c < utf8.RuneSelf:
			b = append(b, c)
			d.i++
		default:
			r, size := utf8.DecodeRune(d.data[d.i:])
			if r == utf8.RuneError && size == 1 {
				return nil, false
			}
			b = append(b, d.data[d.i:d.i+size]...)
			d.i += size
		}
	}
	return nil, false
}

// number decodes a number of the JSON grammar, -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?,
// as a float64.
func (d *decoder) number() (any, bool) {
	start := d.i
	digits := func() int {
		n := 0
		for d.i < len(d.data) && d.data[d.i] >= '0' && d.data[d.i] <= '9' {
			d.i++
			n++
		}
		return n
	}
	if d.data[d.i] == '-' {
		d.i++
	}
	if d.i < len(d.data) && d.data[d.i] == '0' {
		d.i++
	} else if digits() == 0 {
		return nil, false
	}
	if d.i < len(d.data) && d.data[d.i] == '.' {
		d.i++
		if digits() == 0 {
			return nil, false
		}
	}
	if d.i < len(d.data) && (d.data[d.i] == 'e' || d.data[d.i] == 'E') {
		d.i++
		if d.i < len(d.data) && (d.data[d.i] == '+' || d.data[d.i] == '-') {
			d.i++
		}
		if digits() == 0 {
			return nil, false
		}
	}
	f, err := strconv.ParseFloat(string(d.data[start:d.i]), 64)
	if err != nil {
		return nil, false
	}
	return f, true
}

// commonStrings are the keys and values resources repeat most, decoded to one shared string
// each instead of a new one every time (strings are immutable: nobody can tell). It is built
// once and only read.
var commonStrings = func() map[string]string {
	m := map[string]string{}
	for _, s := range []string{
		"schemas", "id", "externalId", "meta", "resourceType", "created", "lastModified", "location",
		"version", "userName", "name", "formatted", "familyName", "givenName", "middleName",
		"honorificPrefix", "honorificSuffix", "displayName", "nickName", "profileUrl", "title",
		"userType", "preferredLanguage", "locale", "timezone", "active", "password", "emails",
		"phoneNumbers", "ims", "photos", "addresses", "groups", "entitlements", "roles",
		"x509Certificates", "value", "display", "type", "primary", "$ref", "members",
		"streetAddress", "locality", "region", "postalCode", "country", "work", "home", "other",
		"mobile", "direct", "indirect", "User", "Group", "en-US", "Operations", "op", "path",
		"add", "remove", "replace", "employeeNumber", "costCenter", "organization", "division",
		"department", "manager",
		"urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:core:2.0:Group",
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
		"urn:ietf:params:scim:api:messages:2.0:PatchOp",
	} {
		m[s] = s
	}
	return m
}()
