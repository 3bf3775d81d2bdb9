package scim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/tidwall/gjson"
)

// RecordedRequest is a request as sent, with its Authorization header redacted.
type RecordedRequest struct {
	Method string
	// URL is the full URL, query included, exactly as sent.
	URL string
	// Header holds the headers set by the client; the transport adds Host, Content-Length
	// and Accept-Encoding. Authorization is redacted, e.g. "Bearer [REDACTED]".
	Header http.Header
	Body   []byte
}

// RecordedResponse is a response as received. Header and Body are raw: a hostile server may
// echo secrets in them, so render them with Exchange.Redact.
type RecordedResponse struct {
	// Proto is e.g. "HTTP/1.1".
	Proto string
	// StatusCode is e.g. 201; 0 when no response arrived.
	StatusCode int
	// Status is e.g. "201 Created", with the server's reason phrase.
	Status string
	Header http.Header
	// Body holds at most Config.MaxBody bytes, gzip already decoded; a complete body of 64 KiB
	// or more of valid JSON without its white space outside strings (see Compacted).
	Body []byte
	// Truncated reports that the body was longer than Config.MaxBody (or declared so in its
	// Content-Length). Body then keeps only its first 64 KiB, what a transcript shows, and
	// is never judged as JSON.
	Truncated bool
	// Cut is the cap the body was cut at (Config.MaxBody) when Truncated; else 0.
	Cut int64
	// Uncompressed reports that the body arrived gzip-encoded and was decoded.
	Uncompressed bool
	// Compacted counts the bytes of white space outside strings that were taken out of a body
	// of 64 KiB or more of valid JSON; 0 when none were.
	Compacted int
}

// Retry is one 429 answer that Do waited after and retried.
type Retry struct {
	// RetryAfter is the raw Retry-After header, "" when absent.
	RetryAfter string
	// Wait is how long Do waited before the next attempt.
	Wait time.Duration
	// Duration is how long the 429 took to arrive.
	Duration time.Duration
}

// Exchange is one request and the response it got: what the harness checks and what it shows
// when a check fails. Its methods render nothing unredacted; its exported fields are raw data
// (only the request's Authorization header is redacted at the source).
type Exchange struct {
	Request  RecordedRequest
	Response RecordedResponse
	// Duration is the last attempt's time, from sending the request to its last body byte.
	Duration time.Duration
	// Attempts counts the requests sent: 1 plus len(Retries).
	Attempts int
	// Retries lists the 429 answers that were retried, oldest first.
	Retries []Retry
	// Err is the error Do returned, if any.
	Err error
	// GaveUp says why Do returned a 429 without the wait its Retry-After asked for (the wait
	// would outlast the context's deadline); "" when it did not.
	GaveUp string

	redactor *Redactor
	source   authSource
	mode     AuthMode
	curl     curlOptions

	parsed atomic.Pointer[parsedBody] // IsJSON and JSON's work on Response.Body, done once
}

// parsedBody is what IsJSON and JSON found in a response body: the steps ask about the same
// body many times.
type parsedBody struct {
	body  []byte // the Response.Body it describes (a new body is parsed again)
	valid bool
	// text is the body as a string, when valid: the same bytes, not a copy (a body may be
	// MaxBody long, and Response.Body is never modified in place once asked about).
	text string
	// tooDeep reports that the body nests deeper than MaxDepth: it was not parsed at all.
	tooDeep bool
}

// MaxDepth is how deep a response body may nest arrays and objects. SCIM bodies nest a few
// levels; a deeper one is hostile, and JSON validation recurses once a level, so it is refused
// before any parser sees it.
const MaxDepth = 512

// parse returns what the response body holds, parsing it on first use.
func (ex *Exchange) parse() *parsedBody {
	b := ex.Response.Body
	if p := ex.parsed.Load(); p != nil && sameSlice(p.body, b) {
		return p
	}
	p := &parsedBody{body: b}
	switch {
	case nestsDeeper(b, MaxDepth):
		p.tooDeep = true
	case ex.Response.Truncated: // a prefix that happens to be JSON is not the answer
	case len(bytes.TrimSpace(b)) > 0 && gjson.ValidBytes(b):
		p.valid, p.text = true, unsafe.String(&b[0], len(b))
	}
	ex.parsed.Store(p)
	return p
}

// nestsDeeper reports whether b opens more than limit arrays or objects at once, outside
// strings. It reads b once, without recursion or allocation; it does not validate.
func nestsDeeper(b []byte, limit int) bool {
	depth, inString, escaped := 0, false, false
	for _, c := range b {
		switch {
		case inString && escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case inString:
			inString = c != '"'
		case c == '"':
			inString = true
		case c == '[' || c == '{':
			if depth++; depth > limit {
				return true
			}
		case c == ']' || c == '}':
			depth--
		}
	}
	return false
}

// sameSlice reports whether a and b are the same bytes: the same array and length.
func sameSlice(a, b []byte) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

// compactMin is the least body size compact works on: smaller bodies are kept as they came.
const compactMin = renderMax

// compact takes the white space outside strings out of a complete response body of
// compactMin bytes or more that is valid JSON, so that the exchange holds the same JSON values
// in fewer bytes (a hostile target may pad every answer with megabytes of white space). It
// records how many bytes went in Response.Compacted; Transcript and Curl say so. Do calls it
// before it returns the exchange.
func (ex *Exchange) compact() {
	b := ex.Response.Body
	if len(b) < compactMin || ex.Response.Truncated || !ex.IsJSON() {
		return
	}
	var c bytes.Buffer
	c.Grow(len(b) / 4)
	if err := json.Compact(&c, b); err != nil || c.Len() == len(b) {
		return
	}
	body := bytes.Clone(c.Bytes()) // the buffer may be far larger than what it holds
	ex.Response.Compacted += len(b) - len(body)
	ex.Response.Body = body
	p := &parsedBody{body: body, valid: true}
	if len(body) > 0 {
		p.text = unsafe.String(&body[0], len(body))
	}
	ex.parsed.Store(p) // the old one holds the old body
}

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

