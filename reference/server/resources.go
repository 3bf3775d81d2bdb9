package server

import (
	"errors"
	"maps"
	"math/rand/v2"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/scimcheck/scimcheck/reference"
	"github.com/scimcheck/scimcheck/reference/patch"
)

// get answers GET /Users/{id} and GET /Groups/{id}, honouring If-None-Match.
func (h *Handler) get(w http.ResponseWriter, r *http.Request, rt *reference.ResourceType, id string) {
	proj := parseProjection(rt, r.URL.Query().Get("attributes"), r.URL.Query().Get("excludedAttributes"))
	var res reference.Resource
	err := h.store.Tx(r.Context(), func(tx reference.Tx) error {
		var err error
		res, err = tx.Get(rt.Name, id, !proj.excludes("members"))
		return err
	})
	if err != nil {
		h.writeError(w, h.unknownIDQuirk(err))
		return
	}
	if rt.Name == "User" && res["active"] == false && h.opts.Quirks.Has(reference.QuirkInactiveUser404) {
		h.writeError(w, reference.NotFound("User %q not found", id))
		return
	}
	tag := h.etag(res)
	w.Header().Set("ETag", tag)
	if inm := r.Header.Get("If-None-Match"); inm != "" && matchesAny(inm, tag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	writeJSON(w, http.StatusOK, h.present(r, rt, res, proj))
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
		switch q := h.opts.Quirks; {
		case q.Has(reference.QuirkNo409OnDuplicate):
			created, err = createDuplicate(tx, rt.Name, res)
		case q.Has(reference.QuirkUserNameCaseSensitive) && rt.Name == "User":
			created, err = createCaseSensitive(tx, rt, res)
		case q.Has(reference.QuirkNumericIDs):
			created, err = tx.Create(rt.Name, numericID(), res)
		default:
			created, err = tx.Create(rt.Name, "", res)
		}
		return err
	})
	if err != nil {
		h.writeError(w, err)
		return
	}
	out := h.present(r, rt, created, parseProjection(rt, r.URL.Query().Get("attributes"), r.URL.Query().Get("excludedAttributes")))
	w.Header().Set("Location", baseURL(r)+rt.Endpoint+"/"+str(created["id"]))
	w.Header().Set("ETag", h.etag(created))
	status := http.StatusCreated
	if h.opts.Quirks.Has(reference.QuirkCreate200) {
		status = http.StatusOK
	}
	if h.opts.Quirks.Has(reference.QuirkCreateEmptyBody) {
		w.WriteHeader(status)
		return
	}
	writeJSON(w, status, out)
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
	if im == "" || matchesAny(im, h.etag(current)) {
		return nil
	}
	return reference.Errorf(http.StatusPreconditionFailed, "", "If-Match %s does not match the current version %s: the resource changed since you read it", im, h.etag(current))
}

// replace answers PUT: a full replace in which read-only attributes echoed back are ignored.
func (h *Handler) replace(w http.ResponseWriter, r *http.Request, rt *reference.ResourceType, id string) {
	q := h.opts.Quirks
	body, err := h.readJSON(r)
	if err != nil {
		h.writeError(w, err)
		return
	}
	if q.Has(reference.QuirkPutRejectsReadOnly) {
		for _, k := range []string{"id", "meta", "groups"} {
			if _, ok := body[k]; ok {
				h.writeError(w, reference.BadRequest(reference.ScimTypeMutability, "attribute %q is read-only", k))
				return
			}
		}
	}
	if err := h.emptyValueQuirk(body); err != nil {
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
		if q.Has(reference.QuirkPutDropsNewAttributes) {
			for k := range res {
				if _, had := current[k]; !had {
					delete(res, k)
				}
			}
		}
		putQuirks(rt, current, res, q)
		return res, nil
	}, http.StatusOK)
}

// patch answers PATCH (RFC 7644 §3.5.2): atomic, 200 with the resource.
func (h *Handler) patch(w http.ResponseWriter, r *http.Request, rt *reference.ResourceType, id string) {
	q := h.opts.Quirks
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
	if err := h.patchQuirks(rt, ops); err != nil {
		h.writeError(w, err)
		return
	}
	status := http.StatusOK
	if q.Has(reference.QuirkPatch204) {
		status = http.StatusNoContent
	}
	h.write(w, r, rt, id, func(current reference.Resource) (reference.Resource, error) {
		ops := slices.Clone(ops) // the quirks below rewrite operations; keep the parsed ones intact
		if q.Has(reference.QuirkMembersReplaceIgnored) {
			ops = dropOps(ops, func(op patch.Operation) bool {
				return strings.EqualFold(op.Op, "replace") && strings.EqualFold(op.Path, "members")
			})
		}
		if q.Has(reference.QuirkRemoveAllMembers) {
			for i, op := range ops {
				if strings.EqualFold(op.Op, "remove") && strings.HasPrefix(strings.ToLower(op.Path), "members[") {
					ops[i].Path = "members"
				}
			}
		}
		if rt.Name == "Group" && (q.Has(reference.QuirkRemoveNonMemberError) || q.Has(reference.QuirkMemberAddDuplicates)) {
			if err := memberQuirks(rt, current, ops, q); err != nil {
				return nil, err
			}
		}
		if rt.Name == "Group" && q.Has(reference.QuirkUnchangedNameConflict) {
			if err := unchangedNameQuirk(current, ops); err != nil {
				return nil, err
			}
		}
		next, err := patch.Apply(current, ops, rt)
		if err != nil {
			return nil, err
		}
		if q.Has(reference.QuirkPatchActiveIgnored) {
			restore(next, current, "active")
		}
		if q.Has(reference.QuirkRenameIgnored) && rt.Name == "Group" {
			restore(next, current, "displayName")
		}
		if err := checkRequired(rt, next); err != nil {
			return nil, err
		}
		return next, h.checkValues(next)
	}, status)
}

