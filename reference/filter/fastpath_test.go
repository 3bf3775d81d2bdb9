package filter

import (
	"reflect"
	"testing"

	filterparser "github.com/scim2/filter-parser/v2"
	"github.com/stretchr/testify/require"

	"github.com/scimcheck/scimcheck/reference"
)

// fastPathCases are filters in and near the shape parseSimple reads.
var fastPathCases = []string{
	`userName eq "bjensen"`,
	`USERNAME EQ "BJensen"`,
	`userName Eq "ada@example.com"`,
	`userName   eq    "spaced"`,
	`userName eq ""`,
	`userName eq "O'Malley (x) [y] {z}"`,
	`userName eq "ünïcödé ✓ 𝄞"`,
	`displayName eq "Engineering"`,
	`externalId eq "00u1abc"`,
	`id eq "2819c223-7f76-453a-919d-413861904646"`,
	`name.familyName co "O'Malley"`,
	`emails.value eq "a@b.c"`,
	`emails eq "a@b.c"`,
	`emails.type ne "home"`,
	`members.value eq "x"`,
	`members.$ref eq "x"`,
	`$ref eq "x"`,
	`userName sw "J"`,
	`userName ew "n"`,
	`userName gt "a"`,
	`userName ge "a"`,
	`userName lt "a"`,
	`userName le "a"`,
	`title ne "x"`,
	`meta.lastModified gt "2011-05-13T04:42:34Z"`,
	`meta.created eq "not a time"`,
	`active eq "true"`,
	`foo eq "bar"`,
	`name eq "x"`,
	`name.foo eq "x"`,
	`password eq "x"`,
	`userName.x eq "x"`,
	`user-name_2 eq "x"`,
	`a eq "x"`,
	`meta.version eq "W/\"1\""`,
	`userName eq "a\"b"`,
	`userName eq "a\\b"`,
	`userName eq "tab	in"`,
	"userName eq \"\xff\"",
	"userName\teq \"x\"",
	`userName eq"x"`,
	`userName eq  "x" `,
	`userName eqx "x"`,
	`userName pr`,
	`userName eq "a" and title pr`,
	`userName eq "a" or userName eq "b"`,
	`userName eq "a"b"`,
	`userName eq "a" "b"`,
	`userName eq 1`,
	`userName eq true`,
	`userName eq null`,
	`1userName eq "x"`,
	`_userName eq "x"`,
	`.userName eq "x"`,
	`userName. eq "x"`,
	`userName..x eq "x"`,
	`name.givenName.x eq "x"`,
	`urn:ietf:params:scim:schemas:core:2.0:User:userName eq "x"`,
	`emails[value eq "x"]`,
	`not (userName eq "x")`,
	`(userName eq "x")`,
	`$$ref eq "x"`,
	`$ eq "x"`,
	`userName eq "`,
	`userName eq`,
	`userName`,
	`eq "x"`,
	`x eq "y"`,
}

// TestParseSimpleMatchesFilterParser proves the fast path builds exactly what the full
// parser builds, for texts it reads, and leaves every other text alone.
func TestParseSimpleMatchesFilterParser(t *testing.T) {
	schemas := reference.NewSchemas()
	for _, text := range fastPathCases {
		simple, ok := parseSimple(text)
		full, err := parseExpr(text)
		if !ok {
			continue
		}
		require.NoError(t, err, "%q: the fast path read a text filter-parser rejects", text)
		require.Equal(t, full, simple, "%q", text)
		for _, rt := range []*reference.ResourceType{schemas.User, schemas.Group} {
			want, werr := (&compiler{rt: rt}).compile(full)
			got, gerr := Parse(text, rt)
			if werr != nil {
				require.Equal(t, werr, gerr, "%q", text)
				continue
			}
			require.NoError(t, gerr, "%q", text)
			require.True(t, reflect.DeepEqual(want, got.root), "%q: compiled filters differ", text)
		}
	}
	for _, text := range []string{`userName eq "bjensen"`, `USERNAME EQ "BJensen"`, `name.familyName co "O'Malley"`, `members.$ref eq "x"`} {
		_, ok := parseSimple(text)
		require.True(t, ok, "%q should take the fast path", text)
	}
	for _, text := range []string{`userName eq "a\"b"`, "userName eq \"\xff\"", `userName eq "a" and title pr`, `userName eq 1`} {
		_, ok := parseSimple(text)
		require.False(t, ok, "%q should go to filter-parser", text)
	}
}

// FuzzParseSimple checks the fast path against filter-parser on any text.
func FuzzParseSimple(f *testing.F) {
	for _, c := range fastPathCases {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, text string) {
		simple, ok := parseSimple(text)
		if !ok {
			return
		}
		full, err := parseExpr(text)
		require.NoError(t, err, "%q", text)
		require.Equal(t, full, simple, "%q", text)
	})
}

// pathCases are PATCH paths in and near the shapes ParseSimplePath reads.
var pathCases = []string{
	`members`, `name.givenName`, `$ref`, `members.$ref`, `emails.value`, `active`, `a`, `a-b_c1.d2`,
	`members[value eq "2819c223-7f76-453a-919d-413861904646"]`, `members[value eq ""]`,
	`members[ value eq "x" ]`, `members [value eq "x"]`, `members  [  value   EQ   "x"  ]`,
	`emails[type eq "work"].value`, `emails[type eq "work"] .value`, `emails[type eq "work"].`,
	`emails[type eq "work"]value`, `emails[type eq "work"].value.x`, `emails[type eq "work"].$ref`,
	`name.givenName[value eq "x"]`, `emails[type.x eq "work"]`, `emails[type eq "wo]rk"]`,
	`emails[type eq "a\"b"]`, `emails[type eq "work" and primary eq true]`, `emails[type eq "work" or value pr]`,
	`emails[not (type eq "work")]`, `emails[type pr]`, `emails[primary eq true]`, `emails[]`, `emails[`,
	`emails]`, `emails[type eq "work"]]`, `emails[[type eq "work"]]`, `urn:x:y:emails`, `urn:ietf:params:scim:schemas:core:2.0:User:userName`,
	`1members`, `members.`, `.members`, `members..x`, `members.x.y`, `members x`, ` members`, `members `,
	`members[value eq "x"] `, "members\t", `emails[type ne "work"].value`, `emails[display co "ü ✓"]`,
}

// TestParseSimplePathMatchesFilterParser proves ParseSimplePath returns what
// filterparser.ParsePath returns, for the paths it reads.
func TestParseSimplePathMatchesFilterParser(t *testing.T) {
	n := 0
	for _, p := range pathCases {
		got, ok := ParseSimplePath(p)
		if !ok {
			continue
		}
		n++
		want, err := filterparser.ParsePath([]byte(p))
		require.NoError(t, err, "%q: the fast path read a path filter-parser rejects", p)
		require.Equal(t, want, got, "%q", p)
	}
	require.Greater(t, n, 15, "the fast path reads the common shapes")
	for _, p := range []string{`members`, `name.givenName`, `members[value eq "x"]`, `emails[type eq "work"].value`} {
		_, ok := ParseSimplePath(p)
		require.True(t, ok, "%q should take the fast path", p)
	}
}

// FuzzParseSimplePath checks ParseSimplePath against filter-parser on any text.
func FuzzParseSimplePath(f *testing.F) {
	for _, c := range pathCases {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, p string) {
		got, ok := ParseSimplePath(p)
		if !ok {
			return
		}
		want, err := filterparser.ParsePath([]byte(p))
		require.NoError(t, err, "%q", p)
		require.Equal(t, want, got, "%q", p)
	})
}
