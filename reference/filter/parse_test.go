package filter

import (
	"strings"
	"testing"

	filterparser "github.com/scim2/filter-parser/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimcheck/scimcheck/reference"
)

// requireInvalidFilter checks that err is a 400 invalidFilter whose detail contains detail.
func requireInvalidFilter(t *testing.T, err error, detail string) {
	t.Helper()
	require.Error(t, err)
	e, ok := reference.AsError(err)
	require.True(t, ok, "error %v is not a *reference.Error", err)
	assert.Equal(t, 400, e.Status)
	assert.Equal(t, reference.ScimTypeInvalidFilter, e.ScimType)
	assert.Contains(t, e.Detail, detail)
}

func TestParseInvalid(t *testing.T) {
	schemas := reference.NewSchemas()
	user, group := schemas.User, schemas.Group
	cases := []struct {
		name, filter string
		rt           *reference.ResourceType
		detail       string
	}{
		{"empty", ``, user, "filter is empty"},
		{"blank", "   ", user, "filter is empty"},
		{"unknown attribute", `foo eq "x"`, user, `unknown attribute "foo" in filter`},
		{"unknown sub-attribute", `name.foo eq "x"`, user, `unknown attribute "name.foo" in filter`},
		{"sub-attribute of simple attribute", `userName.foo pr`, user, `unknown attribute "userName.foo"`},
		{"unknown schema", `urn:ietf:params:scim:schemas:extension:foo:2.0:User:department eq "x"`, user, `unknown schema "urn:ietf:params:scim:schemas:extension:foo:2.0:User"`},
		{"unknown attribute in extension", entUser + `:foo eq "x"`, user, `unknown attribute "` + entUser + `:foo"`},
		{"user attribute on group", `userName eq "x"`, group, `unknown attribute "userName"`},
		{"extension on group", entUser + `:department eq "x"`, group, "unknown schema"},
		{"gt boolean", `active gt true`, user, `operator gt is not defined for boolean attribute "active"`},
		{"co boolean", `active co true`, user, `operator co is not defined for boolean attribute "active"`},
		{"lt boolean sub-attribute", `emails.primary lt true`, user, `operator lt is not defined for boolean attribute "emails.primary"`},
		{"gt complex", `name gt "x"`, user, `operator gt is not defined for complex attribute "name"`},
		{"eq complex", `name eq "x"`, user, `complex attribute "name"`},
		{"gt meta", `meta gt "x"`, user, `complex attribute "meta"`},
		{"eq complex without value", `addresses eq "x"`, user, `complex attribute "addresses"`},
		{"gt extension object", entUser + ` gt "x"`, user, `operator gt is not defined for the extension`},
		{"co dateTime", `meta.created co "2026"`, user, `operator co is not defined for dateTime attribute "meta.created"`},
		{"sw dateTime", `meta.lastModified sw "2026"`, user, `operator sw is not defined for dateTime`},
		{"bad dateTime", `meta.created gt "yesterday"`, user, `is not an RFC 3339 timestamp`},
		{"dateTime number", `meta.created gt 5`, user, `cannot compare dateTime attribute "meta.created" with number 5`},
		{"gt binary", `x509Certificates.value gt "a"`, user, `operator gt is not defined for binary attribute`},
		{"string with number", `userName eq 5`, user, `cannot compare string attribute "userName" with number 5`},
		{"string with boolean", `userName eq true`, user, `cannot compare string attribute "userName" with boolean true`},
		{"boolean with string", `active eq "true"`, user, `cannot compare boolean attribute "active" with string "true"`},
		{"gt null", `userName gt null`, user, `operator gt cannot compare "userName" with null`},
		{"co null", `title co null`, user, `operator co cannot compare "title" with null`},
		{"write-only", `password eq "secret"`, user, `attribute "password" is write-only`},
		{"co number", `count co 5`, thingType(), `operator co is not defined for integer attribute "count"`},
		{"number with string", `count eq "5"`, thingType(), `cannot compare integer attribute "count" with string "5"`},
		{"number out of range", `count gt 1e400`, thingType(), `out of range`},
		{"valuePath on sub-attribute", `emails.value[type eq "work"]`, user, `must follow a complex attribute; "emails.value"`},
		{"valuePath on simple", `userName[value eq "x"]`, user, `"userName" is not one`},
		{"valuePath on extension", entUser + `[department eq "x"]`, user, "not the schema"},
		{"valuePath unknown sub", `emails[foo eq "x"]`, user, `unknown sub-attribute "foo" of "emails"`},
		{"valuePath nested path", `emails[value.x eq "x"]`, user, `unknown attribute "emails.value.x"`},
		{"valuePath URN inside", `emails[` + coreUser + `:type eq "x"]`, user, "must be a plain sub-attribute name"},
		{"valuePath operator check", `emails[primary gt true]`, user, `boolean attribute "emails.primary"`},
		{"empty value filter", `emails[ ]`, user, "empty value filter"},
		{"value filter syntax", `emails[type eq "work" and value co "x" and]`, user, "invalid filter syntax near 'and'"},
		{"value filter operator check", `emails[type eq "work" and value co "x" and primary gt true]`, user, `boolean attribute "emails.primary"`},
		{"value filter unknown sub", `emails[type eq "work" or type eq "home" or foo pr]`, user, `unknown sub-attribute "foo" of "emails"`},
		{"bracket outside value path", `userName eq "x" [title pr]`, user, "invalid filter syntax near '[title pr]'"},
		{"syntax missing value", `userName eq`, user, "invalid filter syntax near 'userName eq'"},
		{"syntax trailing and", `userName eq "x" and`, user, "invalid filter syntax near 'and'"},
		{"syntax trailing garbage", `userName eq "x" foo`, user, "invalid filter syntax near 'foo'"},
		{"syntax unknown operator", `userName equals "x"`, user, "invalid filter syntax near"},
		{"syntax unterminated string", `userName eq "x`, user, "unterminated string starting at column 13"},
		{"syntax missing paren", `(userName eq "x"`, user, `missing ")"`},
		{"syntax extra paren", `userName eq "x")`, user, `unexpected ")" at column 16`},
		{"syntax missing bracket", `emails[type eq "work"`, user, `missing "]"`},
		{"syntax extra bracket", `emails]`, user, `unexpected "]" at column 7`},
		{"syntax nested bracket", `emails[type[x eq 1]]`, user, `nested "["`},
		{"syntax path not filter", `emails[type eq "work"].value`, user, "invalid filter syntax"},
		{"syntax lowercase unicode escape", `userName eq "\u00e9"`, user, "invalid filter syntax"},
		{"syntax long snippet truncated", `userName eq "x" ` + strings.Repeat("x", 200), user, "…'"},
		{"too deep", strings.Repeat("(", MaxDepth+1) + `userName pr` + strings.Repeat(")", MaxDepth+1), user, "nests parentheses"},
		{"too long", `userName eq "` + strings.Repeat("x", MaxLength) + `"`, user, "longer than"},
		{"nil resource type", `userName pr`, nil, "no resource type"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Parse(tc.filter, tc.rt)
			assert.Nil(t, f)
			requireInvalidFilter(t, err, tc.detail)
		})
	}
}

