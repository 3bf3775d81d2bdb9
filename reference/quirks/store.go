package quirks

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"

	"github.com/scimcheck/scimcheck/reference"
	"github.com/scimcheck/scimcheck/reference/filter"
)

// Store returns st bent by the store quirks that are on: duplicates stored, numeric ids, 500
// for an unknown id, versions that never change or do not exist, renames refused, deletes
// that deactivate, PUTs that are not saved, and list pages that are too short, unordered or
// wrongly filtered (list.go). st itself when none is on.
func (s *Set) Store(st reference.Store) reference.Store {
	if !s.any(seams().store...) {
		return st
	}
	return &quirkyStore{Store: st, s: s}
}

type quirkyStore struct {
	reference.Store
	s *Set
}

// errRollBack makes a write transaction roll back while the handler answers as if it had
// been stored (put-not-saved).
type errRollBack struct{}

func (errRollBack) Error() string { return "quirk: roll the write back" }

// Tx runs fn on a quirky transaction; a PUT marked by Requests (put-not-saved) is rolled back
// once fn succeeds, and the caller told it was committed.
func (st *quirkyStore) Tx(ctx context.Context, fn func(tx reference.Tx) error) error {
	notSaved := ctx.Value(notSaved{}) != nil
	err := st.Store.Tx(ctx, func(tx reference.Tx) error {
		if err := fn(&quirkyTx{Tx: tx, s: st.s}); err != nil {
			return err
		}
		if notSaved {
			return errRollBack{}
		}
		return nil
	})
	if errors.Is(err, errRollBack{}) {
		return nil
	}
	return err
}

type quirkyTx struct {
	reference.Tx
	s *Set
	// userNames are the userNames of the users Get read, for username-change-rejected.
	userNames map[string]string
}

func (t *quirkyTx) Get(kind, id string, withMembers bool) (reference.Resource, error) {
	res, err := t.Tx.Get(kind, id, withMembers)
	if err != nil {
		return nil, t.unknownID(err)
	}
	if kind == reference.KindUser && t.s.has(reference.QuirkUserNameChangeRejected) {
		if t.userNames == nil {
			t.userNames = map[string]string{}
		}
		t.userNames[id], _ = res["userName"].(string)
	}
	t.version(res)
	return res, nil
}

func (t *quirkyTx) Version(kind, id string) (string, error) {
	v, err := t.Tx.Version(kind, id)
	switch {
	case err != nil:
		return "", t.unknownID(err)
	case t.s.has(reference.QuirkETagUnsupported):
		return "", nil
	case t.s.has(reference.QuirkVersionUnchanged):
		return reference.VersionTag(1), nil
	}
	return v, nil
}

// Create stores a duplicate userName (no-409-on-duplicate), or one that differs in case
// (username-case-sensitive), or gives the resource a numeric id (numeric-ids).
func (t *quirkyTx) Create(kind, id string, res reference.Resource) (reference.Resource, error) {
	var created reference.Resource
	var err error
	switch q := t.s.on; {
	case id != "":
		created, err = t.Tx.Create(kind, id, res)
	case q.Has(reference.QuirkNo409OnDuplicate):
		created, err = createDuplicate(t.Tx, kind, res)
	case q.Has(reference.QuirkUserNameCaseSensitive) && kind == reference.KindUser:
		created, err = createCaseSensitive(t.Tx, t.s.schemas.User, res)
	case q.Has(reference.QuirkNumericIDs):
		created, err = t.Tx.Create(kind, numericID(), res)
	default:
		created, err = t.Tx.Create(kind, id, res)
	}
	if err != nil {
		return nil, err
	}
	t.version(created)
	return created, nil
}

// Replace refuses a new userName (username-change-rejected).
func (t *quirkyTx) Replace(kind, id string, res reference.Resource) (reference.Resource, error) {
	if old, ok := t.userNames[id]; ok && kind == reference.KindUser {
		if name, _ := res["userName"].(string); !strings.EqualFold(name, old) {
			return nil, reference.BadRequest(reference.ScimTypeMutability, "userName cannot be changed")
		}
	}
	stored, err := t.Tx.Replace(kind, id, res)
	if err != nil {
		return nil, err
	}
	t.version(stored)
	return stored, nil
}

