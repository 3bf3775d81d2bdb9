package store

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimcheck/scimcheck/reference"
)

func TestFileStoreSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "dir with space", "scim?#%.db")
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))

	st, err := Open(ctx, path)
	require.NoError(t, err)
	ada := create(t, st, KindUser, user("ada"))
	g := create(t, st, KindGroup, group("eng", id(ada)))
	var replaced reference.Resource
	inTx(t, st, func(tx reference.Tx) error {
		next := user("ada")
		next["active"] = false
		replaced, err = tx.Replace(KindUser, id(ada), next)
		return err
	})
	var mode string
	var sync int
	require.NoError(t, st.db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode))
	require.NoError(t, st.db.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync))
	assert.Equal(t, "wal", mode)
	assert.Equal(t, 2, sync, "synchronous=FULL: an acknowledged write survives a power cut")
	require.NoError(t, st.Close())

	_, err = os.Stat(path)
	require.NoError(t, err, "the database is the file named, not a URL-escaped sibling")

	st, err = Open(ctx, path)
	require.NoError(t, err)
	defer st.Close()
	inTx(t, st, func(tx reference.Tx) error {
		got, err := tx.Get(KindUser, id(ada), true)
		require.NoError(t, err)
		assert.Equal(t, replaced, got, "data and meta.version survive")
		assert.Equal(t, `W/"2"`, meta(got)["version"])
		eng, err := tx.Get(KindGroup, id(g), true)
		require.NoError(t, err)
		assert.Len(t, eng["members"], 1)
		n, err := tx.Count(KindUser)
		assert.Equal(t, 1, n, "counts survive")
		return err
	})
	err = st.Tx(ctx, func(tx reference.Tx) error { _, err := tx.Create(KindUser, "", user("ADA")); return err })
	requireSCIMError(t, err, 409, reference.ScimTypeUniqueness)
}

func TestOpenErrors(t *testing.T) {
	_, err := Open(context.Background(), filepath.Join(t.TempDir(), "missing-dir", "x.db"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "missing-dir")
}

func TestMemoryStoresArePrivate(t *testing.T) {
	a, b := openMem(t), openMem(t)
	create(t, a, KindUser, user("ada"))
	inTx(t, b, func(tx reference.Tx) error {
		n, err := tx.Count(KindUser)
		assert.Equal(t, 0, n)
		return err
	})
	for _, p := range []string{":memory:"} {
		st, err := Open(context.Background(), p)
		require.NoError(t, err)
		create(t, st, KindUser, user("x"))
		require.NoError(t, st.Close())
	}
}

func TestStats(t *testing.T) {
	st := openMem(t)
	before, err := st.Stats(context.Background())
	require.NoError(t, err)
	createUsers(t, st, 200)
	after, err := st.Stats(context.Background())
	require.NoError(t, err)
	assert.Greater(t, after.PageBytes, before.PageBytes)
}
