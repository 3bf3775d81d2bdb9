package server

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/scimcheck/scimcheck/reference"
	"github.com/scimcheck/scimcheck/reference/patch"
)

// errRollBack makes a write transaction roll back while the handler answers as if it had
// been stored (the put-not-saved quirk).
var errRollBack = errors.New("quirk: roll the write back")

// patchQuirks rejects PATCH requests the way the PATCH-related quirks do, before anything is
// read from the store.
func (h *Handler) patchQuirks(rt *reference.ResourceType, ops []patch.Operation) error {
	q := h.opts.Quirks
	if q.Has(reference.QuirkMemberPatchCap50) && rt.Name == "Group" {
		if n := memberChanges(ops); n > 50 {
			return reference.BadRequest(reference.ScimTypeTooMany, "quirk: at most 50 member changes per request, got %d", n)
		}
	}
	for _, op := range ops {
		if err := h.emptyValueQuirk(op.Value); err != nil {
			return err
		}
		if q.Has(reference.QuirkPathlessPatchRejected) && op.Path == "" {
			return reference.BadRequest(reference.ScimTypeInvalidPath, "quirk: Unsupported attribute: null")
		}
		if q.Has(reference.QuirkOpCaseSensitive) && op.Op != strings.ToLower(op.Op) {
			return reference.BadRequest(reference.ScimTypeInvalidSyntax, "quirk: unknown op %q", op.Op)
		}
		if q.Has(reference.QuirkRenameRejectsID) && rt.Name == "Group" && op.Path == "" {
			if v, ok := op.Value.(map[string]any); ok {
				if _, hasID := v["id"]; hasID {
					return reference.BadRequest(reference.ScimTypeMutability, "quirk: attribute \"id\" is read-only")
				}
			}
		}
	}
	return nil
}

// memberQuirks applies the membership quirks: each op is tried alone against the current
// group; a remove that changes nothing is an error (remove-non-member-error) and an add of an
// existing member is a conflict (member-add-not-idempotent).
func memberQuirks(rt *reference.ResourceType, current reference.Resource, ops []patch.Operation, q reference.Quirks) error {
	members := func(res reference.Resource) map[string]bool {
		set := map[string]bool{}
		list, _ := res["members"].([]any)
		for _, el := range list {
			m, _ := el.(map[string]any)
			if v, ok := m["value"].(string); ok {
				set[v] = true
			}
		}
		return set
	}
	before := members(current)
	for _, op := range ops {
		lower := strings.ToLower(op.Path)
		if !strings.HasPrefix(lower, "members") {
			continue
		}
		switch strings.ToLower(op.Op) {
		case "remove":
			if !q.Has(reference.QuirkRemoveNonMemberError) {
				continue
			}
			next, err := patch.Apply(current, []patch.Operation{op}, rt)
			if err == nil && len(members(next)) == len(before) {
				return reference.BadRequest(reference.ScimTypeNoTarget, "quirk: member not found in group")
			}
		case "add":
			if !q.Has(reference.QuirkMemberAddDuplicates) {
				continue
			}
			list, _ := op.Value.([]any)
			for _, el := range list {
				m, _ := el.(map[string]any)
				if v, _ := m["value"].(string); before[v] {
					return reference.Errorf(409, reference.ScimTypeUniqueness, "quirk: member %q already exists", v)
				}
			}
		}
	}
	return nil
}

// memberChanges counts the member changes a PATCH carries: one per member value added or
// replaced, one per remove operation.
func memberChanges(ops []patch.Operation) int {
	n := 0
	for _, op := range ops {
		if !strings.HasPrefix(strings.ToLower(op.Path), "members") {
			continue
		}
		if list, ok := op.Value.([]any); ok {
			n += len(list)
		} else {
			n++
		}
	}
	return n
}

// emptyValueQuirk rejects a body or PATCH value holding an empty string anywhere, the way the
// empty-value-rejected quirk does; nil when the quirk is off or there is none.
func (h *Handler) emptyValueQuirk(v any) error {
	if !h.opts.Quirks.Has(reference.QuirkEmptyValueRejected) {
		return nil
	}
	if name, ok := emptyString(v, ""); ok {
		return reference.BadRequest(reference.ScimTypeInvalidValue, "quirk: attribute %q must not be empty", name)
	}
	return nil
}

