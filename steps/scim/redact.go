package scim

import (
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// Redacted is what every occurrence of a secret becomes in what the package renders.
const Redacted = "[REDACTED]"

// Redactor replaces secrets with Redacted in strings, bytes and headers. A nil *Redactor
// changes nothing. A Redactor is immutable and safe for concurrent use.
//
// It matches each secret as given and in the forms a server or an error may echo it back: URL
// query-escaped, URL path-escaped, JSON-string-escaped and Go-quoted (as in %q error texts).
// Matching is exact and case-sensitive, and every occurrence is replaced, so a very short
// secret makes transcripts hard to read; that is the price of never leaking it.
type Redactor struct {
	r *strings.Replacer
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
		for _, f := range []string{s, url.QueryEscape(s), url.PathEscape(s), jsonForm, goForm} {
			if f != "" && !seen[f] {
				seen[f] = true
				forms = append(forms, f)
			}
		}
	}
	if len(forms) == 0 {
		return &Redactor{}
	}
	// Longest first: at a given position strings.Replacer prefers the earlier pair, so a
	// longer form is never half-replaced by a shorter one.
	sort.SliceStable(forms, func(i, j int) bool { return len(forms[i]) > len(forms[j]) })
	pairs := make([]string, 0, 2*len(forms))
	for _, f := range forms {
		pairs = append(pairs, f, Redacted)
	}
	return &Redactor{r: strings.NewReplacer(pairs...)}
}

// String returns s with every secret replaced by Redacted.
func (rd *Redactor) String(s string) string {
	if rd == nil || rd.r == nil {
		return s
	}
	return rd.r.Replace(s)
}

// Bytes returns a copy of b with every secret replaced by Redacted.
func (rd *Redactor) Bytes(b []byte) []byte {
	if rd == nil || rd.r == nil {
		return append([]byte(nil), b...)
	}
	return []byte(rd.r.Replace(string(b)))
}

// Header returns a copy of h whose names and values have every secret replaced by Redacted.
func (rd *Redactor) Header(h http.Header) http.Header {
	if h == nil {
		return nil
	}
	out := make(http.Header, len(h))
	for k, vs := range h {
		rk := rd.String(k)
		for _, v := range vs {
			out[rk] = append(out[rk], rd.String(v))
		}
	}
	return out
}

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
