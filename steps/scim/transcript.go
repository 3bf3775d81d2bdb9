package scim

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// An Exchange as people read it: its request as a curl command, its response as a transcript, both redacted and cut to size.

// curlOptions are the Client settings Curl reproduces.
type curlOptions struct {
	insecure bool
	caFile   string
	timeout  time.Duration
}

// renderMax bounds how many body bytes Curl and Transcript show.
const renderMax = 64 << 10

// ShownMax is how many bytes of a body Curl and Transcript show.
const ShownMax = renderMax

// RequestLine returns the HTTP request line, e.g.
// "GET /scim/v2/Users?filter=userName%20eq%20%22a%40b.c%22&startIndex=1&count=100 HTTP/1.1".
func (ex *Exchange) RequestLine() string {
	u, err := url.Parse(ex.Request.URL)
	return ex.requestLine(u, err)
}

// requestLine is RequestLine for the request's URL parsed as u, err.
func (ex *Exchange) requestLine(u *url.URL, err error) string {
	uri := ex.Request.URL
	if err == nil {
		uri = u.RequestURI()
	}
	return ex.Request.Method + " " + ex.RedactLong(uri) + " HTTP/1.1"
}

// String returns Transcript, so that printing an *Exchange never leaks a secret.
func (ex *Exchange) String() string { return ex.Transcript() }

// Curl returns a shell command that sends the request again, followed by the response as "#"
// comment lines. The secret is read from $SCIMCHECK_TOKEN (for basic auth it holds
// "user:password"); bodies are single-quoted for a POSIX shell.
func (ex *Exchange) Curl() string {
	var b strings.Builder
	b.WriteString("curl -sS -i --compressed")
	if ex.curl.insecure {
		b.WriteString(" -k")
	}
	if ex.curl.caFile != "" {
		b.WriteString(" --cacert " + shellQuote(ex.curl.caFile))
	}
	if ex.curl.timeout > 0 {
		fmt.Fprintf(&b, " --max-time %g", ex.curl.timeout.Seconds())
	}
	fmt.Fprintf(&b, " -X %s %s", ex.Request.Method, shellQuote(ex.RedactLong(ex.Request.URL)))
	h := ex.Request.Header
	for _, k := range sortedKeys(h) {
		if k == "Authorization" && ex.source != authUnknown {
			continue
		}
		for _, v := range h[k] {
			b.WriteString(" \\\n  -H " + shellQuote(ex.RedactLong(k+": "+v)))
		}
	}
	// curl adds these when absent; an empty value stops it, as the client did.
	for _, k := range []string{"Accept", "User-Agent"} {
		if _, ok := h[k]; !ok {
			b.WriteString(" \\\n  -H " + shellQuote(k+":"))
		}
	}
	if _, ok := h["Content-Type"]; !ok && len(ex.Request.Body) > 0 {
		b.WriteString(" \\\n  -H 'Content-Type:'")
	}
	switch {
	case ex.source == authRaw:
		b.WriteString(" \\\n  -H " + shellQuote("Authorization: "+ex.Redact(h.Get("Authorization"))))
	case ex.source == authConfigured && ex.mode == AuthBearer:
		b.WriteString(" \\\n  -H \"Authorization: Bearer $SCIMCHECK_TOKEN\"")
	case ex.source == authConfigured && ex.mode == AuthHeader:
		b.WriteString(" \\\n  -H \"Authorization: $SCIMCHECK_TOKEN\"")
	case ex.source == authConfigured && ex.mode == AuthBasic:
		b.WriteString(" \\\n  -u \"$SCIMCHECK_TOKEN\"")
	}
	if len(ex.Request.Body) > 0 {
		b.WriteString(" \\\n  --data-raw " + shellQuote(ex.RedactLong(string(ex.Request.Body))))
	}
	b.WriteString("\n")
	ex.writeResponse(&b, "# ")
	return ex.redactor.LongOnly().String(b.String())
}

