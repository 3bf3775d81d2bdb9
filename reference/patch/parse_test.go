package patch

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimcheck/scimcheck/reference"
)

// requireSCIMError checks that err is a *reference.Error with the status and scimType given and
// a detail containing each of parts.
func requireSCIMError(t *testing.T, err error, status int, scimType string, parts ...string) {
	t.Helper()
	require.Error(t, err)
	e, ok := reference.AsError(err)
	require.True(t, ok, "error %v (%T) is not a *reference.Error", err, err)
	assert.Equal(t, status, e.Status, "status of %q", e.Detail)
	assert.Equal(t, scimType, e.ScimType, "scimType of %q", e.Detail)
	for _, p := range parts {
		assert.Contains(t, e.Detail, p)
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []Operation
	}{
		{"okta deactivate", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`,
			[]Operation{{Op: "replace", Value: map[string]any{"active": false}, HasValue: true}}},
		{"entra capitalised op", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":false}]}`,
			[]Operation{{Op: "Replace", Path: "active", Value: false, HasValue: true}}},
		{"schemas absent, operations lower case", `{"operations":[{"op":"ADD","path":"nickName","value":"Ada"}]}`,
			[]Operation{{Op: "ADD", Path: "nickName", Value: "Ada", HasValue: true}}},
		{"member names in any case", `{"Operations":[{"OP":"remove","Path":"members[value eq \"x\"]"}]}`,
			[]Operation{{Op: "remove", Path: `members[value eq "x"]`}}},
		{"explicit null value", `{"Operations":[{"op":"replace","path":"title","value":null}]}`,
			[]Operation{{Op: "replace", Path: "title", HasValue: true}}},
		{"null path is no path", `{"Operations":[{"op":"add","path":null,"value":{"title":"x"}}]}`,
			[]Operation{{Op: "add", Value: map[string]any{"title": "x"}, HasValue: true}}},
		{"schemas null tolerated", `{"schemas":null,"Operations":[{"op":"remove","path":"title"}]}`,
			[]Operation{{Op: "remove", Path: "title"}}},
		{"okta membership shape", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
			{"op":"remove","path":"members[value eq \"89bb1940-b905-4575-9e7f-6f887cfb368e\"]"},
			{"op":"add","path":"members","value":[{"value":"23a35c27-23d3-4c03-b4c5-6443c09e7173","display":"test.user@okta.local"}]}]}`,
			[]Operation{
				{Op: "remove", Path: `members[value eq "89bb1940-b905-4575-9e7f-6f887cfb368e"]`},
				{Op: "add", Path: "members", HasValue: true, Value: []any{map[string]any{"value": "23a35c27-23d3-4c03-b4c5-6443c09e7173", "display": "test.user@okta.local"}}},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.body))
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		scimType string
		parts    []string
	}{
		{"not JSON", `{"Operations":[`, reference.ScimTypeInvalidSyntax, []string{"not valid JSON"}},
		{"empty body", ``, reference.ScimTypeInvalidSyntax, []string{"not valid JSON"}},
		{"trailing garbage", `{"Operations":[{"op":"remove","path":"title"}]} x`, reference.ScimTypeInvalidSyntax, []string{"not valid JSON"}},
		{"array body", `[{"op":"remove","path":"title"}]`, reference.ScimTypeInvalidSyntax, []string{"must be a JSON object", "array"}},
		{"no Operations", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}`, reference.ScimTypeInvalidSyntax, []string{`no "Operations"`}},
		{"Operations not array", `{"Operations":{"op":"add"}}`, reference.ScimTypeInvalidSyntax, []string{`"Operations" must be a JSON array`, "object"}},
		{"Operations null", `{"Operations":null}`, reference.ScimTypeInvalidSyntax, []string{"null"}},
		{"Operations empty", `{"Operations":[]}`, reference.ScimTypeInvalidSyntax, []string{"empty"}},
		{"Operations twice", `{"Operations":[],"operations":[]}`, reference.ScimTypeInvalidSyntax, []string{`"Operations" and "operations"`}},
		{"schemas not array", `{"schemas":"urn:ietf:params:scim:api:messages:2.0:PatchOp","Operations":[{"op":"remove","path":"title"}]}`,
			reference.ScimTypeInvalidSyntax, []string{`"schemas" must be a JSON array`}},
		{"schemas element not string", `{"schemas":[1],"Operations":[{"op":"remove","path":"title"}]}`, reference.ScimTypeInvalidSyntax, []string{`"schemas"[0]`}},
		{"operation not object", `{"Operations":["add"]}`, reference.ScimTypeInvalidSyntax, []string{"Operations[0]", "must be a JSON object"}},
		{"op missing", `{"Operations":[{"path":"title","value":"x"}]}`, reference.ScimTypeInvalidSyntax, []string{`has no "op"`}},
		{"op not string", `{"Operations":[{"op":1,"path":"title","value":"x"}]}`, reference.ScimTypeInvalidSyntax, []string{`"op" must be a string`}},
		{"unknown op", `{"Operations":[{"op":"remove","path":"title"},{"op":"copy","path":"title","value":"x"}]}`,
			reference.ScimTypeInvalidSyntax, []string{"Operations[1]", `unknown op "copy"`, `"add", "replace" or "remove"`}},
		{"path not string", `{"Operations":[{"op":"replace","path":["title"],"value":"x"}]}`, reference.ScimTypeInvalidSyntax, []string{`"path" must be a string`}},
		{"add without value", `{"Operations":[{"op":"add","path":"title"}]}`, reference.ScimTypeInvalidSyntax, []string{`"add" needs a "value"`}},
		{"replace without value", `{"Operations":[{"op":"Replace"}]}`, reference.ScimTypeInvalidSyntax, []string{`"Replace" needs a "value"`}},
		{"remove without path", `{"Operations":[{"op":"remove","value":{"title":"x"}}]}`, reference.ScimTypeNoTarget, []string{`"remove" needs a "path"`}},
		{"remove with blank path", `{"Operations":[{"op":"remove","path":"  "}]}`, reference.ScimTypeNoTarget, []string{`"remove" needs a "path"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ops, err := Parse([]byte(tt.body))
			requireSCIMError(t, err, 400, tt.scimType, tt.parts...)
			assert.Nil(t, ops)
		})
	}
}
