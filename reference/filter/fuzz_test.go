package filter

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scimcheck/scimcheck/reference"
)

func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		`userName eq "bjensen"`,
		`USERNAME EQ "BJensen"`,
		`name.familyName co "O'Malley"`,
		`userName sw "J"`,
		`title pr`,
		`title eq null`,
		`meta.lastModified gt "2011-05-13T04:42:34Z"`,
		`meta.created le "2011-05-13T04:42:34.123+02:00"`,
		`title pr and userType eq "Employee"`,
		`title pr or userType eq "Intern"`,
		`userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")`,
		`userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")`,
		`userType eq "Employee" and emails[type eq "work" and value co "@example.com"]`,
		`emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]`,
		`emails[not (type eq "work")]`,
		`emails[type eq "work" and value co "x" and (primary eq true or display pr)]`,
		`emails[]`,
		`urn:ietf:params:scim:schemas:core:2.0:User:userName eq "x"`,
		`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "x"`,
		`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "x"`,
		`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User pr`,
		`active eq true`,
		`active gt false`,
		`members[value eq "2819c223"]`,
		`displayName eq "a\"b\\c\u00E9"`,
		`id eq "x" or id eq "y" or id eq "z"`,
		`not(not(not(userName pr)))`,
		`((userName eq "a") and (((title pr))))`,
		`emails.primary eq true and emails.type ne "home"`,
		`x509Certificates.value eq "TUlJRA=="`,
		`userName eq 1.5e3`,
		`userName gt -0`,
		`foo eq "bar"`,
		`userName eq`,
		`userName eq "x" and`,
		`emails[type eq "work"`,
		`((((`,
		`$ref eq "x"`,
		"userName eq \"\xff\"",
	} {
		f.Add(seed)
	}
	schemas := reference.NewSchemas()
	users, groups := sampleUsers(f), sampleGroups(f)
	odd := oddResources(f)
	f.Fuzz(func(t *testing.T, expr string) {
		for _, rt := range []*reference.ResourceType{schemas.User, schemas.Group} {
			flt, err := Parse(expr, rt)
			if err != nil {
				e, ok := reference.AsError(err)
				require.True(t, ok, "error %v is not a *reference.Error", err)
				require.Equal(t, 400, e.Status)
				require.Equal(t, reference.ScimTypeInvalidFilter, e.ScimType)
				continue
			}
			for _, r := range users {
				flt.Match(r)
			}
			for _, r := range groups {
				flt.Match(r)
			}
			for _, r := range odd {
				flt.Match(r)
			}
			flt.Equality()
			_ = flt.String()
		}
	})
}

func BenchmarkMatch(b *testing.B) {
	f, err := Parse(`userName eq "bob" or (active eq true and emails[type eq "work" and value co "@example.com"])`,
		reference.NewSchemas().User)
	require.NoError(b, err)
	alice := sampleUsers(b)["alice"]
	require.True(b, f.Match(alice))
	b.ReportAllocs()
	for b.Loop() {
		f.Match(alice)
	}
}
