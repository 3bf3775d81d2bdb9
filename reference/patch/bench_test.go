package patch

import (
	"fmt"
	"testing"

	"github.com/scimcheck/scimcheck/reference"
)

// BenchmarkApplyMembers measures Okta's membership PATCH at its default batch size (100 adds,
// okta-wire.md §6.5) against a group of 1,000 members. De-duplication is a set look-up per
// member, so the cost is linear in the group size.
func BenchmarkApplyMembers(b *testing.B) {
	rt := reference.NewSchemas().Group
	members := make([]any, 1000)
	for i := range members {
		members[i] = map[string]any{"value": fmt.Sprintf("00000000-0000-4000-8000-%012d", i), "display": fmt.Sprintf("user%d@example.com", i)}
	}
	group := reference.Resource{"id": groupID, "displayName": "Big", "members": members}
	add := make([]any, 100)
	for i := range add {
		add[i] = map[string]any{"value": fmt.Sprintf("00000000-0000-4000-9000-%012d", i), "display": fmt.Sprintf("new%d@example.com", i)}
	}
	ops := []Operation{{Op: "add", Path: "members", Value: add, HasValue: true}}
	b.ReportAllocs()
	for b.Loop() {
		got, err := Apply(group, ops, rt)
		if err != nil {
			b.Fatal(err)
		}
		if n := len(got["members"].([]any)); n != 1100 {
			b.Fatalf("got %d members, want 1100", n)
		}
	}
}
