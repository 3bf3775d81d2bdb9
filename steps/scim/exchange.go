package scim

import (
	"bytes"
	"encoding/json"
	"net/http"
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
