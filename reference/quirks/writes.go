package quirks

import (
	"net/http"
	"slices"
	"strings"

	"github.com/scimcheck/scimcheck/reference"
	"github.com/scimcheck/scimcheck/reference/patch"
)

// The quirks of PUT and PATCH: what a broken server refuses in a body, and how it gets the
// new state of a resource wrong.

// CheckBody refuses a POST or PUT body (its JSON object, before normalisation) the way the
// body quirks do: PUT rejects echoed read-only attributes (put-rejects-read-only) and empty
// strings (empty-value-rejected). It drops the vendor's extension Okta echoes back
// (vendor-extension).
func (s *Set) CheckBody(method string, body map[string]any) error {
	if s.has(reference.QuirkVendorExtension) {
		delete(body, VendorExtension) // the vendor's own data: Okta echoes it back in its PUT
	}
	if method != http.MethodPut {
		return nil
	}
	if s.has(reference.QuirkPutRejectsReadOnly) {
		for _, k := range []string{"id", "meta", "groups"} {
			if _, ok := body[k]; ok {
				return reference.BadRequest(reference.ScimTypeMutability, "attribute %q is read-only", k)
			}
		}
	}
	return s.emptyValueQuirk(body)
}

// CheckPatch rejects PATCH requests the way the PATCH-related quirks do, before anything is
// read from the store.
func (s *Set) CheckPatch(rt *reference.ResourceType, ops []patch.Operation) error {
	q := s.on
	if q.Has(reference.QuirkMemberPatchCap50) && rt.Name == "Group" {
		if n := memberChanges(ops); n > 50 {
			return reference.BadRequest(reference.ScimTypeTooMany, "quirk: at most 50 member changes per request, got %d", n)
		}
	}
	for _, op := range ops {
		if err := s.emptyValueQuirk(op.Value); err != nil {
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
func (s *Set) emptyValueQuirk(v any) error {
	if !s.has(reference.QuirkEmptyValueRejected) {
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

// Put bends a PUT's new state res (built from the body) the way the PUT quirks do: what the
// resource did not have is dropped, what was not sent is kept (a merge), active, a group's
// members or displayName are left as they were. current is the stored state.
func (s *Set) Put(rt *reference.ResourceType, current, res reference.Resource) {
	q := s.on
	if q.Has(reference.QuirkPutDropsNewAttributes) {
		for k := range res {
			if _, had := current[k]; !had {
				delete(res, k)
			}
		}
	}
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

// ApplyFunc applies PATCH operations to a resource's current state (patch.Apply).
type ApplyFunc = func(current reference.Resource, ops []patch.Operation, rt *reference.ResourceType) (reference.Resource, error)

// Apply returns apply bent by the PATCH quirks that are on: member operations ignored,
// widened, refused; a rename refused; active or displayName left as they were. apply itself
// when none is on.
func (s *Set) Apply(apply ApplyFunc) ApplyFunc {
	q := s.on
	if !s.any(reference.QuirkMembersReplaceIgnored, reference.QuirkRemoveAllMembers, reference.QuirkRemoveNonMemberError,
		reference.QuirkMemberAddDuplicates, reference.QuirkUnchangedNameConflict, reference.QuirkPatchActiveIgnored, reference.QuirkRenameIgnored) {
		return apply
	}
	return func(current reference.Resource, ops []patch.Operation, rt *reference.ResourceType) (reference.Resource, error) {
		ops = slices.Clone(ops) // the quirks below rewrite operations; keep the parsed ones intact
		if q.Has(reference.QuirkMembersReplaceIgnored) {
			ops = slices.DeleteFunc(ops, func(op patch.Operation) bool {
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
		next, err := apply(current, ops, rt)
		if err != nil {
			return nil, err
		}
		if q.Has(reference.QuirkPatchActiveIgnored) {
			restore(next, current, "active")
		}
		if q.Has(reference.QuirkRenameIgnored) && rt.Name == "Group" {
			restore(next, current, "displayName")
		}
		return next, nil
	}
}

// restore sets attr of next back to what it is in current (absent when it is absent there).
func restore(next, current reference.Resource, attr string) {
	if v, ok := current[attr]; ok {
		next[attr] = v
	} else {
		delete(next, attr)
	}
}
