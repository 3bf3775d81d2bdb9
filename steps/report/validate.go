package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
)

// Validate checks that data is a summary.json of SchemaVersion: every documented field
// present with its JSON type (a failure object, or null), no other field, known statuses and
// grades, and counts that add up. It returns the first problem found, or nil.
func Validate(data []byte) error {
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("summary is not a JSON object: %w", err)
	}
	if v, _ := doc["schemaVersion"].(float64); v != SchemaVersion {
		return fmt.Errorf("schemaVersion: want %d, got %v", SchemaVersion, doc["schemaVersion"])
	}
	if err := sameShape("", Shape(exemplar()), doc); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var s Summary
	if err := dec.Decode(&s); err != nil {
		return fmt.Errorf("summary does not decode: %w", err)
	}
	if !slices.Contains([]string{ResultPassed, ResultFailed, ResultError, ResultInterrupted, ResultDeadline}, s.Result) {
		return fmt.Errorf("result %q: want passed, failed, error, interrupted or deadline", s.Result)
	}
	if err := s.Counts.check("counts"); err != nil {
		return err
	}
	for _, c := range s.Capabilities {
		if !slices.Contains([]string{StatusPassed, StatusPartial, StatusFailed, StatusWaived, StatusSkipped, StatusError}, c.Status) {
			return fmt.Errorf("capability %q: unknown status %q", c.Name, c.Status)
		}
		if err := c.Counts.check("capability " + c.Name); err != nil {
			return err
		}
	}
	if len(s.Scenarios) != s.Counts.Selected {
		return fmt.Errorf("%d scenarios listed, counts.selected is %d", len(s.Scenarios), s.Counts.Selected)
	}
	for _, sc := range s.Scenarios {
		if !slices.Contains([]string{StatusPassed, StatusFailed, StatusBlocked, StatusWaived, StatusSkipped, StatusError}, sc.Status) {
			return fmt.Errorf("scenario %q: unknown status %q", sc.Name, sc.Status)
		}
		if sc.DurationMS < 0 {
			return fmt.Errorf("scenario %q: negative durationMs", sc.Name)
		}
		if err := sc.Failure.check("scenario " + sc.Name); err != nil {
			return err
		}
	}
	for _, c := range append(slices.Clip(s.Causes), s.Findings...) {
		if err := c.Failure.check("cause " + c.ID); err != nil {
			return err
		}
	}
	return nil
}

// check returns an error unless f is nil or has a grade: okta, review or rfc.
func (f *Failure) check(what string) error {
	if f != nil && !slices.Contains([]string{"okta", "review", "rfc"}, f.Grade) {
		return fmt.Errorf("%s: failure.grade %q: want okta, review or rfc", what, f.Grade)
	}
	return nil
}

// check returns an error unless the counts add up.
func (c Counts) check(what string) error {
	if c.Total != c.Selected+c.NotSelected {
		return fmt.Errorf("%s: total %d is not selected %d + notSelected %d", what, c.Total, c.Selected, c.NotSelected)
	}
	if sum := c.Passed + c.Failed + c.Blocked + c.Waived + c.Skipped + c.Errors; sum != c.Selected {
		return fmt.Errorf("%s: passed+failed+blocked+waived+skipped+errors is %d, selected is %d", what, sum, c.Selected)
	}
	return nil
}

// exemplar returns a Summary with one element in every list, whose JSON shows every field.
func exemplar() Summary {
	return Summary{
		Target:       Target{Quirks: []string{""}},
		Capabilities: []Capability{{BlockedBy: []string{""}}},
		Causes:       []Cause{{Failed: []string{""}, Blocked: []string{""}, Failure: &Failure{Notes: []string{""}}}},
		Findings:     []Cause{{Failed: []string{""}, Blocked: []string{""}, Failure: &Failure{Notes: []string{""}}}},
		Scenarios:    []Scenario{{Tags: []string{""}, Steps: []Step{{}}, Failure: &Failure{Notes: []string{""}}}},
		Waivers:      Waivers{Stale: []Waiver{{}}, Unknown: []Waiver{{}}},
	}.normalized()
}

// Shape returns the shape of a JSON value: for an object, a map of its keys to their shapes;
// for a non-empty array, a one-element list of its elements' shapes merged (see mergeShape);
// otherwise the JSON type name ("string", "number", "boolean", "null", "array"). Go values
// are marshalled first.
func Shape(v any) any {
	if _, ok := v.(map[string]any); !ok {
		if raw, err := json.Marshal(v); err == nil {
			var generic any
			if json.Unmarshal(raw, &generic) == nil {
				v = generic
			}
		}
	}
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range v {
			out[k] = Shape(e)
		}
		return out
	case []any:
		if len(v) == 0 {
			return "array"
		}
		shape := Shape(v[0])
		for _, e := range v[1:] {
			shape = mergeShape(shape, Shape(e))
		}
		return []any{shape}
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "boolean"
	}
	return "null"
}

// mergeShape returns the shapes a and b of two elements of one array as one: the keys of both
// objects, a null or an empty array taking the other's shape; a where they differ otherwise.
func mergeShape(a, b any) any {
	switch {
	case a == "null":
		return b
	case b == "null":
		return a
	case a == "array":
		return b
	case b == "array":
		return a
	}
	switch a := a.(type) {
	case map[string]any:
		b, ok := b.(map[string]any)
		if !ok {
			return a
		}
		out := maps.Clone(a)
		for k, bv := range b {
			if av, ok := out[k]; ok {
				out[k] = mergeShape(av, bv)
			} else {
				out[k] = bv
			}
		}
		return out
	case []any:
		if b, ok := b.([]any); ok {
			return []any{mergeShape(a[0], b[0])}
		}
	}
	return a
}

// sameShape returns an error naming the first place where the decoded JSON value got does not
// fit the shape want (see Shape): every element of an array is checked, and null fits a
// failure object (see nullable).
func sameShape(path string, want, got any) error {
	name := strings.TrimPrefix(path, ".")
	if name == "" {
		name = "the document"
	}
	switch w := want.(type) {
	case map[string]any:
		if got == nil && nullable(path) {
			return nil
		}
		g, ok := got.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: expected an object, got %s", name, kind(got))
		}
		var keys []string
		for k := range w {
			keys = append(keys, k)
		}
		for k := range g {
			if _, ok := w[k]; !ok {
				return fmt.Errorf("%s: unexpected field %q", name, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			ge, ok := g[k]
			if !ok {
				return fmt.Errorf("%s: missing field %q", name, k)
			}
			if err := sameShape(path+"."+k, w[k], ge); err != nil {
				return err
			}
		}
		return nil
	case []any:
		g, ok := got.([]any)
		if !ok {
			return fmt.Errorf("%s: expected an array, got %s", name, kind(got))
		}
		for _, e := range g {
			if err := sameShape(path+"[]", w[0], e); err != nil {
				return err
			}
		}
		return nil
	}
	if g := kind(got); want != g {
		return fmt.Errorf("%s: expected a %v, got %s", name, want, g)
	}
	return nil
}

// kind returns the JSON type name of a decoded value: "object", "array", or as Shape names it.
func kind(v any) string {
	switch v := v.(type) {
	case map[string]any:
		return "object"
	case []any:
		return "array"
	default:
		name, _ := Shape(v).(string)
		return name
	}
}

// nullable reports whether the object at path may be null: a scenario's or a cause's failure.
func nullable(path string) bool { return strings.HasSuffix(path, ".failure") }
