package store

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimcheck/scimcheck/reference"
	"github.com/scimcheck/scimcheck/reference/filter"
)

// openMem opens a private in-memory store closed at the end of the test.
func openMem(t testing.TB) *Store {
	t.Helper()
	st, err := Open(context.Background(), "")
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// inTx runs fn in one transaction and fails the test on an error.
func inTx(t testing.TB, st *Store, fn func(tx reference.Tx) error) {
	t.Helper()
	require.NoError(t, st.Tx(context.Background(), fn))
}

// create creates one resource in its own transaction and returns it.
func create(t testing.TB, st *Store, kind string, res reference.Resource) reference.Resource {
	t.Helper()
	var out reference.Resource
	inTx(t, st, func(tx reference.Tx) error {
		var err error
		out, err = tx.Create(kind, "", res)
		return err
	})
	return out
}

func user(name string) reference.Resource {
	return reference.Resource{"userName": name, "active": true, "name": map[string]any{"givenName": "G", "familyName": name}}
}

func group(name string, members ...string) reference.Resource {
	g := reference.Resource{"displayName": name}
	if len(members) > 0 {
		list := []any{}
		for _, m := range members {
			list = append(list, map[string]any{"value": m, "display": "d-" + m})
		}
		g["members"] = list
	}
	return g
}

func id(res reference.Resource) string { return res["id"].(string) }

func meta(res reference.Resource) map[string]any { return res["meta"].(map[string]any) }

// requireSCIMError asserts err is a *reference.Error with status and scimType.
func requireSCIMError(t *testing.T, err error, status int, scimType string) {
	t.Helper()
	require.Error(t, err)
	e, ok := reference.AsError(err)
	require.True(t, ok, "want a *reference.Error, got %T: %v", err, err)
	assert.Equal(t, status, e.Status, "status of %v", err)
	assert.Equal(t, scimType, e.ScimType, "scimType of %v", err)
}

// userFilter compiles a User filter.
func userFilter(t testing.TB, expr string) *filter.Filter {
	t.Helper()
	f, err := filter.Parse(expr, reference.NewSchemas().User)
	require.NoError(t, err)
	return f
}

func TestCreateAndGet(t *testing.T) {
	st := openMem(t)
	at := time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC)
	st.SetClock(func() time.Time { return at })
	in := user("ada@example.com")
	in["externalId"] = "00u1"
	in[reference.EnterpriseSchema] = map[string]any{"department": "Engineering"}
	got := create(t, st, KindUser, in)

	assert.Len(t, id(got), 36, "a UUID id")
	assert.Equal(t, map[string]any{"resourceType": "User", "created": "2026-01-02T15:04:05.000Z",
		"lastModified": "2026-01-02T15:04:05.000Z", "version": `W/"1"`}, meta(got))
	assert.Equal(t, "ada@example.com", got["userName"])
	assert.Equal(t, map[string]any{"department": "Engineering"}, got[reference.EnterpriseSchema])
	assert.NotContains(t, got, "groups", "a user in no group has no groups")

	inTx(t, st, func(tx reference.Tx) error {
		again, err := tx.Get(KindUser, id(got), true)
		require.NoError(t, err)
		assert.Equal(t, got, again)
		_, err = tx.Get(KindGroup, id(got), true)
		requireSCIMError(t, err, 404, "")
		_, err = tx.Get(KindUser, "nope", true)
		requireSCIMError(t, err, 404, "")
		n, err := tx.Count(KindUser)
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		kind, err := tx.Exists(id(got))
		require.NoError(t, err)
		assert.Equal(t, KindUser, kind)
		kind, err = tx.Exists("nope")
		require.NoError(t, err)
		assert.Empty(t, kind)
		return nil
	})
}

func TestCreateDropsServerOwnedKeys(t *testing.T) {
	st := openMem(t)
	in := user("ada")
	in["id"], in["meta"], in["schemas"], in["groups"] = "mine", map[string]any{"version": "x"}, []any{"s"}, []any{map[string]any{"value": "g"}}
	got := create(t, st, KindUser, in)
	assert.NotEqual(t, "mine", id(got))
	assert.Equal(t, `W/"1"`, meta(got)["version"])
	assert.NotContains(t, got, "schemas")
	assert.NotContains(t, got, "groups")
}

func TestCreateWithGivenID(t *testing.T) {
	st := openMem(t)
	inTx(t, st, func(tx reference.Tx) error {
		got, err := tx.Create(KindUser, "seed-1", user("a"))
		require.NoError(t, err)
		assert.Equal(t, "seed-1", id(got))
		_, err = tx.Create(KindGroup, "seed-1", group("g"))
		requireSCIMError(t, err, 409, reference.ScimTypeUniqueness)
		return nil
	})
}

