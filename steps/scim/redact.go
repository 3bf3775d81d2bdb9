package scim

import (
	"bytes"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// Redacted is what every occurrence of a secret becomes in what the package renders.
const Redacted = "[REDACTED]"

// NetMinLen is the shortest secret form that LongOnly keeps. Shorter forms (a token "t",
// "scim") occur everywhere in rendered text (keys, tags, command names), so only what holds
// values is redacted for them: exchanges, headers, bodies, messages, at their source.
const NetMinLen = 8

// Redactor replaces secrets with Redacted in strings, bytes and headers. A nil *Redactor
// changes nothing. A Redactor is immutable and safe for concurrent use.
//
// It matches each secret as given and in the forms a server or an error may echo it back: URL
// query-escaped, URL path-escaped, JSON-string-escaped and Go-quoted (as in %q error texts).
// Matching is exact, literal and case-sensitive, and every occurrence is replaced, except
// inside the marker Redacted itself, which is never touched: redacting twice, or with two
// Redactors in turn, changes nothing more. Render values through it before their structure
// (JSON, XML, HTML, a shell command); over rendered text use JSONValues, MarkupText or a
// LongOnly Redactor, which leave structure alone.
type Redactor struct {
	r     *strings.Replacer
	forms []string
	long  *Redactor // LongOnly's answer; rd itself when every form is long
}

// NewRedactor returns a Redactor for the given secrets; empty strings are ignored.
func NewRedactor(secrets ...string) *Redactor {
	seen := map[string]bool{}
	var forms []string
	for _, s := range secrets {
		if s == "" {
			continue
		}
		quoted, _ := json.Marshal(s) // cannot fail for a string
		jsonForm := strings.Trim(string(quoted), `"`)
		goForm := strings.Trim(strconv.Quote(s), `"`) // as Go's %q errors show it
		for _, f := range []string{s, url.QueryEscape(s), url.PathEscape(s), jsonForm, goForm, html.EscapeString(s)} {
			if f != "" && !seen[f] {
				seen[f] = true
				forms = append(forms, f)
			}
		}
	}
	rd := fromForms(forms)
	var long []string
	for _, f := range rd.forms {
		if len(f) >= NetMinLen {
			long = append(long, f)
		}
	}
	if len(long) < len(rd.forms) {
		rd.long = fromForms(long)
	}
	return rd
}

// fromForms returns the Redactor replacing forms; its LongOnly is itself.
func fromForms(forms []string) *Redactor {
	if len(forms) == 0 {
		rd := &Redactor{}
		rd.long = rd
		return rd
	}
	// Longest first: at a given position strings.Replacer prefers the earlier pair, so a
	// longer form is never half-replaced by a shorter one.
	sort.SliceStable(forms, func(i, j int) bool { return len(forms[i]) > len(forms[j]) })
	pairs := make([]string, 0, 2*len(forms))
	for _, f := range forms {
		pairs = append(pairs, f, Redacted)
	}
	rd := &Redactor{r: strings.NewReplacer(pairs...), forms: forms}
	rd.long = rd
	return rd
}

// Longest returns the length of rd's longest form, 0 for none: a reader of a stream that keeps
// the last Longest()-1 bytes of one chunk sees every form that straddles it and the next.
func (rd *Redactor) Longest() int {
	if rd == nil || len(rd.forms) == 0 {
		return 0
	}
	return len(rd.forms[0]) // fromForms sorts them longest first
}

// LongOnly returns a Redactor for the forms of rd's secrets that are at least NetMinLen
// bytes long: the safety net over rendered output, where a shorter form would hit structure.
func (rd *Redactor) LongOnly() *Redactor {
	if rd == nil {
		return nil
	}
	return rd.long
}

// Body returns a copy of an HTTP body with every secret replaced: in a JSON body inside its
// string values (keys keep their text unless a LongOnly form is in them), in any other body
// everywhere.
func (rd *Redactor) Body(b []byte) []byte {
	if rd == nil || rd.r == nil {
		return append([]byte(nil), b...)
	}
	if t := bytes.TrimSpace(b); len(t) > 0 && (t[0] == '{' || t[0] == '[') {
		return rd.LongOnly().Bytes(rd.JSONValues(b))
	}
	return rd.Bytes(b)
}

// occursIn reports whether any of rd's forms occurs in s. It is the fast path of the
// methods below: a text holding no form comes out as it went in, and looking for a few
// literal strings is much cheaper than running the replacer over megabytes of report.
func (rd *Redactor) occursIn(s string) bool {
	for _, f := range rd.forms {
		if strings.Contains(s, f) {
			return true
		}
	}
	return false
}

// OccursIn reports whether any form of rd's secrets occurs in b: when none does, every method
// of rd returns b as it is (as a copy), and a caller may skip them.
func (rd *Redactor) OccursIn(b []byte) bool { return rd != nil && rd.occursInBytes(b) }

// occursInBytes is occursIn for bytes, without copying them into a string.
func (rd *Redactor) occursInBytes(b []byte) bool {
	for _, f := range rd.forms {
		if bytes.Contains(b, []byte(f)) {
			return true
		}
	}
	return false
}

// occursInNames reports whether any of rd's forms occurs in a name of h.
func (rd *Redactor) occursInNames(h http.Header) bool {
	if rd == nil {
		return false
	}
	for k := range h {
		if rd.occursIn(k) {
			return true
		}
	}
	return false
}

// String returns s with every secret replaced by Redacted; markers already there stay whole.
func (rd *Redactor) String(s string) string {
	if rd == nil || rd.r == nil || s == "" || !rd.occursIn(s) {
		return s
	}
	if !strings.Contains(s, Redacted) {
		return rd.r.Replace(s)
	}
	parts := strings.Split(s, Redacted)
	for i, p := range parts {
		parts[i] = rd.r.Replace(p)
	}
	return strings.Join(parts, Redacted)
}

// Bytes returns a copy of b with every secret replaced by Redacted.
func (rd *Redactor) Bytes(b []byte) []byte {
	return []byte(rd.String(string(b)))
}

// Header returns a copy of h whose values have every secret replaced by Redacted; names,
// being structure, only lose the forms LongOnly keeps.
func (rd *Redactor) Header(h http.Header) http.Header {
	if h == nil {
		return nil
	}
	names := rd.LongOnly()
	out := make(http.Header, len(h))
	for k, vs := range h {
		rk := names.String(k)
		for _, v := range vs {
			out[rk] = append(out[rk], rd.String(v))
		}
	}
	return out
}

// JSONValues returns a copy of the JSON text b with every secret replaced inside its string
// values; keys, numbers, literals, punctuation and layout are left as they are, so the
// result parses as b did. Text that is not JSON comes out as it went in, strings aside.
func (rd *Redactor) JSONValues(b []byte) []byte {
	if rd == nil || rd.r == nil || !rd.occursInBytes(b) {
		return append([]byte(nil), b...)
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); {
		if b[i] != '"' {
			out = append(out, b[i])
			i++
			continue
		}
		end := i + 1
		for end < len(b) && b[end] != '"' {
			if b[end] == '\\' {
				end++
			}
			end++
		}
		if end >= len(b) {
			return append(out, b[i:]...)
		}
		j := end + 1
		for j < len(b) && (b[j] == ' ' || b[j] == '\t' || b[j] == '\n' || b[j] == '\r') {
			j++
		}
		body := b[i+1 : end]
		if j < len(b) && b[j] == ':' { // a key
			out = append(out, b[i:end+1]...)
		} else {
			out = append(out, '"')
			out = append(out, rd.Bytes(body)...)
			out = append(out, '"')
		}
		i = end + 1
	}
	return out
}

// MarkupText returns a copy of the XML or HTML text b with every secret replaced in its
// character data and quoted attribute values; element and attribute names stay as they are.
func (rd *Redactor) MarkupText(b []byte) []byte {
	if rd == nil || rd.r == nil || !rd.occursInBytes(b) {
		return append([]byte(nil), b...)
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); {
		if b[i] != '<' {
			j := bytes.IndexByte(b[i:], '<')
			if j < 0 {
				j = len(b) - i
			}
			out = append(out, rd.text(b[i:i+j])...)
			i += j
			continue
		}
		// A tag: names verbatim, quoted values redacted.
		for i < len(b) && b[i] != '>' {
			if q := b[i]; q == '"' || q == '\'' {
				j := bytes.IndexByte(b[i+1:], q)
				if j < 0 {
					return append(out, b[i:]...)
				}
				out = append(out, q)
				out = append(out, rd.text(b[i+1:i+1+j])...)
				out = append(out, q)
				i += j + 2
				continue
			}
			out = append(out, b[i])
			i++
		}
		if i < len(b) {
			out = append(out, '>')
			i++
		}
	}
	return out
}

// text redacts markup character data or an attribute value. The HTML-escaped form of each
// secret is one of its forms, and longer forms win at a position, so an escaped secret is
// replaced whole rather than cut inside an entity.
func (rd *Redactor) text(b []byte) []byte { return rd.Bytes(b) }

// redactedError is an error whose text is redacted; Unwrap still reaches the original.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// redactError returns err with its text redacted by rd, or nil for a nil err.
func redactError(rd *Redactor, err error) error {
	if err == nil {
		return nil
	}
	return &redactedError{msg: rd.String(err.Error()), err: err}
}
