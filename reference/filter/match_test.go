package filter

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimcheck/scimcheck/reference"
)

type matchCase struct {
	name, filter string
	want         []string
}

func runMatchCases(t *testing.T, rt *reference.ResourceType, resources map[string]map[string]any, cases []matchCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Parse(tc.filter, rt)
			require.NoError(t, err, tc.filter)
			assert.Equal(t, tc.want, matching(f, resources), tc.filter)
			for _, odd := range oddResources(t) {
				assert.NotPanics(t, func() { f.Match(odd) })
			}
		})
	}
}

func TestMatchUsers(t *testing.T) {
	none := []string{}
	runMatchCases(t, reference.NewSchemas().User, sampleUsers(t), []matchCase{
		// eq and case rules
		{"eq case-insensitive value", `userName eq "alice@example.com"`, []string{"alice"}},
		{"eq attribute name and operator in any case", `USERNAME Eq "BOB"`, []string{"bob"}},
		{"eq resource keys in any case", `userName eq "dave"`, []string{"dave"}},
		{"eq caseExact id", `id eq "bob-id"`, []string{"bob"}},
		{"eq caseExact id wrong case", `id eq "BOB-ID"`, none},
		{"eq caseExact externalId wrong case", `externalId eq "alice-ext"`, none},
		{"eq caseExact externalId", `externalId eq "Alice-Ext"`, []string{"alice"}},
		{"eq escaped quotes", `nickName eq "bob \"the builder\""`, []string{"bob"}},
		{"eq unicode escape", `displayName eq "Carol\u00E9"`, []string{"carol"}},
		{"eq boolean true", `active eq true`, []string{"alice", "dave"}},
		{"eq boolean false", `active eq false`, []string{"bob"}},
		{"eq boolean keyword case", `active eq TRUE`, []string{"alice", "dave"}},
		// ne
		{"ne boolean absent is true", `active ne true`, []string{"bob", "carol"}},
		{"ne string", `userName ne "bob"`, []string{"alice", "carol", "dave"}},
		{"ne empty null absent", `title ne "Engineer"`, []string{"bob", "carol", "dave"}},
		{"ne multi-valued is not any eq", `emails.type ne "work"`, []string{"carol"}},
		// co sw ew
		{"co case-insensitive", `userName co "EXAMPLE"`, []string{"alice"}},
		{"co displayName", `displayName co "smith"`, []string{"alice"}},
		{"co empty string on present values", `nickName co ""`, []string{"bob", "carol"}},
		{"sw", `userName sw "al"`, []string{"alice"}},
		{"sw caseExact miss", `externalId sw "alice"`, none},
		{"sw caseExact hit", `externalId sw "Alice"`, []string{"alice"}},
		{"ew", `userName ew ".COM"`, []string{"alice"}},
		// lexical order
		{"gt string case-insensitive", `userName gt "bob"`, []string{"carol", "dave"}},
		{"ge string", `userName ge "bob"`, []string{"bob", "carol", "dave"}},
		{"lt string", `userName lt "bob"`, []string{"alice"}},
		{"le string", `userName le "BOB"`, []string{"alice", "bob"}},
		{"gt caseExact", `id gt "a"`, []string{"bob", "carol", "dave"}},
		{"lt caseExact", `id lt "C"`, []string{"alice"}},
		{"lt caseExact lower", `id lt "c"`, []string{"alice", "bob"}},
		// dateTime as instants
		{"dateTime eq same instant other offset", `meta.created eq "2026-01-02T03:04:05Z"`, []string{"alice", "carol"}},
		{"dateTime eq fractional zero", `meta.created eq "2026-01-02T03:04:05.000Z"`, []string{"alice", "carol"}},
		{"dateTime ne", `meta.created ne "2026-01-02T03:04:05Z"`, []string{"bob", "dave"}},
		{"dateTime gt", `meta.created gt "2025-12-31T23:59:59Z"`, []string{"alice", "carol"}},
		{"dateTime ge", `meta.created ge "2026-01-02T03:04:05Z"`, []string{"alice", "carol"}},
		{"dateTime lt", `meta.created lt "2026-01-01T00:00:00Z"`, []string{"bob"}},
		{"dateTime le offset", `meta.created le "2025-05-31T22:00:00Z"`, []string{"bob"}},
		{"dateTime fractional seconds", `meta.lastModified gt "2026-03-04T05:06:07Z"`, []string{"alice"}},
		{"dateTime unparsable stored value", `meta.lastModified lt "2100-01-01T00:00:00Z"`, []string{"alice", "bob"}},
		// null and pr
		{"eq null matches unassigned", `title eq null`, []string{"bob", "carol", "dave"}},
		{"ne null", `title ne null`, []string{"alice"}},
		{"pr string", `title pr`, []string{"alice"}},
		{"pr operator case", `title PR`, []string{"alice"}},
		{"pr empty object", `name pr`, []string{"alice"}},
		{"pr empty array", `emails pr`, []string{"alice", "bob", "dave"}},
		{"pr sub-attribute", `emails.primary pr`, []string{"alice"}},
		{"pr extension object", entUser + ` pr`, []string{"alice", "dave"}},
		{"eq null extension object", entUser + ` eq null`, []string{"bob", "carol"}},
		// multi-valued
		{"multi-valued sub-attribute any", `emails.type eq "home"`, []string{"alice"}},
		{"multi-valued ew", `emails.value ew "example.com"`, []string{"alice", "dave"}},
		{"multi-valued complex compares value", `emails co "home.org"`, []string{"alice"}},
		{"multi-valued complex eq case-insensitive value", `emails eq "bob@EXAMPLE.org"`, []string{"bob"}},
		{"multi-valued boolean", `emails.primary eq true`, []string{"alice"}},
		// valuePath
		{"valuePath and", `emails[type eq "work" and value co "@example.com"]`, []string{"alice", "dave"}},
		{"valuePath same element", `emails[type eq "home" and value co "example.com"]`, none},
		{"sub-attributes any element", `emails.type eq "home" and emails.value co "example.com"`, []string{"alice"}},
		{"valuePath or", `emails[type eq "home" or value sw "bob"]`, []string{"alice", "bob"}},
		{"valuePath not", `emails[not (type eq "work")]`, []string{"alice"}},
		{"valuePath and attribute", `emails[type eq "work"] and userName sw "b"`, []string{"bob"}},
		{"valuePath on single-valued complex", `name[givenName eq "alice"]`, []string{"alice"}},
		{"valuePath keyword case", `emails[type EQ "work" AND primary eq true]`, []string{"alice"}},
		{"valuePath three terms", `emails[type eq "work" and value co "@example.com" and primary eq true]`, []string{"alice"}},
		{"valuePath grouping", `emails[(type eq "home" or type eq "work") and not (primary eq true)]`, []string{"alice", "bob", "dave"}},
		{"valuePath padded", `emails[ type eq "home" ]`, []string{"alice"}},
		{"two valuePaths one long", `emails[type eq "work" and value sw "b" and value ew ".org"] or name[givenName eq "alice" and familyName eq "smith" and formatted pr]`,
			[]string{"bob"}},
		{"brackets inside strings", `displayName eq "a[b]" or emails[value ne "x]y" and type eq "home"]`, []string{"alice"}},
		// URN prefixes
		{"core URN", coreUser + `:userName eq "bob"`, []string{"bob"}},
		{"core URN sub-attribute", coreUser + `:name.givenName eq "alice"`, []string{"alice"}},
		{"core URN common attribute", coreUser + `:meta.created lt "2026-01-01T00:00:00Z"`, []string{"bob"}},
		{"core URN in any case", `URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:USER:username eq "bob"`, []string{"bob"}},
		{"enterprise URN", entUser + `:department eq "r&d"`, []string{"alice"}},
		{"enterprise URN keys in any case", entUser + `:department eq "Sales"`, []string{"dave"}},
		{"enterprise sub-attribute", entUser + `:manager.value eq "bob-id"`, []string{"alice"}},
		{"enterprise short name", `department pr`, []string{"alice", "dave"}},
		{"enterprise URN valuePath", entUser + `:manager[value eq "bob-id"]`, []string{"alice"}},
		// logic
		{"and binds tighter than or", `userName eq "bob" or userName eq "carol" and active eq true`, []string{"bob"}},
		{"and binds tighter than or left", `userName eq "carol" and active ne true or userName eq "bob"`, []string{"bob", "carol"}},
		{"grouping", `(userName eq "bob" or userName eq "carol") and active eq false`, []string{"bob"}},
		{"grouping ne", `(userName eq "bob" or userName eq "carol") and active ne true`, []string{"bob", "carol"}},
		{"nested grouping", `((userName eq "bob") or (userName eq "dave" and (active eq true)))`, []string{"bob", "dave"}},
		{"not", `not (userName eq "bob")`, []string{"alice", "carol", "dave"}},
		{"not without space and upper case", `NOT(title pr) and userName sw "c"`, []string{"carol"}},
		{"not inside and", `active eq true and not (emails.type eq "home")`, []string{"dave"}},
		{"or chain", `userName eq "alice@example.com" or userName eq "bob" or userName eq "carol" or id eq "dave-id"`,
			[]string{"alice", "bob", "carol", "dave"}},
		{"spaces around", `   userName eq "bob"  `, []string{"bob"}},
	})
}

