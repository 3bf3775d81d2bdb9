// Package store implements reference.Store: it keeps the reference server's Users and Groups
// in SQLite (modernc.org/sqlite, pure Go), in memory or in a file. A resource's attributes
// are stored as a JSON document beside indexed columns for the look-ups Okta makes (userName
// and displayName, case-insensitively, and id), and group membership lives in its own table
// so a membership PATCH touches only the members it changes and a User's groups can be
// derived. Every request runs in one transaction. Beside reference.Tx, a transaction offers
// CreateAllowingDuplicate, which only the quirks use.
package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/scimcheck/scimcheck/reference"
	"github.com/scimcheck/scimcheck/reference/codec"
)

// Kinds of resource, as reference names them.
const (
	KindUser  = reference.KindUser
	KindGroup = reference.KindGroup
)

const schemaSQL = `
CREATE TABLE IF NOT EXISTS resources (
	seq           INTEGER PRIMARY KEY AUTOINCREMENT,
	kind          TEXT NOT NULL,
	id            TEXT NOT NULL UNIQUE,
	name_key      TEXT NOT NULL,
	external_id   TEXT,
	version       INTEGER NOT NULL,
	created       TEXT NOT NULL,
	last_modified TEXT NOT NULL,
	doc           TEXT NOT NULL
);
-- userName uniqueness is checked in the transaction (see Create); an index from earlier
-- builds that enforced it would stop the quirks from storing duplicates.
DROP INDEX IF EXISTS resources_username;
CREATE INDEX IF NOT EXISTS resources_kind_name ON resources(kind, name_key);
CREATE INDEX IF NOT EXISTS resources_kind_seq ON resources(kind, seq);
CREATE INDEX IF NOT EXISTS resources_external ON resources(kind, external_id);
CREATE TABLE IF NOT EXISTS members (
	seq       INTEGER PRIMARY KEY AUTOINCREMENT,
	group_id  TEXT NOT NULL,
	member_id TEXT NOT NULL,
	display   TEXT,
	type      TEXT,
	UNIQUE(group_id, member_id)
);
CREATE INDEX IF NOT EXISTS members_member ON members(member_id);
CREATE TABLE IF NOT EXISTS counts (
	kind TEXT PRIMARY KEY,
	n    INTEGER NOT NULL
);
INSERT OR IGNORE INTO counts(kind, n) VALUES ('User', 0), ('Group', 0);
`

// Store is a SQLite-backed reference.Store. It is safe for concurrent use: requests are
// serialised on one connection, each in its own transaction.
type Store struct {
	db    *sql.DB
	cache stmtCache // the statements, prepared on the one connection (sql.go)
	now   func() time.Time
	pages anchors
	docs  *codec.Buffers // what documents are encoded in
}

// Open opens the store at path, creating its tables. An empty path (or ":memory:") means a
// private in-memory database. A file database uses WAL with synchronous=FULL, so an
// acknowledged write survives a crash or restart. Errors wrap the driver's.
func Open(ctx context.Context, path string) (*Store, error) {
	var dsn string
	if path == "" || path == ":memory:" {
		dsn = "file:scimcheck-" + newID() + "?mode=memory&_pragma=foreign_keys(1)"
	} else {
		dsn = "file:" + url.PathEscape(path) + "?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(5000)"
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %q: %w", path, err)
	}
	// One connection: an in-memory database lives and dies with it, and serialising writes
	// makes every request's read-modify-write atomic without retry loops.
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	if _, err := db.ExecContext(ctx, schemaSQL); err != nil {
		db.Close()
		return nil, fmt.Errorf("create tables in %q: %w", path, err)
	}
	s := &Store{db: db, now: time.Now, docs: codec.NewBuffers(docBuffer, maxPooledDoc)}
	if err := s.prepare(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %q: %w", path, err)
	}
	return s, nil
}

// Close closes the prepared statements and the database. Closing twice is harmless.
func (s *Store) Close() error {
	s.closeStatements()
	return s.db.Close()
}

// SetClock replaces the clock used for meta.created and meta.lastModified (tests).
func (s *Store) SetClock(now func() time.Time) { s.now = now }

