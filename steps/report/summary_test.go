package report

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// goldenShape is the pinned shape of summary.json (see Shape). Regenerate it with
// SCIMCHECK_UPDATE_GOLDEN=1 go test ./steps/report, and bump SchemaVersion when a field is
// removed or changes meaning.
var goldenShape = filepath.Join("testdata", "summary.shape.json")

func TestSummaryShapeIsPinned(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, WriteJSON(&b, sampleSummary()))
	got, err := json.MarshalIndent(Shape(decode(t, b.Bytes())), "", "  ")
	require.NoError(t, err)
	got = append(got, '\n')
	if os.Getenv("SCIMCHECK_UPDATE_GOLDEN") == "1" {
		require.NoError(t, os.WriteFile(goldenShape, got, 0o644))
	}
	want, err := os.ReadFile(goldenShape)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got), "summary.json changed shape: update the README and the Summary doc comment, "+
		"bump SchemaVersion if a field was removed or changed meaning, then regenerate %s", goldenShape)
	// The exemplar Validate checks against is the same shape.
	assert.JSONEq(t, string(want), mustJSON(t, Shape(exemplar())))
}

func TestWriteJSON(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(s *Summary)
		check func(t *testing.T, doc map[string]any)
	}{
		{
			name: "every status and the schema version",
			check: func(t *testing.T, doc map[string]any) {
				assert.EqualValues(t, 2, doc["schemaVersion"])
				var statuses []any
				for _, sc := range doc["scenarios"].([]any) {
					statuses = append(statuses, sc.(map[string]any)["status"])
				}
				assert.Equal(t, []any{"passed", "failed", "waived", "skipped", "error"}, statuses)
			},
		},
		{
			name: "nil lists are empty lists, never null",
			edit: func(s *Summary) {
				s.Target.Quirks, s.Waivers = nil, Waivers{}
				s.Scenarios[0].Tags, s.Scenarios[0].Steps = nil, nil
			},
			check: func(t *testing.T, doc map[string]any) {
				assert.Equal(t, []any{}, doc["target"].(map[string]any)["quirks"])
				assert.Equal(t, []any{}, doc["waivers"].(map[string]any)["stale"])
				sc := doc["scenarios"].([]any)[0].(map[string]any)
				assert.Equal(t, []any{}, sc["tags"])
				assert.Equal(t, []any{}, sc["steps"])
			},
		},
		{
			name: "a failure is data, and null where there is none",
			check: func(t *testing.T, doc map[string]any) {
				scs := doc["scenarios"].([]any)
				f := scs[1].(map[string]any)["failure"].(map[string]any)
				assert.Equal(t, "HTTP status", f["path"])
				assert.Equal(t, "409", f["expected"])
				assert.Equal(t, "201 Created", f["actual"])
				assert.Equal(t, "okta", f["grade"])
				assert.Equal(t, "no-409-on-duplicate", f["cause"])
				assert.EqualValues(t, 201, f["status"])
				assert.Equal(t, []any{`body: "<b>dup</b>"`}, f["notes"])
				for _, i := range []int{0, 3, 4} { // passed, skipped, a harness error
					assert.Contains(t, scs[i].(map[string]any), "failure")
					assert.Nil(t, scs[i].(map[string]any)["failure"])
				}
				finding := doc["findings"].([]any)[0].(map[string]any)["failure"].(map[string]any)
				assert.Equal(t, "review", finding["grade"])
				assert.Equal(t, "list-items-per-page", finding["check"])
			},
		},
		{
			name: "a failure without notes has an empty list",
			edit: func(s *Summary) { s.Scenarios[1].Failure.Notes = nil },
			check: func(t *testing.T, doc map[string]any) {
				f := doc["scenarios"].([]any)[1].(map[string]any)["failure"].(map[string]any)
				assert.Equal(t, []any{}, f["notes"])
			},
		},
		{
			name: "transcripts stay out of the summary; HTML characters are not escaped",
			check: func(t *testing.T, doc map[string]any) {
				sc := doc["scenarios"].([]any)[1].(map[string]any)
				assert.NotContains(t, sc, "exchanges")
				assert.NotContains(t, sc, "Exchanges")
				assert.Equal(t, "a second POST is refused with 409 <&>", sc["name"])
				assert.Contains(t, sc["message"], "expected 409, got 201 Created")
				assert.Contains(t, sc["rerun"], "--seed 42 --trace-dir -")
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := sampleSummary()
			if tc.edit != nil {
				tc.edit(s)
			}
			var b bytes.Buffer
			require.NoError(t, WriteJSON(&b, s))
			assert.NotContains(t, b.String(), `\u003c`)
			require.NoError(t, Validate(b.Bytes()))
			tc.check(t, decode(t, b.Bytes()))
		})
	}
}

