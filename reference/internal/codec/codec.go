// Package codec is the reference server's JSON encoder and decoder for the values resources
// are made of: the same bytes and values as encoding/json, without reflection, because the
// server encodes every response and stored resource and decodes every request and stored
// document. Anything else is handed to encoding/json.
package codec

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"sync"
	"unicode/utf8"
)

// Marshal returns exactly what json.Marshal(v) returns, error included. For the values
// resources and SCIM responses are made of (map[string]any, []any, []string, string, float64,
// int, bool and nil, as encoding/json decodes them) it encodes without reflection, which the
// server does for every response and every stored resource; anything else goes to
// encoding/json.
func Marshal(v any) ([]byte, error) {
	return Append(nil, v)
}

// Append appends to dst what json.Marshal(v) returns, or returns its error (see
// Marshal).
func Append(dst []byte, v any) ([]byte, error) {
	if b, ok := appendJSON(dst, v); ok {
		return b, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return dst, err
	}
	return append(dst, b...), nil
}

// appendJSON appends v as encoding/json encodes it. ok is false when v holds a value it does
// not handle (another type, or a float encoding/json refuses); dst is then garbage.
func appendJSON(dst []byte, v any) ([]byte, bool) {
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...), true
	case string:
		return appendString(dst, x), true
	case bool:
		return strconv.AppendBool(dst, x), true
	case float64:
		return appendFloat(dst, x)
	case int:
		return strconv.AppendInt(dst, int64(x), 10), true
	case int64:
		return strconv.AppendInt(dst, x, 10), true
	case map[string]any:
		if x == nil {
			return append(dst, "null"...), true
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		dst = append(dst, '{')
		for i, k := range keys {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendString(dst, k)
			dst = append(dst, ':')
			var ok bool
			if dst, ok = appendJSON(dst, x[k]); !ok {
				return dst, false
			}
		}
		return append(dst, '}'), true
	case []any:
		if x == nil {
			return append(dst, "null"...), true
		}
		dst = append(dst, '[')
		for i, e := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			var ok bool
			if dst, ok = appendJSON(dst, e); !ok {
				return dst, false
			}
		}
		return append(dst, ']'), true
	case []string:
		if x == nil {
			return append(dst, "null"...), true
		}
		dst = append(dst, '[')
		for i, e := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendString(dst, e)
		}
		return append(dst, ']'), true
	}
	return dst, false
}

// appendFloat encodes f as encoding/json does: like ES6, %f unless the exponent is below -6
// or at least 21, and without padding the exponent.
func appendFloat(dst []byte, f float64) ([]byte, bool) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return dst, false // encoding/json reports an UnsupportedValueError
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	dst = strconv.AppendFloat(dst, f, format, -1, 64)
	if format == 'e' {
		// clean up e-09 to e-9
		n := len(dst)
		if n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return dst, true
}

const hexDigits = "0123456789abcdef"

// appendString encodes s as encoding/json does with HTML escaping (json.Marshal's default):
// `"`, `\` and control characters escaped, <, > and & as \u003c, \u003e and \u0026, invalid
// UTF-8 as \ufffd, and U+2028 and U+2029 escaped.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

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

// Buffers is a pool of buffers to Append into: Get hands one out, Put takes it back unless it
// grew beyond the pool's limit (a long page, left to the garbage collector). Create it with
// NewBuffers; it is safe for concurrent use.
type Buffers struct {
	pool sync.Pool
	max  int
}

// NewBuffers returns a pool of buffers of size bytes to start with, keeping none beyond max.
func NewBuffers(size, max int) *Buffers {
	b := &Buffers{max: max}
	b.pool.New = func() any { buf := make([]byte, 0, size); return &buf }
	return b
}

// Get returns an empty buffer.
func (b *Buffers) Get() *[]byte {
	buf := b.pool.Get().(*[]byte)
	*buf = (*buf)[:0]
	return buf
}

// Put hands buf back, as used grew it (used is what Append returned for it). The caller must
// not touch used afterwards.
func (b *Buffers) Put(buf *[]byte, used []byte) {
	if cap(used) <= b.max {
		*buf = used[:0]
		b.pool.Put(buf)
	}
}