// Transcript returns the request and response in "curl -v" style: "> " request lines,
// "< " response lines, then a summary line. Secrets are redacted in each value before it is
// written, so that no short secret touches the layout: in everything the target sent (status,
// header values, body string values, errors) and in the Authorization header whatever their
// length; in the rest of scimcheck's own request only from NetMinLen bytes.
func (ex *Exchange) Transcript() string {
	var b strings.Builder
	b.Grow(512 + 2*len(ex.Request.URL) + min(len(ex.Request.Body), renderMax) + min(len(ex.Response.Body), renderMax) + len(ex.Response.Body)/16)
	u, err := url.Parse(ex.Request.URL) // once, for the request line and the host
	b.WriteString("> ")
	b.WriteString(ex.requestLine(u, err))
	b.WriteString("\n")
	if err == nil {
		b.WriteString("> Host: ")
		b.WriteString(ex.RedactLong(u.Host))
		b.WriteString("\n")
	}
	// The request is scimcheck's own: only its credential is a secret at any length.
	writeHeader(&b, "> ", ex.Request.Header, func(k, v string) string {
		if k == "Authorization" {
			return ex.Redact(v)
		}
		return ex.RedactLong(v)
	})
	if body := ex.Request.Body; len(body) > 0 {
		b.WriteString(">\n")
		if ex.redactor.LongOnly().OccursIn(body) {
			body = []byte(ex.RedactLong(string(body)))
		}
		writeBody(&b, "> ", body, 0, 0)
	}
	for i, r := range ex.Retries {
		ra := "no Retry-After"
		if r.RetryAfter != "" {
			ra = fmt.Sprintf("Retry-After: %s", r.RetryAfter)
		}
		fmt.Fprintf(&b, "* attempt %d: 429 Too Many Requests (%s) after %s; waited %s\n",
			i+1, ra, round(r.Duration), r.Wait)
	}
	ex.writeResponse(&b, "< ")
	if ex.GaveUp != "" {
		b.WriteString("* " + ex.GaveUp + "\n")
	}
	fmt.Fprintf(&b, "* %s in %s, %d attempt(s)\n", ex.summary(), round(ex.Duration), ex.Attempts)
	return ex.redactor.LongOnly().String(b.String())
}

// summary returns the status, or the error when no response arrived, redacted: the status as
// status says, errors wholly, a *TransportError as its Error redacts itself.
func (ex *Exchange) summary() string {
	switch {
	case ex.Response.StatusCode == 0 && ex.Err != nil:
		return "no response: " + ex.ErrorText()
	case ex.Response.StatusCode == 0:
		return "no response"
	case ex.Err != nil:
		return ex.ShownStatus() + ", then " + ex.ErrorText()
	}
	return ex.ShownStatus()
}

// ShownStatus returns the response's status as scimcheck shows it anywhere: whole when it is
// the standard one for its code ("204 No Content" stays whole whatever the secret), redacted
// when the reason phrase is the target's own.
func (ex *Exchange) ShownStatus() string {
	if ex.StandardStatus() {
		return ex.Response.Status
	}
	return ex.Redact(ex.Response.Status)
}

// StandardStatus reports whether the response's status is the standard text for its code,
// e.g. "204 No Content": Go's words, not the target's, so no secret can be in it.
func (ex *Exchange) StandardStatus() bool {
	r := ex.Response
	text := http.StatusText(r.StatusCode)
	if text == "" || !strings.HasSuffix(r.Status, text) {
		return false
	}
	var digits [20]byte // compared without a string built for it: this runs for every exchange
	code := strconv.AppendInt(digits[:0], int64(r.StatusCode), 10)
	return len(r.Status) == len(code)+1+len(text) && r.Status[len(code)] == ' ' && r.Status[:len(code)] == string(code)
}

// ErrorText returns ex.Err's text, redacted: a *TransportError as its Error redacts itself
// (the network's words only from long secrets), any other error wholly.
func (ex *Exchange) ErrorText() string {
	if te, ok := ex.Err.(*TransportError); ok {
		return te.Error()
	}
	return ex.Redact(ex.Err.Error())
}

