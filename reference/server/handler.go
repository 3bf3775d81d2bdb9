// Package server is the HTTP face of the reference SCIM 2.0 service provider: NewHandler
// serves /scim/v2 from any reference.Store, and Start runs it on a loopback port over the
// SQLite store for tests and the harness. Its handlers are the model of correct; package
// quirks bends them, at the seams NewHandler assembles, into the servers that break.
package server

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"github.com/scimcheck/scimcheck/reference"
	"github.com/scimcheck/scimcheck/reference/codec"
	"github.com/scimcheck/scimcheck/reference/filter"
	"github.com/scimcheck/scimcheck/reference/patch"
	"github.com/scimcheck/scimcheck/reference/quirks"
)

// BasePath is where the reference server serves SCIM.
const BasePath = "/scim/v2"

// Defaults for Options.
const (
	DefaultMaxBodyBytes = 1 << 20
	DefaultMaxPageSize  = 1000
)

// Options configure a Handler.
type Options struct {
	// Token is the bearer token clients must send as "Authorization: Bearer <Token>". Empty
	// disables bearer authentication (only useful together with Basic).
	Token string
	// Basic, "user:pass", additionally accepts HTTP Basic authentication.
	Basic string
	// MaxBodyBytes bounds request bodies; larger ones get 413. Default 1 MiB.
	MaxBodyBytes int64
	// MaxPageSize is the largest count a list request is answered with (filter.maxResults in
	// /ServiceProviderConfig). Default 1000; Okta pages by 100.
	MaxPageSize int
	// Log receives one line per request at info level (method, path, query, status,
	// duration; see NewLogger), never a credential. Nil logs nothing.
	Log *slog.Logger
	// Quirks switch on deliberate defects (see reference.Quirks); the zero value is correct.
	Quirks reference.Quirks
}

// Handler serves the SCIM API from a store. Create it with NewHandler.
type Handler struct {
	store   reference.Store // behind the store quirks
	opts    Options
	schemas *reference.Schemas
	quirks  *quirks.Set
	buffers *codec.Buffers // what answers are encoded in

	// The seams at which package quirks bends the server. Each is the correct behaviour
	// when no quirk is on.
	answer      http.Handler                     // serve, behind the answer quirks
	api         http.Handler                     // route, behind the request quirks
	authorize   func(r *http.Request) bool       // authorized
	writeError  func(http.ResponseWriter, error) // writeError
	render      quirks.RenderFunc                // render
	apply       quirks.ApplyFunc                 // patch.Apply
	parseFilter quirks.FilterFunc                // filter.Parse
	unchanged   func(before, next reference.Resource) bool
	lax         quirks.Lax // the RFC 7643 §2.4 rules checkValues does not enforce: none
}

// NewHandler returns an http.Handler serving SCIM 2.0 under /scim/v2 from st.
func NewHandler(st reference.Store, opts Options) *Handler {
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.MaxPageSize <= 0 {
		opts.MaxPageSize = DefaultMaxPageSize
	}
	q := quirks.New(quirks.Config{Quirks: opts.Quirks, BasePath: BasePath, MaxPageSize: opts.MaxPageSize, WriteError: writeError})
	h := &Handler{
		store:       q.Store(st),
		opts:        opts,
		schemas:     reference.NewSchemas(),
		quirks:      q,
		buffers:     codec.NewBuffers(answerBuffer, maxPooledBuffer),
		writeError:  q.Errors(writeError),
		render:      q.Render(render),
		apply:       q.Apply(patch.Apply),
		parseFilter: q.Filter(filter.Parse),
		unchanged:   q.Unchanged(unchanged),
		lax:         q.Lax(),
	}
	h.authorize = q.Authorize(h.authorized)
	h.api = q.Requests(st, http.HandlerFunc(h.route))
	h.answer = q.Answers(http.HandlerFunc(h.serve))
	return h
}

// statusWriter records the status and the bytes written for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// ServeHTTP authenticates, routes and answers one request. A panic is recovered into a 500
// SCIM error; the server keeps serving.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	sw := &statusWriter{ResponseWriter: w}
	defer func() {
		if p := recover(); p != nil {
			if h.opts.Log != nil {
				h.opts.Log.Error("panic serving request", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			}
			if sw.status == 0 {
				writeError(sw, reference.Errorf(500, "", "internal error: the reference server failed on this request; it keeps serving"))
			}
		}
		logRequest(h.opts.Log, r, sw, start)
	}()
	h.answer.ServeHTTP(sw, r)
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(cleanPath(r.URL.Path), BasePath)
	if !ok || (rest != "" && rest[0] != '/') {
		h.writeError(w, reference.NotFound("no SCIM endpoint at %q: the base URL is %s", r.URL.Path, BasePath))
		return
	}
	if !h.authorize(r) {
		h.unauthorized(w, r)
		return
	}
	if r.Body == nil { // an in-process caller's hand-made request
		r.Body = http.NoBody
	}
	r.Body = http.MaxBytesReader(w, r.Body, h.opts.MaxBodyBytes)
	h.api.ServeHTTP(w, r)
}

// cleanPath collapses doubled slashes; a trailing slash is trimmed by the router.
// credentialParam reports whether a query parameter named name (any case) may carry a credential.
func credentialParam(name string) bool {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "access_token", "token", "id_token", "refresh_token", "api_key", "apikey", "api-key", "key",
		"password", "passwd", "pwd", "secret", "client_secret", "code", "auth", "authorization", "sig", "signature":
		return true
	}
	return false
}

