package patch

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimcheck/scimcheck/reference"
)

func deactivatedUser(t testing.TB) reference.Resource {
	u := sampleUser(t)
	u["active"] = false
	return u
}

func TestApplyUser(t *testing.T) {
	rt := reference.NewSchemas().User
	work := map[string]any{"value": "ada@example.com", "type": "work", "primary": true}
	runPatchCases(t, rt, []patchCase{
		// Okta and Entra activation (okta-wire.md §4, §5, §9.3).
		{name: "okta deactivate path-less", start: sampleUser,
			ops: `[{"op":"replace","value":{"active":false}}]`, want: map[string]any{"active": false}},
		{name: "okta reactivate path-less", start: deactivatedUser,
			ops: `[{"op":"replace","value":{"active":true}}]`, want: map[string]any{"active": true}},
		{name: "entra Replace with path", start: sampleUser,
			ops: `[{"op":"Replace","path":"active","value":false}]`, want: map[string]any{"active": false}},
		{name: "entra string boolean is invalidValue", start: sampleUser,
			ops: `[{"op":"Replace","path":"active","value":"False"}]`, errType: reference.ScimTypeInvalidValue,
			errHas: []string{"Operations[0] (Replace \"active\")", `attribute "active" must be a JSON boolean`, `string "False"`}},
		{name: "path-less string boolean is invalidValue", start: sampleUser,
			ops: `[{"op":"replace","value":{"active":"False"}}]`, errType: reference.ScimTypeInvalidValue, errHas: []string{`"active" must be a JSON boolean`}},

		// Op letter case.
		{name: "ADD", start: sampleUser, ops: `[{"op":"ADD","path":"nickName","value":"Ada"}]`, want: map[string]any{"nickName": "Ada"}},
		{name: "Remove", start: sampleUser, ops: `[{"op":"Remove","path":"title"}]`, want: map[string]any{"title": nil}},
		{name: "rEpLaCe", start: sampleUser, ops: `[{"op":"rEpLaCe","path":"title","value":"CTO"}]`, want: map[string]any{"title": "CTO"}},

		// Simple and complex attributes, names case-insensitive.
		{name: "attribute names case-insensitive", start: sampleUser,
			ops:  `[{"op":"replace","path":"DISPLAYNAME","value":"Countess"},{"op":"replace","value":{"TiTlE":"CTO"}}]`,
			want: map[string]any{"displayName": "Countess", "title": "CTO"}},
		{name: "replace name.givenName", start: sampleUser, ops: `[{"op":"replace","path":"name.GIVENNAME","value":"Augusta"}]`,
			want: map[string]any{"name": map[string]any{"givenName": "Augusta", "familyName": "Lovelace"}}},
		{name: "replace complex merges (RFC 7644 §3.5.2.3)", start: sampleUser, ops: `[{"op":"replace","path":"name","value":{"middleName":"King"}}]`,
			want: map[string]any{"name": map[string]any{"givenName": "Ada", "middleName": "King", "familyName": "Lovelace"}}},
		{name: "path-less complex merges", start: sampleUser, ops: `[{"op":"replace","value":{"name":{"givenName":"Augusta","familyName":""}}}]`,
			want: map[string]any{"name": map[string]any{"givenName": "Augusta"}}},
		{name: "core URN prefixed path", start: sampleUser,
			ops:  `[{"op":"replace","path":"urn:ietf:params:scim:schemas:core:2.0:User:name.givenName","value":"Augusta"},{"op":"replace","path":"urn:ietf:params:scim:schemas:core:2.0:User:userName","value":"augusta@example.com"}]`,
			want: map[string]any{"userName": "augusta@example.com", "name": map[string]any{"givenName": "Augusta", "familyName": "Lovelace"}}},
		{name: "replace of an absent attribute adds it", start: sampleUser, ops: `[{"op":"replace","path":"nickName","value":"Ada"}]`, want: map[string]any{"nickName": "Ada"}},
		{name: "empty value unassigns", start: sampleUser, ops: `[{"op":"replace","path":"title","value":""},{"op":"add","value":{"displayName":null}}]`,
			want: map[string]any{"title": nil, "displayName": nil}},
		{name: "removing every sub-attribute removes the complex attribute", start: sampleUser,
			ops: `[{"op":"remove","path":"name.givenName"},{"op":"remove","path":"name.familyName"}]`, want: map[string]any{"name": nil}},
		{name: "path-less core attributes nested under the core URN", start: sampleUser,
			ops:  `[{"op":"replace","value":{"urn:ietf:params:scim:schemas:core:2.0:User":{"title":"CTO","name":{"givenName":"Augusta"}}}}]`,
			want: map[string]any{"title": "CTO", "name": map[string]any{"givenName": "Augusta", "familyName": "Lovelace"}}},
		{name: "unknown keys in a path-less value are ignored", start: sampleUser,
			ops: `[{"op":"replace","value":{"title":"CTO","favouriteColour":"green","urn:okta:custom:1.0":{"x":1}}}]`, want: map[string]any{"title": "CTO"}},

		// Enterprise extension.
		{name: "enterprise URN path", start: sampleUser, ops: `[{"op":"replace","path":"` + entURN + `:department","value":"Sales"}]`,
			check: func(t *testing.T, got reference.Resource) {
				assert.Equal(t, "Sales", ext(got)["department"])
				assert.Equal(t, "701984", ext(got)["employeeNumber"])
			}},
		{name: "enterprise URN path with sub-attribute", start: sampleUser, ops: `[{"op":"replace","path":"` + entURN + `:manager.value","value":"boss"}]`,
			check: func(t *testing.T, got reference.Resource) {
				assert.Equal(t, map[string]any{"value": "boss"}, ext(got)["manager"])
			}},
		{name: "enterprise URN path in lower case, add to a user without the extension", start: func(tb testing.TB) reference.Resource {
			u := sampleUser(tb)
			delete(u, entURN)
			return u
		}, ops: `[{"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:user:costCenter","value":"4130"}]`,
			want: map[string]any{entURN: map[string]any{"costCenter": "4130"}}},
		{name: "path-less value with the URN key", start: sampleUser,
			ops: `[{"op":"replace","value":{"` + entURN + `":{"department":"Sales","manager":{"value":"boss","displayName":"The Boss"}},"title":"CTO"}}]`,
			check: func(t *testing.T, got reference.Resource) {
				assert.Equal(t, "CTO", got["title"])
				assert.Equal(t, map[string]any{"employeeNumber": "701984", "department": "Sales", "manager": map[string]any{"value": "boss"}}, ext(got),
					"manager.displayName is readOnly and dropped, as in a PUT")
			}},
		{name: "path-less flattened URN keys", start: sampleUser,
			ops: `[{"op":"replace","value":{"` + entURN + `:department":"Sales","` + entURN + `:manager.value":"boss"}}]`,
			check: func(t *testing.T, got reference.Resource) {
				assert.Equal(t, "Sales", ext(got)["department"])
				assert.Equal(t, map[string]any{"value": "boss"}, ext(got)["manager"])
			}},
		{name: "path naming the extension URN alone", start: sampleUser, ops: `[{"op":"add","path":"` + entURN + `","value":{"division":"R&D"}}]`,
			check: func(t *testing.T, got reference.Resource) {
				assert.Equal(t, "R&D", ext(got)["division"])
				assert.Equal(t, "Engineering", ext(got)["department"])
			}},
		{name: "extension attribute by short name", start: sampleUser, ops: `[{"op":"replace","path":"department","value":"Sales"}]`,
			check: func(t *testing.T, got reference.Resource) { assert.Equal(t, "Sales", ext(got)["department"]) }},
		{name: "removing every extension attribute removes the extension", start: sampleUser,
			ops:  `[{"op":"remove","path":"` + entURN + `:department"},{"op":"remove","path":"` + entURN + `:employeeNumber"},{"op":"remove","path":"` + entURN + `:manager.value"}]`,
			want: map[string]any{entURN: nil}},
		{name: "remove the extension URN", start: sampleUser, ops: `[{"op":"remove","path":"` + entURN + `"}]`, want: map[string]any{entURN: nil}},
		{name: "extension value must be an object", start: sampleUser, ops: `[{"op":"replace","value":{"` + entURN + `":"Sales"}}]`,
			errType: reference.ScimTypeInvalidValue, errHas: []string{"must be a JSON object"}},

		// Multi-valued attributes and filters.
		{name: "emails[type eq work].value replace", start: sampleUser,
			ops:  `[{"op":"replace","path":"emails[type eq \"work\"].value","value":"ada@lovelace.example"}]`,
			want: map[string]any{"emails": []any{map[string]any{"value": "ada@lovelace.example", "type": "work", "primary": true}}}},
		{name: "emails[type eq home] replace matching nothing is noTarget", start: sampleUser,
			ops:     `[{"op":"replace","path":"emails[type eq \"home\"]","value":{"value":"ada@home.example","type":"home"}}]`,
			errType: reference.ScimTypeNoTarget, errHas: []string{`path "emails[type eq \"home\"]" matched no value: nothing to replace`}},
		{name: "emails[type eq home].value replace matching nothing is noTarget", start: sampleUser,
			ops:     `[{"op":"replace","path":"emails[type eq \"home\"].value","value":"ada@home.example"}]`,
			errType: reference.ScimTypeNoTarget, errHas: []string{`matched no value: nothing to replace`}},
		{name: "entra add with unmatched equality filter creates the element", start: sampleUser,
			ops:  `[{"op":"Add","path":"emails[type eq \"home\"].value","value":"ada@home.example"}]`,
			want: map[string]any{"emails": []any{work, map[string]any{"value": "ada@home.example", "type": "home"}}}},
		{name: "add with unmatched and-of-eq filter and an object value: the filter wins", start: sampleUser,
			ops: `[{"op":"add","path":"emails[type eq \"home\" and primary eq true]","value":{"VALUE":"ada@home.example","type":"other"}}]`,
			want: map[string]any{"emails": []any{map[string]any{"value": "ada@example.com", "type": "work"},
				map[string]any{"value": "ada@home.example", "type": "home", "primary": true}}}},
		{name: "add with unmatched escaped-quote filter", start: sampleUser,
			ops:  `[{"op":"add","path":"emails[value eq \"a\\\"b@example.com\"].display","value":"A"}]`,
			want: map[string]any{"emails": []any{work, map[string]any{"value": `a"b@example.com`, "display": "A"}}}},
		{name: "the same entra add twice creates one element", start: sampleUser,
			ops:  `[{"op":"Add","path":"emails[type eq \"home\"].value","value":"ada@home.example"},{"op":"Add","path":"emails[type eq \"home\"].value","value":"ada@home.example"}]`,
			want: map[string]any{"emails": []any{work, map[string]any{"value": "ada@home.example", "type": "home"}}}},
		{name: "add with unmatched non-equality filter is noTarget", start: sampleUser,
			ops: `[{"op":"add","path":"emails[value co \"home\"].display","value":"x"}]`, errType: reference.ScimTypeNoTarget, errHas: []string{"nothing to add to"}},
		{name: "add with unmatched filter and empty value is a no-op", start: sampleUser,
			ops: `[{"op":"add","path":"emails[type eq \"home\"].value","value":""}]`, want: map[string]any{}},
		{name: "add to matched element merges", start: sampleUser,
			ops:  `[{"op":"add","path":"emails[type eq \"work\"]","value":{"display":"Ada at work"}}]`,
			want: map[string]any{"emails": []any{map[string]any{"value": "ada@example.com", "type": "work", "primary": true, "display": "Ada at work"}}}},
		{name: "replace a complex attribute with null unassigns it", start: sampleUser, ops: `[{"op":"replace","path":"` + entURN + `:manager","value":null}]`,
			check: func(t *testing.T, got reference.Resource) { assert.NotContains(t, ext(got), "manager") }},
		{name: "complex attribute given a string", start: sampleUser, ops: `[{"op":"replace","path":"` + entURN + `:manager","value":"boss"}]`,
			errType: reference.ScimTypeInvalidValue, errHas: []string{`"manager" must be a JSON object`}},
		{name: "replace a matched element whole", start: sampleUser,
			ops:  `[{"op":"replace","path":"emails[value eq \"ADA@example.com\"]","value":{"value":"ada@lovelace.example","type":"other"}}]`,
			want: map[string]any{"emails": []any{map[string]any{"value": "ada@lovelace.example", "type": "other"}}}},
		{name: "add appends and skips equal elements", start: sampleUser,
			ops:  `[{"op":"add","path":"emails","value":[{"value":"ada@example.com","type":"work","primary":true},{"value":"ada@home.example","type":"home"}]}]`,
			want: map[string]any{"emails": []any{work, map[string]any{"value": "ada@home.example", "type": "home"}}}},
		{name: "add of a single object is tolerated", start: sampleUser, ops: `[{"op":"add","path":"emails","value":{"value":"ada@home.example","type":"home"}}]`,
			want: map[string]any{"emails": []any{work, map[string]any{"value": "ada@home.example", "type": "home"}}}},
		{name: "added primary clears the other primary", start: sampleUser,
			ops: `[{"op":"add","path":"emails","value":[{"value":"ada@home.example","type":"home","primary":true}]}]`,
			want: map[string]any{"emails": []any{map[string]any{"value": "ada@example.com", "type": "work"},
				map[string]any{"value": "ada@home.example", "type": "home", "primary": true}}}},
		{name: "primary set through a filter clears the other primary", start: sampleUser,
			ops: `[{"op":"add","path":"emails","value":[{"value":"ada@home.example","type":"home"}]},{"op":"replace","path":"emails[type eq \"home\"].primary","value":true}]`,
			want: map[string]any{"emails": []any{map[string]any{"value": "ada@example.com", "type": "work"},
				map[string]any{"value": "ada@home.example", "type": "home", "primary": true}}}},
		{name: "primary on two matched values is invalidValue", start: sampleUser,
			ops:     `[{"op":"add","path":"emails","value":[{"value":"b@example.com","type":"work"}]},{"op":"replace","path":"emails[type eq \"work\"].primary","value":true}]`,
			errType: reference.ScimTypeInvalidValue, errHas: []string{"matched 2 values", "primary"}},
		{name: "changing another sub-attribute keeps primary alone", start: sampleUser,
			ops: `[{"op":"add","path":"emails","value":[{"value":"b@example.com","type":"work"}]},{"op":"replace","path":"emails[type eq \"work\"].display","value":"Work"}]`,
			want: map[string]any{"emails": []any{map[string]any{"value": "ada@example.com", "type": "work", "primary": true, "display": "Work"},
				map[string]any{"value": "b@example.com", "type": "work", "display": "Work"}}}},
		{name: "replace a multi-valued attribute whole", start: sampleUser, ops: `[{"op":"replace","path":"phoneNumbers","value":[{"value":"+1 555 0199","type":"work"}]}]`,
			want: map[string]any{"phoneNumbers": []any{map[string]any{"value": "+1 555 0199", "type": "work"}}}},
		{name: "replace with [] empties", start: sampleUser, ops: `[{"op":"replace","path":"phoneNumbers","value":[]}]`, want: map[string]any{"phoneNumbers": nil}},
		{name: "remove with a value list selects by the listed sub-attributes", start: sampleUser,
			ops: `[{"op":"add","path":"emails","value":[{"value":"ada@home.example","type":"home"}]},
				{"op":"remove","path":"emails","value":[{"value":"ADA@EXAMPLE.COM","type":"home"},{"value":"ADA@HOME.EXAMPLE","type":"Home"}]}]`,
			want: map[string]any{"emails": []any{work}}},
		{name: "remove matching elements", start: sampleUser, ops: `[{"op":"remove","path":"emails[type eq \"work\"]"}]`, want: map[string]any{"emails": nil}},
		{name: "remove matching nothing is a no-op", start: sampleUser, ops: `[{"op":"remove","path":"emails[type eq \"home\"]"}]`, want: map[string]any{}},
		{name: "remove a sub-attribute of matching elements", start: sampleUser, ops: `[{"op":"remove","path":"emails[type eq \"work\"].primary"}]`,
			want: map[string]any{"emails": []any{map[string]any{"value": "ada@example.com", "type": "work"}}}},
		{name: "sub-attribute of every element", start: sampleUser, ops: `[{"op":"replace","path":"phoneNumbers.type","value":"work"}]`,
			want: map[string]any{"phoneNumbers": []any{map[string]any{"value": "+1 555 0100", "type": "work"}}}},

		// Read-only attributes.
		{name: "id path is mutability", start: sampleUser, ops: `[{"op":"replace","path":"id","value":"x"}]`,
			errType: reference.ScimTypeMutability, errHas: []string{`attribute "id" is readOnly`}},
		{name: "meta.created path is mutability", start: sampleUser, ops: `[{"op":"replace","path":"meta.created","value":"2026-01-01T00:00:00Z"}]`,
			errType: reference.ScimTypeMutability, errHas: []string{`"meta.created" is readOnly`}},
		{name: "remove groups is mutability", start: sampleUser, ops: `[{"op":"remove","path":"groups"}]`,
			errType: reference.ScimTypeMutability, errHas: []string{`"groups" is readOnly`}},
		{name: "manager.displayName path is mutability", start: sampleUser, ops: `[{"op":"replace","path":"` + entURN + `:manager.displayName","value":"Boss"}]`,
			errType: reference.ScimTypeMutability, errHas: []string{`"manager.displayName" is readOnly`}},
		{name: "path-less same id, schemas and meta are ignored", start: sampleUser,
			ops:  `[{"op":"replace","value":{"id":"` + userID + `","schemas":["x"],"meta":{"created":"yesterday"},"groups":[],"title":"CTO"}}]`,
			want: map[string]any{"title": "CTO"}},
		{name: "path-less different id is mutability", start: sampleUser, ops: `[{"op":"replace","value":{"id":"other","title":"CTO"}}]`,
			errType: reference.ScimTypeMutability, errHas: []string{`attribute "id" is readOnly`, `"other"`, `"` + userID + `"`}},
		{name: "path-less groups is mutability", start: sampleUser, ops: `[{"op":"add","value":{"groups":[{"value":"g1"}]}}]`,
			errType: reference.ScimTypeMutability, errHas: []string{`"groups" is readOnly`}},

		// Required attributes.
		{name: "remove userName is invalidValue", start: sampleUser, ops: `[{"op":"remove","path":"userName"}]`,
			errType: reference.ScimTypeInvalidValue, errHas: []string{`"userName" is required`}},
		{name: "replace userName with empty is invalidValue", start: sampleUser, ops: `[{"op":"replace","value":{"userName":""}}]`,
			errType: reference.ScimTypeInvalidValue, errHas: []string{`"userName" is required`}},

		// Invalid paths and values.
		{name: "unknown attribute", start: sampleUser, ops: `[{"op":"replace","path":"favouriteColour","value":"green"}]`,
			errType: reference.ScimTypeInvalidPath, errHas: []string{`no attribute "favouriteColour"`}},
		{name: "unknown sub-attribute", start: sampleUser, ops: `[{"op":"replace","path":"name.nick","value":"x"}]`,
			errType: reference.ScimTypeInvalidPath, errHas: []string{`"name" has no sub-attribute "nick"`}},
		{name: "sub-attribute of a simple attribute", start: sampleUser, ops: `[{"op":"replace","path":"title.x","value":"x"}]`,
			errType: reference.ScimTypeInvalidPath, errHas: []string{"no sub-attributes"}},
		{name: "malformed path", start: sampleUser, ops: `[{"op":"replace","path":"emails[type eq \"work]","value":"x"}]`,
			errType: reference.ScimTypeInvalidPath, errHas: []string{"unterminated"}},
		{name: "malformed path, unbalanced", start: sampleUser, ops: `[{"op":"replace","path":"emails[type eq","value":"x"}]`,
			errType: reference.ScimTypeInvalidPath, errHas: []string{"unbalanced"}},
		{name: "malformed path, three dots", start: sampleUser, ops: `[{"op":"remove","path":"name.givenName.x"}]`,
			errType: reference.ScimTypeInvalidPath, errHas: []string{"not a valid attribute path"}},
		{name: "filter on unknown sub-attribute", start: sampleUser, ops: `[{"op":"remove","path":"emails[colour eq \"red\"]"}]`,
			errType: reference.ScimTypeInvalidPath, errHas: []string{"invalid filter"}},
		{name: "filter on a single-valued attribute", start: sampleUser, ops: `[{"op":"remove","path":"name[givenName eq \"Ada\"]"}]`,
			errType: reference.ScimTypeInvalidPath, errHas: []string{"not a multi-valued complex attribute"}},
		{name: "unknown schema URN", start: sampleUser, ops: `[{"op":"remove","path":"urn:example:params:scim:custom:1.0:User:colour"}]`,
			errType: reference.ScimTypeInvalidPath, errHas: []string{`names schema "urn:example:params:scim:custom:1.0:User"`}},
		{name: "core schema URN alone", start: sampleUser, ops: `[{"op":"remove","path":"urn:ietf:params:scim:schemas:core:2.0:User"}]`,
			errType: reference.ScimTypeInvalidPath, errHas: []string{"core schema itself"}},
		{name: "enterprise attribute under the core URN", start: sampleUser, ops: `[{"op":"remove","path":"urn:ietf:params:scim:schemas:core:2.0:User:department"}]`,
			errType: reference.ScimTypeInvalidPath},
		{name: "path-less value not an object", start: sampleUser, ops: `[{"op":"replace","value":false}]`,
			errType: reference.ScimTypeInvalidSyntax, errHas: []string{`must be a JSON object of attributes`}},
		{name: "multi-valued given a string", start: sampleUser, ops: `[{"op":"add","path":"emails","value":"ada@home.example"}]`,
			errType: reference.ScimTypeInvalidValue, errHas: []string{`"emails" is multi-valued`}},
		{name: "sub-attribute of the wrong type", start: sampleUser, ops: `[{"op":"replace","path":"name","value":{"givenName":5}}]`,
			errType: reference.ScimTypeInvalidValue, errHas: []string{`"name.givenName" must be a JSON string`}},
		{name: "element sub-attribute of the wrong type", start: sampleUser, ops: `[{"op":"replace","path":"emails[type eq \"work\"].primary","value":"yes"}]`,
			errType: reference.ScimTypeInvalidValue, errHas: []string{`"emails.primary" must be a JSON boolean`}},
	})
}

func TestApplyUserAtomic(t *testing.T) {
	rt := reference.NewSchemas().User
	start := sampleUser(t)
	ops, err := Parse([]byte(patchBody(`[{"op":"replace","path":"displayName","value":"Countess"},
		{"op":"remove","path":"emails[type eq \"work\"]"},{"op":"replace","path":"active","value":"False"}]`)))
	require.NoError(t, err)
	got, err := Apply(start, ops, rt)
	requireSCIMError(t, err, 400, reference.ScimTypeInvalidValue, `Operations[2] (replace "active")`)
	assert.Nil(t, got)
	assert.Equal(t, sampleUser(t), start, "a failed request changes nothing")
}
