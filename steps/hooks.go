package steps

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/cucumber/godog"

	"github.com/scimcheck/scimcheck/features"
	"github.com/scimcheck/scimcheck/steps/scim"
)

const (
	// cleanupTimeout bounds the After hook's cleanup of one scenario.
	cleanupTimeout = 2 * time.Minute
	// transcriptMax bounds the transcript attached to a failed scenario.
	transcriptMax = 512 << 10
)

// before starts a scenario: a fresh world in the context.
func (s *Suite) before(ctx context.Context, sc *godog.Scenario) (context.Context, error) {
	if s.Client == nil {
		return ctx, HarnessErrorf("scimcheck harness error: Suite.Client is nil")
	}
	tags := make([]string, 0, len(sc.Tags))
	for _, t := range sc.Tags {
		tags = append(tags, t.Name)
	}
	w := newWorld(s, sc.Id, sc.Uri, sc.Name, tags)
	w.feature = s.featureName(sc.Uri)
	// A scenario tagged @exclusive reads the whole target (an import walk, the spec test's
	// "first user", a response-time limit), so it runs while no other scenario does.
	if w.exclusive = slices.Contains(tags, "@exclusive"); w.exclusive {
		s.gate.Lock()
	} else {
		s.gate.RLock()
	}
	if s.ScenarioTimeout > 0 {
		ctx, w.cancel = context.WithTimeoutCause(ctx, s.ScenarioTimeout, &scenarioTimeout{limit: s.ScenarioTimeout})
	}
	return worldToContext(ctx, w), nil
}

// scenarioTimeout is the cause of a scenario's context ending at Suite.ScenarioTimeout.
type scenarioTimeout struct{ limit time.Duration }

func (e *scenarioTimeout) Error() string {
	return fmt.Sprintf("the scenario's time limit of %s (--scenario-timeout) ran out", e.limit)
}

// after ends a scenario: it attaches the transcript of a failed one and cleans up what the
// scenario created; cleanup problems are noted on its Result (endResult), never a failure.
func (s *Suite) after(ctx context.Context, sc *godog.Scenario, err error) (context.Context, error) {
	w, ok := ctx.Value(worldKey{}).(*world)
	if !ok { // the Before hook failed
		return ctx, nil
	}
	if w.cancel != nil {
		defer w.cancel()
	}
	if err != nil && !errors.Is(err, godog.ErrSkip) {
		ctx = godog.Attach(ctx, godog.Attachment{Body: w.transcript(), FileName: "transcript.txt", MediaType: "text/plain"})
	}
	w.cleanupNotes = w.cleanup()
	if w.exclusive {
		s.gate.Unlock()
	} else {
		s.gate.RUnlock()
	}
	return ctx, nil
}

// transcript renders the scenario's exchanges, the latest ones when they are too many.
func (w *world) transcript() []byte {
	var parts []string
	size := 0
	for i := len(w.exchanges) - 1; i >= 0; i-- {
		t := w.exchanges[i].Transcript()
		if size+len(t) > transcriptMax && len(parts) > 0 {
			parts = append(parts, fmt.Sprintf("[%d earlier exchanges not shown]\n", i+1))
			break
		}
		size += len(t)
		parts = append(parts, t)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "scenario: %s\n\n", w.name)
	for i := len(parts) - 1; i >= 0; i-- {
		b.WriteString(parts[i])
		b.WriteString("\n")
	}
	return b.Bytes()
}

