package patch

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/scimcheck/scimcheck/reference"
)

func TestApplyGroup(t *testing.T) {
	rt := reference.NewSchemas().Group
	m1 := map[string]any{"value": member1, "display": "bb-8@example.com"}
	m2 := map[string]any{"value": member2, "display": "ada@example.com"}
	m3 := map[string]any{"value": member3, "display": "r2-d2@example.com"}
	runPatchCases(t, rt, []patchCase{
		// Rename (okta-wire.md §6.4).
		{name: "okta rename with the same id", start: sampleGroup,
			ops: `[{"op":"replace","value":{"id":"` + groupID + `","displayName":"Test SCIMv2"}}]`, want: map[string]any{"displayName": "Test SCIMv2"}},
		{name: "rename with another id is mutability", start: sampleGroup,
			ops:     `[{"op":"replace","value":{"id":"6c5bb468-14b2-4183-baf2-06d523e03bd3","displayName":"Test SCIMv2"}}]`,
			errType: reference.ScimTypeMutability, errHas: []string{`attribute "id" is readOnly`, "6c5bb468"}},
		{name: "rename to the same name", start: sampleGroup, ops: `[{"op":"replace","value":{"displayName":"Engineering"}}]`, want: map[string]any{}},
		{name: "remove displayName is invalidValue", start: sampleGroup, ops: `[{"op":"remove","path":"displayName"}]`,
			errType: reference.ScimTypeInvalidValue, errHas: []string{`"displayName" is required`}},
		{name: "path-less displayName null is invalidValue", start: sampleGroup, ops: `[{"op":"replace","value":{"displayName":null}}]`,
			errType: reference.ScimTypeInvalidValue, errHas: []string{`"displayName" is required`}},

		// Membership (okta-wire.md §6.1, §6.5).
		{name: "add existing members is a no-op", start: sampleGroup,
			ops:  `[{"op":"add","path":"members","value":[{"value":"` + member1 + `","display":"other display"},{"value":"` + member2 + `"}]}]`,
			want: map[string]any{"members": []any{m1, m2}}},
		{name: "add appends new members once", start: sampleGroup,
			ops:  `[{"op":"add","path":"members","value":[{"value":"` + member3 + `","display":"r2-d2@example.com"},{"value":"` + member3 + `"},{"value":"` + member1 + `"}]}]`,
			want: map[string]any{"members": []any{m1, m2, m3}}},
		{name: "okta removes then add in one request", start: sampleGroup,
			ops: `[{"op":"remove","path":"members[value eq \"` + member1 + `\"]"},{"op":"remove","path":"members[value eq \"` + member2 + `\"]"},
				{"op":"add","path":"members","value":[{"value":"` + member3 + `","display":"r2-d2@example.com"},{"value":"` + member1 + `","display":"bb-8@example.com"}]}]`,
			want: map[string]any{"members": []any{m3, m1}}},
		{name: "remove a non-member is a no-op", start: sampleGroup, ops: `[{"op":"Remove","path":"members[value eq \"` + member3 + `\"]"}]`, want: map[string]any{}},
		{name: "push now replaces the member list", start: sampleGroup,
			ops:  `[{"op":"replace","path":"members","value":[{"value":"` + member3 + `","display":"r2-d2@example.com"},{"value":"` + member2 + `","display":"ada@example.com"}]}]`,
			want: map[string]any{"members": []any{m3, m2}}},
		{name: "push now of an empty group", start: sampleGroup, ops: `[{"op":"replace","path":"members","value":[]}]`, want: map[string]any{"members": nil}},
		{name: "remove members without value removes all", start: sampleGroup, ops: `[{"op":"remove","path":"members"}]`, want: map[string]any{"members": nil}},
		{name: "entra remove with a value list", start: sampleGroup,
			ops:  `[{"op":"Remove","path":"members","value":[{"value":"` + member1 + `"},{"value":"` + member3 + `"}]}]`,
			want: map[string]any{"members": []any{m2}}},
		{name: "entra remove selects members by value alone", start: sampleGroup,
			ops:  `[{"op":"Remove","path":"members","value":[{"value":"` + member1 + `","display":"someone else"},{"value":"` + member3 + `"}]}]`,
			want: map[string]any{"members": []any{m2}}},
		{name: "entra remove with an empty value list removes nothing", start: sampleGroup,
			ops: `[{"op":"Remove","path":"members","value":[]}]`, want: map[string]any{}},
		{name: "entra add path-less members", start: sampleGroup,
			ops:  `[{"op":"Add","value":{"members":[{"value":"` + member3 + `","display":"r2-d2@example.com"}]}}]`,
			want: map[string]any{"members": []any{m1, m2, m3}}},
		{name: "add members to an empty group", start: func(tb testing.TB) reference.Resource {
			g := sampleGroup(tb)
			delete(g, "members")
			return g
		}, ops: `[{"op":"add","path":"members","value":[{"value":"` + member3 + `","display":"r2-d2@example.com"}]}]`, want: map[string]any{"members": []any{m3}}},
		{name: "member display may change", start: sampleGroup,
			ops:  `[{"op":"replace","path":"members[value eq \"` + member2 + `\"].display","value":"ada@lovelace.example"}]`,
			want: map[string]any{"members": []any{m1, map[string]any{"value": member2, "display": "ada@lovelace.example"}}}},
		{name: "member value is immutable", start: sampleGroup,
			ops:     `[{"op":"replace","path":"members[value eq \"` + member2 + `\"].value","value":"` + member3 + `"}]`,
			errType: reference.ScimTypeMutability, errHas: []string{`"members.value" is immutable`, member2, member3}},
		{name: "replacing a member element with another value is mutability", start: sampleGroup,
			ops:     `[{"op":"replace","path":"members[value eq \"` + member2 + `\"]","value":{"value":"` + member3 + `"}}]`,
			errType: reference.ScimTypeMutability, errHas: []string{`"members.value" is immutable`}},
		{name: "member type may be set when added", start: sampleGroup,
			ops:  `[{"op":"add","path":"members","value":[{"value":"` + member3 + `","type":"User"}]}]`,
			want: map[string]any{"members": []any{m1, m2, map[string]any{"value": member3, "type": "User"}}}},
		{name: "members of the wrong type", start: sampleGroup, ops: `[{"op":"add","path":"members","value":[{"value":5}]}]`,
			errType: reference.ScimTypeInvalidValue, errHas: []string{`"members.value" must be a JSON string`}},
		{name: "members filter on an unknown sub-attribute", start: sampleGroup, ops: `[{"op":"remove","path":"members[id eq \"x\"]"}]`,
			errType: reference.ScimTypeInvalidPath},
		{name: "user attribute on a group", start: sampleGroup, ops: `[{"op":"replace","path":"userName","value":"x"}]`,
			errType: reference.ScimTypeInvalidPath, errHas: []string{`resource type Group has no attribute "userName"`}},
		{name: "user URN on a group", start: sampleGroup, ops: `[{"op":"replace","path":"urn:ietf:params:scim:schemas:core:2.0:User:displayName","value":"x"}]`,
			errType: reference.ScimTypeInvalidPath},
		{name: "group URN prefix", start: sampleGroup, ops: `[{"op":"replace","path":"urn:ietf:params:scim:schemas:core:2.0:Group:displayName","value":"Ops"}]`,
			want: map[string]any{"displayName": "Ops"}},
	})
}

func TestApplyGroupAtomic(t *testing.T) {
	rt := reference.NewSchemas().Group
	start := sampleGroup(t)
	ops := []Operation{
		{Op: "remove", Path: `members[value eq "` + member1 + `"]`},
		{Op: "add", Path: "members", Value: []any{map[string]any{"value": member3}}, HasValue: true},
		{Op: "remove", Path: "displayName"},
	}
	got, err := Apply(start, ops, rt)
	requireSCIMError(t, err, 400, reference.ScimTypeInvalidValue, `Operations[2] (remove "displayName")`)
	assert.Nil(t, got)
	assert.Equal(t, []string{member1, member2}, memberValues(start))
}
