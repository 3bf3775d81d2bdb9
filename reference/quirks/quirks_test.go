package quirks

import (
	"context"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimcheck/scimcheck/reference"
	"github.com/scimcheck/scimcheck/reference/filter"
	"github.com/scimcheck/scimcheck/reference/patch"
)

// fakeStore is a reference.Store that only counts transactions: the seams must hand it back.
type fakeStore struct{ txs int }

func (s *fakeStore) Tx(ctx context.Context, fn func(tx reference.Tx) error) error {
	s.txs++
	return nil
}

func (s *fakeStore) Close() error { return nil }

// router stands for the handler a middleware wraps.
type router struct{}

func (*router) ServeHTTP(http.ResponseWriter, *http.Request) {}

// is reports whether h is next itself, not a wrapper around it.
func is(h http.Handler, next *router) bool {
	r, ok := h.(*router)
	return ok && r == next
}

func newSet(qs ...reference.Quirk) *Set {
	on := reference.Quirks{}
	for _, q := range qs {
		on[q] = true
	}
	return New(Config{Quirks: on, BasePath: "/scim/v2", MaxPageSize: 1000, WriteError: func(w http.ResponseWriter, err error) {
		w.WriteHeader(http.StatusTeapot)
	}})
}

// samePointer reports whether two functions are the same function.
func samePointer(a, b any) bool { return reflect.ValueOf(a).Pointer() == reflect.ValueOf(b).Pointer() }

// TestNoQuirkHandsBackWhatItGets: with no quirk on, every seam returns what it was given and
// every hook leaves its arguments alone, so the correct server pays nothing for the quirks.
func TestNoQuirkHandsBackWhatItGets(t *testing.T) {
	s := newSet()
	next := &router{}
	st := &fakeStore{}
	assert.True(t, is(s.Answers(next), next), "Answers")
	assert.True(t, is(s.Requests(st, next), next), "Requests")
	assert.Same(t, st, s.Store(st))
	writeErr := func(http.ResponseWriter, error) {}
	assert.True(t, samePointer(writeErr, s.Errors(writeErr)), "Errors")
	render := func(string, *reference.ResourceType, reference.Resource) reference.Resource { return nil }
	assert.True(t, samePointer(render, s.Render(render)), "Render")
	assert.True(t, samePointer(patch.Apply, s.Apply(patch.Apply)), "Apply")
	assert.True(t, samePointer(filter.Parse, s.Filter(filter.Parse)), "Filter")
	authorized := func(*http.Request) bool { return false }
	assert.True(t, samePointer(authorized, s.Authorize(authorized)), "Authorize")
	same := func(a, b reference.Resource) bool { return true }
	assert.True(t, samePointer(same, s.Unchanged(same)), "Unchanged")
	assert.Equal(t, Lax{}, s.Lax())
	assert.True(t, s.ETagsSupported())

	schemas := reference.NewSchemas()
	body := map[string]any{"id": "1", "userName": "", VendorExtension: map[string]any{}}
	require.NoError(t, s.CheckBody(http.MethodPut, body))
	assert.Len(t, body, 3, "the body is left as it was")
	ops := []patch.Operation{{Op: "Replace", Value: map[string]any{"id": "1", "displayName": ""}}}
	assert.NoError(t, s.CheckPatch(schemas.Group, ops))
	current := reference.Resource{"displayName": "old", "members": []any{}}
	res := reference.Resource{"displayName": "new", "externalId": "x"}
	s.Put(schemas.Group, current, res)
	assert.Equal(t, reference.Resource{"displayName": "new", "externalId": "x"}, res)
	answer := map[string]any{"totalResults": 3, "startIndex": 2, "itemsPerPage": 1, "Resources": []any{1}}
	s.ListAnswer(reference.Query{StartIndex: 2, Count: 1}, answer)
	assert.Equal(t, map[string]any{"totalResults": 3, "startIndex": 2, "itemsPerPage": 1, "Resources": []any{1}}, answer)
	assert.Zero(t, st.txs, "no seam reads the store")
}

// TestSeamsTakeTheirQuirks: each middleware and the store wrapper step in for every quirk
// they implement, and only then.
func TestSeamsTakeTheirQuirks(t *testing.T) {
	next := &router{}
	st := &fakeStore{}
	seams := []struct {
		name   string
		quirks []reference.Quirk
		wraps  func(s *Set) bool
	}{
		{"Answers", seams().answers, func(s *Set) bool { return !is(s.Answers(next), next) }},
		{"Requests", seams().requests, func(s *Set) bool { return !is(s.Requests(st, next), next) }},
		{"Store", seams().store, func(s *Set) bool { return s.Store(st) != reference.Store(st) }},
	}
	for _, seam := range seams {
		for _, q := range seam.quirks {
			t.Run(seam.name+"/"+string(q), func(t *testing.T) {
				assert.True(t, seam.wraps(newSet(q)), "%s does not step in for %s", seam.name, q)
			})
		}
		t.Run(seam.name+"/other quirks", func(t *testing.T) {
			assert.False(t, seam.wraps(newSet(reference.QuirkPasswordReturned)), "%s steps in for a quirk it does not implement", seam.name)
		})
	}
}

// TestRequestsAnswerForTheRouter: a request quirk answers in the router's place, with the
// server's error writer.
func TestRequestsAnswerForTheRouter(t *testing.T) {
	routed := false
	next := http.HandlerFunc(func(http.ResponseWriter, *http.Request) { routed = true })
	h := newSet(reference.QuirkStatus500).Requests(&fakeStore{}, next)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/scim/v2/Users", nil))
	assert.False(t, routed)
	assert.Equal(t, http.StatusTeapot, rec.Code, "the server's error writer renders the quirk's error")
}
