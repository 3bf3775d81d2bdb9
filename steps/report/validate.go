package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Validate checks that data is a summary.json of SchemaVersion: every documented field
// present with its JSON type, no other field, known statuses, and counts that add up. It
// returns the first problem found, or nil.
func Validate(data []byte) error {
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("summary is not a JSON object: %w", err)
	}
	if v, _ := doc["schemaVersion"].(float64); v != SchemaVersion {
		return fmt.Errorf("schemaVersion: want %d, got %v", SchemaVersion, doc["schemaVersion"])
	}
	if err := sameShape("", Shape(exemplar()), Shape(doc)); err != nil {
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
		Causes:       []Cause{{Failed: []string{""}, Blocked: []string{""}}},
		Findings:     []Cause{{Failed: []string{""}, Blocked: []string{""}}},
		Scenarios:    []Scenario{{Tags: []string{""}, Steps: []Step{{}}}},
		Waivers:      Waivers{Stale: []Waiver{{}}, Unknown: []Waiver{{}}},
	}.normalized()
}

// Shape returns the shape of a JSON value: for an object, a map of its keys to their shapes;
// for a non-empty array, a one-element list of its first element's shape; otherwise the JSON
// type name ("string", "number", "boolean", "null", "array"). Go values are marshalled first.
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
		return []any{Shape(v[0])}
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "boolean"
	}
	return "null"
}

// sameShape returns an error naming the first difference between the shapes want and got; an
// empty array ("array") fits any array shape.
func sameShape(path string, want, got any) error {
	name := strings.TrimPrefix(path, ".")
	if name == "" {
		name = "the document"
	}
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: expected an object, got %v", name, got)
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
		if got == "array" {
			return nil
		}
		g, ok := got.([]any)
		if !ok {
			return fmt.Errorf("%s: expected an array, got %v", name, got)
		}
		return sameShape(path+"[]", w[0], g[0])
	}
	if want != got {
		return fmt.Errorf("%s: expected a %v, got %v", name, want, got)
	}
	return nil
}