func TestUserNameUniqueness(t *testing.T) {
	st := openMem(t)
	ada := create(t, st, KindUser, user("Ada@Example.com"))
	bob := create(t, st, KindUser, user("bob"))
	tests := []struct {
		name   string
		run    func(tx reference.Tx) error
		status int
	}{
		{"create same userName", func(tx reference.Tx) error { _, err := tx.Create(KindUser, "", user("Ada@Example.com")); return err }, 409},
		{"create other case", func(tx reference.Tx) error { _, err := tx.Create(KindUser, "", user("ADA@EXAMPLE.COM")); return err }, 409},
		{"replace onto a taken userName", func(tx reference.Tx) error {
			_, err := tx.Replace(KindUser, id(bob), user("ada@example.com"))
			return err
		}, 409},
		{"replace own userName in another case", func(tx reference.Tx) error {
			_, err := tx.Replace(KindUser, id(ada), user("ADA@example.com"))
			return err
		}, 0},
		{"groups may share a displayName", func(tx reference.Tx) error {
			if _, err := tx.Create(KindGroup, "", group("Ada@Example.com")); err != nil {
				return err
			}
			_, err := tx.Create(KindGroup, "", group("Ada@Example.com"))
			return err
		}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := st.Tx(context.Background(), tc.run)
			if tc.status == 0 {
				require.NoError(t, err)
				return
			}
			requireSCIMError(t, err, tc.status, reference.ScimTypeUniqueness)
		})
	}
	inTx(t, st, func(tx reference.Tx) error {
		n, err := tx.Count(KindUser)
		assert.Equal(t, 2, n, "failed creates are not counted")
		return err
	})
}

func TestReplace(t *testing.T) {
	st := openMem(t)
	clock := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	st.SetClock(func() time.Time { return clock })
	u := create(t, st, KindUser, user("ada"))
	clock = clock.Add(time.Hour)
	next := user("ada")
	next["title"] = "Analyst"
	var got reference.Resource
	inTx(t, st, func(tx reference.Tx) error {
		var err error
		got, err = tx.Replace(KindUser, id(u), next)
		return err
	})
	assert.Equal(t, "Analyst", got["title"])
	assert.Equal(t, `W/"2"`, meta(got)["version"])
	assert.Equal(t, meta(u)["created"], meta(got)["created"])
	assert.Equal(t, "2026-01-02T01:00:00.000Z", meta(got)["lastModified"])

	t.Run("an unchanged replace still bumps the version", func(t *testing.T) {
		inTx(t, st, func(tx reference.Tx) error {
			again, err := tx.Replace(KindUser, id(u), next)
			require.NoError(t, err)
			assert.Equal(t, `W/"3"`, meta(again)["version"])
			return nil
		})
	})
	t.Run("missing is 404", func(t *testing.T) {
		err := st.Tx(context.Background(), func(tx reference.Tx) error { _, err := tx.Replace(KindUser, "nope", next); return err })
		requireSCIMError(t, err, 404, "")
	})
}

func TestDelete(t *testing.T) {
	st := openMem(t)
	ada := create(t, st, KindUser, user("ada"))
	bob := create(t, st, KindUser, user("bob"))
	g := create(t, st, KindGroup, group("eng", id(ada), id(bob)))
	other := create(t, st, KindGroup, group("ops", id(ada)))

	inTx(t, st, func(tx reference.Tx) error { return tx.Delete(KindUser, id(ada)) })
	inTx(t, st, func(tx reference.Tx) error {
		_, err := tx.Get(KindUser, id(ada), true)
		requireSCIMError(t, err, 404, "")
		eng, err := tx.Get(KindGroup, id(g), true)
		require.NoError(t, err)
		assert.Equal(t, []any{map[string]any{"value": id(bob), "display": "d-" + id(bob), "type": "User"}}, eng["members"])
		assert.Equal(t, `W/"2"`, meta(eng)["version"], "losing a member is a change of the group")
		ops, err := tx.Get(KindGroup, id(other), true)
		require.NoError(t, err)
		assert.NotContains(t, ops, "members")
		n, err := tx.Count(KindUser)
		assert.Equal(t, 1, n)
		return err
	})
	err := st.Tx(context.Background(), func(tx reference.Tx) error { return tx.Delete(KindUser, id(ada)) })
	requireSCIMError(t, err, 404, "")
	err = st.Tx(context.Background(), func(tx reference.Tx) error { return tx.Delete(KindGroup, id(bob)) })
	requireSCIMError(t, err, 404, "")

	t.Run("deleting a group leaves its users alone", func(t *testing.T) {
		inTx(t, st, func(tx reference.Tx) error { return tx.Delete(KindGroup, id(g)) })
		inTx(t, st, func(tx reference.Tx) error {
			b, err := tx.Get(KindUser, id(bob), true)
			require.NoError(t, err)
			assert.NotContains(t, b, "groups")
			n, err := tx.Count(KindGroup)
			assert.Equal(t, 1, n)
			return err
		})
	})
}

