package quirks

import (
	"context"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/scimcheck/scimcheck/reference"
)

// Requests returns next (the router, reached once a request is authenticated) behind the
// request quirks that are on: they answer some requests themselves, the way the broken server
// would, or change what next sees. st is the store next serves from. next itself when none is
// on.
func (s *Set) Requests(st reference.Store, next http.Handler) http.Handler {
	if !s.any(seams().requests...) {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r, err := s.request(st, r)
		if err != nil {
			s.WriteError(w, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// request returns the request next is to serve, or the error to answer instead.
func (s *Set) request(st reference.Store, r *http.Request) (*http.Request, error) {
	if s.has(reference.QuirkStatus500) {
		return nil, reference.Errorf(http.StatusInternalServerError, "", "quirk: every request fails")
	}
	parts, _ := s.endpoint(r)
	if s.has(reference.QuirkNoDiscovery) && len(parts) > 0 &&
		slices.Contains([]string{"serviceproviderconfig", "resourcetypes", "schemas"}, strings.ToLower(parts[0])) {
		return nil, reference.NotFound("no SCIM endpoint %q", r.URL.Path)
	}
	if err := s.mediaType(r, parts); err != nil {
		return nil, err
	}
	if r.Method == http.MethodGet && collection(parts, "Users", "Groups") {
		return s.listRequest(r)
	}
	if id, ok := resource(parts, "Users"); ok {
		switch {
		case r.Method == http.MethodGet && s.has(reference.QuirkInactiveUser404):
			return r, inactiveUser(r.Context(), st, id)
		case r.Method == http.MethodPut && s.has(reference.QuirkPutNotSaved):
			// The store rolls the write back and the handler answers as if it were saved.
			return r.WithContext(context.WithValue(r.Context(), notSaved{}, true)), nil
		}
	}
	return r, nil
}

// notSaved marks the context of a PUT the store must roll back (put-not-saved).
type notSaved struct{}

// inactiveUser answers 404 for a deactivated user (deactivated-user-404); nil when the user is
// active or cannot be read (the handler then answers as it does).
func inactiveUser(ctx context.Context, st reference.Store, id string) error {
	var active any
	err := st.Tx(ctx, func(tx reference.Tx) error {
		u, err := tx.Get(reference.KindUser, id, false)
		if err == nil {
			active = u["active"]
		}
		return err
	})
	if err == nil && active == false {
		return reference.NotFound("User %q not found", id)
	}
	return nil
}

// mediaType rejects one of the two JSON media types of a request body (json-content-type-only,
// json-content-type-rejected), on the requests whose body the server reads.
func (s *Set) mediaType(r *http.Request, parts []string) error {
	_, isUser := resource(parts, "Users")
	_, isGroup := resource(parts, "Groups")
	reads := (r.Method == http.MethodPost && collection(parts, "Users", "Groups")) ||
		((r.Method == http.MethodPut || r.Method == http.MethodPatch) && (isUser || isGroup))
	ct := r.Header.Get("Content-Type")
	if !reads || ct == "" {
		return nil
	}
	mt, _, err := mime.ParseMediaType(ct)
	switch {
	case err != nil:
		return nil // the handler says what is wrong with it
	case mt == scimJSON && s.has(reference.QuirkJSONContentTypeOnly):
		return reference.Errorf(http.StatusUnsupportedMediaType, "", "quirk: only application/json is accepted")
	case mt == "application/json" && s.has(reference.QuirkJSONContentTypeRejected):
		return reference.Errorf(http.StatusUnsupportedMediaType, "", "quirk: only application/scim+json is accepted")
	}
	return nil
}

// listRequest bends a list request: a "+" in its query stays a plus (plus-not-decoded), and
// one without startIndex or count is refused (paging-params-required).
func (s *Set) listRequest(r *http.Request) (*http.Request, error) {
	if s.has(reference.QuirkPlusNotDecoded) {
		r = r.Clone(r.Context())
		r.URL.RawQuery = strings.ReplaceAll(r.URL.RawQuery, "+", "%2B") // "+" stays a literal plus, not a space
	}
	if s.has(reference.QuirkPagingParamsRequired) {
		params, err := url.ParseQuery(r.URL.RawQuery)
		if err == nil && (params.Get("startIndex") == "" || params.Get("count") == "") {
			return nil, reference.BadRequest(reference.ScimTypeInvalidValue, "quirk: startIndex and count are required")
		}
	}
	return r, nil
}
