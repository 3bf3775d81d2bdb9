package patch

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimcheck/scimcheck/reference"
)

const (
	userID  = "2819c223-7f76-453a-919d-413861904646"
	groupID = "abf4dd94-a4c0-4f67-89c9-76b03340cb9b"
	member1 = "89bb1940-b905-4575-9e7f-6f887cfb368e"
	member2 = "23a35c27-23d3-4c03-b4c5-6443c09e7173"
	member3 = "cc2573a1-0d45-4d1e-8a4a-1f1e2c0a9b11"
	entURN  = reference.EnterpriseSchema
)

// sampleUserJSON is a User as the reference server stores it: canonical names, the enterprise
// extension nested under its URN.
const sampleUserJSON = `{
	"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
	"id": "2819c223-7f76-453a-919d-413861904646",
	"externalId": "00u1abcd",
	"userName": "ada@example.com",
	"name": {"givenName": "Ada", "familyName": "Lovelace"},
	"displayName": "Ada Lovelace",
	"title": "Analyst",
	"active": true,
	"emails": [{"value": "ada@example.com", "type": "work", "primary": true}],
	"phoneNumbers": [{"value": "+1 555 0100", "type": "mobile"}],
	"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
		"employeeNumber": "701984",
		"department": "Engineering",
		"manager": {"value": "26118915-6090-4610-87e4-49d8ca9f808d"}
	},
	"meta": {"resourceType": "User", "created": "2026-01-02T15:04:05Z", "lastModified": "2026-01-02T15:04:05Z",
		"location": "https://example.com/scim/v2/Users/2819c223-7f76-453a-919d-413861904646"}
}`

// sampleGroupJSON is a Group with two members.
const sampleGroupJSON = `{
	"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
	"id": "abf4dd94-a4c0-4f67-89c9-76b03340cb9b",
	"displayName": "Engineering",
	"members": [
		{"value": "89bb1940-b905-4575-9e7f-6f887cfb368e", "display": "bb-8@example.com"},
		{"value": "23a35c27-23d3-4c03-b4c5-6443c09e7173", "display": "ada@example.com"}
	],
	"meta": {"resourceType": "Group", "created": "2026-01-02T15:04:05Z", "lastModified": "2026-01-02T15:04:05Z"}
}`

// decode decodes a JSON object.
func decode(t testing.TB, s string) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(s), &m), "fixture %s", s)
	return m
}

func sampleUser(t testing.TB) reference.Resource  { return decode(t, sampleUserJSON) }
func sampleGroup(t testing.TB) reference.Resource { return decode(t, sampleGroupJSON) }

// patchBody wraps operations (a JSON array) into a PatchOp request body.
func patchBody(ops string) string {
	return `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":` + ops + `}`
}

// patchCase is one table entry: operations (a JSON array) applied to a start resource. Exactly
// one of want (fields of the result, checked with assert.Equal; nil means "absent"), check or
// errType is set.
type patchCase struct {
	name    string
	start   func(testing.TB) reference.Resource
	ops     string
	want    map[string]any
	check   func(t *testing.T, got reference.Resource)
	errType string
	errHas  []string
}

// runPatchCases runs cases against rt: Parse, then Apply, and checks the result, that the start
// resource was not modified, and that fields not named in want are unchanged.
func runPatchCases(t *testing.T, rt *reference.ResourceType, cases []patchCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			start := tc.start(t)
			before := reference.DeepCopy(start)
			ops, err := Parse([]byte(patchBody(tc.ops)))
			require.NoError(t, err)
			got, err := Apply(start, ops, rt)
			assert.Equal(t, before, any(start), "Apply modified its input")
			if tc.errType != "" {
				requireSCIMError(t, err, 400, tc.errType, tc.errHas...)
				assert.Nil(t, got)
				return
			}
			require.NoError(t, err)
			for k, v := range tc.want {
				if v == nil {
					assert.NotContains(t, got, k)
				} else {
					assert.Equal(t, v, got[k], "attribute %q", k)
				}
			}
			if tc.check != nil {
				tc.check(t, got)
			}
			if tc.check == nil {
				for k, v := range before.(map[string]any) {
					if _, named := tc.want[k]; !named {
						assert.Equal(t, v, got[k], "attribute %q changed but the case does not say so", k)
					}
				}
			}
		})
	}
}

// ext returns the enterprise extension object of res.
func ext(res reference.Resource) map[string]any {
	m, _ := res[entURN].(map[string]any)
	return m
}

// memberValues lists the member ids of a group in order.
func memberValues(res reference.Resource) []string {
	var out []string
	list, _ := res["members"].([]any)
	for _, el := range list {
		m, _ := el.(map[string]any)
		s, _ := m["value"].(string)
		out = append(out, s)
	}
	return out
}

func TestApplyNeverModifiesOperationValues(t *testing.T) {
	rt := reference.NewSchemas().Group
	ops, err := Parse([]byte(patchBody(`[{"op":"add","path":"members","value":[{"value":"` + member3 + `","display":"x"}]},
		{"op":"replace","path":"members[value eq \"` + member3 + `\"].display","value":"y"}]`)))
	require.NoError(t, err)
	before := reference.DeepCopy(ops[0].Value)
	got, err := Apply(sampleGroup(t), ops, rt)
	require.NoError(t, err)
	assert.Equal(t, before, ops[0].Value)
	assert.Equal(t, []string{member1, member2, member3}, memberValues(got))
}

func TestApplyNilResource(t *testing.T) {
	rt := reference.NewSchemas().User
	got, err := Apply(nil, []Operation{{Op: "add", Path: "userName", Value: "x", HasValue: true}}, rt)
	require.NoError(t, err)
	assert.Equal(t, reference.Resource{"userName": "x"}, got)

	_, err = Apply(nil, nil, nil)
	e, ok := reference.AsError(err)
	require.True(t, ok)
	assert.Equal(t, 500, e.Status)
}
