package reference

import (
	"context"
	"strconv"
)

// Kinds of resource a Store keeps.
const (
	KindUser  = "User"
	KindGroup = "Group"
)

// Store keeps Users and Groups. Package store implements it on SQLite (a file, or in memory);
// package server serves it over HTTP. Implementations are safe for concurrent use.
type Store interface {
	// Tx runs fn in one transaction, committed when fn returns nil and rolled back otherwise.
	// It returns fn's error as it is, or a wrapped storage error; once ctx ends, the
	// transaction stops at its next statement with ctx's error and is rolled back.
	Tx(ctx context.Context, fn func(tx Tx) error) error
	// Close releases the store. Closing twice is harmless.
	Close() error
}

// Tx is one transaction of a Store. Every method returns *Error for what the client got
// wrong (the status says which: 404, 409, 400) and a wrapped storage error otherwise.
type Tx interface {
	// Get returns the resource id of kind with its meta (without location, which only the
	// HTTP layer knows), a Group's members when withMembers is true, and a User's derived
	// groups. The map is the caller's to modify. Errors: 404 when there is no such resource.
	Get(kind, id string, withMembers bool) (Resource, error)
	// Version returns the meta.version of resource id (as VersionTag renders it) without
	// reading the resource. Errors: 404, as Get.
	Version(kind, id string) (string, error)
	// Exists returns the kind of resource id, "" when there is none.
	Exists(id string) (string, error)
	// Count returns how many resources of kind exist.
	Count(kind string) (int, error)
	// List returns how many resources of kind match q.Filter and the page q selects, in a
	// stable order (creation order unless q.Less is set).
	List(kind string, q Query) (total int, page []Resource, err error)
	// Create stores res (canonical, as NormalizeResource returns it) under id (a new one when
	// empty) and returns it with its id and meta; a Group's members become its membership.
	// Errors: 409 uniqueness when a User has the same userName (case-insensitively) or a
	// resource has id; 400 invalidValue for a member that is not a User or Group.
	Create(kind, id string, res Resource) (Resource, error)
	// Replace stores res as the whole new state of resource id, moving meta.version and
	// meta.lastModified, and returns the stored resource. Errors: 404 when there is no such
	// resource; 409 uniqueness on a taken userName; 400 invalidValue for a bad member.
	Replace(kind, id string, res Resource) (Resource, error)
	// Delete removes resource id, and with it every membership naming it. Errors: 404 when
	// there is no such resource.
	Delete(kind, id string) error
}

// Matcher is a compiled filter (reference/filter.Filter satisfies it).
type Matcher interface {
	// Match reports whether res satisfies the filter.
	Match(res map[string]any) bool
	// Equality reports whether the filter is a single `attr eq "value"` on a top-level
	// single-valued string attribute, so a store can answer it from an index.
	Equality() (attr, value string, ok bool)
}

// Query selects a page of resources. StartIndex is 1-based (values below 1 mean 1). Count is
// the page size; a negative Count means "no limit" and 0 returns no resources, only the total.
type Query struct {
	Filter     Matcher
	Less       func(a, b Resource) bool // sort order; nil keeps creation order
	StartIndex int
	Count      int
	// SkipMembers leaves Group members out of the results (excludedAttributes=members).
	SkipMembers bool
}

// VersionTag renders an integer version as the meta.version / ETag value.
func VersionTag(v int64) string { return `W/"` + strconv.FormatInt(v, 10) + `"` }