// cleanup deletes the groups, then the users the scenario created, several at a time
// (SetupWidth). A user the target would not delete is deactivated instead (Okta never deletes
// users, so a server may not offer DELETE), and one whose DELETE failed otherwise is
// deactivated and deleted once more. It uses its own context, so it runs even when the
// scenario's ended, and returns notes on what did not work.
func (w *world) cleanup() []string {
	limit := cleanupTimeout
	if t := w.suite.ScenarioTimeout; t > 0 {
		limit = min(limit, t)
	}
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	failed := map[string]int{}
	gone := []int{http.StatusNotFound, http.StatusMethodNotAllowed, http.StatusNotImplemented}
	// each sends one request per id; it returns the ids whose answer was neither 2xx nor in
	// ok, noting those that are not in quiet either, with what the target answered.
	each := func(what string, ids []string, req func(id string) scim.Request, ok, quiet []int) (bad []string, answers []int) {
		reqs := make([]scim.Request, len(ids))
		for i, id := range ids {
			reqs[i] = req(id)
		}
		answers = make([]int, len(ids))
		w.fanOut(ctx, reqs, func(i int, ex *scim.Exchange, err error) bool {
			if ex != nil {
				w.suite.requests.Add(int64(ex.Attempts))
				if rec := w.suite.Recorder; rec != nil {
					rec(w.id, ex)
				}
			}
			switch {
			case err != nil:
				failed[what+": "+err.Error()]++
			case ex.Response.StatusCode >= 200 && ex.Response.StatusCode <= 299 || slices.Contains(ok, ex.Response.StatusCode):
				return true
			case !slices.Contains(quiet, ex.Response.StatusCode):
				failed[fmt.Sprintf("%s answered %s", what, ex.ShownStatus())]++
			}
			if ex != nil {
				answers[i] = ex.Response.StatusCode
			}
			bad = append(bad, ids[i])
			return true
		})
		return bad, answers
	}
	users, groups := unique(w.createdUsers, w.deleted), unique(w.createdGroups, w.deleted)
	deleteGroup := func(id string) scim.Request { return scim.Request{Method: http.MethodDelete, Path: groupPath(id)} }
	deleteUser := func(id string) scim.Request { return scim.Request{Method: http.MethodDelete, Path: userPath(id)} }
	deactivate := func(id string) scim.Request {
		return write(http.MethodPatch, userPath(id), patchJSON(activeOp(false)))
	}
	each("DELETE /Groups/{id}", groups, deleteGroup, gone, nil)
	// A 405 or 501 means the target offers no DELETE: deactivating is all that is left to do,
	// as the note says. Any other failure may be a target that deletes inactive users only.
	stay, answers := each("DELETE /Users/{id}", users, deleteUser, []int{http.StatusNotFound},
		[]int{http.StatusMethodNotAllowed, http.StatusNotImplemented})
	var again []string
	for i, id := range users {
		if slices.Contains(stay, id) && answers[i] != http.StatusMethodNotAllowed && answers[i] != http.StatusNotImplemented {
			again = append(again, id)
		}
	}
	if len(stay) > 0 {
		each("PATCH active false", stay, deactivate, []int{http.StatusNotFound}, nil)
	}
	if len(again) > 0 {
		each("DELETE /Users/{id} after deactivating", again, deleteUser, gone, nil)
	}
	var notes []string
	for what, n := range failed {
		notes = append(notes, fmt.Sprintf("%d× %s", n, what))
	}
	slices.Sort(notes)
	return notes
}

// unique returns ids without repeats and without those in skip, in order.
func unique(ids []string, skip map[string]bool) []string {
	seen := map[string]bool{}
	var out []string
	for _, id := range ids {
		if !seen[id] && !skip[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// featureName returns the Feature: name of the feature file at uri, or its base name.
func (s *Suite) featureName(uri string) string {
	if v, ok := s.names.Load(uri); ok {
		return v.(string)
	}
	file := featureFile(uri)
	name := strings.TrimSuffix(path.Base(file), ".feature")
	fsys := s.Features
	if fsys == nil {
		fsys = features.FS
	}
	if b, err := fs.ReadFile(fsys, file); err == nil {
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "Feature:"); ok {
				name = strings.TrimSpace(rest)
				break
			}
		}
	}
	s.names.Store(uri, name)
	return name
}