func TestValidateRejects(t *testing.T) {
	tests := []struct {
		name string
		edit func(doc map[string]any)
		want string
	}{
		{"another schema version", func(d map[string]any) { d["schemaVersion"] = 1 }, "schemaVersion: want 2"},
		{"a missing field", func(d map[string]any) { delete(d, "seed") }, `missing field "seed"`},
		{"a field of another type", func(d map[string]any) { d["seed"] = "42" }, "seed: expected a number, got string"},
		{"an unknown field", func(d map[string]any) { d["extra"] = true }, `unexpected field "extra"`},
		{"a nested missing field", func(d map[string]any) {
			delete(d["scenarios"].([]any)[0].(map[string]any), "durationMs")
		}, `scenarios[]: missing field "durationMs"`},
		{"an unknown scenario status", func(d map[string]any) {
			d["scenarios"].([]any)[0].(map[string]any)["status"] = "pass"
		}, `unknown status "pass"`},
		{"counts that do not add up", func(d map[string]any) {
			d["counts"].(map[string]any)["passed"] = 7
		}, "passed+failed+blocked+waived+skipped+errors is 11, selected is 5"},
		{"an unknown result", func(d map[string]any) { d["result"] = "ok" }, `result "ok"`},
		{"a later scenario missing a field", func(d map[string]any) {
			delete(d["scenarios"].([]any)[3].(map[string]any), "durationMs")
		}, `scenarios[]: missing field "durationMs"`},
		{"a failure missing a field", func(d map[string]any) {
			delete(d["scenarios"].([]any)[1].(map[string]any)["failure"].(map[string]any), "expected")
		}, `scenarios[].failure: missing field "expected"`},
		{"a failure that is not an object", func(d map[string]any) {
			d["causes"].([]any)[0].(map[string]any)["failure"] = "HTTP status: expected 409"
		}, "causes[].failure: expected an object, got string"},
		{"a failure of an unknown grade", func(d map[string]any) {
			d["findings"].([]any)[0].(map[string]any)["failure"].(map[string]any)["grade"] = "minor"
		}, `cause C2: failure.grade "minor"`},
		{"a null where only a failure may be null", func(d map[string]any) { d["selection"] = nil }, "selection: expected an object, got null"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			require.NoError(t, WriteJSON(&b, sampleSummary()))
			doc := decode(t, b.Bytes())
			tc.edit(doc)
			err := Validate([]byte(mustJSON(t, doc)))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func decode(t *testing.T, raw []byte) map[string]any {
	t.Helper()
	var doc map[string]any
	require.NoError(t, json.Unmarshal(raw, &doc))
	return doc
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	raw, err := json.Marshal(v)
	require.NoError(t, err)
	return string(raw)
}

// appendIndented writes what json.Indent writes for compact JSON, strings with escaped quotes
// and backslashes, empty and nested objects and arrays included, and WriteJSON what a
// json.Encoder with SetIndent("", "  ") writes.
func TestAppendIndentedIsJSONIndent(t *testing.T) {
	values := []any{
		nil, true, 1.5, "", `a "quoted" \ back\\slash \"`, `\`, `\\`, `ends with \`, "<&> é \u2028 \x00",
		map[string]any{}, []any{}, map[string]any{"a": []any{}, "b": map[string]any{}, "c": []any{map[string]any{"d": "}{]["}}},
		[]any{[]any{[]any{}}, map[string]any{"k:,": "v,:", "e": nil}, "x", 2, false},
		map[string]any{`k"\`: `"`, "n": -0.001, "nested": map[string]any{"list": []any{1, "two", map[string]any{}}}},
	}
	for _, v := range values {
		var compact bytes.Buffer
		enc := json.NewEncoder(&compact)
		enc.SetEscapeHTML(false)
		require.NoError(t, enc.Encode(v))
		var want bytes.Buffer
		require.NoError(t, json.Indent(&want, compact.Bytes(), "", "  "))
		assert.Equal(t, want.String(), string(appendIndented(nil, compact.Bytes(), "  ")), "%s", compact.String())
	}
	s := sampleSummary()
	var want bytes.Buffer
	enc := json.NewEncoder(&want)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	require.NoError(t, enc.Encode(s.normalized()))
	var got bytes.Buffer
	require.NoError(t, WriteJSON(&got, s))
	assert.Equal(t, want.String(), got.String())
}

// The same for random values, their strings made of the characters JSON cares about.
func TestAppendIndentedRandomValues(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	const alphabet = `ab"\{}[],: é` + "\n\x01"
	var value func(depth int) any
	value = func(depth int) any {
		switch k := rnd.IntN(6); {
		case depth > 3 || k == 0:
			b := make([]byte, rnd.IntN(6))
			for i := range b {
				b[i] = alphabet[rnd.IntN(len(alphabet))]
			}
			return string(b)
		case k == 1:
			return rnd.IntN(100)
		case k == 2:
			return nil
		case k < 5:
			m := map[string]any{}
			for range rnd.IntN(4) {
				m[value(9).(string)] = value(depth + 1)
			}
			return m
		default:
			l := make([]any, rnd.IntN(4))
			for i := range l {
				l[i] = value(depth + 1)
			}
			return l
		}
	}
	for range 2000 {
		var compact bytes.Buffer
		enc := json.NewEncoder(&compact)
		enc.SetEscapeHTML(false)
		require.NoError(t, enc.Encode(value(0)))
		var want bytes.Buffer
		require.NoError(t, json.Indent(&want, compact.Bytes(), "", "  "))
		require.Equal(t, want.String(), string(appendIndented(nil, compact.Bytes(), "  ")), "%s", compact.String())
	}
}