// emptyString returns the path of the first "" in v (keys sorted for a stable answer).
func emptyString(v any, at string) (string, bool) {
	switch x := v.(type) {
	case string:
		return at, x == ""
	case []any:
		for _, el := range x {
			if p, ok := emptyString(el, at); ok {
				return p, true
			}
		}
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			p := k
			if at != "" {
				p = at + "." + k
			}
			if p, ok := emptyString(x[k], p); ok {
				return p, true
			}
		}
	}
	return "", false
}

// putQuirks bends a PUT's new state res (built from the body) the way the PUT quirks do:
// a merge that keeps what was not sent, an ignored active, a group's members or displayName
// kept. current is the stored state.
func putQuirks(rt *reference.ResourceType, current, res reference.Resource, q reference.Quirks) {
	if q.Has(reference.QuirkPutMergesOmitted) {
		for k, v := range current {
			if _, sent := res[k]; !sent && k != "id" && k != "meta" && k != "groups" {
				res[k] = v
			}
		}
	}
	if rt.Name == "User" && q.Has(reference.QuirkPutIgnoresActive) {
		restore(res, current, "active")
	}
	if rt.Name == "Group" && q.Has(reference.QuirkGroupPutKeepsMembers) {
		restore(res, current, "members")
	}
	if rt.Name == "Group" && q.Has(reference.QuirkRenameIgnored) {
		restore(res, current, "displayName")
	}
}

// unchangedNameQuirk answers 409 to a path-less replace whose displayName is the group's
// current one, as a uniqueness check that forgets to exclude the group itself would.
func unchangedNameQuirk(current reference.Resource, ops []patch.Operation) error {
	for _, op := range ops {
		v, ok := op.Value.(map[string]any)
		if !ok || op.Path != "" || !strings.EqualFold(op.Op, "replace") {
			continue
		}
		if name, ok := v["displayName"].(string); ok && name == current["displayName"] {
			return reference.Errorf(http.StatusConflict, reference.ScimTypeUniqueness, "quirk: a group named %q already exists", name)
		}
	}
	return nil
}

// unknownIDQuirk turns the store's 404 for an unknown id into a 500 when unknown-id-500 is on,
// the way a server fails when its database rejects the id.
func (h *Handler) unknownIDQuirk(err error) error {
	if e, ok := reference.AsError(err); ok && e.Status == http.StatusNotFound && h.opts.Quirks.Has(reference.QuirkUnknownID500) {
		return reference.Errorf(http.StatusInternalServerError, "", "quirk: internal error: invalid input syntax for type uuid")
	}
	return err
}

// deactivateMembers sets active false on every user in group id (group-delete-deactivates-members).
func deactivateMembers(tx reference.Tx, id string) error {
	g, err := tx.Get(reference.KindGroup, id, true)
	if err != nil {
		return err
	}
	list, _ := g["members"].([]any)
	for _, el := range list {
		m, _ := el.(map[string]any)
		uid, _ := m["value"].(string)
		u, err := tx.Get(reference.KindUser, uid, false)
		if err != nil {
			continue // a nested group, or a member gone meanwhile
		}
		u["active"] = false
		if _, err := tx.Replace(reference.KindUser, uid, u); err != nil {
			return err
		}
	}
	return nil
}

// VendorExtension is the extension schema the vendor-extension quirk adds to every user, the
// way apps publish attributes of their own that Okta does not map.
const VendorExtension = "urn:example:params:scim:schemas:extension:acme:2.0:User"

// presentQuirks bends a resource on its way to the wire the way the presentation quirks do:
// a vendor extension, empty arrays for unset multi-valued attributes, members with a value
// alone.
func (h *Handler) presentQuirks(rt *reference.ResourceType, out reference.Resource) {
	q := h.opts.Quirks
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
}

// createDuplicate inserts res without the userName uniqueness check, for the quirks
// no-409-on-duplicate and username-case-sensitive: the store's transaction offers it beside
// reference.Tx (store.Tx.CreateAllowingDuplicate).
func createDuplicate(tx reference.Tx, kind string, res reference.Resource) (reference.Resource, error) {
	dup, ok := tx.(interface {
		CreateAllowingDuplicate(kind string, res reference.Resource) (reference.Resource, error)
	})
	if !ok {
		return nil, fmt.Errorf("quirk: the store cannot create a duplicate %s", kind)
	}
	return dup.CreateAllowingDuplicate(kind, res)
}
