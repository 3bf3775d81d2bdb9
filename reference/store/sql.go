package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
)

const cols = `id, version, created, last_modified, doc`

// Every statement the store runs. They are prepared once, when the store opens: parsing SQL
// costs more than running these look-ups, and modernc's driver caches nothing. A test EXPLAINs
// them to prove each one is answered from an index.
const (
	sqlGet          = `SELECT ` + cols + `, name_key, COALESCE(external_id, '') FROM resources WHERE kind = ? AND id = ?`
	sqlPage         = `SELECT seq, ` + cols + ` FROM resources WHERE kind = ? AND seq > ? ORDER BY seq LIMIT ? OFFSET ?`
	sqlAll          = `SELECT ` + cols + ` FROM resources WHERE kind = ? ORDER BY seq`
	sqlByName       = `SELECT ` + cols + ` FROM resources WHERE kind = ? AND name_key = ? ORDER BY seq`
	sqlByID         = `SELECT ` + cols + ` FROM resources WHERE kind = ? AND id = ? ORDER BY seq`
	sqlByExternalID = `SELECT ` + cols + ` FROM resources WHERE kind = ? AND external_id = ? ORDER BY seq`
	sqlVersion      = `SELECT version FROM resources WHERE kind = ? AND id = ?`
	sqlKindOf       = `SELECT kind FROM resources WHERE id = ?`
	sqlCount        = `SELECT n FROM counts WHERE kind = ?`
	sqlCountAdd     = `UPDATE counts SET n = n + ? WHERE kind = ?`
	sqlTakenBy      = `SELECT id FROM resources WHERE kind = 'User' AND name_key = ? AND id != ?`
	sqlInsert       = `INSERT INTO resources(kind, id, name_key, external_id, version, created, last_modified, doc)
		VALUES (?, ?, ?, ?, 1, ?, ?, ?)`
	// Replace reads the row it replaces, then writes it with sqlUpdate, or with sqlUpdateDoc
	// when userName (displayName) and externalId are unchanged, which leaves their indexes alone.
	sqlCurrent = `SELECT name_key, COALESCE(external_id, ''), version, created FROM resources WHERE kind = ? AND id = ?`
	sqlUpdate  = `UPDATE resources SET name_key = ?, external_id = ?, version = version + 1, last_modified = ?, doc = ?
		WHERE kind = ? AND id = ?`
	sqlUpdateDoc = `UPDATE resources SET version = version + 1, last_modified = ?, doc = ? WHERE kind = ? AND id = ?`
	sqlDelete    = `DELETE FROM resources WHERE kind = ? AND id = ?`
	// Only groups have members, so the ids the sub-select yields are all groups; naming the kind
	// as well would lead SQLite's planner to walk every group.
	sqlTouchGroupsOf = `UPDATE resources SET version = version + 1, last_modified = ?
		WHERE id IN (SELECT group_id FROM members WHERE member_id = ?)`
	sqlDeleteMemberships = `DELETE FROM members WHERE member_id = ?1 OR group_id = ?1`
	// Whether a resource is a member of some group: when it is not, deleting it touches no
	// group, and deleting a User then deletes no membership (only groups have members).
	sqlIsMember = `SELECT 1 FROM members WHERE member_id = ? LIMIT 1`

	// The ids are one JSON array parameter, so a page of any size is one prepared statement.
	sqlMembersOf = `SELECT group_id, member_id, COALESCE(display, ''), COALESCE(type, '') FROM members
		WHERE group_id IN (SELECT value FROM json_each(?)) ORDER BY seq`
	sqlGroupsOf = `SELECT m.member_id, g.id, COALESCE(json_extract(g.doc, '$.displayName'), ''), 'direct'
		FROM members m JOIN resources g ON g.id = m.group_id
		WHERE m.member_id IN (SELECT value FROM json_each(?)) ORDER BY m.seq`
	// The same for one id: Get and Replace decorate a single resource.
	sqlMembersOfOne = `SELECT group_id, member_id, COALESCE(display, ''), COALESCE(type, '') FROM members
		WHERE group_id = ? ORDER BY seq`
	sqlGroupsOfOne = `SELECT m.member_id, g.id, COALESCE(json_extract(g.doc, '$.displayName'), ''), 'direct'
		FROM members m JOIN resources g ON g.id = m.group_id
		WHERE m.member_id = ? ORDER BY m.seq`
	sqlMembers      = `SELECT member_id, COALESCE(display, ''), COALESCE(type, '') FROM members WHERE group_id = ? ORDER BY seq`
	sqlMemberAdd    = `INSERT INTO members(group_id, member_id, display, type) VALUES (?, ?, ?, ?)`
	sqlMemberRemove = `DELETE FROM members WHERE group_id = ? AND member_id = ?`
	sqlMemberShow   = `UPDATE members SET display = ? WHERE group_id = ? AND member_id = ?`
)