func TestTxRollback(t *testing.T) {
	st := openMem(t)
	boom := errors.New("boom")
	err := st.Tx(context.Background(), func(tx reference.Tx) error {
		if _, err := tx.Create(KindUser, "", user("ghost")); err != nil {
			return err
		}
		return boom
	})
	require.ErrorIs(t, err, boom)

	t.Run("a panic rolls back and frees the connection", func(t *testing.T) {
		func() {
			defer func() { assert.Equal(t, "kaboom", recover()) }()
			_ = st.Tx(context.Background(), func(tx reference.Tx) error {
				if _, err := tx.Create(KindUser, "", user("phantom")); err != nil {
					return err
				}
				panic("kaboom")
			})
		}()
	})

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, st.Tx(ctx, func(tx reference.Tx) error {
		n, err := tx.Count(KindUser)
		assert.Equal(t, 0, n, "nothing of the failed transactions survives")
		total, page, err2 := tx.List(KindUser, reference.Query{Filter: userFilter(t, `userName eq "ghost" or userName eq "phantom"`), Count: 10})
		assert.Zero(t, total)
		assert.Empty(t, page)
		return errors.Join(err, err2)
	}), "the store must still serve after a panic inside a transaction")
}

func TestCreateAllowingDuplicate(t *testing.T) {
	st := openMem(t)
	create(t, st, KindUser, user("ada"))
	inTx(t, st, func(tx reference.Tx) error {
		dup, err := tx.(*Tx).CreateAllowingDuplicate(KindUser, user("ADA"))
		require.NoError(t, err)
		assert.Equal(t, "ADA", dup["userName"])
		first, err := tx.(*Tx).CreateAllowingDuplicate(KindUser, user("new"))
		require.NoError(t, err)
		assert.Equal(t, "new", first["userName"])
		g, err := tx.(*Tx).CreateAllowingDuplicate(KindGroup, group("g"))
		require.NoError(t, err)
		assert.Equal(t, "g", g["displayName"])
		n, err := tx.Count(KindUser)
		require.NoError(t, err)
		assert.Equal(t, 3, n)
		total, page, err := tx.List(KindUser, reference.Query{Filter: userFilter(t, `userName eq "Ada"`), Count: 10})
		require.NoError(t, err)
		assert.Equal(t, 2, total, "duplicates are found by userName like any user")
		assert.Equal(t, []string{"ada", "ADA"}, names(page))
		_, err = tx.Create(KindUser, "", user("aDa"))
		requireSCIMError(t, err, 409, reference.ScimTypeUniqueness)
		return nil
	})
}

func TestVersionTag(t *testing.T) {
	assert.Equal(t, `W/"1"`, reference.VersionTag(1))
	assert.Equal(t, `W/"1234567"`, reference.VersionTag(1234567))
}

func TestNameKey(t *testing.T) {
	assert.Equal(t, "ada@example.com", NameKey(KindUser, reference.Resource{"userName": "Ada@Example.COM"}))
	assert.Equal(t, "eng", NameKey(KindGroup, reference.Resource{"displayName": "ENG", "userName": "x"}))
	assert.Equal(t, "", NameKey(KindUser, reference.Resource{}))
}

func TestNewIDIsUUIDv4(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		s := newID()
		require.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, s)
		require.False(t, seen[s])
		seen[s] = true
	}
}

// createUsers creates n users named user-0000… in one transaction.
func createUsers(t testing.TB, st *Store, n int) []string {
	t.Helper()
	ids := make([]string, 0, n)
	inTx(t, st, func(tx reference.Tx) error {
		for i := range n {
			u, err := tx.Create(KindUser, "", user(fmt.Sprintf("user-%04d", i)))
			if err != nil {
				return err
			}
			ids = append(ids, id(u))
		}
		return nil
	})
	return ids
}
