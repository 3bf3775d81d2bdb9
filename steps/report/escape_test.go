package report

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"html"
	"html/template"
	"strings"
	"testing"
	"unicode/utf8"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hostileText holds what the hand-written writers must escape exactly as the standard
// library does: markup, quotes, '+', control characters, NUL, invalid UTF-8, characters XML
// cannot hold, and multi-byte text.
var hostileText = []string{
	"", "plain", `<script>alert('x')</script> & "more" +1`, "tab\tnew\nline\r\nend", "nul\x00byte", "bell\x07",
	"bad \xff\xfe utf-8 \xc3", "\uFFFE\uFFFF and \uFFFD", "über ✓ 🚀 日本", "\xed\xa0\x80 surrogate", "a]]>b",
}

// TestHTMLEscapeMatchesTemplate: htmlParts.esc writes what html/template writes for a value
// in text and in a quoted attribute.
func TestHTMLEscapeMatchesTemplate(t *testing.T) {
	tmpl := template.Must(template.New("").Parse(`<p title="{{.}}">{{.}}</p>`))
	for _, s := range hostileText {
		var want bytes.Buffer
		require.NoError(t, tmpl.Execute(&want, s))
		var b strings.Builder
		got := htmlParts{markupWriter: &b}
		got.WriteString(`<p title="`)
		got.esc(s)
		got.WriteString(`">`)
		got.esc(s)
		got.WriteString(`</p>`)
		assert.Equal(t, want.String(), b.String(), "%q", s)
	}
}

// TestXMLEscapeMatchesEncodingXML: xmlWriter.esc writes what encoding/xml writes for an
// attribute value and for character data.
func TestXMLEscapeMatchesEncodingXML(t *testing.T) {
	for _, s := range hostileText {
		var want bytes.Buffer
		require.NoError(t, xml.NewEncoder(&want).Encode(junitProblem{Message: s, Type: "t", Text: s}))
		var got bytes.Buffer
		x := xmlWriter{Writer: bufio.NewWriter(&got)}
		x.problem("junitProblem", &junitProblem{Message: s, Type: "t", Text: s})
		require.NoError(t, x.Flush())
		assert.Equal(t, want.String(), got.String(), "%q", s)
	}
}

// The text of a transcript is escaped less than a value (its quotes, tabs and newlines stay
// themselves), but reads back as the same text: html.UnescapeString and an XML reader find
// what they find in the fully escaped form, and no markup gets through.
func TestTextEscapesReadBackAsTheValueEscapes(t *testing.T) {
	chardata := func(escaped []byte) string {
		var v struct {
			Text string `xml:",chardata"`
		}
		require.NoError(t, xml.Unmarshal([]byte("<a>"+string(escaped)+"</a>"), &v), "%q", escaped)
		return v.Text
	}
	for _, s := range append(hostileText, "x]]>y", "cr\rlf\r\n", `{"k":'v'}`) {
		h := appendHTMLText(nil, s)
		assert.Equal(t, html.UnescapeString(string(appendHTML(nil, s))), html.UnescapeString(string(h)), "%q", s)
		assert.NotContains(t, string(h), "<", "%q", s)
		x := appendXMLText(nil, s)
		assert.Equal(t, chardata(appendXML(nil, s)), chardata(x), "%q", s)
		assert.NotContains(t, string(x), "]]>", "%q", s)
	}
	assert.Equal(t, `{"a":'b'} &amp; &lt;c&gt;`+"\t\n", string(appendHTMLText(nil, `{"a":'b'} & <c>`+"\t\n")))
	assert.Equal(t, `{"a":'b'} &amp; &lt;c&gt;`+"\t\n&#xD;", string(appendXMLText(nil, `{"a":'b'} & <c>`+"\t\n\r")))
}

// TestEscapedExchangesWriteTheSameReports: report.html and junit.xml are byte for byte the
// same whether the exchanges were escaped beforehand (Exchange.Escape) or not, with hostile
// text in them, and an exchange changed after Escape shows its new text.
func TestEscapedExchangesWriteTheSameReports(t *testing.T) {
	s := sampleSummary()
	for i := range s.Scenarios {
		for j := range s.Scenarios[i].Exchanges {
			ex := &s.Scenarios[i].Exchanges[j]
			ex.Transcript += "\n" + hostileText[(i+j)%len(hostileText)] + hostileText[2]
			if ex.Curl != "" {
				ex.Curl += hostileText[(i+j+1)%len(hostileText)]
			}
		}
	}
	render := func(s *Summary) (string, string) {
		var h, j bytes.Buffer
		require.NoError(t, WriteHTML(&h, s))
		require.NoError(t, WriteJUnit(&j, s))
		return h.String(), j.String()
	}
	wantHTML, wantJUnit := render(s)
	escaped := 0
	for i := range s.Scenarios {
		for j := range s.Scenarios[i].Exchanges {
			s.Scenarios[i].Exchanges[j].Escape()
			escaped++
		}
	}
	require.Positive(t, escaped)
	gotHTML, gotJUnit := render(s)
	assert.Equal(t, wantHTML, gotHTML)
	assert.Equal(t, wantJUnit, gotJUnit)

	ex := &s.Scenarios[0].Exchanges[0]
	ex.Transcript, ex.Curl = "changed <after> Escape", "curl 'changed'"
	gotHTML, _ = render(s)
	assert.Contains(t, gotHTML, "changed &lt;after&gt; Escape")
	assert.Contains(t, gotHTML, "curl 'changed'")
}