// statements lists the SQL Open prepares.
func statements() []string {
	return []string{
		sqlBegin, sqlCommit, sqlRollback,
		sqlGet, sqlPage, sqlAll, sqlByName, sqlByID, sqlByExternalID, sqlVersion, sqlKindOf, sqlCount, sqlCountAdd,
		sqlTakenBy, sqlInsert, sqlCurrent, sqlUpdate, sqlUpdateDoc, sqlDelete, sqlIsMember, sqlTouchGroupsOf, sqlDeleteMemberships,
		sqlMembersOf, sqlGroupsOf, sqlMembersOfOne, sqlGroupsOfOne, sqlMembers, sqlMemberAdd, sqlMemberRemove, sqlMemberShow,
	}
}

// Transaction control, run as prepared statements like the others.
const (
	sqlBegin    = `BEGIN`
	sqlCommit   = `COMMIT`
	sqlRollback = `ROLLBACK`
)

// stmtCache holds the statements prepared on the store's connection. The store runs every
// transaction on that one connection, and runs the driver's statements itself, inside
// sql.Conn.Raw: database/sql would otherwise wrap each statement of each transaction in a
// fresh Stmt and, for a request's cancellable context, start goroutines to watch it (one in
// database/sql, one in the driver), which costs more than a look-up. The request's context is
// checked instead before each statement and row (see Tx.check).
type stmtCache struct {
	mu    sync.Mutex
	conn  any // the driver connection the statements belong to
	stmts map[string]driver.Stmt
}

// get returns the statement q prepared on dc, preparing every statement first when dc is not
// the connection they were prepared on (at Open, or if database/sql replaced a broken file
// database connection).
func (c *stmtCache) get(dc any, q string) (driver.Stmt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conn != dc || c.stmts == nil {
		if err := c.prepareLocked(dc); err != nil {
			return nil, err
		}
	}
	st, ok := c.stmts[q]
	if !ok {
		panic("store: statement not prepared: " + q)
	}
	return st, nil
}

func (c *stmtCache) prepareLocked(dc any) error {
	pc, ok := dc.(driver.ConnPrepareContext)
	if !ok {
		return fmt.Errorf("driver connection %T cannot prepare statements", dc)
	}
	all := statements()
	out := make(map[string]driver.Stmt, len(all))
	for _, q := range all {
		st, err := pc.PrepareContext(context.Background(), q)
		if err != nil {
			for _, done := range out {
				_ = done.Close()
			}
			return fmt.Errorf("prepare %q: %w", q, err)
		}
		out[q] = st
	}
	// Statements of a connection database/sql replaced died with it; they are dropped, not
	// closed, since closing them would touch the dead connection.
	c.conn, c.stmts = dc, out
	return nil
}

// close closes the statements prepared on dc.
func (c *stmtCache) close(dc any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conn != dc {
		return
	}
	for _, st := range c.stmts {
		_ = st.Close()
	}
	c.conn, c.stmts = nil, nil
}

// prepare prepares every statement on the store's connection, so that a broken statement
// fails Open.
func (s *Store) prepare(ctx context.Context) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		s.cache.mu.Lock()
		defer s.cache.mu.Unlock()
		return s.cache.prepareLocked(dc)
	})
}

// closeStatements closes the prepared statements, before the database closes.
func (s *Store) closeStatements() {
	conn, err := s.db.Conn(context.Background())
	if err != nil {
		return // closed already
	}
	defer conn.Close()
	_ = conn.Raw(func(dc any) error {
		s.cache.close(dc)
		return nil
	})
}

// check returns the request's context error once it has ended: the transaction then stops
// at the next statement or row, and is rolled back.
func (t *Tx) check() error { return t.ctx.Err() }

