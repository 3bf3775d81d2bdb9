package store

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/scimcheck/scimcheck/reference"
	"github.com/scimcheck/scimcheck/reference/codec"
)

type record struct {
	id, created, lastModified, doc string
	version                        int64
}

func (r *record) scan(s interface{ Scan(...any) error }) error {
	return s.Scan(&r.id, &r.version, &r.created, &r.lastModified, &r.doc)
}

func (r *record) resource(kind string) (reference.Resource, error) {
	v, err := codec.Unmarshal([]byte(r.doc))
	res, ok := v.(map[string]any)
	if err != nil || !ok { // encoding/json has the last word on what is not a JSON object
		res = reference.Resource{}
		if err := json.Unmarshal([]byte(r.doc), &res); err != nil {
			return nil, fmt.Errorf("decode stored %s %s: %w", kind, r.id, err)
		}
	}
	res["id"] = r.id
	res["meta"] = map[string]any{
		"resourceType": kind,
		"created":      r.created,
		"lastModified": r.lastModified,
		"version":      reference.VersionTag(r.version),
	}
	return res, nil
}

// Get returns the resource id with its meta (without location, which the HTTP layer knows),
// a Group's members when withMembers is true, and a User's derived groups. Errors: 404.
func (t *Tx) Get(kind, id string, withMembers bool) (reference.Resource, error) {
	var r record
	var cur current
	err := t.queryRow(sqlGet, kind, id).Scan(&r.id, &r.version, &r.created, &r.lastModified, &r.doc, &cur.name, &cur.ext)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound(kind, id)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s %s: %w", kind, id, err)
	}
	cur.kind, cur.id, cur.writes, cur.version, cur.created = kind, id, t.writes, r.version, r.created
	t.row = &cur
	res, err := r.resource(kind)
	if err != nil {
		return nil, err
	}
	if err := t.decorate(kind, []reference.Resource{res}, withMembers); err != nil {
		return nil, err
	}
	return res, nil
}

// Version returns the meta.version of the resource id (as reference.VersionTag renders it) without
// reading the resource. Errors: 404, as Get.
func (t *Tx) Version(kind, id string) (string, error) {
	var v int64
	err := t.queryRow(sqlVersion, kind, id).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", notFound(kind, id)
	}
	if err != nil {
		return "", fmt.Errorf("read %s %s: %w", kind, id, err)
	}
	return reference.VersionTag(v), nil
}

// Exists reports the kind of the resource id ("" when there is none).
func (t *Tx) Exists(id string) (string, error) {
	var kind string
	err := t.queryRow(sqlKindOf, id).Scan(&kind)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("look up %s: %w", id, err)
	}
	return kind, nil
}

// Count returns how many resources of kind exist, in constant time.
func (t *Tx) Count(kind string) (int, error) {
	var n int
	if err := t.queryRow(sqlCount, kind).Scan(&n); err != nil {
		return 0, fmt.Errorf("count %s: %w", kind, err)
	}
	return n, nil
}

// List returns the total number of resources of kind matching q.Filter and the page q selects,
// in a stable order (creation order unless q.Less is set). A plain page and an equality filter
// on userName, displayName, id or externalId are answered from indexes; any other filter or a
// sort scans every resource of the kind.
func (t *Tx) List(kind string, q reference.Query) (int, []reference.Resource, error) {
	start := max(q.StartIndex, 1)
	if q.Filter == nil && q.Less == nil {
		total, err := t.Count(kind)
		if err != nil {
			return 0, nil, err
		}
		if q.Count == 0 || start > total {
			return total, []reference.Resource{}, nil
		}
		page, err := t.page(kind, start, q.Count)
		if err != nil {
			return 0, nil, err
		}
		return total, page, t.decorate(kind, page, !q.SkipMembers)
	}
	rows, err := t.candidates(kind, q.Filter)
	if err != nil {
		return 0, nil, err
	}
	all, err := t.collect(kind, rows, q.Filter)
	if err != nil {
		return 0, nil, err
	}
	if q.Less != nil {
		sort.SliceStable(all, func(i, j int) bool { return q.Less(all[i], all[j]) })
	}
	total := len(all)
	var page []reference.Resource
	switch {
	case q.Count == 0 || start > total:
		page = []reference.Resource{}
	case q.Count < 0 || start-1+q.Count > total:
		page = all[start-1:]
	default:
		page = all[start-1 : start-1+q.Count]
	}
	if q.Filter != nil { // collect has attached members and groups already
		if q.SkipMembers {
			for _, res := range page {
				delete(res, "members")
			}
		}
		return total, page, nil
	}
	return total, page, t.decorate(kind, page, !q.SkipMembers)
}

