package steps

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestGeneratedData checks that generated names carry the run id, follow Okta's formats and
// depend only on the seed and the scenario.
func TestGeneratedData(t *testing.T) {
	s := &Suite{Seed: 3, RunID: "run7"}
	a := newWorld(s, "p1", "okta/x.feature", "scenario", nil)
	b := newWorld(s, "p1", "okta/x.feature:12", "scenario", nil)
	ua, ub := a.user("ada"), b.user("ada")
	assert.Equal(t, ua.userName, ub.userName, "same seed and scenario, same data")
	assert.Regexp(t, `^ada\.run7\.[a-z0-9]{6}@example\.com$`, ua.userName)
	assert.Regexp(t, `^00u[0-9A-Za-z]{17}$`, ua.oktaID)
	assert.Len(t, ua.password, 8)
	assert.Equal(t, "Ada", ua.givenName)
	assert.Regexp(t, `^run7 Engineering \d{4}$`, a.group("engineering").displayName)
	c := newWorld(s, "p1", "okta/x.feature", "another scenario", nil)
	assert.NotEqual(t, ua.userName, c.user("ada").userName)
	assert.Equal(t, modeAIW, newWorld(s, "p1", "u", "n", []string{"@must", "@aiw"}).mode)
	assert.Equal(t, modeOIN, newWorld(s, "p1", "u", "n", []string{"@must"}).mode)
}

// TestExpand checks placeholders in paths (escaped per part), bodies and values.
func TestExpand(t *testing.T) {
	w := newWorld(&Suite{Seed: 1, RunID: "r"}, "p1", "u", "n", nil)
	u := w.user("ada")
	u.id = "id/1"
	w.vars["v"] = "W/\"2\""
	p, err := w.expandPath("/Users/{ada}?filter=userName%20eq%20%22{ada.userName}%22")
	require.NoError(t, err)
	assert.Equal(t, "/Users/id%2F1?filter=userName%20eq%20%22"+strings.Replace(u.userName, "@", "%40", 1)+"%22", p)
	body, err := w.expand(`{"version":"{v}","user":{"value":"{ada}"}}`, inJSON)
	require.NoError(t, err)
	assert.JSONEq(t, `{"version":"W/\"2\"","user":{"value":"id/1"}}`, body)
	_, err = w.expand("{nobody}", asIs)
	assert.ErrorContains(t, err, "harness error")
	_, err = w.expand("{grace}", asIs)
	assert.ErrorContains(t, err, "unknown placeholder {grace}")
	w.user("grace")
	_, err = w.expand("{grace}", asIs)
	assert.ErrorContains(t, err, `"grace" has no app id yet`)
}

// TestResourceOf checks how request URLs are classified for cleanup.
func TestResourceOf(t *testing.T) {
	for url, want := range map[string][2]string{
		"http://h/scim/v2/Users?filter=x":  {"Users", ""},
		"http://h/scim/v2/Users/abc":       {"Users", "abc"},
		"http://h/scim/v2/Groups/a%20b":    {"Groups", "a b"},
		"http://h/scim/v2/ResourceTypes":   {"", ""},
		"http://h/scim/v2//Groups?count=1": {"Groups", ""},
	} {
		kind, id := resourceOf(url)
		assert.Equal(t, want, [2]string{kind, id}, url)
	}
}
