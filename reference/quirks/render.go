package quirks

import (
	"io"
	"net/http"
	"strconv"

	"github.com/scimcheck/scimcheck/reference"
)

// VendorExtension is the extension schema the vendor-extension quirk adds to every user, the
// way apps publish attributes of their own that Okta does not map.
const VendorExtension = "urn:example:params:scim:schemas:extension:acme:2.0:User"

// RenderFunc turns a resource fresh from the store into its wire form; base is the absolute
// URL of the SCIM base as the client addressed it. It may modify res and return it.
type RenderFunc = func(base string, rt *reference.ResourceType, res reference.Resource) reference.Resource

// Render returns render bent by the presentation quirks that are on: a relative
// meta.location, the password returned, active as a string, a vendor extension, empty arrays
// for unset multi-valued attributes, members with a value alone. render itself when none is.
func (s *Set) Render(render RenderFunc) RenderFunc {
	q := s.on
	if !s.any(reference.QuirkRelativeLocation, reference.QuirkPasswordReturned, reference.QuirkActiveAsString,
		reference.QuirkVendorExtension, reference.QuirkEmptyArrays, reference.QuirkMembersValueOnly) {
		return render
	}
	return func(base string, rt *reference.ResourceType, res reference.Resource) reference.Resource {
		password, hasPassword := res["password"]
		out := render(base, rt, res)
		if meta, ok := out["meta"].(map[string]any); ok && q.Has(reference.QuirkRelativeLocation) {
			id, _ := out["id"].(string)
			meta["location"] = s.cfg.BasePath + rt.Endpoint + "/" + id
		}
		if hasPassword && q.Has(reference.QuirkPasswordReturned) {
			out["password"] = password
		}
		if a, ok := out["active"].(bool); ok && q.Has(reference.QuirkActiveAsString) {
			out["active"] = strconv.FormatBool(a)
		}
		if rt.Name == "User" && q.Has(reference.QuirkVendorExtension) {
			out[VendorExtension] = map[string]any{"costCenter": "CC-4711", "seat": map[string]any{"floor": 3, "desk": "3-17"}}
			out["schemas"] = append(out["schemas"].([]any), VendorExtension)
		}
		if q.Has(reference.QuirkEmptyArrays) {
			unset := []string{"members"}
			if rt.Name == "User" {
				unset = []string{"groups", "roles", "entitlements", "ims", "photos", "x509Certificates", "addresses", "phoneNumbers"}
			}
			for _, name := range unset {
				if _, ok := out[name]; !ok {
					out[name] = []any{}
				}
			}
		}
		if rt.Name == "Group" && q.Has(reference.QuirkMembersValueOnly) {
			list, _ := out["members"].([]any)
			for i, el := range list {
				if m, ok := el.(map[string]any); ok {
					list[i] = map[string]any{"value": m["value"]}
				}
			}
		}
		return out
	}
}

// Errors returns write bent by the error quirks that are on: a text/plain body
// (non-json-errors), a 401 without a body (unauthorized-without-body). write itself when
// none is.
func (s *Set) Errors(write func(w http.ResponseWriter, err error)) func(w http.ResponseWriter, err error) {
	if !s.any(reference.QuirkNonJSONErrors, reference.Quirk401WithoutBody) {
		return write
	}
	return func(w http.ResponseWriter, err error) {
		e, isSCIM := reference.AsError(err)
		if isSCIM && e.Status == http.StatusUnauthorized && s.has(reference.Quirk401WithoutBody) {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if !s.has(reference.QuirkNonJSONErrors) {
			write(w, err)
			return
		}
		status, detail := http.StatusInternalServerError, "internal error"
		if isSCIM {
			status, detail = e.Status, e.Detail
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, "Error: "+detail)
	}
}

// WriteError writes err the way the server writes its errors, bent by the error quirks.
func (s *Set) WriteError(w http.ResponseWriter, err error) { s.Errors(s.cfg.WriteError)(w, err) }

// Authorize returns the server's credential check, or one that lets every request in
// (no-auth-check).
func (s *Set) Authorize(check func(*http.Request) bool) func(*http.Request) bool {
	if s.has(reference.QuirkNo401) {
		return func(*http.Request) bool { return true }
	}
	return check
}

// Unchanged returns the server's test for a write that changes nothing (and so keeps the
// version), or one that sees a change in every write (noop-patch-changes-version).
func (s *Set) Unchanged(same func(before, next reference.Resource) bool) func(before, next reference.Resource) bool {
	if s.has(reference.QuirkNoopChangesVersion) {
		return func(before, next reference.Resource) bool { return false }
	}
	return same
}

// Lax names the RFC 7643 §2.4 rules on multi-valued attributes a broken server does not
// enforce; the zero value enforces both.
type Lax struct {
	// ManyPrimaries keeps more than one value marked primary (multiple-primary-stored).
	ManyPrimaries bool
	// Duplicates keeps repeated (type, value) pairs (duplicate-values-stored).
	Duplicates bool
}

// Lax returns the rules on multi-valued attributes the quirks turn off.
func (s *Set) Lax() Lax {
	return Lax{ManyPrimaries: s.has(reference.QuirkTwoPrimaries), Duplicates: s.has(reference.QuirkDuplicateValues)}
}
