package store

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/scimcheck/scimcheck/reference"
	"github.com/scimcheck/scimcheck/reference/codec"
)

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
