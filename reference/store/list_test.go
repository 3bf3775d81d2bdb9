package store

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimcheck/scimcheck/reference"
	"github.com/scimcheck/scimcheck/reference/filter"
)

func names(page []reference.Resource) []string {
	out := []string{}
	for _, r := range page {
		out = append(out, r["userName"].(string))
	}
	return out
}

func TestListPaging(t *testing.T) {
	st := openMem(t)
	createUsers(t, st, 7)
	byName := func(a, b reference.Resource) bool { return a["userName"].(string) > b["userName"].(string) }
	tests := []struct {
		name string
		q    reference.Query
		want []string
	}{
		{"first page", reference.Query{StartIndex: 1, Count: 3}, []string{"user-0000", "user-0001", "user-0002"}},
		{"second page", reference.Query{StartIndex: 4, Count: 3}, []string{"user-0003", "user-0004", "user-0005"}},
		{"last partial page", reference.Query{StartIndex: 7, Count: 3}, []string{"user-0006"}},
		{"beyond the end", reference.Query{StartIndex: 8, Count: 3}, []string{}},
		{"startIndex 0 means 1", reference.Query{StartIndex: 0, Count: 1}, []string{"user-0000"}},
		{"negative startIndex means 1", reference.Query{StartIndex: -5, Count: 1}, []string{"user-0000"}},
		{"count 0 gives only the total", reference.Query{StartIndex: 1, Count: 0}, []string{}},
		{"negative count means no limit", reference.Query{StartIndex: 6, Count: -1}, []string{"user-0005", "user-0006"}},
		{"filtered page", reference.Query{Filter: userFilter(t, `userName sw "user-000"`), StartIndex: 2, Count: 2}, []string{"user-0001", "user-0002"}},
		{"filtered beyond the end", reference.Query{Filter: userFilter(t, `userName sw "user"`), StartIndex: 99, Count: 2}, []string{}},
		{"filtered count 0", reference.Query{Filter: userFilter(t, `userName sw "user"`), StartIndex: 1, Count: 0}, []string{}},
		{"filtered no limit", reference.Query{Filter: userFilter(t, `userName ew "5" or userName ew "6"`), StartIndex: 1, Count: -1}, []string{"user-0005", "user-0006"}},
		{"sorted", reference.Query{Less: byName, StartIndex: 1, Count: 2}, []string{"user-0006", "user-0005"}},
		{"sorted last page", reference.Query{Less: byName, StartIndex: 7, Count: 2}, []string{"user-0000"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inTx(t, st, func(tx reference.Tx) error {
				total, page, err := tx.List(KindUser, tc.q)
				require.NoError(t, err)
				if tc.q.Filter == nil || strings.Contains(tc.name, "beyond") || strings.Contains(tc.name, "count 0") {
					assert.Equal(t, 7, total)
				}
				assert.Equal(t, tc.want, names(page))
				return nil
			})
		})
	}
}

func TestListEqualityLookups(t *testing.T) {
	st := openMem(t)
	ids := createUsers(t, st, 5)
	u := user("Ada@Example.com")
	u["externalId"] = "00uADA"
	ada := create(t, st, KindUser, u)
	inactive := user("gone@example.com")
	inactive["active"] = false
	create(t, st, KindUser, inactive)
	tests := []struct {
		filter string
		want   []string
	}{
		{`userName eq "ada@example.com"`, []string{"Ada@Example.com"}},
		{`userName eq "ADA@EXAMPLE.COM"`, []string{"Ada@Example.com"}},
		{`USERNAME EQ "ada@example.com"`, []string{"Ada@Example.com"}},
		{`userName eq "nobody"`, []string{}},
		{`id eq "` + id(ada) + `"`, []string{"Ada@Example.com"}},
		{`id eq "` + strings.ToUpper(id(ada)) + `"`, []string{}}, // id is caseExact
		{`id eq "` + ids[2] + `"`, []string{"user-0002"}},
		{`externalId eq "00uADA"`, []string{"Ada@Example.com"}},
		{`externalId eq "00uada"`, []string{}}, // externalId is caseExact
		{`userName eq "gone@example.com"`, []string{"gone@example.com"}},
		{`active eq false`, []string{"gone@example.com"}},
	}
	for _, tc := range tests {
		t.Run(tc.filter, func(t *testing.T) {
			inTx(t, st, func(tx reference.Tx) error {
				total, page, err := tx.List(KindUser, reference.Query{Filter: userFilter(t, tc.filter), StartIndex: 1, Count: 100})
				require.NoError(t, err)
				assert.Equal(t, len(tc.want), total)
				assert.Equal(t, tc.want, names(page))
				return nil
			})
		})
	}
}