// page returns count resources of kind (all when count < 0) from 1-based position start, in
// creation order. It starts from the nearest page boundary served before (see anchors), so
// a deep page costs what the first one does when pages are read in order.
func (t *Tx) page(kind string, start, count int) ([]reference.Resource, error) {
	limit := count
	if limit < 0 {
		limit = -1
	}
	from := t.pages.nearest(kind, start-1)
	rows, err := t.query(sqlPage, kind, from.seq, limit, start-1-from.pos)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", kind, err)
	}
	defer rows.Close()
	out := []reference.Resource{}
	var seq, first int64
	for rows.Next() {
		var r record
		if err := rows.Scan(&seq, &r.id, &r.version, &r.created, &r.lastModified, &r.doc); err != nil {
			return nil, fmt.Errorf("scan %s: %w", kind, err)
		}
		if len(out) == 0 {
			first = seq
		}
		res, err := r.resource(kind)
		if err != nil {
			return nil, err
		}
		out = append(out, res)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list %s: %w", kind, err)
	}
	if len(out) > 0 && !t.wrote {
		// The rows after position start-1 are those from seq first on, so the page's start is
		// an anchor too: asking for the same page again costs no skipping.
		t.pages.add(kind, anchor{pos: start - 1, seq: first - 1})
		t.pages.add(kind, anchor{pos: start - 1 + len(out), seq: seq})
	}
	return out, nil
}

// candidates returns the rows that may match f: an index look-up when f is an equality the
// store indexes, otherwise every resource of kind.
func (t *Tx) candidates(kind string, f reference.Matcher) (*rows, error) {
	if f != nil {
		if attr, value, ok := f.Equality(); ok {
			switch {
			case kind == KindUser && attr == "userName", kind == KindGroup && attr == "displayName":
				return t.query(sqlByName, kind, strings.ToLower(value))
			case attr == "id":
				return t.query(sqlByID, kind, value)
			case attr == "externalId":
				return t.query(sqlByExternalID, kind, value)
			}
		}
	}
	return t.query(sqlAll, kind)
}

// collect decodes rows and keeps those f matches (all when f is nil). With a filter, Groups
// are matched with their members and Users with their derived groups attached, so filters on
// members and groups work; the survivors keep them.
func (t *Tx) collect(kind string, rows *rows, f reference.Matcher) ([]reference.Resource, error) {
	defer rows.Close()
	out := []reference.Resource{}
	for rows.Next() {
		var r record
		if err := r.scan(rows); err != nil {
			return nil, fmt.Errorf("scan %s: %w", kind, err)
		}
		res, err := r.resource(kind)
		if err != nil {
			return nil, err
		}
		out = append(out, res)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list %s: %w", kind, err)
	}
	rows.Close()
	if f == nil {
		return out, nil
	}
	if err := t.decorate(kind, out, true); err != nil {
		return nil, err
	}
	kept := out[:0]
	for _, res := range out {
		if f.Match(res) {
			kept = append(kept, res)
		}
	}
	return kept, nil
}

