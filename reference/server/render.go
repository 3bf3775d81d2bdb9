package server

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/scimcheck/scimcheck/reference"
	"github.com/scimcheck/scimcheck/reference/codec"
)

// MediaType is what the reference server labels its responses with (RFC 7644 §3.1).
const MediaType = "application/scim+json"

// Sizes of the buffers answers are encoded in: the first size of each, and the largest one
// kept for the next answer.
const (
	answerBuffer    = 4096
	maxPooledBuffer = 1 << 20
)

// writeJSON answers status with v as JSON, encoded in a buffer of h's pool.
func (h *Handler) writeJSON(w http.ResponseWriter, status int, v any) {
	buf := h.buffers.Get()
	b, err := codec.Append(*buf, v)
	defer h.buffers.Put(buf, b) // w.Write copies b: the buffer serves the next answer
	send(w, status, b, err)
}

// send answers status with the JSON b, or 500 when it could not be encoded (err).
func send(w http.ResponseWriter, status int, b []byte, err error) {
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"schemas":["` + reference.ErrorSchema + `"],"status":"500","detail":"internal error: response could not be encoded"}`)
	}
	w.Header().Set("Content-Type", MediaType)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeError renders err as a SCIM Error (RFC 7644 §3.12). Anything that is not a
// *reference.Error is a server fault: 500 with a generic detail.
func writeError(w http.ResponseWriter, err error) {
	e, ok := reference.AsError(err)
	if !ok {
		e = reference.Errorf(http.StatusInternalServerError, "", "internal error: %v", err)
	}
	body := map[string]any{
		"schemas": []string{reference.ErrorSchema},
		"status":  strconv.Itoa(e.Status),
		"detail":  e.Detail,
	}
	if e.ScimType != "" {
		body["scimType"] = e.ScimType
	}
	b, err := codec.Marshal(body)
	send(w, e.Status, b, err)
}

// readJSON decodes a request body that must be one JSON object. Errors: 413 over the size
// limit, 415 for a media type other than application/scim+json or application/json, 400
// invalidSyntax for anything that is not a JSON object.
func (h *Handler) readJSON(r *http.Request) (map[string]any, error) {
	if err := h.checkContentType(r); err != nil {
		return nil, err
	}
	raw, err := readBody(r)
	if err != nil {
		return nil, err
	}
	obj, err := decodeObject(raw)
	if err != nil {
		return nil, err
	}
	return obj, h.quirks.CheckBody(r.Method, obj)
}

// readBody reads the request body. Errors: 413 over the size limit, 400 when it cannot be read.
func readBody(r *http.Request) ([]byte, error) {
	raw, err := readAll(r.Body, r.ContentLength)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, reference.Errorf(http.StatusRequestEntityTooLarge, "", "request body exceeds the limit of %d bytes", tooBig.Limit)
		}
		return nil, reference.BadRequest(reference.ScimTypeInvalidSyntax, "could not read the request body: %v", err)
	}
	return raw, nil
}

// readAll is io.ReadAll, with the first buffer sized from the declared length (-1 when
// unknown) but never past 16 KiB: memory follows the bytes that arrive, not what a client
// claims it will send (the body reader enforces the limit).
func readAll(r io.Reader, length int64) ([]byte, error) {
	size := 512
	if length >= 0 {
		size = int(min(length, 16<<10)) + 1 // room for the read that reports io.EOF
	}
	b := bytes.NewBuffer(make([]byte, 0, size))
	_, err := b.ReadFrom(r) // grows as bytes arrive
	return b.Bytes(), err
}

func decodeObject(raw []byte) (map[string]any, error) {
	if len(strings.TrimSpace(string(raw))) == 0 {
		return nil, reference.BadRequest(reference.ScimTypeInvalidSyntax, "the request body is empty; a JSON object is required")
	}
	v, err := codec.Unmarshal(raw) // json.Unmarshal's value and error
	if err != nil {
		return nil, reference.BadRequest(reference.ScimTypeInvalidSyntax, "the request body is not valid JSON: %v", err)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, reference.BadRequest(reference.ScimTypeInvalidSyntax, "the request body must be a JSON object, got %s", reference.JSONType(v))
	}
	return obj, nil
}

func (h *Handler) checkContentType(r *http.Request) error {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return nil // lenient: Okta always labels its bodies, other clients may not
	}
	mt, ok := commonMediaType(ct)
	if !ok {
		var err error
		if mt, _, err = mime.ParseMediaType(ct); err != nil {
			return reference.Errorf(http.StatusUnsupportedMediaType, "", "unparseable Content-Type %q: send application/scim+json", ct)
		}
	}
	switch mt {
	case "application/scim+json", "application/json":
		return nil
	}
	return reference.Errorf(http.StatusUnsupportedMediaType, "", "Content-Type %q is not supported: send application/scim+json or application/json", mt)
}

// commonMediaType returns what mime.ParseMediaType makes of the Content-Types clients send
// most, to spare parsing them on every request; ok is false for any other.
func commonMediaType(ct string) (mt string, ok bool) {
	switch ct {
	case "application/scim+json", "application/scim+json; charset=utf-8", "application/scim+json;charset=utf-8":
		return "application/scim+json", true
	case "application/json", "application/json; charset=utf-8", "application/json;charset=utf-8":
		return "application/json", true
	}
	return "", false
}

// baseURL is the absolute URL of the SCIM base as the client addressed it.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if p := r.Header.Get("X-Forwarded-Proto"); p == "https" || p == "http" {
		scheme = p
	}
	return scheme + "://" + r.Host + BasePath
}

// present prepares a resource fresh from the store for the wire (see render) and applies the
// attributes / excludedAttributes projection. It modifies res, which the store made for this
// request alone.
func (h *Handler) present(r *http.Request, rt *reference.ResourceType, res reference.Resource, proj projection) reference.Resource {
	out := h.render(baseURL(r), rt, res)
	if rt.Name == "Group" {
		if _, ok := out["members"]; !ok && !proj.excludes("members") {
			out["members"] = []any{}
		}
	}
	return proj.apply(rt, out)
}

// render returns res in its wire form: schemas, meta.location, $ref on members and groups, no
// password (RFC 7643 §4.1.1: returned "never"). base is the absolute URL of the SCIM base. It
// modifies res and returns it.
func render(base string, rt *reference.ResourceType, res reference.Resource) reference.Resource {
	out := res
	schemas := []any{rt.Schema.ID}
	for _, ext := range rt.Extensions {
		if _, ok := out[ext.ID]; ok {
			schemas = append(schemas, ext.ID)
		}
	}
	out["schemas"] = schemas
	id, _ := out["id"].(string)
	if meta, ok := out["meta"].(map[string]any); ok {
		meta["location"] = base + rt.Endpoint + "/" + id
	}
	for _, attr := range []string{"members", "groups"} {
		list, _ := out[attr].([]any)
		for _, el := range list {
			m, _ := el.(map[string]any)
			if v, ok := m["value"].(string); ok {
				endpoint := "/Users/"
				if m["type"] == "Group" || attr == "groups" {
					endpoint = "/Groups/"
				}
				m["$ref"] = base + endpoint + v
			}
		}
	}
	delete(out, "password")
	return out
}

// etag returns the resource's meta.version, its entity tag.
func etag(res reference.Resource) string {
	meta, _ := res["meta"].(map[string]any)
	v, _ := meta["version"].(string)
	return v
}

// sameVersion compares entity tags weakly (RFC 7232 §2.3.2).
func sameVersion(a, b string) bool {
	strip := func(s string) string { return strings.TrimPrefix(strings.TrimSpace(s), "W/") }
	return strip(a) == strip(b)
}

// matchesAny reports whether header (a comma-separated If-Match / If-None-Match list) names
// version or is "*".
func matchesAny(header, version string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || sameVersion(t, version) {
			return true
		}
	}
	return false
}
