package server

import (
	"maps"
	"net/http"
	"reflect"
	"strings"
	"unicode"

	"github.com/scimcheck/scimcheck/reference"
	"github.com/scimcheck/scimcheck/reference/patch"
)

// get answers GET /Users/{id} and GET /Groups/{id}, honouring If-None-Match.
func (h *Handler) get(w http.ResponseWriter, r *http.Request, rt *reference.ResourceType, id string) {
	proj := requestProjection(r, rt)
	var res reference.Resource
	err := h.store.Tx(r.Context(), func(tx reference.Tx) error {
		var err error
		res, err = tx.Get(rt.Name, id, !proj.excludes("members"))
		return err
	})
	if err != nil {
		h.writeError(w, err)
		return
	}
	tag := etag(res)
	w.Header().Set("ETag", tag)
	if inm := r.Header.Get("If-None-Match"); inm != "" && matchesAny(inm, tag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.writeJSON(w, http.StatusOK, h.present(r, rt, res, proj))
}

// create answers POST /Users and POST /Groups: 201 with Location, ETag and the resource.
func (h *Handler) create(w http.ResponseWriter, r *http.Request, rt *reference.ResourceType) {
	body, err := h.readJSON(r)
	if err != nil {
		h.writeError(w, err)
		return
	}
	res, err := reference.NormalizeResource(rt, body)
	if err != nil {
		h.writeError(w, err)
		return
	}
	if err := checkRequired(rt, res); err != nil {
		h.writeError(w, err)
		return
	}
	if err := h.checkValues(res); err != nil {
		h.writeError(w, err)
		return
	}
	var created reference.Resource
	err = h.store.Tx(r.Context(), func(tx reference.Tx) error {
		var err error
		created, err = tx.Create(rt.Name, "", res)
		return err
	})
	if err != nil {
		h.writeError(w, err)
		return
	}
	out := h.present(r, rt, created, requestProjection(r, rt))
	w.Header().Set("Location", baseURL(r)+rt.Endpoint+"/"+str(created["id"]))
	w.Header().Set("ETag", etag(created))
	h.writeJSON(w, http.StatusCreated, out)
}

// checkRequired returns 400 invalidValue when a required attribute (userName, a Group's
// displayName) is missing, only white space, or holds a control character: such a name
// cannot be told apart from another when printed, and Okta never sends one.
func checkRequired(rt *reference.ResourceType, res reference.Resource) error {
	for _, a := range rt.Schema.Attributes {
		if !a.Required {
			continue
		}
		v, ok := res[a.Name]
		if !ok {
			return reference.BadRequest(reference.ScimTypeInvalidValue, "%q is required for a %s and is missing or empty", a.Name, rt.Name)
		}
		s, _ := v.(string)
		switch {
		case s != "" && strings.TrimSpace(s) == "":
			return reference.BadRequest(reference.ScimTypeInvalidValue, "%q is only white space (%q): a %s needs a name that can be read", a.Name, s, rt.Name)
		case strings.IndexFunc(s, unicode.IsControl) >= 0:
			return reference.BadRequest(reference.ScimTypeInvalidValue, "%q holds a control character (%q): a %s name must be printable text", a.Name, s, rt.Name)
		}
	}
	return nil
}

// precondition checks If-Match against the current version: 412 when it does not match.
func (h *Handler) precondition(r *http.Request, current reference.Resource) error {
	im := r.Header.Get("If-Match")
	if im == "" || matchesAny(im, etag(current)) {
		return nil
	}
	return reference.Errorf(http.StatusPreconditionFailed, "", "If-Match %s does not match the current version %s: the resource changed since you read it", im, etag(current))
}

// replace answers PUT: a full replace in which read-only attributes echoed back are ignored.
func (h *Handler) replace(w http.ResponseWriter, r *http.Request, rt *reference.ResourceType, id string) {
	body, err := h.readJSON(r)
	if err != nil {
		h.writeError(w, err)
		return
	}
	res, err := reference.NormalizeResource(rt, body)
	if err != nil {
		h.writeError(w, err)
		return
	}
	if err := checkRequired(rt, res); err != nil {
		h.writeError(w, err)
		return
	}
	if err := h.checkValues(res); err != nil {
		h.writeError(w, err)
		return
	}
	h.write(w, r, rt, id, func(current reference.Resource) (reference.Resource, error) {
		// password is write-only: a GET never returns it, so a read-modify-write PUT cannot carry
		// it back. Keep the stored one unless the PUT sets a new one.
		if pw, ok := current["password"]; ok {
			if _, sent := res["password"]; !sent {
				res["password"] = pw
			}
		}
		h.quirks.Put(rt, current, res)
		return res, nil
	})
}

// patch answers PATCH (RFC 7644 §3.5.2): atomic, 200 with the resource.
func (h *Handler) patch(w http.ResponseWriter, r *http.Request, rt *reference.ResourceType, id string) {
	if err := h.checkContentType(r); err != nil {
		h.writeError(w, err)
		return
	}
	raw, err := readBody(r)
	if err != nil {
		h.writeError(w, err)
		return
	}
	ops, err := patch.Parse(raw)
	if err != nil {
		h.writeError(w, err)
		return
	}
	if err := h.quirks.CheckPatch(rt, ops); err != nil {
		h.writeError(w, err)
		return
	}
	h.write(w, r, rt, id, func(current reference.Resource) (reference.Resource, error) {
		next, err := h.apply(current, ops, rt)
		if err != nil {
			return nil, err
		}
		if err := checkRequired(rt, next); err != nil {
			return nil, err
		}
		return next, h.checkValues(next)
	})
}

// write runs a read-modify-write of resource id in one transaction: it loads the current
// state, checks If-Match, asks change for the new state (change must not modify current) and
// stores it, then answers 200 with the resource. A new state equal to the current one, meta
// aside, is not written: no new version.
func (h *Handler) write(w http.ResponseWriter, r *http.Request, rt *reference.ResourceType, id string,
	change func(current reference.Resource) (reference.Resource, error)) {
	var stored reference.Resource
	err := h.store.Tx(r.Context(), func(tx reference.Tx) error {
		current, err := tx.Get(rt.Name, id, true)
		if err != nil {
			return err
		}
		if err := h.precondition(r, current); err != nil {
			return err
		}
		next, err := change(current) // change reads current and never modifies it
		if err != nil {
			return err
		}
		if h.unchanged(current, next) {
			// No modification, so no new version (RFC 7644 §3.5.2.1, §3.14): Okta re-adds
			// the members it has just pushed with every membership push.
			stored = current
			return nil
		}
		stored, err = tx.Replace(rt.Name, id, next)
		return err
	})
	if err != nil {
		h.writeError(w, err)
		return
	}
	w.Header().Set("ETag", etag(stored))
	proj := requestProjection(r, rt)
	h.writeJSON(w, http.StatusOK, h.present(r, rt, stored, proj))
}

// delete answers DELETE with 204. Okta never deletes users; other clients do.
func (h *Handler) delete(w http.ResponseWriter, r *http.Request, rt *reference.ResourceType, id string) {
	err := h.store.Tx(r.Context(), func(tx reference.Tx) error {
		// Without If-Match the DELETE itself finds out whether the resource exists; If-Match
		// needs only the version.
		if r.Header.Get("If-Match") != "" {
			version, err := tx.Version(rt.Name, id)
			if err != nil {
				return err
			}
			current := reference.Resource{"meta": map[string]any{"version": version}}
			if err := h.precondition(r, current); err != nil {
				return err
			}
		}
		return tx.Delete(rt.Name, id)
	})
	if err != nil {
		h.writeError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func str(v any) string { s, _ := v.(string); return s }

// unchanged reports whether next holds the same attributes as before, meta aside.
func unchanged(before, next reference.Resource) bool {
	a, b := maps.Clone(before), maps.Clone(next)
	delete(a, "meta")
	delete(b, "meta")
	return reflect.DeepEqual(a, b)
}

// checkValues enforces RFC 7643 §2.4 on the multi-valued attributes of res: "primary": true
// marks at most one value of an attribute (400 invalidValue otherwise), and a repeated
// (type, value) pair is stored once. h.lax says which rule a quirk turns off.
func (h *Handler) checkValues(res reference.Resource) error {
	for name, v := range res {
		list, ok := v.([]any)
		if !ok {
			continue
		}
		primaries := 0
		seen := map[[2]string]bool{}
		kept := list[:0:0]
		for _, el := range list {
			m, ok := el.(map[string]any)
			if !ok {
				kept = append(kept, el)
				continue
			}
			if m["primary"] == true {
				primaries++
			}
			value, isString := m["value"].(string)
			key := [2]string{strings.ToLower(str(m["type"])), strings.ToLower(value)}
			if isString && name != "members" && seen[key] && !h.lax.Duplicates {
				continue
			}
			seen[key] = true
			kept = append(kept, el)
		}
		if primaries > 1 && !h.lax.ManyPrimaries {
			return reference.BadRequest(reference.ScimTypeInvalidValue,
				"%s: %d values are marked primary, and at most one may be (RFC 7643 §2.4)", name, primaries)
		}
		res[name] = kept
	}
	return nil
}