// decorate attaches members to Groups (when withMembers) and derived groups to Users, with
// one query for the whole list.
func (t *Tx) decorate(kind string, list []reference.Resource, withMembers bool) error {
	if len(list) == 0 || (kind == KindGroup && !withMembers) {
		return nil
	}
	byID := make(map[string]reference.Resource, len(list))
	ids := make([]string, 0, len(list))
	for _, res := range list {
		id := res["id"].(string)
		if _, dup := byID[id]; dup {
			continue
		}
		byID[id] = res
		ids = append(ids, id)
		delete(res, "members")
		delete(res, "groups")
	}
	q, attr := sqlGroupsOf, "groups"
	if kind == KindGroup {
		q, attr = sqlMembersOf, "members"
	}
	var arg any
	if len(ids) == 1 {
		// One resource (Get, Replace): the same rows from a plain equality, without building
		// and parsing a JSON list.
		q, arg = sqlGroupsOfOne, ids[0]
		if kind == KindGroup {
			q = sqlMembersOfOne
		}
	} else {
		idList, err := json.Marshal(ids)
		if err != nil {
			return fmt.Errorf("encode ids: %w", err)
		}
		arg = string(idList)
	}
	rows, err := t.query(q, arg)
	if err != nil {
		return fmt.Errorf("read memberships: %w", err)
	}
	defer rows.Close()
	var read []Member // a lone resource's groups or members, for Replace (see knownMembers)
	for rows.Next() {
		var owner, value, display, typ string
		if err := rows.Scan(&owner, &value, &display, &typ); err != nil {
			return fmt.Errorf("scan membership: %w", err)
		}
		m := Member{Value: value, Display: display, Type: typ}
		if len(ids) == 1 {
			read = append(read, m)
		}
		res := byID[owner]
		l, _ := res[attr].([]any)
		res[attr] = append(l, m.element())
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read memberships: %w", err)
	}
	if len(ids) == 1 {
		t.read = &readMembers{kind: kind, id: ids[0], writes: t.writes, list: read}
	}
	return nil
}

// readMembers returns the membership of groupID in the order members joined.
func (t *Tx) readMembers(groupID string) ([]Member, error) {
	rows, err := t.query(sqlMembers, groupID)
	if err != nil {
		return nil, fmt.Errorf("read members of %s: %w", groupID, err)
	}
	var current []Member
	for rows.Next() {
		var m Member
		if err := rows.Scan(&m.Value, &m.Display, &m.Type); err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan member: %w", err)
		}
		current = append(current, m)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, fmt.Errorf("read members of %s: %w", groupID, err)
	}
	return current, nil
}

// setMembers makes the membership of groupID exactly members: it deletes the rows no longer
// listed, inserts new ones and updates changed displays, touching nothing else. It returns the
// membership as Get reads it: the members kept, in the order they joined, then the new ones.
// Errors: 400 invalidValue for a member value that is neither a User nor a Group, or the group
// itself.
//
// current, when known is true, is the membership as the transaction read it (see
// knownMembers); otherwise it is read here.
func (t *Tx) setMembers(groupID string, members []Member, current []Member, known bool) ([]Member, error) {
	if !known {
		var err error
		if current, err = t.readMembers(groupID); err != nil {
			return nil, err
		}
	}
	want := make(map[string]Member, len(members))
	for _, m := range members {
		want[m.Value] = m
	}
	out := make([]Member, 0, len(members))
	had := make(map[string]bool, len(current))
	for _, old := range current {
		had[old.Value] = true
		m, keep := want[old.Value]
		if !keep {
			if _, err := t.exec(sqlMemberRemove, groupID, old.Value); err != nil {
				return nil, fmt.Errorf("remove member %s: %w", old.Value, err)
			}
			continue
		}
		if m.Display != "" && m.Display != old.Display {
			if _, err := t.exec(sqlMemberShow, m.Display, groupID, m.Value); err != nil {
				return nil, fmt.Errorf("update member %s: %w", m.Value, err)
			}
			old.Display = m.Display
		}
		out = append(out, old)
	}
	for _, m := range members {
		if had[m.Value] {
			continue
		}
		if m.Value == groupID {
			return nil, reference.BadRequest(reference.ScimTypeInvalidValue, "a group cannot be a member of itself")
		}
		kind, err := t.Exists(m.Value)
		if err != nil {
			return nil, err
		}
		if kind == "" {
			return nil, reference.BadRequest(reference.ScimTypeInvalidValue, "member %q is not the id of a User or Group on this server", m.Value)
		}
		if m.Type == "" {
			m.Type = kind
		}
		if _, err := t.exec(sqlMemberAdd, groupID, m.Value, nullable(m.Display), m.Type); err != nil {
			return nil, fmt.Errorf("add member %s: %w", m.Value, err)
		}
		out = append(out, m)
	}
	return out, nil
}