// redactQuery returns raw with the value of every credential-like parameter (access_token,
// api_key, password, …, in any case) replaced by "[REDACTED]"; the other parameters, their
// order and their encoding are kept as sent.
func redactQuery(raw string) string {
	if raw == "" {
		return ""
	}
	pairs := strings.Split(raw, "&")
	for i, p := range pairs {
		k, _, hasValue := strings.Cut(p, "=")
		name, err := url.QueryUnescape(k)
		if err != nil {
			name = k
		}
		if hasValue && credentialParam(name) {
			pairs[i] = k + "=[REDACTED]"
		}
	}
	return strings.Join(pairs, "&")
}

func cleanPath(p string) string {
	for strings.Contains(p, "//") {
		p = strings.ReplaceAll(p, "//", "/")
	}
	return p
}

func (h *Handler) authorized(r *http.Request) bool {
	got := r.Header.Get("Authorization")
	if got == "" {
		return false
	}
	scheme, cred, _ := strings.Cut(got, " ")
	cred = strings.TrimSpace(cred)
	switch {
	case strings.EqualFold(scheme, "Bearer") && h.opts.Token != "":
		return sameSecret([]byte(cred), h.opts.Token)
	case strings.EqualFold(scheme, "Basic") && h.opts.Basic != "":
		raw, err := base64.StdEncoding.DecodeString(cred)
		return err == nil && sameSecret(raw, h.opts.Basic)
	}
	return false
}

// sameSecret compares in constant time. It compares SHA-256 digests, because
// subtle.ConstantTimeCompare returns at once when the lengths differ and so tells the length.
func sameSecret(got []byte, want string) bool {
	g, w := sha256.Sum256(got), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(g[:], w[:]) == 1
}

func (h *Handler) unauthorized(w http.ResponseWriter, r *http.Request) {
	sent := r.Header.Get("Authorization") != ""
	if h.opts.Token != "" {
		// RFC 6750 §3.1: no error code when the request carried no credentials at all.
		challenge := `Bearer realm="scimcheck"`
		if sent {
			challenge += `, error="invalid_token"`
		}
		w.Header().Add("WWW-Authenticate", challenge)
	}
	if h.opts.Basic != "" {
		w.Header().Add("WWW-Authenticate", `Basic realm="scimcheck"`)
	}
	detail := "missing credentials: send Authorization: Bearer <token>"
	if sent {
		detail = "invalid credentials: the Authorization header does not carry a valid token"
	}
	h.writeError(w, reference.Errorf(http.StatusUnauthorized, "", "%s", detail))
}

// route dispatches on the path below the base.
func (h *Handler) route(w http.ResponseWriter, r *http.Request) {
	rest := strings.Trim(strings.TrimPrefix(cleanPath(r.URL.Path), BasePath), "/")
	parts := strings.Split(rest, "/")
	if rest == "" {
		parts = nil
	}
	allow := func(methods ...string) bool {
		for _, m := range methods {
			if r.Method == m {
				return true
			}
		}
		w.Header().Set("Allow", strings.Join(methods, ", "))
		h.writeError(w, reference.Errorf(http.StatusMethodNotAllowed, "", "%s is not allowed on %s; allowed: %s", r.Method, r.URL.Path, strings.Join(methods, ", ")))
		return false
	}
	if len(parts) == 0 {
		h.writeError(w, reference.NotFound("no resource named: try %s/Users or %s/Groups", BasePath, BasePath))
		return
	}
	var rt *reference.ResourceType
	switch strings.ToLower(parts[0]) {
	case "users":
		rt = h.schemas.User
	case "groups":
		rt = h.schemas.Group
	case "serviceproviderconfig":
		if len(parts) == 1 && allow(http.MethodGet) {
			h.serviceProviderConfig(w, r)
		} else if len(parts) > 1 {
			h.writeError(w, reference.NotFound("no such endpoint %q", r.URL.Path))
		}
		return
	case "resourcetypes":
		if len(parts) <= 2 && allow(http.MethodGet) {
			h.resourceTypes(w, r, parts[1:])
		} else if len(parts) > 2 {
			h.writeError(w, reference.NotFound("no such endpoint %q", r.URL.Path))
		}
		return
	case "schemas":
		if len(parts) <= 2 && allow(http.MethodGet) {
			h.schemaList(w, r, parts[1:])
		} else if len(parts) > 2 {
			h.writeError(w, reference.NotFound("no such endpoint %q", r.URL.Path))
		}
		return
	case "bulk", "me", ".search":
		h.writeError(w, reference.Errorf(http.StatusNotImplemented, "", "%s is not supported by this server (see /ServiceProviderConfig)", parts[0]))
		return
	default:
		h.writeError(w, reference.NotFound("no SCIM endpoint %q: this server serves /Users, /Groups, /ServiceProviderConfig, /ResourceTypes and /Schemas", r.URL.Path))
		return
	}
	switch {
	case len(parts) == 1:
		if allow(http.MethodGet, http.MethodPost) {
			if r.Method == http.MethodGet {
				h.list(w, r, rt)
			} else {
				h.create(w, r, rt)
			}
		}
	case len(parts) == 2 && parts[1] == ".search":
		h.writeError(w, reference.Errorf(http.StatusNotImplemented, "", "POST .search is not supported by this server; use GET with filter"))
	case len(parts) == 2:
		if allow(http.MethodGet, http.MethodPut, http.MethodPatch, http.MethodDelete) {
			id := parts[1]
			switch r.Method {
			case http.MethodGet:
				h.get(w, r, rt, id)
			case http.MethodPut:
				h.replace(w, r, rt, id)
			case http.MethodPatch:
				h.patch(w, r, rt, id)
			case http.MethodDelete:
				h.delete(w, r, rt, id)
			}
		}
	default:
		h.writeError(w, reference.NotFound("no such endpoint %q", r.URL.Path))
	}
}
