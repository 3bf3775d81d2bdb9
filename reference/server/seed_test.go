package server

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tidwall/gjson"

	"github.com/scimcheck/scimcheck/reference"
	"github.com/scimcheck/scimcheck/reference/store"
)

// preexisting is the seed fixture shipped with scimcheck.
var preexisting = filepath.Join("..", "..", "fixtures", "seed", "preexisting.json")

func seededClient(t *testing.T) *client {
	t.Helper()
	c := newClient(t)
	require.NoError(t, LoadSeedFile(context.Background(), c.store, preexisting))
	return c
}

func TestPreexistingFixture(t *testing.T) {
	c := seededClient(t)
	users := c.must(200, "GET", "/Users?startIndex=1&count=100", "")
	assert.Equal(t, int64(4), users.JSON("totalResults").Int())
	// Okta's spec test reads Resources[0] and wants these non-empty (okta-wire.md §8.2 step 1).
	first := users.JSON("Resources.0")
	for _, p := range []string{"id", "userName", "name.givenName", "name.familyName", "emails.0.value"} {
		assert.NotEmpty(t, first.Get(p).String(), p)
	}
	assert.Equal(t, gjson.True, first.Get("active").Type)

	ada := c.must(200, "GET", "/Users/5d7a1f0e-6c2b-4f5e-9a41-0b8c3e2d1a01", "")
	assert.Equal(t, "Engineering", ada.JSON(`urn:ietf:params:scim:schemas:extension:enterprise:2\.0:User.department`).String())
	assert.Equal(t, "Engineering", ada.JSON("groups.0.display").String())

	t.Run("Okta's existence check finds them in any case", func(t *testing.T) {
		r := c.must(200, "GET", `/Users?filter=userName%20eq%20%22grace.hopper%40example.com%22&startIndex=1&count=100`, "")
		require.Equal(t, int64(1), r.JSON("totalResults").Int())
		assert.Equal(t, "Grace.Hopper@Example.com", r.JSON("Resources.0.userName").String())
	})
	t.Run("the inactive one is findable and inactive", func(t *testing.T) {
		r := c.must(200, "GET", `/Users?filter=userName+eq+%22ALAN.TURING%40example.com%22&startIndex=1&count=100`, "")
		require.Equal(t, int64(1), r.JSON("totalResults").Int())
		assert.Equal(t, gjson.False, r.JSON("Resources.0.active").Type)
	})
	t.Run("a POST of a pre-existing user is 409", func(t *testing.T) {
		assertSCIMError(t, c.do("POST", "/Users", oktaUser("ADA.LOVELACE@example.com")), 409, reference.ScimTypeUniqueness)
	})
	t.Run("the group and its members", func(t *testing.T) {
		g := c.must(200, "GET", "/Groups/9b1e2c3d-4a5f-4e6d-8c7b-2a1f0e9d8c01", "")
		assert.Equal(t, "Engineering", g.JSON("displayName").String())
		assert.Equal(t, []string{"5d7a1f0e-6c2b-4f5e-9a41-0b8c3e2d1a01", "5d7a1f0e-6c2b-4f5e-9a41-0b8c3e2d1a02",
			"5d7a1f0e-6c2b-4f5e-9a41-0b8c3e2d1a03"}, memberValues(g))
		assert.Equal(t, "grace.hopper@example.com", g.JSON("members.1.display").String())
	})
	t.Run("loading again changes nothing", func(t *testing.T) {
		before := c.must(200, "GET", "/Users?startIndex=1&count=100", "").Body
		require.NoError(t, LoadSeedFile(context.Background(), c.store, preexisting))
		assert.JSONEq(t, before, c.must(200, "GET", "/Users?startIndex=1&count=100", "").Body)
		assert.Equal(t, int64(1), c.must(200, "GET", "/Groups", "").JSON("totalResults").Int())
	})
}

func TestLoadSeedErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
		return p
	}
	tests := []struct {
		name, body, want string
	}{
		{"not JSON", `{`, "not valid JSON"},
		{"missing userName", `{"Users":[{"name":{"givenName":"x"}}]}`, "user 1"},
		{"wrong type", `{"Users":[{"userName":"a"},{"userName":"b","active":"yes"}]}`, "user 2"},
		{"unknown member userName", `{"Users":[{"userName":"a"}],"Groups":[{"displayName":"g","members":[{"userName":"nobody"}]}]}`, `"nobody"`},
		{"unknown member id", `{"Groups":[{"displayName":"g","members":[{"value":"nope"}]}]}`, "group 1"},
		{"group without name", `{"Groups":[{"members":[]}]}`, "group 1"},
		{"not an object", `[{"userName":"a"}]`, "not valid JSON: a seed file is an object"},
		{"Users not an array", `{"Users":{"userName":"a"}}`, `"Users" must be an array of objects`},
		{"a user not an object", `{"Users":[{"userName":"a"},"b"]}`, `not valid JSON: "Users": json: cannot unmarshal string`},
		{"cut after a user", `{"Users":[{"userName":"a"},{"userName":"b"}`, "not valid JSON"},
		{"bad JSON after the users", `{"Users":[{"userName":"a"}],"Groups":[{"displayName":"g"},]}`, "not valid JSON"},
		{"data after the object", `{"Users":[{"userName":"a"}]} {}`, "data after the seed object"},
		{"Users twice", `{"Users":[{"userName":"a"}],"users":[{"userName":"b"}]}`, `"Users" given twice`},
		{"third user fails after two", `{"Users":[{"userName":"a"},{"userName":"b"},{"userName":"c","active":1}]}`, "user 3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, err := store.Open(context.Background(), "")
			require.NoError(t, err)
			defer st.Close()
			path := write(tc.name+".json", tc.body)
			err = LoadSeedFile(context.Background(), st, path)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.Contains(t, err.Error(), path)
			require.NoError(t, st.Tx(context.Background(), func(tx reference.Tx) error {
				n, err := tx.Count(store.KindUser)
				assert.Zero(t, n, "a failed seed loads nothing")
				return err
			}))
		})
	}
	st, err := store.Open(context.Background(), "")
	require.NoError(t, err)
	defer st.Close()
	err = LoadSeedFile(context.Background(), st, filepath.Join(dir, "missing.json"))
	assert.ErrorIs(t, err, os.ErrNotExist)
}

// TestLoadSeedStreams: the shapes json.Unmarshal accepted still load: groups before users
// (their members name users that come later), keys in any case, null arrays and unknown keys.
func TestLoadSeedStreams(t *testing.T) {
	tests := []struct {
		name, body    string
		users, groups int
	}{
		{"groups first", `{"Groups":[{"displayName":"g","members":[{"userName":"B"}]}],"Users":[{"userName":"a"},{"userName":"b"}]}`, 2, 1},
		{"lower-case keys", `{"users":[{"userName":"a"}],"groups":[{"displayName":"g","members":[{"userName":"a"}]}]}`, 1, 1},
		{"null arrays", `{"Users":null,"Groups":null}`, 0, 0},
		{"unknown keys", `{"comment":{"nested":[1,2,{"x":"y"}]},"Users":[{"userName":"a"}],"version":3}`, 1, 0},
		{"empty", ` {} `, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newClient(t)
			require.NoError(t, LoadSeedFile(context.Background(), c.store, writeFile(t, "seed.json", tc.body)))
			assert.Equal(t, int64(tc.users), c.must(200, "GET", "/Users?count=0", "").JSON("totalResults").Int())
			groups := c.must(200, "GET", "/Groups", "")
			require.Equal(t, int64(tc.groups), groups.JSON("totalResults").Int())
			if tc.groups > 0 {
				assert.Len(t, groups.JSON("Resources.0.members").Array(), 1, "the member named by userName is resolved")
			}
		})
	}
}

func TestStartWithSeed(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	run, err := Start(ctx, Config{SeedData: preexisting})
	require.NoError(t, err)
	defer run.Close()
	assert.Len(t, run.Token, 32, "a random token when none is given")
	r := httpGet(t, run, "/Users?count=1")
	assert.Equal(t, int64(4), r.JSON("totalResults").Int())

	_, err = Start(ctx, Config{SeedData: "no-such-file.json"})
	require.Error(t, err)
	_, err = Start(ctx, Config{Addr: run.Addr()})
	require.Error(t, err, "the port is taken")
}
