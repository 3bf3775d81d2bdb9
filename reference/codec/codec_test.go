package codec

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// requireSameAsEncodingJSON checks Marshal against json.Marshal.
func requireSameAsEncodingJSON(t *testing.T, v any) {
	t.Helper()
	want, werr := json.Marshal(v)
	got, gerr := Marshal(v)
	if werr != nil {
		require.Error(t, gerr)
		require.Equal(t, werr.Error(), gerr.Error())
		return
	}
	require.NoError(t, gerr)
	require.Equal(t, string(want), string(got))
}

func TestMarshalJSONMatchesEncodingJSON(t *testing.T) {
	type other struct{ A int }
	for _, v := range []any{
		nil, true, false, "", "plain", 0.0, -0.0, 1.0, -1.5, 1e20, 1e21, 123456789012345678901234.0,
		1e-6, 1e-7, 0.000001234, 5e-324, math.MaxFloat64, 3, int64(-7), math.NaN(), math.Inf(1), math.Inf(-1),
		"<a href=\"x\">&amp;</a>", "tab\tnew\nline\rcr\bbs\fff\x00\x01\x1f\x7f", "back\\slash", "quote\"",
		"ünïcödé ✓ 𝄞", "\u2028\u2029", "bad \xff\xfe utf8 \xc3", "\xed\xa0\x80", "emoji 😀 and \U0010FFFF",
		map[string]any{}, map[string]any(nil), []any{}, []any(nil), []string{}, []string(nil), []string{"a", "<b>"},
		map[string]any{"b": 1.0, "a": []any{"x", nil, true, map[string]any{"z": "y", "Z": "w", "é": 1.0}}, "<&>": "k", "bad\xffkey": 2.0},
		map[string]any{"schemas": []string{"urn:x"}, "totalResults": 3, "Resources": []any{map[string]any{"id": "1"}}},
		map[string]any{"nan": math.NaN()},
		[]any{1.0, math.Inf(1)},
		map[string]any{"other": other{A: 1}},
		other{A: 2},
		map[string]string{"a": "b"},
		[]any{json.Number("12")},
		map[string]any{"userName": "ada", "meta": map[string]any{"version": `W/"1"`}},
	} {
		requireSameAsEncodingJSON(t, v)
	}
}

func FuzzMarshalJSON(f *testing.F) {
	for _, s := range []string{
		`{"a":1,"b":[true,false,null,"x"],"c":{"d":1.5e300,"e":-0.000001}}`,
		`["<>&\u2028\u2029\ufffd",1e21,1e-7,123456789]`,
		`{"userName":"ada@example.com","emails":[{"value":"ada@example.com","primary":true}]}`,
		`"\u0000\u001f\\\"/"`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var v any
		if json.Unmarshal([]byte(s), &v) != nil {
			requireSameAsEncodingJSON(t, s) // the text itself, as a string
			return
		}
		requireSameAsEncodingJSON(t, v)
		requireSameAsEncodingJSON(t, map[string]any{s: v, "k": []any{v, s}})
	})
}

// requireDecodesAsEncodingJSON checks Unmarshal against json.Unmarshal into an any.
func requireDecodesAsEncodingJSON(t *testing.T, data []byte) {
	t.Helper()
	var want any
	werr := json.Unmarshal(data, &want)
	got, gerr := Unmarshal(data)
	if werr != nil {
		require.Error(t, gerr, "%q", data)
		require.Equal(t, werr.Error(), gerr.Error(), "%q", data)
	} else {
		require.NoError(t, gerr, "%q", data)
	}
	require.Equal(t, want, got, "%q", data)
}

var decodeCases = []string{
	`{}`, `[]`, `""`, `0`, `-0`, `1.5`, `-1.5e-7`, `1E+2`, `1e400`, `-1e400`, `01`, `1.`, `.5`, `+1`, `-`, `1e`, `1e+`,
	`true`, `false`, `null`, `tru`, `nul`, `  {"a" : 1 , "b":[ 1 ,2 ] }  `, "\t{\"a\":\r\n1}\n",
	`{"a":1,"a":2}`, `{"a":{"b":{"c":[[[]]]}}}`, `{"a":1,}`, `[1,]`, `[1 2]`, `{"a" 1}`, `{a:1}`, `{"a":1}x`, `{"a":1}}`,
	`"\"\\\/\b\f\n\r\t"`, `"\u0041\u00e9\u4e2d\u2028"`, `"\u00"`, `"\uZZZZ"`, `"\ud83d\ude00"`, `"\ud83d"`, `"\ude00x"`,
	`"\x"`, "\"raw\ttab\"", "\"ctl\x01\"", "\"bad \xff utf8\"", "\"ünïcödé ✓ 𝄞\"", `"<>&"`, `"unterminated`,
	`{"userName":"ada@example.com","emails":[{"value":"ada@example.com","primary":true,"type":"work"}],"active":true,"name":{"givenName":"A"}}`,
	``, ` `, `{`, `[`, `"`, `{"a":`, `[1,`,
}

func TestUnmarshalJSONMatchesEncodingJSON(t *testing.T) {
	for _, c := range decodeCases {
		requireDecodesAsEncodingJSON(t, []byte(c))
	}
	deep := strings.Repeat("[", 20000) + strings.Repeat("]", 20000)
	requireDecodesAsEncodingJSON(t, []byte(deep))
	requireDecodesAsEncodingJSON(t, []byte(strings.Repeat("[", 900)+strings.Repeat("]", 900)))
}

func FuzzUnmarshalJSON(f *testing.F) {
	for _, c := range decodeCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		requireDecodesAsEncodingJSON(t, data)
		if v, err := Unmarshal(data); err == nil {
			b, err := Marshal(v) // what the server stores decodes back the same
			require.NoError(t, err)
			requireDecodesAsEncodingJSON(t, b)
		}
	})
}
