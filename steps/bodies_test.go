package steps

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fixtureUser is the user of Okta's documented examples (okta-wire §2.3, §3.1).
func fixtureUser() *user {
	return &user{
		alias: "test", userName: "test.user@okta.local", givenName: "Test", familyName: "User",
		email: "test.user@okta.local", oktaID: "00ujl29u0le5T6Aj10h7", password: "1mz050nq",
		id: "23a35c27-23d3-4c03-b4c5-6443c09e7173", cleared: map[string]string{},
	}
}

// assertFixture checks that body is the JSON of fixtures/okta/name.
func assertFixture(t *testing.T, name string, body []byte) {
	t.Helper()
	want, err := os.ReadFile(filepath.Join("..", "fixtures", "okta", name))
	require.NoError(t, err)
	assert.JSONEq(t, string(want), string(body), "the body Okta sends, as fixtures/okta/%s shows it", name)
}

// TestBodiesMatchFixtures keeps the bodies the steps send equal to the documented ones.
func TestBodiesMatchFixtures(t *testing.T) {
	u := fixtureUser()
	assertFixture(t, "create-user.json", createUserJSON(u))
	assertFixture(t, "activate-user.json", patchJSON(activeOp(true)))
	assertFixture(t, "deactivate-user.json", patchJSON(activeOp(false)))
	assertFixture(t, "sync-password.json", patchJSON(passwordOp("gl^m&qWZ")))

	var got map[string]any
	require.NoError(t, json.Unmarshal([]byte(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
		"id":"23a35c27-23d3-4c03-b4c5-6443c09e7173","userName":"test.user@okta.local",
		"name":{"givenName":"Test","familyName":"User"},
		"emails":[{"primary":true,"value":"test.user@okta.local","type":"work"}],
		"displayName":"Test User","active":true,"meta":{"resourceType":"User"}}`), &got))
	u.givenName, u.middleName, u.familyName = "Another", "Excited", "User"
	assertFixture(t, "update-user.json", mustJSON(oktaPUT(got, u, true)))

	bb8 := &user{id: "cc2573a1-4f3e-4bd6-a1d9-0a6a3f3a55b1", userName: "bb-8@iamciam.dev"}
	c3po := &user{id: "478c4cf4-8d3c-4a43-9a3e-6f0b2b6c1a7e", userName: "c-3po@iamciam.dev"}
	assertFixture(t, "create-group.json", groupJSON("", "Droids", []*user{bb8, c3po}))

	gid := "abf4dd94-a4c0-4f67-89c9-76b03340cb9b"
	test := fixtureUser()
	gone := &user{id: "89bb1940-b905-4575-9e7f-6f887cfb368e"}
	assertFixture(t, "rename-group.json", patchJSON(renameOp(gid, "Test SCIMv2")))
	assertFixture(t, "update-group-membership.json", patchJSON(membershipOps([]*user{gone}, []*user{test})...))
	assertFixture(t, "push-group-now.json", patchJSON(pushNowOp([]*user{test})))
	assertFixture(t, "replace-group.json", groupJSON(gid, "Test SCIMv2", []*user{test}))
}

// TestEmptyListsAreSent checks that an empty member list goes out as [], not left out: Okta's
// "Push Now" of an empty group and a group created without members (okta-wire §6.1, §6.5).
func TestEmptyListsAreSent(t *testing.T) {
	assert.JSONEq(t, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
		"Operations":[{"op":"replace","path":"members","value":[]}]}`, string(patchJSON(pushNowOp(nil))))
	assert.JSONEq(t, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"G","members":[]}`,
		string(groupJSON("", "G", nil)))
}

// TestOktaPUTClears checks how an emptied attribute is pushed: "" or left out (okta-wire §8.6
// C9337), and that the server's other attributes survive the read-modify-write.
func TestOktaPUTClears(t *testing.T) {
	got := map[string]any{"id": "1", "title": "Analyst", "nickName": "kept", "emails": []any{
		map[string]any{"value": "old@x", "type": "home"},
		map[string]any{"value": "a@x", "primary": true},
	}}
	u := fixtureUser()
	u.cleared["title"] = "empties"
	b := oktaPUT(got, u, false)
	assert.Equal(t, "", b["title"])
	assert.Equal(t, "kept", b["nickName"])
	assert.Equal(t, false, b["active"])
	emails := b["emails"].([]any)
	require.Len(t, emails, 2)
	assert.Equal(t, "old@x", emails[0].(map[string]any)["value"], "non-primary email untouched")
	assert.Equal(t, u.email, emails[1].(map[string]any)["value"], "primary email is Okta's")
	assert.Equal(t, "a@x", got["emails"].([]any)[1].(map[string]any)["value"], "the server's answer is not modified")

	u.cleared["title"] = "removes"
	_, has := oktaPUT(got, u, true)["title"]
	assert.False(t, has)
}