// writeResponse writes the status line, headers and body, each line prefixed.
func (ex *Exchange) writeResponse(b *strings.Builder, prefix string) {
	r := ex.Response
	if r.StatusCode == 0 {
		b.WriteString(prefix + ex.summary() + "\n")
		return
	}
	proto := r.Proto
	if proto == "" {
		proto = "HTTP/1.1"
	}
	b.WriteString(prefix + proto + " " + ex.ShownStatus() + "\n")
	if ex.redactor.LongOnly().occursInNames(r.Header) { // names change, and may meet
		writeHeader(b, prefix, ex.redactor.Header(r.Header), func(_, v string) string { return v })
	} else {
		writeHeader(b, prefix, r.Header, func(_, v string) string { return ex.Redact(v) })
	}
	b.WriteString(strings.TrimRight(prefix, " "))
	b.WriteString("\n")
	// Only what is shown is redacted (a body may be megabytes), with room for a secret that
	// starts before the end of what is shown.
	body, unseen := r.Body, 0
	if keep := renderMax + ex.redactor.Longest(); len(body) > keep {
		body, unseen = body[:keep], len(body)-keep
	}
	if ex.redactor.OccursIn(body) {
		body = ex.redactor.Body(body)
	}
	writeBody(b, prefix, body, unseen, r.CutAt())
	if r.Uncompressed {
		b.WriteString(prefix + "[body was gzip-encoded; shown decoded]\n")
	}
	if r.Compacted > 0 {
		fmt.Fprintf(b, "%s[%d bytes of white space outside strings taken out of the body]\n", prefix, r.Compacted)
	}
}

// writeHeader writes h sorted by name, one "prefix Name: value" line per value, each value as
// value(name, value) returns it.
func writeHeader(b *strings.Builder, prefix string, h http.Header, value func(k, v string) string) {
	type field struct {
		name   string
		values []string
	}
	var fields [32]field // on the stack for the headers an exchange has: this runs for each
	sorted := fields[:0]
	for k, vs := range h {
		sorted = append(sorted, field{k, vs})
	}
	slices.SortFunc(sorted, func(a, b field) int { return strings.Compare(a.name, b.name) })
	for _, f := range sorted {
		for _, v := range f.values {
			b.WriteString(prefix)
			b.WriteString(f.name)
			b.WriteString(": ")
			b.WriteString(value(f.name, v))
			b.WriteString("\n")
		}
	}
}

// writeBody writes body (at most renderMax bytes) one prefixed line per line; unseen more bytes
// followed it, and cut, when not 0, is where the client cut it.
func writeBody(b *strings.Builder, prefix string, body []byte, unseen int, cut int64) {
	if len(body) == 0 {
		return
	}
	shown := body
	if len(shown) > renderMax {
		shown = shown[:renderMax]
	}
	rest := shown
	if !utf8.Valid(rest) {
		rest = bytes.ToValidUTF8(rest, []byte("\uFFFD"))
	}
	for {
		line, after, more := bytes.Cut(rest, []byte("\n"))
		b.WriteString(prefix)
		b.Write(bytes.TrimSuffix(line, []byte("\r")))
		b.WriteString("\n")
		if !more {
			break
		}
		rest = after
	}
	if n := len(body) - len(shown) + unseen; n > 0 {
		fmt.Fprintf(b, "%s[%d more bytes not shown]\n", prefix, n)
	}
	if cut > 0 {
		fmt.Fprintf(b, "%s[body cut at %d bytes by Config.MaxBody]\n", prefix, cut)
	}
}

// round returns d rounded for reading: to the millisecond, or the microsecond below 1ms.
func round(d time.Duration) time.Duration {
	if d < time.Millisecond {
		return d.Round(time.Microsecond)
	}
	return d.Round(time.Millisecond)
}

// sortedKeys returns h's names in order.
func sortedKeys(h http.Header) []string {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// shellQuote returns s single-quoted for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