func TestParseDepthWithinLimit(t *testing.T) {
	f, err := Parse(strings.Repeat("(", MaxDepth)+`userName eq "bob"`+strings.Repeat(")", MaxDepth), reference.NewSchemas().User)
	require.NoError(t, err)
	assert.True(t, f.Match(sampleUsers(t)["bob"]))
}

func TestEquality(t *testing.T) {
	schemas := reference.NewSchemas()
	cases := []struct {
		name, filter string
		rt           *reference.ResourceType
		attr, value  string
		ok           bool
	}{
		{"userName", `userName eq "Bob"`, schemas.User, "userName", "Bob", true},
		{"canonical name", `USERNAME EQ "bob"`, schemas.User, "userName", "bob", true},
		{"core URN", coreUser + `:username eq "bob"`, schemas.User, "userName", "bob", true},
		{"unescaped value", `userName eq "a\"b"`, schemas.User, "userName", `a"b`, true},
		{"externalId", `externalId eq "E-1"`, schemas.User, "externalId", "E-1", true},
		{"id", `id eq "i"`, schemas.User, "id", "i", true},
		{"displayName", `displayName eq "d"`, schemas.User, "displayName", "d", true},
		{"group displayName", `displayName eq "Admins"`, schemas.Group, "displayName", "Admins", true},
		{"grouped", `(userName eq "bob")`, schemas.User, "userName", "bob", true},
		{"ne", `userName ne "x"`, schemas.User, "", "", false},
		{"co", `userName co "x"`, schemas.User, "", "", false},
		{"and", `userName eq "x" and id eq "y"`, schemas.User, "", "", false},
		{"or", `userName eq "x" or userName eq "y"`, schemas.User, "", "", false},
		{"not", `not (userName eq "x")`, schemas.User, "", "", false},
		{"null", `userName eq null`, schemas.User, "", "", false},
		{"pr", `userName pr`, schemas.User, "", "", false},
		{"sub-attribute", `name.givenName eq "x"`, schemas.User, "", "", false},
		{"multi-valued", `emails eq "x"`, schemas.User, "", "", false},
		{"valuePath", `emails[value eq "x"]`, schemas.User, "", "", false},
		{"extension", `department eq "x"`, schemas.User, "", "", false},
		{"boolean", `active eq true`, schemas.User, "", "", false},
		{"reference type", `profileUrl eq "x"`, schemas.User, "", "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Parse(tc.filter, tc.rt)
			require.NoError(t, err)
			attr, value, ok := f.Equality()
			assert.Equal(t, tc.ok, ok)
			assert.Equal(t, tc.attr, attr)
			assert.Equal(t, tc.value, value)
		})
	}
}