func TestListGroups(t *testing.T) {
	st := openMem(t)
	ids := createUsers(t, st, 3)
	create(t, st, KindGroup, group("Engineering", ids[0], ids[1]))
	create(t, st, KindGroup, group("Sales", ids[2]))
	gt := reference.NewSchemas().Group
	parse := func(expr string) reference.Matcher {
		f, err := filter.Parse(expr, gt)
		require.NoError(t, err)
		return f
	}
	inTx(t, st, func(tx reference.Tx) error {
		total, page, err := tx.List(KindGroup, reference.Query{Filter: parse(`displayName eq "engineering"`), StartIndex: 1, Count: 10})
		require.NoError(t, err)
		require.Equal(t, 1, total)
		assert.Len(t, page[0]["members"], 2)

		total, page, err = tx.List(KindGroup, reference.Query{Filter: parse(`members.value eq "` + ids[2] + `"`), StartIndex: 1, Count: 10})
		require.NoError(t, err)
		require.Equal(t, 1, total, "member filters see the membership table")
		assert.Equal(t, "Sales", page[0]["displayName"])

		total, users, err := tx.List(KindUser, reference.Query{Filter: userFilter(t, `groups.display eq "sales"`), StartIndex: 1, Count: 10})
		require.NoError(t, err)
		require.Equal(t, 1, total, "user filters see the derived groups")
		assert.Equal(t, ids[2], users[0]["id"])
		assert.Len(t, users[0]["groups"], 1)

		total, page, err = tx.List(KindGroup, reference.Query{Filter: parse(`displayName pr`), StartIndex: 1, Count: 10, SkipMembers: true})
		require.NoError(t, err)
		assert.Equal(t, 2, total)
		for _, g := range page {
			assert.NotContains(t, g, "members", "SkipMembers with a filter")
		}

		total, page, err = tx.List(KindGroup, reference.Query{StartIndex: 1, Count: 10, SkipMembers: true})
		require.NoError(t, err)
		assert.Equal(t, 2, total)
		for _, g := range page {
			assert.NotContains(t, g, "members")
		}
		return nil
	})
}

func TestListManyMembersChunked(t *testing.T) {
	st := openMem(t)
	ids := createUsers(t, st, 1200)
	members := make([]string, 0, len(ids))
	members = append(members, ids...)
	g := create(t, st, KindGroup, group("big", members...))
	assert.Len(t, g["members"], 1200)
	inTx(t, st, func(tx reference.Tx) error {
		_, page, err := tx.List(KindUser, reference.Query{StartIndex: 1, Count: -1})
		require.NoError(t, err)
		require.Len(t, page, 1200)
		for _, u := range page {
			require.Len(t, u["groups"], 1, "groups of %s across IN chunks of 500", u["userName"])
		}
		return nil
	})
}

// TestQueriesUseIndexes guards the figures in the README: the look-ups Okta makes and a page
// must be answered from an index, never by scanning every resource.
func TestQueriesUseIndexes(t *testing.T) {
	st := openMem(t)
	createUsers(t, st, 50)
	tests := []struct {
		name  string
		query string
		args  []any
		index string
	}{
		{"get by id", sqlGet, []any{KindUser, "x"}, "sqlite_autoindex_resources_1"},
		{"userName lookup", sqlByName, []any{KindUser, "ada"}, "resources_kind_name"},
		{"id lookup", sqlByID, []any{KindUser, "x"}, "sqlite_autoindex_resources_1"},
		{"externalId lookup", sqlByExternalID, []any{KindUser, "x"}, "resources_external"},
		{"page", sqlPage, []any{KindUser, 0, 100, 0}, "resources_kind_seq (kind=? AND seq>?)"},
		{"members of groups", sqlMembersOf, []any{`["g"]`}, "sqlite_autoindex_members_1"},
		{"groups of users", sqlGroupsOf, []any{`["u"]`}, "members_member"},
		{"members of one group (decorate)", sqlMembersOfOne, []any{"g"}, "sqlite_autoindex_members_1"},
		{"groups of one user", sqlGroupsOfOne, []any{"u"}, "members_member"},
		{"version", sqlVersion, []any{KindUser, "x"}, "sqlite_autoindex_resources_1"},
		{"kind of an id", sqlKindOf, []any{"x"}, "sqlite_autoindex_resources_1"},
		{"update", sqlUpdate, []any{"n", nil, "t", "{}", KindUser, "x"}, "sqlite_autoindex_resources_1"},
		{"current row", sqlCurrent, []any{KindUser, "x"}, "sqlite_autoindex_resources_1"},
		{"update doc", sqlUpdateDoc, []any{"t", "{}", KindUser, "x"}, "sqlite_autoindex_resources_1"},
		{"delete", sqlDelete, []any{KindUser, "x"}, "sqlite_autoindex_resources_1"},
		{"delete memberships", sqlDeleteMemberships, []any{"x"}, "members_member"},
		{"members of one group", sqlMembers, []any{"g"}, "sqlite_autoindex_members_1"},
		{"userName taken", sqlTakenBy, []any{"ada", "x"}, "resources_kind_name"},
		{"groups touched by a user delete", sqlTouchGroupsOf, []any{"now", "u"}, "members_member"},
		{"is a member", sqlIsMember, []any{"u"}, "members_member"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rows, err := st.db.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+tc.query, tc.args...)
			require.NoError(t, err)
			defer rows.Close()
			var plan []string
			for rows.Next() {
				var id, parent, notUsed int
				var detail string
				require.NoError(t, rows.Scan(&id, &parent, &notUsed, &detail))
				plan = append(plan, detail)
			}
			require.NoError(t, rows.Err())
			joined := strings.Join(plan, "\n")
			assert.Contains(t, joined, tc.index, "query plan:\n%s", joined)
			for _, step := range plan {
				if strings.HasPrefix(step, "SCAN ") && !strings.HasPrefix(step, "SCAN json_each") { // the id list parameter
					assert.Contains(t, step, "USING", "a full table scan in plan:\n%s", joined)
				}
				assert.NotRegexp(t, `USING (COVERING )?INDEX \S+ \(kind=\?\)$`, step, "a scan of every resource of a kind:\n%s", joined)
			}
		})
	}
}
