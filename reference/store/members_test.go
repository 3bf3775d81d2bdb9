package store

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimcheck/scimcheck/reference"
)

func TestMembership(t *testing.T) {
	st := openMem(t)
	ada := create(t, st, KindUser, user("ada"))
	bob := create(t, st, KindUser, user("bob"))
	sub := create(t, st, KindGroup, group("sub"))

	tests := []struct {
		name    string
		members []any
		want    []any // members after the write; nil: unchanged because of an error
		errType string
	}{
		{"users and a nested group get their type",
			[]any{map[string]any{"value": id(ada), "display": "Ada"}, map[string]any{"value": id(sub)}},
			[]any{map[string]any{"value": id(ada), "display": "Ada", "type": "User"}, map[string]any{"value": id(sub), "type": "Group"}}, ""},
		{"duplicates collapse",
			[]any{map[string]any{"value": id(ada)}, map[string]any{"value": id(ada), "display": "again"}},
			[]any{map[string]any{"value": id(ada), "type": "User"}}, ""},
		{"an unknown member is 400 invalidValue", []any{map[string]any{"value": "nope"}}, nil, reference.ScimTypeInvalidValue},
		{"a member without value is 400 invalidValue", []any{map[string]any{"display": "x"}}, nil, reference.ScimTypeInvalidValue},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var g reference.Resource
			err := st.Tx(context.Background(), func(tx reference.Tx) error {
				var err error
				g, err = tx.Create(KindGroup, "", reference.Resource{"displayName": tc.name, "members": tc.members})
				return err
			})
			if tc.errType != "" {
				requireSCIMError(t, err, 400, tc.errType)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, g["members"])
		})
	}

	t.Run("replace sets exactly the list and keeps displays", func(t *testing.T) {
		g := create(t, st, KindGroup, group("eng", id(ada)))
		inTx(t, st, func(tx reference.Tx) error {
			got, err := tx.Replace(KindGroup, id(g), reference.Resource{"displayName": "eng",
				"members": []any{map[string]any{"value": id(ada)}, map[string]any{"value": id(bob), "display": "Bob"}}})
			require.NoError(t, err)
			assert.Equal(t, []any{
				map[string]any{"value": id(ada), "display": "d-" + id(ada), "type": "User"},
				map[string]any{"value": id(bob), "display": "Bob", "type": "User"},
			}, got["members"])
			got, err = tx.Replace(KindGroup, id(g), reference.Resource{"displayName": "eng"})
			require.NoError(t, err)
			assert.NotContains(t, got, "members", "no members: emptied")
			return nil
		})
	})
	t.Run("a group cannot contain itself", func(t *testing.T) {
		g := create(t, st, KindGroup, group("self"))
		err := st.Tx(context.Background(), func(tx reference.Tx) error {
			_, err := tx.Replace(KindGroup, id(g), group("self", id(g)))
			return err
		})
		requireSCIMError(t, err, 400, reference.ScimTypeInvalidValue)
	})
	t.Run("a user's groups are derived, with the group's current name", func(t *testing.T) {
		g := create(t, st, KindGroup, group("Droids", id(bob)))
		inTx(t, st, func(tx reference.Tx) error {
			_, err := tx.Replace(KindGroup, id(g), group("Droids 2", id(bob)))
			require.NoError(t, err)
			b, err := tx.Get(KindUser, id(bob), false)
			require.NoError(t, err)
			assert.Contains(t, b["groups"], map[string]any{"value": id(g), "display": "Droids 2", "type": "direct"})
			return nil
		})
	})
	t.Run("a group read without members", func(t *testing.T) {
		g := create(t, st, KindGroup, group("quiet", id(bob)))
		inTx(t, st, func(tx reference.Tx) error {
			got, err := tx.Get(KindGroup, id(g), false)
			require.NoError(t, err)
			assert.NotContains(t, got, "members")
			return nil
		})
	})
}
