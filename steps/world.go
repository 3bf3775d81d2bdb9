package steps

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cucumber/godog"

	"github.com/scimcheck/scimcheck/steps/expect"
	"github.com/scimcheck/scimcheck/steps/scim"
)

// mode is the kind of Okta integration a scenario replays (okta-wire §0).
type mode int

const (
	// modeOIN: OIN-template apps activate, deactivate and push groups with PATCH.
	modeOIN mode = iota
	// modeAIW: App Integration Wizard apps send PUT for everything.
	modeAIW
)

// String returns "OIN" or "AIW".
func (m mode) String() string {
	if m == modeAIW {
		return "AIW"
	}
	return "OIN"
}

// headerProfile says which client's headers the protocol-level steps send.
type headerProfile int

const (
	// profileOkta: Okta's provisioning engine (okta-wire §1.1).
	profileOkta headerProfile = iota
	// profileSpecTest: Okta's Runscope spec test (okta-wire §8.1).
	profileSpecTest
)

// authOverride replaces the credentials of the next request only.
type authOverride struct {
	raw  string // sent verbatim
	omit bool   // no Authorization header
}

// world is the state of one scenario: the Okta users and groups its aliases stand for, every
// exchange it made, and how the next request should look. It lives in the scenario's context
// and is used by one goroutine at a time.
type world struct {
	suite   *Suite
	id      string // the scenario's pickle id
	name    string // the scenario (pickle) name
	uri     string // the feature file
	feature string
	tags    []string
	mode    mode
	// grade is what the checks that name no grade of their own take (see scenarioGrade).
	grade expect.Grade
	// exclusive: tagged @exclusive, the scenario holds the suite's gate alone.
	exclusive bool
	rng       *rand.Rand
	start     time.Time

	users     map[string]*user
	groups    map[string]*group
	crowd     []*user
	own       map[string][]string // "users"/"groups" → ids this scenario created for an import
	walks     map[string][]*walk  // "users"/"groups" → the import walks, in order
	vars      map[string]string   // values remembered by "the client remembers the JSON at …"
	unknownID string              // {unknown-id}: an id no server has issued

	headers  headerProfile
	nextAuth *authOverride
	because  string // the requirement the next protocol-level check enforces; "" by capability

	exchanges    []*scim.Exchange
	last         *scim.Exchange
	sequences    []*sequence
	cancel       context.CancelFunc // ends the scenario's time limit; nil without one
	cleanupNotes []string           // what cleanup could not undo (after), for the Result

	// detours are the okta-grade failures of Okta's own set-up that the scenario went around
	// to reach its subject (see detour).
	detours []*expect.Failure

	createdUsers  []string // app ids of users this scenario created, in order
	createdGroups []string
	deleted       map[string]bool // ids the scenario deleted itself
}

// worldKey is the context key of the scenario's world.
type worldKey struct{}

// worldToContext returns ctx carrying w.
func worldToContext(ctx context.Context, w *world) context.Context {
	return context.WithValue(ctx, worldKey{}, w)
}

// worldFromContext returns the world the Before hook put in ctx. A step run without it is a
// harness bug, so it panics (godog reports the panic as the step's failure).
func worldFromContext(ctx context.Context) *world {
	w, ok := ctx.Value(worldKey{}).(*world)
	if !ok {
		panic("scimcheck harness bug: the scenario context carries no world (Suite.InitializeScenario was not used)")
	}
	return w
}

// newWorld returns the world of one scenario. Its random source derives from the suite's seed
// and the scenario's file and name, so the same run replays the same data.
func newWorld(s *Suite, id, uri, name string, tags []string) *world {
	w := &world{
		suite:   s,
		id:      id,
		name:    name,
		uri:     uri,
		tags:    tags,
		rng:     rand.New(rand.NewPCG(uint64(s.Seed), fnv64(featureFile(uri)+"\x00"+name))),
		start:   time.Now(),
		users:   map[string]*user{},
		groups:  map[string]*group{},
		vars:    map[string]string{},
		own:     map[string][]string{},
		walks:   map[string][]*walk{},
		deleted: map[string]bool{},
	}
	for _, t := range tags {
		if t == "@aiw" {
			w.mode = modeAIW
		}
	}
	w.grade = scenarioGrade(tags)
	w.unknownID = w.uuid()
	return w
}

