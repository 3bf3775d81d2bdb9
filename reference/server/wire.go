package server

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/scimcheck/scimcheck/reference"
)

// The wire quirks: deviations in the framing of an answer (its headers, its encoding, its
// layout) rather than in what the server does. Each is one that real servers ship and Okta's
// runtime accepts. The handler serves into a buffer and rewrites the answer on its way out.

// wireQuirks lists the quirks rewriteAnswer applies.
var wireQuirks = []reference.Quirk{
	reference.QuirkNoLocation, reference.QuirkETagUnsupported, reference.QuirkNoWWWAuthenticate,
	reference.QuirkJSONResponses, reference.QuirkErrorStatusNumber, reference.QuirkPrettyJSON, reference.QuirkGzip,
}

// rewritesAnswers reports whether a wire quirk is on, so that answers go through a buffer.
func (h *Handler) rewritesAnswers() bool {
	for _, q := range wireQuirks {
		if h.opts.Quirks.Has(q) {
			return true
		}
	}
	return false
}

// bufferedAnswer is an http.ResponseWriter that keeps the answer for rewriteAnswer.
type bufferedAnswer struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedAnswer) Header() http.Header { return b.header }

func (b *bufferedAnswer) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}

func (b *bufferedAnswer) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}

// rewriteAnswer sends the buffered answer b to w, bent by the wire quirks that are on.
func (h *Handler) rewriteAnswer(w http.ResponseWriter, r *http.Request, b *bufferedAnswer) {
	q := h.opts.Quirks
	hdr := w.Header()
	for k, v := range b.header {
		hdr[k] = v
	}
	if q.Has(reference.QuirkNoLocation) && b.status == http.StatusCreated {
		hdr.Del("Location")
	}
	if q.Has(reference.QuirkETagUnsupported) {
		hdr.Del("ETag")
	}
	if q.Has(reference.QuirkNoWWWAuthenticate) {
		hdr.Del("WWW-Authenticate")
	}
	body := b.body.Bytes()
	isJSON := strings.HasPrefix(hdr.Get("Content-Type"), MediaType)
	if isJSON && len(body) > 0 {
		if q.Has(reference.QuirkErrorStatusNumber) && b.status >= 400 {
			body = numericStatus(body)
		}
		if q.Has(reference.QuirkPrettyJSON) {
			var out bytes.Buffer
			if json.Indent(&out, body, "", "    ") == nil {
				body = append(out.Bytes(), '\n')
			}
		}
		if q.Has(reference.QuirkJSONResponses) {
			hdr.Set("Content-Type", "application/json;charset=UTF-8")
		}
	}
	if q.Has(reference.QuirkGzip) && len(body) > 0 && acceptsGzip(r) {
		var out bytes.Buffer
		zw := gzip.NewWriter(&out)
		_, _ = zw.Write(body)
		_ = zw.Close()
		body = out.Bytes()
		hdr.Set("Content-Encoding", "gzip")
		hdr.Add("Vary", "Accept-Encoding")
	}
	if len(body) > 0 || hdr.Get("Content-Length") != "" {
		hdr.Set("Content-Length", strconv.Itoa(len(body)))
	}
	status := b.status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// numericStatus turns the string status of a SCIM Error body into a JSON number, as servers
// following Okta's doc examples do; any other body is returned unchanged.
func numericStatus(body []byte) []byte {
	var e map[string]any
	if json.Unmarshal(body, &e) != nil {
		return body
	}
	s, ok := e["status"].(string)
	n, err := strconv.Atoi(s)
	if !ok || err != nil {
		return body
	}
	e["status"] = n
	out, err := json.Marshal(e)
	if err != nil {
		return body
	}
	return out
}

// acceptsGzip reports whether the request's Accept-Encoding names gzip.
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(name, "gzip") {
			return true
		}
	}
	return false
}
