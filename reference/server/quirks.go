package server

import (
	"strings"

	"github.com/scimcheck/scimcheck/reference"
	"github.com/scimcheck/scimcheck/reference/patch"
)

// patchQuirks rejects PATCH requests the way the PATCH-related quirks do, before anything is
// read from the store.
func (h *Handler) patchQuirks(rt *reference.ResourceType, ops []patch.Operation) error {
	q := h.opts.Quirks
	for _, op := range ops {
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