// featureFile returns a pickle URI without the ":line" godog adds when a path names a line.
func featureFile(uri string) string {
	if i := strings.LastIndexByte(uri, ':'); i > 0 && strings.Trim(uri[i+1:], "0123456789") == "" {
		return uri[:i]
	}
	return uri
}

// fnv64 is the FNV-1a hash of s.
func fnv64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// send sends r with the scenario's pending credential override, records the exchange
// (scenario transcript, Suite.Recorder, request count, resources created for cleanup) and
// returns it. Its error says whether the transport failed, the run was stopped, or the
// harness made a malformed request; an HTTP status is never an error.
func (w *world) send(ctx context.Context, r scim.Request) (*scim.Exchange, error) {
	if a := w.nextAuth; a != nil {
		w.nextAuth = nil
		r.OmitAuth, r.RawAuth = a.omit, a.raw
	}
	ex, err := w.suite.Client.Do(ctx, r)
	if ex != nil {
		w.observe(ex)
	}
	if err != nil {
		return ex, sendError(ctx, err)
	}
	return ex, nil
}

// observe records ex as the scenario's latest exchange.
func (w *world) observe(ex *scim.Exchange) {
	w.suite.requests.Add(int64(ex.Attempts))
	w.exchanges = append(w.exchanges, ex)
	w.last = ex
	if rec := w.suite.Recorder; rec != nil {
		rec(w.id, ex)
	}
	w.track(ex)
}

// track notes the users and groups an exchange created or deleted, for cleanup.
func (w *world) track(ex *scim.Exchange) {
	st := ex.Response.StatusCode
	if st < 200 || st > 299 {
		return
	}
	kind, id := resourceOf(ex.Request.URL)
	switch ex.Request.Method {
	case http.MethodPost:
		// a copy: a value gjson returns shares the whole body's memory
		newID := strings.Clone(ex.JSON().Get("id").String())
		if id != "" || newID == "" {
			return
		}
		switch kind {
		case "Users":
			w.createdUsers = append(w.createdUsers, newID)
		case "Groups":
			w.createdGroups = append(w.createdGroups, newID)
		}
	case http.MethodDelete:
		if id != "" {
			w.deleted[id] = true
		}
	}
}

// resourceOf returns the endpoint ("Users", "Groups") and the id of a request URL, e.g.
// ("Users", "") for …/Users?filter=… and ("Groups", "g1") for …/Groups/g1.
func resourceOf(raw string) (kind, id string) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", ""
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	for i, p := range parts {
		if p == "Users" || p == "Groups" {
			kind = p
			if i+1 < len(parts) {
				id, _ = url.PathUnescape(parts[i+1])
			}
		}
	}
	return kind, id
}

// sendError explains an error from scim.Client.Do: a transport failure (the target's), a
// stopped run, or a malformed request (scimcheck's own bug).
func sendError(ctx context.Context, err error) error {
	var te *scim.TransportError
	var st *scenarioTimeout
	switch {
	case errors.As(err, &te):
		return fmt.Errorf("transport failure (%s): the target gave no usable HTTP answer; "+
			"Okta would mark the task failed and retry only when the admin asks: %w", te.Kind, err)
	case errors.As(context.Cause(ctx), &st):
		return fmt.Errorf("no answer within %s, the scenario's time limit (--scenario-timeout): %w", st.limit, err)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		// the run was stopped (Ctrl-C, --deadline): the scenario did not finish, which is
		// no verdict on the target
		return fmt.Errorf("%w: interrupted: the run was stopped before the answer arrived: %w", godog.ErrSkip, err)
	}
	return HarnessErrorf("scimcheck harness error (not the target's fault): %w", err)
}

// batchSize returns the suite's membership batch size, 100 by default (okta-wire §6.5).
func (w *world) batchSize() int {
	if w.suite.BatchSize > 0 {
		return w.suite.BatchSize
	}
	return 100
}

// runID returns the run's namespace for generated names.
func (w *world) runID() string {
	if w.suite.RunID != "" {
		return w.suite.RunID
	}
	return "scimcheck"
}

// memberPatch is one membership PATCH and how many member changes it carried.
type memberPatch struct {
	ex      *scim.Exchange
	changes int
}

// latest returns the most recent sequence of kind for alias, or nil.
func (w *world) latest(kind, alias string) *sequence {
	for i := len(w.sequences) - 1; i >= 0; i-- {
		if f := w.sequences[i]; f.kind == kind && f.alias == alias {
			return f
		}
	}
	return nil
}