// driverArgs converts args as database/sql would for this driver: int to int64, the rest
// (string, int64, nil) as they are.
func driverArgs(args []any) []driver.NamedValue {
	nv := make([]driver.NamedValue, len(args))
	for i, a := range args {
		if n, ok := a.(int); ok {
			a = int64(n)
		}
		nv[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
	}
	return nv
}

// raw runs fn with the prepared statement q on the transaction's connection.
func (t *Tx) raw(q string, fn func(st driver.Stmt) error) error {
	if err := t.check(); err != nil {
		return err
	}
	return t.conn.Raw(func(dc any) error {
		st, err := t.cache.get(dc, q)
		if err != nil {
			return err
		}
		return fn(st)
	})
}

// control runs BEGIN, COMMIT or ROLLBACK. It does not look at the context: a ROLLBACK must
// run once the context has ended.
func (t *Tx) control(q string) error {
	return t.conn.Raw(func(dc any) error {
		st, err := t.cache.get(dc, q)
		if err != nil {
			return err
		}
		_, err = st.(driver.StmtExecContext).ExecContext(context.Background(), nil)
		return err
	})
}

// rows iterates over the result of a query like *sql.Rows: Next, Scan, Err, Close.
type rows struct {
	t    *Tx
	dr   driver.Rows
	vals []driver.Value
	err  error
	done bool
}

func (t *Tx) query(q string, args ...any) (*rows, error) {
	r := &rows{t: t}
	err := t.raw(q, func(st driver.Stmt) error {
		dr, err := st.(driver.StmtQueryContext).QueryContext(context.Background(), driverArgs(args))
		if err != nil {
			return err
		}
		r.dr, r.vals = dr, make([]driver.Value, len(dr.Columns()))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// Next advances to the next row, false at the end or on an error (see Err).
func (r *rows) Next() bool {
	if r.done {
		return false
	}
	if err := r.t.check(); err != nil {
		r.err = err
		_ = r.Close()
		return false
	}
	var err error
	if rerr := r.t.conn.Raw(func(any) error { err = r.dr.Next(r.vals); return nil }); rerr != nil {
		err = rerr
	}
	if err != nil {
		if err != io.EOF {
			r.err = err
		}
		_ = r.Close()
		return false
	}
	return true
}

// Scan copies the current row into dest, as sql.Rows.Scan does for *string, *int64 and *int.
func (r *rows) Scan(dest ...any) error {
	if r.done {
		return errors.New("sql: Rows are closed")
	}
	return scanValues(r.vals, dest)
}

// Err returns the error that ended the iteration, if any.
func (r *rows) Err() error { return r.err }

// Close ends the query; closing twice is harmless.
func (r *rows) Close() error {
	if r.done {
		return nil
	}
	r.done = true
	var err error
	if rerr := r.t.conn.Raw(func(any) error { err = r.dr.Close(); return nil }); rerr != nil {
		err = rerr
	}
	return err
}

// row is the first row of a query, like *sql.Row.
type row struct {
	r   *rows
	err error
}

func (t *Tx) queryRow(q string, args ...any) *row {
	r, err := t.query(q, args...)
	return &row{r: r, err: err}
}

// Scan copies the first row into dest and closes the query. Errors: sql.ErrNoRows when there
// is no row.
func (r *row) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	defer r.r.Close()
	if !r.r.Next() {
		if err := r.r.Err(); err != nil {
			return err
		}
		return sql.ErrNoRows
	}
	if err := r.r.Scan(dest...); err != nil {
		return err
	}
	return r.r.Close()
}

// exec runs a write and returns the number of rows it changed.
func (t *Tx) exec(q string, args ...any) (int64, error) {
	t.wrote = true
	t.writes++
	var n int64
	err := t.raw(q, func(st driver.Stmt) error {
		res, err := st.(driver.StmtExecContext).ExecContext(context.Background(), driverArgs(args))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

// scanValues stores vals into dest, converting as database/sql's Scan does for the
// destinations the store uses.
func scanValues(vals []driver.Value, dest []any) error {
	if len(dest) != len(vals) {
		return fmt.Errorf("sql: expected %d destination arguments in Scan, not %d", len(vals), len(dest))
	}
	for i, v := range vals {
		if err := assign(dest[i], v); err != nil {
			return fmt.Errorf("sql: Scan error on column index %d: %w", i, err)
		}
	}
	return nil
}

func assign(dest any, v driver.Value) error {
	switch d := dest.(type) {
	case *string:
		switch x := v.(type) {
		case string:
			*d = x
		case []byte:
			*d = string(x)
		case int64:
			*d = strconv.FormatInt(x, 10)
		case float64:
			*d = strconv.FormatFloat(x, 'g', -1, 64)
		case bool:
			*d = strconv.FormatBool(x)
		case nil:
			return errors.New("converting NULL to string is unsupported")
		default:
			return fmt.Errorf("unsupported Scan, storing driver.Value type %T into type *string", v)
		}
	case *int64, *int:
		var n int64
		switch x := v.(type) {
		case int64:
			n = x
		case string, []byte, float64:
			s := fmt.Sprint(x)
			if b, ok := x.([]byte); ok {
				s = string(b)
			}
			p, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return fmt.Errorf("converting driver.Value type %T (%q) to a int64: invalid syntax", v, s)
			}
			n = p
		case nil:
			return fmt.Errorf("converting NULL to %s is unsupported", strings.TrimPrefix(fmt.Sprintf("%T", dest), "*"))
		default:
			return fmt.Errorf("unsupported Scan, storing driver.Value type %T into type %T", v, dest)
		}
		if p, ok := d.(*int64); ok {
			*p = n
		} else {
			*d.(*int) = int(n)
		}
	default:
		return fmt.Errorf("store: cannot scan into %T", dest)
	}
	return nil
}