// Delete deactivates a group's members first (group-delete-deactivates-members).
func (t *quirkyTx) Delete(kind, id string) error {
	if kind == reference.KindGroup && t.s.has(reference.QuirkGroupDeleteDeactivates) {
		if err := deactivateMembers(t.Tx, id); err != nil {
			return t.unknownID(err)
		}
	}
	return t.unknownID(t.Tx.Delete(kind, id))
}

// version bends res's meta.version: the first one forever (etag-never-changes), or none
// (etag-unsupported).
func (t *quirkyTx) version(res reference.Resource) {
	meta, ok := res["meta"].(map[string]any)
	switch {
	case !ok:
	case t.s.has(reference.QuirkETagUnsupported):
		delete(meta, "version")
	case t.s.has(reference.QuirkVersionUnchanged):
		meta["version"] = reference.VersionTag(1)
	}
}

// unknownID turns the store's 404 for an unknown id into a 500 (unknown-id-500), the way a
// server fails when its database rejects the id.
func (t *quirkyTx) unknownID(err error) error {
	if e, ok := reference.AsError(err); ok && e.Status == http.StatusNotFound && t.s.has(reference.QuirkUnknownID500) {
		return reference.Errorf(http.StatusInternalServerError, "", "quirk: internal error: invalid input syntax for type uuid")
	}
	return err
}

// deactivateMembers sets active false on every user in group id (group-delete-deactivates-members).
func deactivateMembers(tx reference.Tx, id string) error {
	g, err := tx.Get(reference.KindGroup, id, true)
	if err != nil {
		return err
	}
	list, _ := g["members"].([]any)
	for _, el := range list {
		m, _ := el.(map[string]any)
		uid, _ := m["value"].(string)
		u, err := tx.Get(reference.KindUser, uid, false)
		if err != nil {
			continue // a nested group, or a member gone meanwhile
		}
		u["active"] = false
		if _, err := tx.Replace(reference.KindUser, uid, u); err != nil {
			return err
		}
	}
	return nil
}

// createDuplicate inserts res without the userName uniqueness check, for the quirks
// no-409-on-duplicate and username-case-sensitive: the store's transaction offers it beside
// reference.Tx (store.Tx.CreateAllowingDuplicate).
func createDuplicate(tx reference.Tx, kind string, res reference.Resource) (reference.Resource, error) {
	dup, ok := tx.(interface {
		CreateAllowingDuplicate(kind string, res reference.Resource) (reference.Resource, error)
	})
	if !ok {
		return nil, fmt.Errorf("quirk: the store cannot create a duplicate %s", kind)
	}
	return dup.CreateAllowingDuplicate(kind, res)
}

// createCaseSensitive creates a User whose userName is unique only in its exact letter case
// (username-case-sensitive): "Ada" and "ADA" are two users.
func createCaseSensitive(tx reference.Tx, rt *reference.ResourceType, res reference.Resource) (reference.Resource, error) {
	name, _ := res["userName"].(string)
	f, err := filter.Parse(`userName eq `+quote(name), rt)
	if err != nil {
		return nil, err
	}
	_, same, err := tx.List(reference.KindUser, reference.Query{Filter: f, StartIndex: 1, Count: -1})
	if err != nil {
		return nil, err
	}
	for _, u := range same {
		if u["userName"] == name {
			return nil, reference.Errorf(409, reference.ScimTypeUniqueness, "userName %q is already taken", name)
		}
	}
	return createDuplicate(tx, reference.KindUser, res)
}

// quote returns v as a quoted string of a filter (RFC 7644 §3.4.2.2).
func quote(v string) string {
	return `"` + strings.ReplaceAll(strings.ReplaceAll(v, `\`, `\\`), `"`, `\"`) + `"`
}

// numericID returns a random decimal id, as servers on an integer key hand out (numeric-ids).
func numericID() string {
	return strconv.FormatInt(100000+rand.Int64N(1<<50), 10)
}