func TestString(t *testing.T) {
	f, err := Parse(`  userName eq "bob" and not (title pr)  `, reference.NewSchemas().User)
	require.NoError(t, err)
	assert.Equal(t, `userName eq "bob" and not (title pr)`, f.String())
	var nilFilter *Filter
	assert.Equal(t, "", nilFilter.String())
	assert.False(t, nilFilter.Match(map[string]any{}))
	_, _, ok := nilFilter.Equality()
	assert.False(t, ok)
}

func TestFromExpression(t *testing.T) {
	schemas := reference.NewSchemas()
	user, group := schemas.User, schemas.Group
	emails := user.Schema.Attr("emails")
	members := group.Schema.Attr("members")
	work := map[string]any{"value": "a@example.com", "type": "work", "primary": true}
	home := map[string]any{"value": "a@home.org", "type": "Home"}

	valueFilter := func(t *testing.T, p string) filterparser.Expression {
		path, err := filterparser.ParsePath([]byte(p))
		require.NoError(t, err)
		require.NotNil(t, path.ValueExpression)
		return path.ValueExpression
	}
	cases := []struct {
		name, path string
		parent     *reference.Attribute
		element    map[string]any
		want       bool
	}{
		{"type eq", `emails[type eq "work"]`, emails, work, true},
		{"type eq other element", `emails[type eq "work"]`, emails, home, false},
		{"type case-insensitive", `emails[type eq "home"]`, emails, home, true},
		{"and", `emails[type eq "work" and value ew "example.com"]`, emails, work, true},
		{"not", `emails[not (primary eq true)]`, emails, home, true},
		{"ne absent", `emails[primary ne true]`, emails, home, true},
		{"members value", `members[value eq "bob-id"]`, members, map[string]any{"value": "bob-id"}, true},
		{"members value caseExact", `members[value eq "BOB-ID"]`, members, map[string]any{"value": "bob-id"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, err := FromExpression(valueFilter(t, tc.path), user, tc.parent)
			require.NoError(t, err)
			assert.Equal(t, tc.want, f.Match(tc.element))
			assert.NotEmpty(t, f.String())
			_, _, ok := f.Equality()
			assert.False(t, ok, "Equality never applies to a value filter")
		})
	}

	t.Run("resource filter", func(t *testing.T) {
		e, err := filterparser.ParseFilter([]byte(`userName eq "bob" and emails[type eq "work"]`))
		require.NoError(t, err)
		f, err := FromExpression(e, user, nil)
		require.NoError(t, err)
		users := sampleUsers(t)
		assert.True(t, f.Match(users["bob"]))
		assert.False(t, f.Match(users["alice"]))
	})
	t.Run("int compare value from ParseFilter", func(t *testing.T) {
		e, err := filterparser.ParseFilter([]byte(`count eq 7`))
		require.NoError(t, err)
		f, err := FromExpression(e, thingType(), nil)
		require.NoError(t, err)
		assert.True(t, f.Match(map[string]any{"count": 7.0}))
	})

	str := func(s string) *string { return &s }
	attrExp := func(name string, op filterparser.CompareOperator, v any) *filterparser.AttributeExpression {
		return &filterparser.AttributeExpression{AttributePath: filterparser.AttributePath{AttributeName: name}, Operator: op, CompareValue: v}
	}
	invalidCases := []struct {
		name   string
		e      filterparser.Expression
		parent *reference.Attribute
		detail string
	}{
		{"nil", nil, emails, "filter is empty"},
		{"typed nil", (*filterparser.AttributeExpression)(nil), emails, "filter is empty"},
		{"nil operand", &filterparser.LogicalExpression{Left: attrExp("type", filterparser.EQ, "x"), Operator: filterparser.AND}, emails, "missing expression"},
		{"bad logical operator", &filterparser.LogicalExpression{Left: attrExp("type", filterparser.EQ, "x"), Right: attrExp("type", filterparser.EQ, "y"), Operator: "xor"}, emails, `unknown logical operator "xor"`},
		{"bad operator", attrExp("type", "is", "x"), emails, `unknown operator "is"`},
		{"unknown sub-attribute", attrExp("foo", filterparser.EQ, "x"), emails, `unknown sub-attribute "foo" of "emails"`},
		{"sub-attribute path", &filterparser.AttributeExpression{AttributePath: filterparser.AttributePath{AttributeName: "type", SubAttribute: str("x")}, Operator: filterparser.PR}, emails, `unknown attribute "emails.type.x"`},
		{"nested valuePath", &filterparser.ValuePath{AttributePath: filterparser.AttributePath{AttributeName: "emails"}, ValueFilter: attrExp("type", filterparser.EQ, "x")}, emails, "cannot be nested"},
		{"parent not complex", attrExp("value", filterparser.EQ, "x"), user.Schema.Attr("userName"), "needs a complex attribute"},
		{"odd compare value", attrExp("type", filterparser.EQ, []int{1}), emails, `cannot compare string attribute "emails.type"`},
	}
	for _, tc := range invalidCases {
		t.Run(tc.name, func(t *testing.T) {
			f, err := FromExpression(tc.e, user, tc.parent)
			assert.Nil(t, f)
			requireInvalidFilter(t, err, tc.detail)
		})
	}
}
