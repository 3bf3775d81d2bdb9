package filter

import (
	"encoding/json"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scimcheck/scimcheck/reference"
)

const (
	coreUser = "urn:ietf:params:scim:schemas:core:2.0:User"
	entUser  = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
)

// decode turns JSON into a resource exactly as encoding/json produces it.
func decode(t testing.TB, s string) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(s), &m))
	return m
}

// sampleUsers returns users keyed by a short name.
func sampleUsers(t testing.TB) map[string]map[string]any {
	return map[string]map[string]any{
		"alice": decode(t, `{
			"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
			"id": "2819c223-7f76-453a-919d-413861904646",
			"externalId": "Alice-Ext",
			"userName": "Alice@Example.com",
			"name": {"givenName": "Alice", "familyName": "Smith"},
			"displayName": "Alice Smith",
			"title": "Engineer",
			"active": true,
			"emails": [
				{"value": "alice@example.com", "type": "work", "primary": true},
				{"value": "alice@home.org", "type": "home"}
			],
			"x509Certificates": [{"value": "TUlJRA=="}],
			"meta": {"created": "2026-01-02T03:04:05Z", "lastModified": "2026-03-04T05:06:07.5Z",
				"version": "W/\"1\"", "resourceType": "User", "location": "https://example.com/Users/2819c223"},
			"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
				"department": "R&D", "employeeNumber": "701984", "manager": {"value": "bob-id", "displayName": "Bob"}}
		}`),
		"bob": decode(t, `{
			"id": "bob-id",
			"userName": "bob",
			"displayName": "Bob Jones",
			"nickName": "Bob \"The Builder\"",
			"title": "",
			"active": false,
			"name": {},
			"emails": [{"value": "BOB@example.org", "type": "work"}],
			"meta": {"created": "2025-06-01T00:00:00+02:00", "lastModified": "2025-06-01T00:00:00Z"}
		}`),
		"carol": decode(t, `{
			"id": "carol-id",
			"userName": "carol",
			"displayName": "Carolé",
			"nickName": "Caz",
			"title": null,
			"emails": [],
			"meta": {"created": "2026-01-02T04:04:05+01:00", "lastModified": "not a date"}
		}`),
		// dave's keys are not in canonical case.
		"dave": decode(t, `{
			"ID": "dave-id",
			"UserName": "Dave",
			"Active": true,
			"EMAILS": [{"VALUE": "dave@example.com", "Type": "work"}],
			"urn:ietf:params:scim:schemas:extension:enterprise:2.0:user": {"Department": "Sales"}
		}`),
	}
}

// sampleGroups returns groups keyed by a short name.
func sampleGroups(t testing.TB) map[string]map[string]any {
	return map[string]map[string]any{
		"admins": decode(t, `{"id": "g1", "displayName": "Admins", "members": [
			{"value": "2819c223-7f76-453a-919d-413861904646", "display": "Alice", "type": "User"},
			{"value": "bob-id", "type": "User"}]}`),
		"empty": decode(t, `{"id": "g2", "displayName": "Empty", "members": []}`),
	}
}

// oddResources hold values of every wrong type; matching them must not panic.
func oddResources(t testing.TB) []map[string]any {
	odd := decode(t, `{
		"userName": 5, "id": ["a"], "name": "str", "emails": "x", "active": "yes", "title": {"a": 1},
		"meta": [1, 2], "groups": [1, null, "x", [[]]], "members": {"value": 3},
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": "str",
		"count": "7", "ratio": true, "scores": {"x": 1}
	}`)
	cyclic := map[string]any{"userName": "cyc"}
	cyclic["name"] = cyclic
	cyclic["emails"] = []any{cyclic}
	cyclic["meta"] = map[string]any{"created": cyclic}
	return []map[string]any{nil, {}, odd, cyclic, {"emails": []any{nil, map[string]any{"value": nil}}}}
}

// thingType is a resource type with numeric attributes, which User and Group lack.
func thingType() *reference.ResourceType {
	return &reference.ResourceType{ID: "Thing", Name: "Thing", Schema: &reference.Schema{
		ID: "urn:test:Thing", Name: "Thing",
		Attributes: []*reference.Attribute{
			{Name: "count", Type: reference.TypeInteger},
			{Name: "ratio", Type: reference.TypeDecimal},
			{Name: "scores", Type: reference.TypeInteger, MultiValued: true},
		},
	}}
}

// matching returns the sorted names of the resources f matches.
func matching(f *Filter, resources map[string]map[string]any) []string {
	names := []string{}
	for name, r := range resources {
		if f.Match(r) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}