// write runs a read-modify-write of resource id in one transaction: it loads the current
// state, checks If-Match, asks change for the new state (change must not modify current),
// enforces the userName quirk and stores it, then answers status with the resource (204: no
// body). A new state equal to the current one, meta aside, is not written: no new version.
func (h *Handler) write(w http.ResponseWriter, r *http.Request, rt *reference.ResourceType, id string,
	change func(current reference.Resource) (reference.Resource, error), status int) {
	var stored reference.Resource
	notSaved := rt.Name == "User" && r.Method == http.MethodPut && h.opts.Quirks.Has(reference.QuirkPutNotSaved)
	err := h.store.Tx(r.Context(), func(tx reference.Tx) error {
		current, err := tx.Get(rt.Name, id, true)
		if err != nil {
			return h.unknownIDQuirk(err)
		}
		if err := h.precondition(r, current); err != nil {
			return err
		}
		next, err := change(current) // change reads current and never modifies it
		if err != nil {
			return err
		}
		if unchanged(current, next) && !h.opts.Quirks.Has(reference.QuirkNoopChangesVersion) {
			// No modification, so no new version (RFC 7644 §3.5.2.1, §3.14): Okta re-adds
			// the members it has just pushed with every membership push.
			stored = current
			return nil
		}
		if rt.Name == "User" && h.opts.Quirks.Has(reference.QuirkUserNameChangeRejected) &&
			!strings.EqualFold(str(next["userName"]), str(current["userName"])) {
			return reference.BadRequest(reference.ScimTypeMutability, "userName cannot be changed")
		}
		stored, err = tx.Replace(rt.Name, id, next)
		if err == nil && notSaved {
			return errRollBack // answer as if stored, but keep the old state
		}
		return err
	})
	if err != nil && !errors.Is(err, errRollBack) {
		h.writeError(w, err)
		return
	}
	w.Header().Set("ETag", h.etag(stored))
	if status == http.StatusNoContent {
		w.WriteHeader(status)
		return
	}
	proj := parseProjection(rt, r.URL.Query().Get("attributes"), r.URL.Query().Get("excludedAttributes"))
	writeJSON(w, status, h.present(r, rt, stored, proj))
}

// delete answers DELETE with 204. Okta never deletes users; other clients do.
func (h *Handler) delete(w http.ResponseWriter, r *http.Request, rt *reference.ResourceType, id string) {
	deactivates := rt.Name == "Group" && h.opts.Quirks.Has(reference.QuirkGroupDeleteDeactivates)
	err := h.store.Tx(r.Context(), func(tx reference.Tx) error {
		// Without If-Match (and the quirk that reads the group first) the DELETE itself finds
		// out whether the resource exists; If-Match needs only the version.
		if r.Header.Get("If-Match") != "" || deactivates {
			version, err := tx.Version(rt.Name, id)
			if err != nil {
				return h.unknownIDQuirk(err)
			}
			current := reference.Resource{"meta": map[string]any{"version": version}}
			if err := h.precondition(r, current); err != nil {
				return err
			}
		}
		if deactivates {
			if err := deactivateMembers(tx, id); err != nil {
				return err
			}
		}
		return h.unknownIDQuirk(tx.Delete(rt.Name, id))
	})
	if err != nil {
		h.writeError(w, err)
		return
	}
	if rt.Name == "Group" && h.opts.Quirks.Has(reference.QuirkGroupDelete200) {
		writeJSON(w, http.StatusOK, map[string]any{"deleted": id})
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func str(v any) string { s, _ := v.(string); return s }

func restore(next, current reference.Resource, attr string) {
	if v, ok := current[attr]; ok {
		next[attr] = v
	} else {
		delete(next, attr)
	}
}

func dropOps(ops []patch.Operation, drop func(patch.Operation) bool) []patch.Operation {
	var out []patch.Operation
	for _, op := range ops {
		if !drop(op) {
			out = append(out, op)
		}
	}
	return out
}

// unchanged reports whether next holds the same attributes as before, meta aside.
func unchanged(before, next reference.Resource) bool {
	a, b := maps.Clone(before), maps.Clone(next)
	delete(a, "meta")
	delete(b, "meta")
	return reflect.DeepEqual(a, b)
}

// numericID returns a random decimal id, as servers on an integer key hand out (the
// numeric-ids quirk).
func numericID() string {
	return strconv.FormatInt(100000+rand.Int64N(1<<50), 10)
}

// checkValues enforces RFC 7643 §2.4 on the multi-valued attributes of res: "primary": true
// marks at most one value of an attribute (400 invalidValue otherwise), and a repeated
// (type, value) pair is stored once. The quirks multiple-primary-stored and
// duplicate-values-stored turn each rule off.
func (h *Handler) checkValues(res reference.Resource) error {
	q := h.opts.Quirks
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
			if isString && name != "members" && seen[key] && !q.Has(reference.QuirkDuplicateValues) {
				continue
			}
			seen[key] = true
			kept = append(kept, el)
		}
		if primaries > 1 && !q.Has(reference.QuirkTwoPrimaries) {
			return reference.BadRequest(reference.ScimTypeInvalidValue,
				"%s: %d values are marked primary, and at most one may be (RFC 7643 §2.4)", name, primaries)
		}
		res[name] = kept
	}
	return nil
}