// IsJSON reports whether the response body is one valid JSON value.
// Response.Body must not be modified in place once it has been asked about (assigning a new
// body is fine).
func (ex *Exchange) IsJSON() bool { return ex.parse().valid }

// TooDeep reports whether the response body nests arrays or objects deeper than MaxDepth;
// such a body is not parsed, and IsJSON reports false.
func (ex *Exchange) TooDeep() bool { return ex.parse().tooDeep }

// JSON returns the parsed response body, or the zero gjson.Result when it is not valid JSON.
// Values are raw: pass what you print through Redact.
func (ex *Exchange) JSON() gjson.Result {
	p := ex.parse()
	if !p.valid {
		return gjson.Result{}
	}
	return gjson.Parse(p.text)
}

// Redact returns s with the client's secrets replaced by Redacted.
func (ex *Exchange) Redact(s string) string { return ex.redactor.String(s) }

// RedactLong returns s with the forms of the client's secrets that Redactor.LongOnly keeps
// replaced: for text scimcheck writes itself (prose, JSON paths, expected values, request
// lines already redacted), which would hold a secret only through a bug, and where a short
// secret such as "t" would hit every word.
func (ex *Exchange) RedactLong(s string) string { return ex.redactor.LongOnly().String(s) }

// RequestLine returns the HTTP request line, e.g.
// "GET /scim/v2/Users?filter=userName%20eq%20%22a%40b.c%22&startIndex=1&count=100 HTTP/1.1".
func (ex *Exchange) RequestLine() string {
	uri := ex.Request.URL
	if u, err := url.Parse(ex.Request.URL); err == nil {
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
	b.WriteString("> " + ex.RequestLine() + "\n")
	if u, err := url.Parse(ex.Request.URL); err == nil {
		b.WriteString("> Host: " + ex.RedactLong(u.Host) + "\n")
	}
	// The request is scimcheck's own: only its credential is a secret at any length.
	req := ex.Request.Header.Clone()
	for k, vs := range req {
		for i, v := range vs {
			if k == "Authorization" {
				vs[i] = ex.Redact(v)
			} else {
				vs[i] = ex.RedactLong(v)
			}
		}
	}
	writeHeader(&b, "> ", req)
	if len(ex.Request.Body) > 0 {
		b.WriteString(">\n")
		writeBody(&b, "> ", []byte(ex.RedactLong(string(ex.Request.Body))), 0, 0)
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
	fmt.Fprintf(&b, "* %s in %s, %d attempt(s)\n", ex.Redact(ex.summary()), round(ex.Duration), ex.Attempts)
	return ex.redactor.LongOnly().String(b.String())
}

// summary returns the status, or the error when no response arrived.
func (ex *Exchange) summary() string {
	switch {
	case ex.Response.StatusCode == 0 && ex.Err != nil:
		return "no response: " + ex.Err.Error()
	case ex.Response.StatusCode == 0:
		return "no response"
	case ex.Err != nil:
		return ex.Response.Status + ", then " + ex.Err.Error()
	}
	return ex.Response.Status
}

// writeResponse writes the status line, headers and body, each line prefixed.
func (ex *Exchange) writeResponse(b *strings.Builder, prefix string) {
	r := ex.Response
	if r.StatusCode == 0 {
		b.WriteString(prefix + ex.Redact(ex.summary()) + "\n")
		return
	}
	proto := r.Proto
	if proto == "" {
		proto = "HTTP/1.1"
	}
	status := r.Status
	if status != strconv.Itoa(r.StatusCode)+" "+http.StatusText(r.StatusCode) {
		status = ex.Redact(status) // a reason phrase of the target's own
	}
	b.WriteString(prefix + proto + " " + status + "\n")
	writeHeader(b, prefix, ex.redactor.Header(r.Header))
	b.WriteString(strings.TrimRight(prefix, " ") + "\n")
	// Only what is shown is redacted (a body may be megabytes), with room for a secret that
	// starts before the end of what is shown.
	body, unseen := r.Body, 0
	if keep := renderMax + ex.redactor.longest(); len(body) > keep {
		body, unseen = body[:keep], len(body)-keep
	}
	writeBody(b, prefix, ex.redactor.Body(body), unseen, r.CutAt())
	if r.Uncompressed {
		b.WriteString(prefix + "[body was gzip-encoded; shown decoded]\n")
	}
	if r.Compacted > 0 {
		fmt.Fprintf(b, "%s[%d bytes of white space outside strings taken out of the body]\n", prefix, r.Compacted)
	}
}

// writeHeader writes h sorted by name, one "prefix Name: value" line per value.
func writeHeader(b *strings.Builder, prefix string, h http.Header) {
	for _, k := range sortedKeys(h) {
		for _, v := range h[k] {
			b.WriteString(prefix + k + ": " + v + "\n")
		}
	}
}

// CutAt returns where the body was cut: Cut when Truncated, else 0. A Truncated response built
// by hand without Cut was cut at its length.
func (r RecordedResponse) CutAt() int64 {
	switch {
	case !r.Truncated:
		return 0
	case r.Cut > 0:
		return r.Cut
	}
	return int64(len(r.Body))
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
	for _, line := range strings.Split(strings.ToValidUTF8(string(shown), "\uFFFD"), "\n") {
		b.WriteString(prefix + strings.TrimSuffix(line, "\r") + "\n")
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
