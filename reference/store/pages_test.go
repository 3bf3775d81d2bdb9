package store

import (
	"context"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimcheck/scimcheck/reference"
)

func TestAnchors(t *testing.T) {
	var a anchors
	assert.Equal(t, anchor{}, a.nearest(KindUser, 500))
	a.add(KindUser, anchor{pos: 100, seq: 140})
	a.add(KindUser, anchor{pos: 300, seq: 350})
	a.add(KindUser, anchor{pos: 200, seq: 230})
	a.add(KindGroup, anchor{pos: 1, seq: 7})
	tests := []struct {
		pos  int
		want anchor
	}{
		{0, anchor{}}, {99, anchor{}}, {100, anchor{100, 140}}, {150, anchor{100, 140}},
		{200, anchor{200, 230}}, {299, anchor{200, 230}}, {1000, anchor{300, 350}},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, a.nearest(KindUser, tc.pos), "nearest to %d", tc.pos)
	}
	a.add(KindUser, anchor{pos: 200, seq: 231})
	assert.Equal(t, anchor{200, 231}, a.nearest(KindUser, 250), "a position is recorded once")
	a.forget(KindUser)
	assert.Equal(t, anchor{}, a.nearest(KindUser, 1000))
	assert.Equal(t, anchor{1, 7}, a.nearest(KindGroup, 5), "kinds are separate")

	for i := range maxAnchors + 1 {
		a.add(KindUser, anchor{pos: i + 1, seq: int64(i + 1)})
	}
	assert.LessOrEqual(t, len(a.byKind[KindUser]), maxAnchors)
	assert.Equal(t, anchor{maxAnchors + 1, maxAnchors + 1}, a.nearest(KindUser, maxAnchors+5))
}

// TestPagesAgainstAModel creates, deletes (some in rolled-back transactions) and pages through
// users at random, and checks every page against a plain list of ids in creation order.
func TestPagesAgainstAModel(t *testing.T) {
	st := openMem(t)
	rng := rand.New(rand.NewPCG(7, 11))
	var model []string
	ctx := context.Background()
	rollback := errors.New("rollback")
	for step := range 1500 {
		switch op := rng.IntN(10); {
		case op < 4 || len(model) == 0:
			u := create(t, st, KindUser, user(newID()))
			model = append(model, id(u))
		case op == 4:
			i := rng.IntN(len(model))
			inTx(t, st, func(tx reference.Tx) error { return tx.Delete(KindUser, model[i]) })
			model = append(model[:i], model[i+1:]...)
		case op == 5:
			// A transaction that deletes, reads a page and rolls back must leave no trace.
			err := st.Tx(ctx, func(tx reference.Tx) error {
				if err := tx.Delete(KindUser, model[rng.IntN(len(model))]); err != nil {
					return err
				}
				if _, err := tx.Create(KindUser, "", user(newID())); err != nil {
					return err
				}
				if _, _, err := tx.List(KindUser, reference.Query{StartIndex: 1 + rng.IntN(len(model)), Count: 5}); err != nil {
					return err
				}
				return rollback
			})
			require.ErrorIs(t, err, rollback)
		default:
			start, count := 1+rng.IntN(len(model)+3), 1+rng.IntN(12)
			if op == 9 { // a sequential walk, as Okta imports
				start = 1
			}
			for ; start <= len(model)+1; start += count {
				var page []reference.Resource
				inTx(t, st, func(tx reference.Tx) error {
					total, p, err := tx.List(KindUser, reference.Query{StartIndex: start, Count: count})
					require.Equal(t, len(model), total)
					page = p
					return err
				})
				want := model[min(start-1, len(model)):min(start-1+count, len(model))]
				got := make([]string, 0, len(page))
				for _, r := range page {
					got = append(got, id(r))
				}
				require.Equal(t, want, got, "step %d: page startIndex=%d count=%d of %d", step, start, count, len(model))
				if op != 9 {
					break
				}
			}
		}
	}
}