// Tx runs fn in one transaction, committed when fn returns nil and rolled back otherwise. The
// error is fn's, or the database's wrapped. Once ctx ends, the transaction stops at its next
// statement (or row) with ctx's error and is rolled back.
func (s *Store) Tx(ctx context.Context, fn func(tx reference.Tx) error) error {
	conn, err := s.db.Conn(ctx) // waits for the one connection while another request holds it
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer conn.Close() // hands the connection back
	tx := &Tx{conn: conn, cache: &s.cache, ctx: ctx, now: s.now().UTC(), pages: &s.pages, docs: s.docs}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	if err := tx.control(sqlBegin); err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	committed := false
	defer func() {
		// A panic in fn (recovered further up by the HTTP layer) must not leave the transaction
		// open: the store has one connection, so every later request would wait for it forever.
		if !committed {
			_ = tx.control(sqlRollback)
		}
	}()
	if err := fn(tx); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	committed = true
	if err := tx.control(sqlCommit); err != nil {
		// A failed COMMIT (SQLITE_BUSY on a file database) may leave the transaction open.
		_ = tx.control(sqlRollback)
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// Tx is one transaction, the store's reference.Tx. Its methods return *reference.Error for
// client mistakes (404, 409, 400) and wrapped database errors otherwise.
type Tx struct {
	conn  *sql.Conn
	cache *stmtCache
	ctx   context.Context
	now   time.Time
	pages *anchors
	docs  *codec.Buffers
	wrote bool // a transaction that wrote may be rolled back: it records no page anchors
	// writes counts the statements that wrote, so that what was read before can be trusted
	// as long as it has not moved.
	writes int
	// read is the members of the last Group, or the derived groups of the last User,
	// decorated alone (by Get), as of writes.
	read *readMembers
	// row is the row of the last resource Get read, as of writes.
	row *current
}

// current is the stored state of a resource's row that Replace needs.
type current struct {
	kind, id  string
	writes    int // Tx.writes when it was read
	name, ext string
	version   int64
	created   string
}

// current returns the row of resource id as Get read it in this transaction, if nothing was
// written since, or else reads it. Errors: 404.
func (t *Tx) current(kind, id string) (current, error) {
	if r := t.row; r != nil && r.kind == kind && r.id == id && r.writes == t.writes {
		return *r, nil
	}
	c := current{kind: kind, id: id, writes: t.writes}
	err := t.queryRow(sqlCurrent, kind, id).Scan(&c.name, &c.ext, &c.version, &c.created)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return current{}, notFound(kind, id)
	case err != nil:
		return current{}, fmt.Errorf("update %s %s: %w", kind, id, err)
	}
	return c, nil
}

// readMembers is the members of one Group, or the derived groups of one User, as a
// transaction read them.
type readMembers struct {
	kind, id string
	writes   int
	list     []Member
}

// knownMembers returns the members of Group id, or the derived groups of User id, when the
// transaction read them and has written nothing since, so that Replace need not read them
// again: the membership it writes itself it knows, and writing a User changes neither its
// memberships nor its groups.
func (t *Tx) knownMembers(kind, id string) ([]Member, bool) {
	if r := t.read; r != nil && r.kind == kind && r.id == id && r.writes == t.writes {
		return r.list, true
	}
	return nil, false
}

// attach sets attr of res to list as decorate does: replaced, and absent when list is empty.
func attach(res reference.Resource, attr string, list []Member) {
	delete(res, "members")
	delete(res, "groups")
	if len(list) == 0 {
		return
	}
	els := make([]any, 0, len(list))
	for _, m := range list {
		els = append(els, m.element())
	}
	res[attr] = els
}

// Member is one row of a group's membership.
type Member struct {
	Value, Display, Type string
}

// element returns m as an element of a Group's members attribute.
func (m Member) element() map[string]any {
	el := map[string]any{"value": m.Value}
	if m.Display != "" {
		el["display"] = m.Display
	}
	if m.Type != "" {
		el["type"] = m.Type
	}
	return el
}

// newID returns a random UUID (version 4).
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// NameKey returns the indexed, case-folded name of a resource: userName for Users,
// displayName for Groups.
func NameKey(kind string, res reference.Resource) string {
	attr := "userName"
	if kind == KindGroup {
		attr = "displayName"
	}
	s, _ := res[attr].(string)
	return strings.ToLower(s)
}

func timestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// Stats describes the database: how many bytes its pages take (for a file database, about the
// file's size; in memory, the memory SQLite holds for the data, outside the Go heap).
type Stats struct {
	PageBytes int64
}

// Stats returns the database's size. Errors wrap the driver's.
func (s *Store) Stats(ctx context.Context) (Stats, error) {
	var pages, size int64
	if err := s.db.QueryRowContext(ctx, `SELECT page_count, page_size FROM pragma_page_count(), pragma_page_size()`).Scan(&pages, &size); err != nil {
		return Stats{}, fmt.Errorf("read page count: %w", err)
	}
	return Stats{PageBytes: pages * size}, nil
}