func TestMatchGroups(t *testing.T) {
	runMatchCases(t, reference.NewSchemas().Group, sampleGroups(t), []matchCase{
		{"displayName", `displayName eq "admins"`, []string{"admins"}},
		{"members valuePath", `members[value eq "bob-id"]`, []string{"admins"}},
		{"members value caseExact", `members.value eq "BOB-ID"`, []string{}},
		{"members compares value", `members eq "bob-id"`, []string{"admins"}},
		{"members pr", `members pr`, []string{"admins"}},
		{"members absent ne", `members.value ne "bob-id"`, []string{"empty"}},
		{"core URN", `urn:ietf:params:scim:schemas:core:2.0:Group:displayName sw "E"`, []string{"empty"}},
		{"meta absent", `meta.created pr`, []string{}},
	})
}

func TestMatchNumbers(t *testing.T) {
	things := map[string]map[string]any{
		"small": decode(t, `{"count": 2, "ratio": 0.25, "scores": [10, 20]}`),
		"big":   decode(t, `{"count": 7, "ratio": 0.75, "scores": [95]}`),
		"wrong": decode(t, `{"count": "7", "ratio": "0.75", "scores": ["95"]}`),
	}
	var n map[string]any
	d := json.NewDecoder(strings.NewReader(`{"count": 7, "ratio": 0.5, "scores": [90]}`))
	d.UseNumber()
	require.NoError(t, d.Decode(&n))
	things["number"] = n
	runMatchCases(t, thingType(), things, []matchCase{
		{"eq integer", `count eq 7`, []string{"big", "number"}},
		{"eq integer as decimal", `count eq 7.0`, []string{"big", "number"}},
		{"ne integer", `count ne 7`, []string{"small", "wrong"}},
		{"gt", `count gt 2`, []string{"big", "number"}},
		{"ge", `count ge 2`, []string{"big", "number", "small"}},
		{"lt negative", `count lt -1`, []string{}},
		{"le exponent", `count le 2e0`, []string{"small"}},
		{"decimal", `ratio le 0.5`, []string{"number", "small"}},
		{"multi-valued any", `scores ge 90`, []string{"big", "number"}},
		{"multi-valued lt", `scores lt 15`, []string{"small"}},
		{"pr", `count pr`, []string{"big", "number", "small", "wrong"}},
	})
}
