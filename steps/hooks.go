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
		return ctx, errors.New("scimcheck harness error: Suite.Client is nil")
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
	return worldToContext(ctx, w), nil
}

// afterStep notes each step's outcome for the scenario's Result.
func (s *Suite) afterStep(ctx context.Context, st *godog.Step, status godog.StepResultStatus, err error) (context.Context, error) {
	if w, ok := ctx.Value(worldKey{}).(*world); ok {
		r := StepResult{Text: st.Text, Status: status.String()}
		if err != nil {
			r.Message = err.Error()
		}
		w.steps = append(w.steps, r)
	}
	return ctx, nil
}

// after ends a scenario: it attaches the transcript of a failed one, cleans up what the
// scenario created and records its Result. Cleanup problems are noted, never a failure.
func (s *Suite) after(ctx context.Context, sc *godog.Scenario, err error) (context.Context, error) {
	w, ok := ctx.Value(worldKey{}).(*world)
	if !ok { // the Before hook failed
		s.record(Result{Name: sc.Name, Feature: s.featureName(sc.Uri), Status: "failed", Message: fmt.Sprint(err)})
		return ctx, nil
	}
	r := Result{ID: w.id, Name: w.name, Feature: w.feature, Tags: w.tags, Status: "passed", Detours: w.detours}
	switch {
	case err == nil:
	case errors.Is(err, godog.ErrSkip):
		r.Status, r.Message = "skipped", strings.TrimSpace(strings.TrimPrefix(err.Error(), godog.ErrSkip.Error()))
	default:
		r.Status, r.Message = "failed", err.Error()
		ctx = godog.Attach(ctx, godog.Attachment{Body: w.transcript(), FileName: "transcript.txt", MediaType: "text/plain"})
	}
	r.Steps = append([]StepResult(nil), w.steps...)
	for i := len(r.Steps); i < len(sc.Steps); i++ {
		r.Steps = append(r.Steps, StepResult{Text: sc.Steps[i].Text, Status: "skipped"})
	}
	if notes := w.cleanup(); len(notes) > 0 {
		r.Message = strings.TrimSpace(r.Message + "\ncleanup: " + strings.Join(notes, "; "))
	}
	r.Duration = time.Since(w.start)
	s.record(r)
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

// cleanup deactivates every user the scenario created (Okta never deletes users), then deletes
// its groups and users. It uses its own context, so it runs even when the scenario's ended,
// and returns notes on what did not work.
func (w *world) cleanup() []string {
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	var notes []string
	failed := map[string]int{}
	do := func(what string, r scim.Request, ok ...int) {
		ex, err := w.suite.Client.Do(ctx, r)
		if ex != nil {
			w.suite.requests.Add(int64(ex.Attempts))
			if rec := w.suite.Recorder; rec != nil {
				rec(w.name, ex)
			}
		}
		switch {
		case err != nil:
			failed[what+": "+err.Error()]++
		case ex.Response.StatusCode >= 200 && ex.Response.StatusCode <= 299:
		default:
			for _, c := range ok {
				if ex.Response.StatusCode == c {
					return
				}
			}
			failed[fmt.Sprintf("%s answered %s", what, ex.Response.Status)]++
		}
	}
	users, groups := unique(w.createdUsers, w.deleted), unique(w.createdGroups, w.deleted)
	for _, id := range users {
		do("PATCH active false", write(http.MethodPatch, userPath(id), patchJSON(activeOp(false))), http.StatusNotFound)
	}
	gone := []int{http.StatusNotFound, http.StatusMethodNotAllowed, http.StatusNotImplemented}
	for _, id := range groups {
		do("DELETE /Groups/{id}", scim.Request{Method: http.MethodDelete, Path: groupPath(id)}, gone...)
	}
	for _, id := range users {
		do("DELETE /Users/{id}", scim.Request{Method: http.MethodDelete, Path: userPath(id)}, gone...)
	}
	for what, n := range failed {
		notes = append(notes, fmt.Sprintf("%d× %s", n, what))
	}
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
