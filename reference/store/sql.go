package store

import (
	"context"
	"database/sql"
	"fmt"
)

const cols = `id, version, created, last_modified, doc`

// Every statement the store runs. They are prepared once, when the store opens: parsing SQL
// costs more than running these look-ups, and modernc's driver caches nothing. A test EXPLAINs
// them to prove each one is answered from an index.
const (
	sqlGet          = `SELECT ` + cols + ` FROM resources WHERE kind = ? AND id = ?`
	sqlPage         = `SELECT seq, ` + cols + ` FROM resources WHERE kind = ? AND seq > ? ORDER BY seq LIMIT ? OFFSET ?`
	sqlAll          = `SELECT ` + cols + ` FROM resources WHERE kind = ? ORDER BY seq`
	sqlByName       = `SELECT ` + cols + ` FROM resources WHERE kind = ? AND name_key = ? ORDER BY seq`
	sqlByID         = `SELECT ` + cols + ` FROM resources WHERE kind = ? AND id = ? ORDER BY seq`
	sqlByExternalID = `SELECT ` + cols + ` FROM resources WHERE kind = ? AND external_id = ? ORDER BY seq`
	sqlKindOf       = `SELECT kind FROM resources WHERE id = ?`
	sqlCount        = `SELECT n FROM counts WHERE kind = ?`
	sqlCountAdd     = `UPDATE counts SET n = n + ? WHERE kind = ?`
	sqlTakenBy      = `SELECT id FROM resources WHERE kind = 'User' AND name_key = ? AND id != ?`
	sqlInsert       = `INSERT INTO resources(kind, id, name_key, external_id, version, created, last_modified, doc)
		VALUES (?, ?, ?, ?, 1, ?, ?, ?)`
	sqlUpdate = `UPDATE resources SET name_key = ?, external_id = ?, version = version + 1, last_modified = ?, doc = ?
		WHERE kind = ? AND id = ? RETURNING version, created`
	sqlDelete = `DELETE FROM resources WHERE kind = ? AND id = ?`
	// Only groups have members, so the ids the sub-select yields are all groups; naming the kind
	// as well would lead SQLite's planner to walk every group.
	sqlTouchGroupsOf = `UPDATE resources SET version = version + 1, last_modified = ?
		WHERE id IN (SELECT group_id FROM members WHERE member_id = ?)`
	sqlDeleteMemberships = `DELETE FROM members WHERE member_id = ?1 OR group_id = ?1`

	// The ids are one JSON array parameter, so a page of any size is one prepared statement.
	sqlMembersOf = `SELECT group_id, member_id, COALESCE(display, ''), COALESCE(type, '') FROM members
		WHERE group_id IN (SELECT value FROM json_each(?)) ORDER BY seq`
	sqlGroupsOf = `SELECT m.member_id, g.id, COALESCE(json_extract(g.doc, '$.displayName'), ''), 'direct'
		FROM members m JOIN resources g ON g.id = m.group_id
		WHERE m.member_id IN (SELECT value FROM json_each(?)) ORDER BY m.seq`
	sqlMembers      = `SELECT member_id, COALESCE(display, ''), COALESCE(type, '') FROM members WHERE group_id = ? ORDER BY seq`
	sqlMemberAdd    = `INSERT INTO members(group_id, member_id, display, type) VALUES (?, ?, ?, ?)`
	sqlMemberRemove = `DELETE FROM members WHERE group_id = ? AND member_id = ?`
	sqlMemberShow   = `UPDATE members SET display = ? WHERE group_id = ? AND member_id = ?`
)

// statements lists the SQL Open prepares.
var statements = []string{
	sqlGet, sqlPage, sqlAll, sqlByName, sqlByID, sqlByExternalID, sqlKindOf, sqlCount, sqlCountAdd,
	sqlTakenBy, sqlInsert, sqlUpdate, sqlDelete, sqlTouchGroupsOf, sqlDeleteMemberships,
	sqlMembersOf, sqlGroupsOf, sqlMembers, sqlMemberAdd, sqlMemberRemove, sqlMemberShow,
}

// prepare prepares statements on db.
func prepare(ctx context.Context, db *sql.DB) (map[string]*sql.Stmt, error) {
	out := make(map[string]*sql.Stmt, len(statements))
	for _, q := range statements {
		s, err := db.PrepareContext(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("prepare %q: %w", q, err)
		}
		out[q] = s
	}
	return out, nil
}

// stmt returns the transaction's handle on the prepared statement q. On the store's single
// connection database/sql reuses the statement prepared at Open.
func (t *Tx) stmt(q string) *sql.Stmt {
	s, ok := t.stmts[q]
	if !ok {
		panic("store: statement not prepared: " + q)
	}
	return t.tx.StmtContext(t.ctx, s)
}

func (t *Tx) query(q string, args ...any) (*sql.Rows, error) {
	return t.stmt(q).QueryContext(t.ctx, args...)
}

func (t *Tx) queryRow(q string, args ...any) *sql.Row {
	return t.stmt(q).QueryRowContext(t.ctx, args...)
}

// exec runs a write.
func (t *Tx) exec(q string, args ...any) (sql.Result, error) {
	t.wrote = true
	return t.stmt(q).ExecContext(t.ctx, args...)
}
