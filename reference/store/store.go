// Package store implements reference.Store: it keeps the reference server's Users and Groups
// in SQLite (modernc.org/sqlite, pure Go), in memory or in a file. A resource's attributes are stored as a JSON document beside indexed columns for
// the look-ups Okta makes (userName and displayName, case-insensitively, and id), and group
// membership lives in its own table so a membership PATCH touches only the members it changes
// and a User's groups can be derived. Every request runs in one transaction. Beside
// reference.Tx, a transaction offers CreateAllowingDuplicate, which only the quirks use.
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
	"github.com/scimcheck/scimcheck/reference/internal/codec"
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

// Tx is one transaction, the store's reference.Tx. Its methods return *reference.Error for client mistakes (404, 409,
// 400) and wrapped database errors otherwise.
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

// Create inserts res (canonical, as reference.NormalizeResource returns it) and returns the
// stored resource with its new id and meta; it may share nested values with res. For a Group,
// res["members"] is stored in the membership table. id may be empty (a new UUID is made) or
// given (seed data). Errors: 409 uniqueness when a User with the same userName
// (case-insensitively) or a resource with the same id exists; 400 invalidValue for a member
// that is not a User or Group.
//
// userName uniqueness is checked inside the transaction rather than by a UNIQUE index:
// transactions run one at a time on the store's single connection, so the check cannot race,
// and the quirks can store the duplicates a broken server would (CreateAllowingDuplicate).
func (t *Tx) Create(kind, id string, res reference.Resource) (reference.Resource, error) {
	return t.create(kind, id, res, true)
}

// CreateAllowingDuplicate inserts res like Create but without the userName uniqueness check,
// for the quirks no-409-on-duplicate and username-case-sensitive. The duplicate is found by
// userName look-ups like any other user.
func (t *Tx) CreateAllowingDuplicate(kind string, res reference.Resource) (reference.Resource, error) {
	return t.create(kind, "", res, false)
}

func (t *Tx) create(kind, id string, res reference.Resource, unique bool) (reference.Resource, error) {
	if id == "" {
		id = newID()
	}
	doc, raw, members, err := t.split(kind, res)
	if err != nil {
		return nil, err
	}
	if kind == KindUser && unique {
		if err := t.checkUnique(res, ""); err != nil {
			return nil, err
		}
	}
	now := timestamp(t.now)
	ext, _ := res["externalId"].(string)
	_, err = t.exec(sqlInsert, kind, id, NameKey(kind, res), nullable(ext), now, now, raw)
	if err != nil {
		if isConstraint(err) {
			return nil, reference.Errorf(409, reference.ScimTypeUniqueness, "a resource with id %q already exists", id)
		}
		return nil, fmt.Errorf("insert %s: %w", kind, err)
	}
	if _, err := t.exec(sqlCountAdd, 1, kind); err != nil {
		return nil, fmt.Errorf("count %s: %w", kind, err)
	}
	if kind == KindGroup {
		if members, err = t.setMembers(id, members, nil, false); err != nil {
			return nil, err
		}
	}
	return assemble(kind, id, doc, 1, now, now, members), nil
}

// assemble builds the resource Get would read back after a write: doc with id, meta and, for a
// Group, members (a User's groups are left to decorate).
func assemble(kind, id string, doc map[string]any, version int64, created, lastModified string, members []Member) reference.Resource {
	res := reference.Resource(doc)
	res["id"] = id
	res["meta"] = map[string]any{
		"resourceType": kind,
		"created":      created,
		"lastModified": lastModified,
		"version":      reference.VersionTag(version),
	}
	if len(members) > 0 {
		list := make([]any, 0, len(members))
		for _, m := range members {
			list = append(list, m.element())
		}
		res["members"] = list
	}
	return res
}

// checkUnique returns 409 uniqueness when another User (not exceptID) has res's userName.
func (t *Tx) checkUnique(res reference.Resource, exceptID string) error {
	var other string
	err := t.queryRow(sqlTakenBy, NameKey(KindUser, res), exceptID).Scan(&other)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return fmt.Errorf("check userName uniqueness: %w", err)
	}
	return reference.Errorf(409, reference.ScimTypeUniqueness,
		"userName %q is already taken by user %s (userName is unique case-insensitively)", res["userName"], other)
}

