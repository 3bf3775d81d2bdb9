package patch

import (
	"reflect"
	"strconv"
	"testing"

	"github.com/scimcheck/scimcheck/reference"
)

// fuzzSeeds are request bodies covering every shape the package handles; they run in every
// plain go test. Crashers found by fuzzing are added at the end.
var fuzzSeeds = []string{
	`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`,
	`{"Operations":[{"op":"Replace","path":"active","value":"False"}]}`,
	`{"Operations":[{"op":"replace","value":{"id":"abf4dd94-a4c0-4f67-89c9-76b03340cb9b","displayName":"Test SCIMv2"}}]}`,
	`{"Operations":[{"op":"remove","path":"members[value eq \"89bb1940-b905-4575-9e7f-6f887cfb368e\"]"},{"op":"add","path":"members","value":[{"value":"23a35c27-23d3-4c03-b4c5-6443c09e7173","display":"test.user@okta.local"}]}]}`,
	`{"Operations":[{"op":"replace","path":"members","value":[]}]}`,
	`{"Operations":[{"op":"Remove","path":"members","value":[{"value":"89bb1940-b905-4575-9e7f-6f887cfb368e"}]}]}`,
	`{"Operations":[{"op":"replace","path":"emails[type eq \"work\"].value","value":"a@b.c"}]}`,
	`{"Operations":[{"op":"replace","path":"emails[type eq \"home\"]","value":{"value":"x@y.z"}}]}`,
	`{"Operations":[{"op":"Add","path":"emails[type eq \"home\" and primary eq true].value","value":"x@y.z"}]}`,
	`{"Operations":[{"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value","value":"boss"}]}`,
	`{"Operations":[{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department","value":"Sales"}]}`,
	`{"Operations":[{"op":"replace","value":{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Sales","manager":{"value":"m","displayName":"M"}}}}]}`,
	`{"Operations":[{"op":"replace","value":{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department":"Sales"}}]}`,
	`{"Operations":[{"op":"remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"}]}`,
	`{"Operations":[{"op":"replace","path":"urn:ietf:params:scim:schemas:core:2.0:User:name.givenName","value":"Ada"}]}`,
	`{"Operations":[{"op":"add","path":"emails","value":[{"value":"h@x","type":"home","primary":true}]}]}`,
	`{"Operations":[{"op":"remove","path":"emails[not (type eq \"work\") or value co \"@\"].primary"}]}`,
	`{"Operations":[{"op":"replace","path":"phoneNumbers.type","value":"work"}]}`,
	`{"Operations":[{"op":"remove","path":"name.givenName"},{"op":"remove","path":"name.familyName"}]}`,
	`{"Operations":[{"op":"replace","path":"id","value":"x"}]}`,
	`{"Operations":[{"op":"remove","path":"userName"}]}`,
	`{"Operations":[{"op":"copy","path":"title","value":"x"}]}`,
	`{"operations":[{"OP":"add","PATH":"members[value eq \"x\"].display","VALUE":"y"}]}`,
	`{"Operations":[{"op":"replace","path":"members[value eq \"89bb1940-b905-4575-9e7f-6f887cfb368e\"].value","value":"other"}]}`,
	`{"Operations":[{"op":"add","path":"emails[((((type eq \"a\"))))]","value":{"value":1}}]}`,
	`{"Operations":[{"op":"replace","value":{"groups":[],"meta":{},"schemas":[],"name":{"givenName":null},"x509Certificates":[{"value":"AA=="}]}}]}`,
	`{"Operations":[{"op":"add","path":"urn:foo:bar","value":1},{"op":"remove","path":"emails[type eq \"work\"][x]"}]}`,
}

func FuzzPatch(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	schemas := reference.NewSchemas()
	user, group := sampleUser(f), sampleGroup(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		ops, err := Parse(body)
		if err != nil {
			requireClientError(t, "Parse", err)
			return
		}
		opsBefore := make([]any, len(ops))
		for i, op := range ops {
			opsBefore[i] = reference.DeepCopy(op.Value)
		}
		for _, c := range []struct {
			rt  *reference.ResourceType
			res reference.Resource
		}{{schemas.User, user}, {schemas.Group, group}} {
			res := reference.DeepCopy(c.res).(map[string]any)
			got, err := Apply(res, ops, c.rt)
			if !reflect.DeepEqual(c.res, res) {
				t.Fatalf("Apply on a %s modified its input:\nbefore %v\nafter  %v", c.rt.Name, c.res, res)
			}
			for i, op := range ops {
				if !reflect.DeepEqual(opsBefore[i], op.Value) {
					t.Fatalf("Apply modified the value of Operations[%d]", i)
				}
			}
			if err != nil {
				requireClientError(t, "Apply on a "+c.rt.Name, err)
				continue
			}
			if p := emptyValue(got, ""); p != "" {
				t.Fatalf("Apply on a %s left an empty value at %s: %v", c.rt.Name, p, got)
			}
			again, err := Apply(res, ops, c.rt)
			if err != nil || !reflect.DeepEqual(got, again) {
				t.Fatalf("Apply on a %s is not deterministic: %v, then %v (%v)", c.rt.Name, got, again, err)
			}
		}
	})
}

// requireClientError fails unless err is a *reference.Error with a 4xx status.
func requireClientError(t *testing.T, what string, err error) {
	t.Helper()
	e, ok := reference.AsError(err)
	if !ok {
		t.Fatalf("%s returned %T %v, want *reference.Error", what, err, err)
	}
	if e.Status < 400 || e.Status > 499 {
		t.Fatalf("%s returned status %d (%v), want 4xx", what, e.Status, e)
	}
}

// emptyValue returns the location of an empty value ("", null, [], {}) inside v, or "".
func emptyValue(v any, at string) string {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if reference.IsEmpty(e) {
				return at + "/" + k
			}
			if p := emptyValue(e, at+"/"+k); p != "" {
				return p
			}
		}
	case []any:
		for i, e := range x {
			if reference.IsEmpty(e) {
				return at + "/" + strconv.Itoa(i)
			}
			if p := emptyValue(e, at+"/"+strconv.Itoa(i)); p != "" {
				return p
			}
		}
	}
	return ""
}
