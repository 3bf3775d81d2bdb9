package store

import (
	"sort"
	"sync"
)

// maxAnchors bounds how many page boundaries a store remembers per kind; at Okta's page size
// of 100 that covers a walk through 400,000 resources.
const maxAnchors = 4096

// anchor records that the resources after 1-based position pos, in creation order, are
// exactly those with a seq above seq.
type anchor struct {
	pos int
	seq int64
}

// anchors lets a page start from the nearest boundary of a page served before instead of
// skipping startIndex-1 rows: Okta's import asks for startIndex 1, 101, 201, … and each page
// then costs the same, however deep it is. Creating a resource appends it at the end (seq is
// AUTOINCREMENT), so anchors stay true until a resource of the kind is deleted, which forgets
// them. Transactions are serialised on the store's one connection; the mutex only guards
// against a caller running two transactions from different goroutines on a file database.
type anchors struct {
	mu     sync.Mutex
	byKind map[string][]anchor // sorted by pos
}

// nearest returns the anchor with the largest pos ≤ pos, or the start {0, 0}.
func (a *anchors) nearest(kind string, pos int) anchor {
	a.mu.Lock()
	defer a.mu.Unlock()
	list := a.byKind[kind]
	i := sort.Search(len(list), func(i int) bool { return list[i].pos > pos })
	if i == 0 {
		return anchor{}
	}
	return list[i-1]
}

// add remembers an anchor, forgetting all of the kind's anchors when there are too many.
func (a *anchors) add(kind string, at anchor) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.byKind == nil {
		a.byKind = map[string][]anchor{}
	}
	list := a.byKind[kind]
	i := sort.Search(len(list), func(i int) bool { return list[i].pos >= at.pos })
	if i < len(list) && list[i].pos == at.pos {
		list[i] = at
		return
	}
	if len(list) >= maxAnchors {
		list = nil
		i = 0
	}
	list = append(list, anchor{})
	copy(list[i+1:], list[i:])
	list[i] = at
	a.byKind[kind] = list
}

// forget drops the anchors of kind.
func (a *anchors) forget(kind string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.byKind, kind)
}
