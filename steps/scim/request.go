package scim

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Request is one SCIM request to send with Client.Do.
type Request struct {
	// Method is the HTTP method; empty means GET.
	Method string
	// Path is relative to the base URL and may carry a query: "/Users?filter=…". A missing
	// leading slash is added; "//Users" is sent as given (Okta's trailing-slash variant). An
	// absolute http(s) URL (e.g. a meta.location) is used as is.
	Path string
	// RawQuery, when set, is appended to Path's query verbatim (no re-encoding, order kept).
	RawQuery string
	// Header is sent exactly as given. Nil means OktaHeaders(write), where write is true for
	// every method but GET and HEAD (Okta's DELETE carries a Content-Type, okta-wire §1.1).
	// A header absent from a non-nil Header is not sent, not even Go's default User-Agent.
	// It must not hold Authorization: use OmitAuth or RawAuth.
	Header http.Header
	// Body is sent as is; nil or empty sends no body.
	Body []byte
	// OmitAuth sends the request without an Authorization header (checklist §11.1).
	OmitAuth bool
	// RawAuth, when set, is sent verbatim as the Authorization header instead of the
	// configured credentials, e.g. "non-token" for the 401 check (okta-wire §1.4).
	RawAuth string
}

// authSource says where a request's Authorization header came from, for Curl.
type authSource int

const (
	authUnknown    authSource = iota // hand-built Exchange: render headers as recorded
	authConfigured                   // Config.Auth and Config.Secret
	authRaw                          // Request.RawAuth
	authOmitted                      // Request.OmitAuth or AuthNone
)

// OktaHeaders returns the headers Okta sends with every SCIM 2.0 request (okta-wire §1.1):
// Accept, Accept-Charset and User-Agent, plus Content-Type for a write request. Authorization
// is added by Do; Accept-Encoding, Host and Content-Length by the transport.
func (c *Client) OktaHeaders(write bool) http.Header {
	h := make(http.Header, 5) // room for Authorization
	h["Accept"] = []string{"application/scim+json"}
	h["Accept-Charset"] = []string{"utf-8"}
	h["User-Agent"] = []string{c.cfg.UserAgent}
	if write {
		h["Content-Type"] = []string{"application/scim+json; charset=utf-8"}
	}
	return h
}

// FilterQuery returns the query Okta sends to find a user before creating it (okta-wire
// §2.2), e.g. for ("userName", "test.user@okta.local", false):
//
//	filter=userName%20eq%20%22test.user%40okta.local%22&startIndex=1&count=100
//
// With plus true, spaces are encoded as "+" as in Okta's older captures:
//
//	filter=userName+eq+%22test.user%40okta.local%22&startIndex=1&count=100
//
// A `"` or `\` in value is escaped with a backslash as the SCIM filter grammar requires (RFC
// 7644 §3.4.2.2, JSON string rules); then everything but unreserved characters is
// percent-encoded.
func FilterQuery(attr, value string, plus bool) string {
	esc := filterEscaper.Replace(value)
	enc := url.QueryEscape(attr + ` eq "` + esc + `"`)
	if !plus {
		enc = strings.ReplaceAll(enc, "+", "%20") // a literal + is already %2B
	}
	return "filter=" + enc + "&startIndex=1&count=100"
}

// filterEscaper escapes a value for a quoted string of a filter.
var filterEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

// prepared is a Request resolved against a Client: what goes on the wire and what is recorded.
type prepared struct {
	method string
	url    string
	wire   http.Header // as sent, with the real Authorization
	record RecordedRequest
	source authSource
}

// prepare resolves r against c. Its errors are harness bugs (a malformed request), not target
// failures.
func (c *Client) prepare(r Request) (*prepared, error) {
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	if !validToken(method) {
		return nil, fmt.Errorf("request method %q is not an HTTP token", method)
	}
	target := r.Path
	if !strings.HasPrefix(target, "http://") && !strings.HasPrefix(target, "https://") {
		if !strings.HasPrefix(target, "/") {
			target = "/" + target
		}
		target = c.base + target
	}
	if r.RawQuery != "" {
		if strings.Contains(target, "?") {
			target += "&" + r.RawQuery
		} else {
			target += "?" + r.RawQuery
		}
	}
	if _, err := url.Parse(target); err != nil {
		return nil, redactError(c.redactor, fmt.Errorf("request URL %q: %w", target, err))
	}
	if r.OmitAuth && r.RawAuth != "" {
		return nil, errors.New("request sets both OmitAuth and RawAuth")
	}
	h := r.Header.Clone()
	if h == nil {
		h = c.OktaHeaders(method != http.MethodGet && method != http.MethodHead)
	}
	if _, ok := h["Authorization"]; ok {
		return nil, errors.New("request header must not set Authorization: use RawAuth or OmitAuth")
	}
	for k, vs := range h {
		bad := strings.ContainsAny(k, "\r\n\x00")
		for _, v := range vs {
			bad = bad || strings.ContainsAny(v, "\r\n\x00")
		}
		if bad {
			return nil, fmt.Errorf("request header %q holds a line break or NUL", k)
		}
	}
	if strings.ContainsAny(r.RawAuth, "\r\n\x00") {
		return nil, errors.New("request RawAuth holds a line break or NUL")
	}

	recorded := h.Clone()
	p := &prepared{method: method, url: target, wire: h} // h is this request's own copy
	switch {
	case r.RawAuth != "":
		p.source = authRaw
		p.wire.Set("Authorization", r.RawAuth)
		recorded.Set("Authorization", c.redactor.String(r.RawAuth))
	case r.OmitAuth || c.auth == "":
		p.source = authOmitted
	default:
		p.source = authConfigured
		p.wire.Set("Authorization", c.auth)
		recorded.Set("Authorization", c.authShown)
	}
	if _, ok := p.wire["User-Agent"]; !ok {
		p.wire["User-Agent"] = []string{""} // an empty value stops Go adding its own
	}
	p.record = RecordedRequest{Method: method, URL: target, Header: recorded, Body: bytes.Clone(r.Body)}
	return p, nil
}

// validToken reports whether s is a non-empty RFC 9110 token.
func validToken(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r > 0x7e || r <= ' ' || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, r) {
			return false
		}
	}
	return true
}
