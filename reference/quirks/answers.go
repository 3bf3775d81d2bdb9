package quirks

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/scimcheck/scimcheck/reference"
)

// The answer quirks: deviations in the framing of an answer (its status, headers, encoding,
// layout) rather than in what the server does. The wire quirks among them are ones real
// servers ship and Okta's runtime accepts. The handler serves into a buffer, and the answer is
// rewritten on its way out.

// scimJSON is the media type of the server's JSON answers (RFC 7644 §3.1).
const scimJSON = "application/scim+json"

// Answers returns next with its answers rewritten by the answer quirks that are on; next
// itself when none is.
func (s *Set) Answers(next http.Handler) http.Handler {
	if !s.any(seams().answers...) {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := &bufferedAnswer{header: http.Header{}}
		next.ServeHTTP(b, r)
		s.statusQuirks(r, b)
		s.rewriteAnswer(w, r, b)
	})
}

// statusQuirks bends the status of a successful write: 200 for a create (create-returns-200),
// no body for a create (create-empty-body), 204 for a PATCH (patch-returns-204), 200 with a
// body for a group's DELETE (group-delete-returns-200).
func (s *Set) statusQuirks(r *http.Request, b *bufferedAnswer) {
	noBody := func() {
		b.body.Reset()
		b.header.Del("Content-Type")
		b.header.Del("Content-Length")
	}
	switch {
	case r.Method == http.MethodPost && b.status == http.StatusCreated:
		if s.has(reference.QuirkNoLocation) {
			b.header.Del("Location")
		}
		if s.has(reference.QuirkCreate200) {
			b.status = http.StatusOK
		}
		if s.has(reference.QuirkCreateEmptyBody) {
			noBody()
		}
	case r.Method == http.MethodPatch && b.status == http.StatusOK && s.has(reference.QuirkPatch204):
		b.status = http.StatusNoContent
		noBody()
	case r.Method == http.MethodDelete && b.status == http.StatusNoContent && s.has(reference.QuirkGroupDelete200):
		parts, _ := s.endpoint(r)
		if id, ok := resource(parts, "Groups"); ok {
			body, err := json.Marshal(map[string]any{"deleted": id})
			if err != nil {
				return
			}
			b.status = http.StatusOK
			b.header.Set("Content-Type", scimJSON)
			b.header.Set("Content-Length", strconv.Itoa(len(body)))
			b.body.Write(body)
		}
	}
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
func (s *Set) rewriteAnswer(w http.ResponseWriter, r *http.Request, b *bufferedAnswer) {
	q := s.on
	hdr := w.Header()
	for k, v := range b.header {
		hdr[k] = v
	}
	if q.Has(reference.QuirkETagUnsupported) {
		hdr.Del("ETag")
	}
	if q.Has(reference.QuirkNoWWWAuthenticate) {
		hdr.Del("WWW-Authenticate")
	}
	body := b.body.Bytes()
	isJSON := strings.HasPrefix(hdr.Get("Content-Type"), scimJSON)
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