// Replace stores res as the whole new state of the resource id (PUT, or the result of a
// PATCH), bumping meta.version and meta.lastModified, and returns the stored resource (which
// may share nested values with res). For a Group the membership becomes exactly res["members"].
// Errors: 404 when id does not exist; 409 uniqueness on a taken userName; 400 invalidValue for
// a member that is not a User or Group.
func (t *Tx) Replace(kind, id string, res reference.Resource) (reference.Resource, error) {
	doc, raw, members, err := t.split(kind, res)
	if err != nil {
		return nil, err
	}
	// 404 before 409: a missing id (or one of another kind) is reported as missing whatever
	// the body says.
	cur, err := t.current(kind, id)
	if err != nil {
		return nil, err
	}
	oldName, oldExt, version, created := cur.name, cur.ext, cur.version, cur.created
	if kind == KindUser {
		if err := t.checkUnique(res, id); err != nil {
			return nil, err
		}
	}
	had, known := t.knownMembers(kind, id) // as of before this write
	name := NameKey(kind, res)
	ext, _ := res["externalId"].(string)
	now := timestamp(t.now)
	if name == oldName && ext == oldExt {
		// The indexed columns keep their values: leave their indexes alone.
		_, err = t.exec(sqlUpdateDoc, now, raw, kind, id)
	} else {
		_, err = t.exec(sqlUpdate, name, nullable(ext), now, raw, kind, id)
	}
	if err != nil {
		return nil, fmt.Errorf("update %s %s: %w", kind, id, err)
	}
	version++ // as the UPDATE did: the row cannot change between the SELECT and it
	if kind == KindGroup {
		if members, err = t.setMembers(id, members, had, known); err != nil {
			return nil, err
		}
	}
	out := assemble(kind, id, doc, version, created, now, members)
	if kind == KindUser {
		if known {
			attach(out, "groups", had)
		} else if err := t.decorate(kind, []reference.Resource{out}, true); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Delete removes the resource id. Deleting a User removes it from every Group (bumping those
// Groups' versions); deleting a Group removes its memberships. Errors: 404 when id does not exist.
func (t *Tx) Delete(kind, id string) error {
	t.pages.forget(kind) // positions after this one shift
	n, err := t.exec(sqlDelete, kind, id)
	if err != nil {
		return fmt.Errorf("delete %s %s: %w", kind, id, err)
	}
	if n == 0 {
		return notFound(kind, id)
	}
	if _, err := t.exec(sqlCountAdd, -1, kind); err != nil {
		return fmt.Errorf("count %s: %w", kind, err)
	}
	var one int
	err = t.queryRow(sqlIsMember, id).Scan(&one)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("touch groups of %s: %w", id, err)
	}
	member := err == nil
	if member {
		if _, err := t.exec(sqlTouchGroupsOf, timestamp(t.now), id); err != nil {
			return fmt.Errorf("touch groups of %s: %w", id, err)
		}
	}
	if member || kind != KindUser {
		if _, err := t.exec(sqlDeleteMemberships, id); err != nil {
			return fmt.Errorf("delete memberships of %s: %w", id, err)
		}
	}
	return nil
}

func notFound(kind, id string) error {
	return reference.NotFound("%s %q not found", kind, id)
}

// split separates a resource into the attributes to store (a new top-level map, and its
// JSON) and, for a Group, its members.
func (t *Tx) split(kind string, res reference.Resource) (map[string]any, string, []Member, error) {
	doc := make(map[string]any, len(res))
	for k, v := range res {
		switch k {
		case "id", "meta", "schemas", "groups":
			continue
		case "members":
			if kind == KindGroup {
				continue
			}
		}
		doc[k] = v
	}
	buf := t.docs.Get()
	b, err := codec.Append(*buf, doc)
	raw := string(b)
	t.docs.Put(buf, b)
	if err != nil {
		return nil, "", nil, fmt.Errorf("encode %s: %w", kind, err)
	}
	var members []Member
	if kind == KindGroup {
		list, _ := res["members"].([]any)
		seen := make(map[string]bool, len(list))
		for _, el := range list {
			m, _ := el.(map[string]any)
			v, _ := m["value"].(string)
			if v == "" {
				return nil, "", nil, reference.BadRequest(reference.ScimTypeInvalidValue, "every member needs a \"value\" holding a User or Group id")
			}
			if seen[v] {
				continue
			}
			seen[v] = true
			d, _ := m["display"].(string)
			ty, _ := m["type"].(string)
			members = append(members, Member{Value: v, Display: d, Type: ty})
		}
	}
	return doc, raw, members, nil
}

// Sizes of the buffers documents are encoded in: the first size of each, and the largest one
// kept for the next document.
const (
	docBuffer    = 1024
	maxPooledDoc = 256 << 10
)

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func isConstraint(err error) bool {
	return err != nil && strings.Contains(err.Error(), "constraint failed")
}

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