// Escape sizes each escaped copy before writing it: never too small (the copy would grow and
// be copied again), and exact for ASCII, which transcripts nearly always are.
func TestEscapeSizesItsCopiesFirst(t *testing.T) {
	for _, s := range append(hostileText, strings.Repeat(`{"a":"<b>"}`, 100)) {
		for name, c := range map[string]struct {
			escape func([]byte, string) []byte
			grows  *[256]uint8
		}{"html": {appendHTMLText, htmlGrowth}, "xml": {appendXMLText, xmlGrowth}} {
			n, size := len(c.escape(nil, s)), escapedSize(c.grows, s)
			assert.LessOrEqual(t, n, size, "%s of %q", name, s)
			if isASCII(s) {
				assert.Equal(t, n, size, "%s of %q: exact", name, s)
			}
		}
	}
}

// Escape's one copy for both reports is only shared where appendXMLText writes the transcript
// as appendHTMLText does: each report gets its own escape of every hostile text.
func TestEscapeSharesACopyOnlyWhereBothEscapesAgree(t *testing.T) {
	shared := 0
	for _, s := range append(hostileText, `{"a": "<b> & c"}`+"\n\tnext", "cr\r", "x\x1b[0m", "é\uFFFF", "\U0010FFFF ü", "ü\xc3") {
		e := Exchange{Transcript: s}
		e.Escape()
		assert.Equal(t, string(appendHTMLText(nil, s)), e.escaped.transcript, "html of %q", s)
		assert.Equal(t, string(appendXMLText(nil, s)), e.escaped.xmlTranscript, "xml of %q", s)
		size, _ := htmlTextSize(s)
		assert.Equal(t, escapedSize(htmlGrowth, s), size, "size of %q", s)
		if len(s) > 0 && unsafe.StringData(e.escaped.transcript) == unsafe.StringData(e.escaped.xmlTranscript) {
			shared++
		}
	}
	assert.Equal(t, 7, shared, `plain, the markup, NUL (U+FFFD in both), valid UTF-8 XML can hold (twice), "]]>" and the JSON share one copy`)
}

// Escape makes no copy of a curl command that has nothing to escape (most have no &, < or >,
// unlike transcripts, whose "< " lines always need escaping); which it may tell from sizes
// alone, as every escape is longer than the byte it replaces.
func TestEscapeCopiesOnlyWhatChanges(t *testing.T) {
	for name, escapes := range map[string]*[128]string{"html": &htmlTextEscapes, "xml": &xmlTextEscapes} {
		for c, esc := range escapes {
			if esc != "" {
				assert.Greater(t, len(esc), 1, "%s escape of %q", name, rune(c))
			}
		}
	}
	plain := "curl -sS -i -X GET 'http://127.0.0.1/scim/v2/Users?count=1'\\\n# HTTP/1.1 200 OK\n#\n# {\"a\": \"b\"}\t\n"
	e := Exchange{Transcript: "> GET /\n< HTTP/1.1 200 OK\n", Curl: plain}
	e.Escape()
	assert.Same(t, unsafe.StringData(plain), unsafe.StringData(e.escaped.curl), "the curl command is not copied")
	accented := plain + "# {\"name\": \"José\"}\n"
	e = Exchange{Transcript: "> GET /\n", Curl: accented}
	e.Escape()
	assert.Same(t, unsafe.StringData(accented), unsafe.StringData(e.escaped.curl), "nor one with UTF-8, which report.html keeps as it is")
	for _, s := range []string{plain + "&", "é" + plain, plain + "\r", plain + "\x00", plain + ">"} {
		e := Exchange{Transcript: s, Curl: s}
		e.Escape()
		assert.Equal(t, string(appendHTMLText(nil, s)), e.escaped.transcript, "html of %q", s)
		assert.Equal(t, string(appendXMLText(nil, s)), e.escaped.xmlTranscript, "xml of %q", s)
		assert.Equal(t, string(appendHTMLText(nil, s)), e.escaped.curl, "curl of %q", s)
	}
}

// isASCII reports whether s is all ASCII.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
