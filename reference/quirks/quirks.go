// Package quirks bends the correct reference server into a broken one: each quirk of
// reference.QuirkCatalogue is implemented here, outside the correct handlers of package
// server, at one of a few seams:
//
//   - Answers wraps the whole HTTP handler and rewrites answers on their way out (headers,
//     status codes, encoding, error bodies): answers.go.
//   - Requests wraps the router, after authentication, and may answer a request itself or
//     change what the router sees: requests.go.
//   - Store wraps the reference.Store the handlers use (creation, ids, versions, list pages,
//     deletes): store.go.
//   - Decorators of functions the handlers call (Render, Apply, Filter, Errors, Authorize,
//     Unchanged) and a few named hooks (CheckBody, CheckPatch, Put, ListAnswer), where a
//     quirk changes a detail of a request's meaning: writes.go, list.go, render.go.
//
// The zero-quirk Set changes nothing; every seam then hands back what it was given.
package quirks

import (
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/scimcheck/scimcheck/reference"
)

// Config is what a Set needs from the server it bends.
type Config struct {
	// Quirks are the quirks switched on.
	Quirks reference.Quirks
	// BasePath is where the server serves SCIM, e.g. /scim/v2.
	BasePath string
	// MaxPageSize is the server's largest page (count-ignored answers with it).
	MaxPageSize int
	// WriteError renders err as the server renders its SCIM errors.
	WriteError func(w http.ResponseWriter, err error)
}

// Set is a set of switched-on quirks, with the state some of them keep. Create it with New.
type Set struct {
	on      reference.Quirks
	cfg     Config
	schemas *reference.Schemas
	// lists counts list requests, for unstable-order's every-other reversal.
	lists atomic.Int64
}

// New returns the Set of cfg.Quirks.
func New(cfg Config) *Set {
	return &Set{on: cfg.Quirks, cfg: cfg, schemas: reference.NewSchemas()}
}

// seamQuirks are the quirks each wrapping seam implements: Answers, Requests and Store step in
// only when one of theirs is on.
type seamQuirks struct {
	answers, requests, store []reference.Quirk
}

func seams() seamQuirks {
	return seamQuirks{
		answers: []reference.Quirk{
			reference.QuirkNoLocation, reference.QuirkETagUnsupported, reference.QuirkNoWWWAuthenticate,
			reference.QuirkJSONResponses, reference.QuirkErrorStatusNumber, reference.QuirkPrettyJSON, reference.QuirkGzip,
			reference.QuirkCreate200, reference.QuirkCreateEmptyBody, reference.QuirkPatch204, reference.QuirkGroupDelete200,
		},
		requests: []reference.Quirk{
			reference.QuirkStatus500, reference.QuirkNoDiscovery, reference.QuirkInactiveUser404,
			reference.QuirkPagingParamsRequired, reference.QuirkPlusNotDecoded, reference.QuirkJSONContentTypeOnly,
			reference.QuirkJSONContentTypeRejected, reference.QuirkPutNotSaved,
		},
		store: []reference.Quirk{
			reference.QuirkNo409OnDuplicate, reference.QuirkUserNameCaseSensitive, reference.QuirkNumericIDs,
			reference.QuirkUnknownID500, reference.QuirkVersionUnchanged, reference.QuirkETagUnsupported,
			reference.QuirkUserNameChangeRejected, reference.QuirkGroupDeleteDeactivates, reference.QuirkPutNotSaved,
			reference.QuirkCountIgnored, reference.QuirkPageCap50, reference.QuirkStartIndexIgnored,
			reference.QuirkInactiveHiddenInFilter, reference.QuirkOrderByID,
			reference.QuirkUnstableOrder, reference.QuirkFilter404,
		},
	}
}

// has reports whether q is on.
func (s *Set) has(q reference.Quirk) bool { return s.on.Has(q) }

// any reports whether one of qs is on.
func (s *Set) any(qs ...reference.Quirk) bool {
	for _, q := range qs {
		if s.on.Has(q) {
			return true
		}
	}
	return false
}

// ETagsSupported reports whether the server supports ETags (what /ServiceProviderConfig says).
func (s *Set) ETagsSupported() bool { return !s.has(reference.QuirkETagUnsupported) }

// endpoint returns the path of r below the base path, split at slashes with empty segments
// dropped: ["Users", "{id}"]; ok is false outside the base path.
func (s *Set) endpoint(r *http.Request) ([]string, bool) {
	path := r.URL.Path
	for strings.Contains(path, "//") {
		path = strings.ReplaceAll(path, "//", "/")
	}
	rest, ok := strings.CutPrefix(path, s.cfg.BasePath)
	if !ok || (rest != "" && rest[0] != '/') {
		return nil, false
	}
	var parts []string
	for _, p := range strings.Split(rest, "/") {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return parts, true
}

// resource reports whether parts name a resource of the endpoint ("Users" or "Groups", any
// case), and returns its id.
func resource(parts []string, endpoint string) (string, bool) {
	if len(parts) != 2 || !strings.EqualFold(parts[0], endpoint) || parts[1] == ".search" {
		return "", false
	}
	return parts[1], true
}

// collection reports whether parts name the endpoint ("Users" or "Groups", any case) itself.
func collection(parts []string, endpoints ...string) bool {
	if len(parts) != 1 {
		return false
	}
	for _, e := range endpoints {
		if strings.EqualFold(parts[0], e) {
			return true
		}
	}
	return false
}
