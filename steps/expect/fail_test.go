package expect_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tidwall/gjson"

	"github.com/scimcheck/scimcheck/steps/expect"
)

func TestFailCarriesTheResponseNotes(t *testing.T) {
	ex := exchange("GET", "https://app.example.com/scim/v2/Groups/g1", 404, "application/scim+json",
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"404","detail":"no such group"}`)

	err := expect.Fail(ex, "members", "exactly the 3 members Okta pushed", "nothing", "okta-wire §6.5")
	var f *expect.Failure
	require.ErrorAs(t, err, &f)
	msg := err.Error()
	assert.Contains(t, msg, "GET /scim/v2/Groups/g1 HTTP/1.1")
	assert.Contains(t, msg, "members: expected exactly the 3 members Okta pushed, got nothing")
	assert.Contains(t, msg, "response: 404 Not Found")
	assert.Contains(t, msg, `detail: "no such group"`)
	assert.Contains(t, msg, "because: okta-wire §6.5")

	err = expect.FailMissing(ex, "Resources", "an array of the page's resources", "RFC 7644 §3.4.2")
	require.ErrorAs(t, err, &f)
	assert.True(t, f.Missing)
	assert.Contains(t, err.Error(), "Resources: missing, expected an array of the page's resources")
}

func TestDescribe(t *testing.T) {
	body := `{"n":1,"s":"1","b":true,"z":null,"a":[1,2],"o":{"k":"v"}}`
	for path, want := range map[string]string{
		"n": "1 (number)", "s": `"1" (string)`, "b": "true (boolean)", "z": "null",
		"a": "[1,2] (array of 2)", "o": `{"k":"v"} (object)`, "missing": "nothing",
	} {
		assert.Equal(t, want, expect.Describe(gjson.Get(body, path)), path)
	}
}
