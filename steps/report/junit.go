package report

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// JUnit XML, as Jenkins, GitLab and the GitHub test reporters read it. One <testsuite> per
// feature, one <testcase> per selected scenario:
//
//   - passed: an empty testcase;
//   - failed: <failure message="first line of the message" type="failed"> with the whole
//     message and the rerun command;
//   - error (a harness bug): <error type="harness">, same content;
//   - skipped: <skipped message="why">;
//   - waived (a failure listed in --expected-failures): <skipped message="waived: reason">
//     holding the failure message, and the property scimcheck.status=waived, so that CI
//     neither fails on it nor mistakes it for a pass.
//
// Every testcase that sent a request carries its HTTP transcript in <system-out>.

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr,omitempty"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name       string          `xml:"name,attr"`
	Classname  string          `xml:"classname,attr"`
	Time       string          `xml:"time,attr"`
	File       string          `xml:"file,attr,omitempty"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Failure    *junitProblem   `xml:"failure"`
	Error      *junitProblem   `xml:"error"`
	Skipped    *junitProblem   `xml:"skipped"`
	// transcript is the scenario whose HTTP transcript <system-out> holds (left out when it
	// sent nothing), written straight into the file by xmlWriter: it is most of the file, and
	// building it as a string first would copy it twice more.
	transcript *Scenario
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes s as JUnit XML (see the comment above junitSuites). Errors: those of w.
func WriteJUnit(w io.Writer, s *Summary) error {
	doc := junitSuites{Name: "scimcheck", Time: seconds(s.DurationMS)}
	index := map[string]int{} // feature → suite
	props := []junitProperty{
		{"scimcheck.version", s.Version}, {"target", s.Target.URL}, {"seed", strconv.FormatInt(s.Seed, 10)},
		{"runId", s.RunID}, {"oktaMode", s.OktaMode},
	}
	for k, sc := range s.Scenarios {
		i, ok := index[sc.Feature]
		if !ok {
			i = len(doc.Suites)
			index[sc.Feature] = i
			doc.Suites = append(doc.Suites, junitSuite{Name: sc.Feature, Properties: props})
			if !s.StartedAt.IsZero() {
				doc.Suites[i].Timestamp = s.StartedAt.UTC().Format("2006-01-02T15:04:05")
			}
		}
		suite := &doc.Suites[i]
		c := junitCase{Name: sc.Name, Classname: sc.Feature, Time: seconds(sc.DurationMS), File: fileOf(sc.Location)}
		c.Properties = append(c.Properties, junitProperty{"scimcheck.status", sc.Status}, junitProperty{"location", sc.Location})
		for _, t := range sc.Tags {
			c.Properties = append(c.Properties, junitProperty{"tag", t})
		}
		for _, p := range []junitProperty{{"scimcheck.grade", sc.Grade}, {"scimcheck.cause", sc.Cause}, {"scimcheck.blockedBy", sc.BlockedBy}} {
			if p.Value != "" {
				c.Properties = append(c.Properties, p)
			}
		}
		body := problemText(sc)
		switch {
		case sc.Status == StatusFailed && belowGate(sc.Grade, s.FailOn):
			// A failure below --fail-on does not fail the run, so it does not fail CI's view of it.
			c.Skipped = &junitProblem{Message: fmt.Sprintf("finding at %s grade, below --fail-on %s: %s", sc.Grade, s.FailOn, firstLine(sc.Message)), Text: body}
			suite.Skipped++
			doc.Skipped++
		case sc.Status == StatusBlocked:
			c.Failure = &junitProblem{Message: "blocked by " + sc.BlockedBy + ": " + firstLine(sc.Message), Type: "blocked", Text: body}
			suite.Failures++
			doc.Failures++
		case sc.Status == StatusFailed:
			c.Failure = &junitProblem{Message: firstLine(sc.Message), Type: "failed", Text: body}
			suite.Failures++
			doc.Failures++
		case sc.Status == StatusError:
			c.Error = &junitProblem{Message: firstLine(sc.Message), Type: "harness", Text: body}
			suite.Errors++
			doc.Errors++
		case sc.Status == StatusWaived:
			c.Skipped = &junitProblem{Message: "waived: " + sc.Waiver, Text: body}
			suite.Skipped++
			doc.Skipped++
		case sc.Status == StatusSkipped:
			c.Skipped = &junitProblem{Message: sc.Message}
			suite.Skipped++
			doc.Skipped++
		}
		if len(sc.Exchanges) > 0 {
			c.transcript = &s.Scenarios[k]
		}
		suite.Tests++
		doc.Tests++
		suite.Cases = append(suite.Cases, c)
	}
	for i := range doc.Suites {
		var ms int64
		for _, sc := range s.Scenarios {
			if sc.Feature == doc.Suites[i].Name {
				ms += sc.DurationMS
			}
		}
		doc.Suites[i].Time = seconds(ms)
	}
	x := &xmlWriter{Writer: bufio.NewWriterSize(w, 64<<10)}
	x.WriteString(xml.Header)
	x.suites(s, &doc)
	x.WriteString("\n")
	return x.Flush()
}

// xmlWriter writes junit.xml from the junit structs by hand, byte for byte as xml.Encoder with
// Indent("", "  ") would (the struct tags above say the shape), without its reflection: the
// transcripts make the file megabytes long, and --report must stay cheap.
type xmlWriter struct {
	*bufio.Writer
	scratch                []byte // esc's
	depth                  int
	indentedIn, putNewline bool
}

// indent is xml.Encoder's writeIndent: a newline and the depth's indentation before a start
// element, and before an end element that has elements (not only text) inside.
func (x *xmlWriter) indent(delta int) {
	if delta < 0 {
		x.depth--
		if x.indentedIn {
			x.indentedIn = false
			return
		}
		x.indentedIn = false
	}
	if x.putNewline {
		x.WriteByte('\n')
	} else {
		x.putNewline = true
	}
	for range x.depth {
		x.WriteString("  ")
	}
	if delta > 0 {
		x.depth++
		x.indentedIn = true
	}
}

// start writes a start element with attrs, name and value pairs; an attribute whose name ends
// in "?" is left out when its value is empty (omitempty).
func (x *xmlWriter) start(name string, attrs ...string) {
	x.indent(1)
	x.WriteByte('<')
	x.WriteString(name)
	for i := 0; i+1 < len(attrs); i += 2 {
		k, v := attrs[i], attrs[i+1]
		if opt, ok := strings.CutSuffix(k, "?"); ok {
			if v == "" {
				continue
			}
			k = opt
		}
		x.WriteByte(' ')
		x.WriteString(k)
		x.WriteString(`="`)
		x.esc(v)
		x.WriteByte('"')
	}
	x.WriteByte('>')
}

func (x *xmlWriter) end(name string) {
	x.indent(-1)
	x.WriteString("</")
	x.WriteString(name)
	x.WriteByte('>')
}

// xmlEscapes is how xml.EscapeText writes each ASCII byte: "" for as it is.
var xmlEscapes = [utf8.RuneSelf]string{
	'"': "&#34;", '\'': "&#39;", '&': "&amp;", '<': "&lt;", '>': "&gt;",
	'\t': "&#x9;", '\n': "&#xA;", '\r': "&#xD;",
	0: "\uFFFD", 1: "\uFFFD", 2: "\uFFFD", 3: "\uFFFD", 4: "\uFFFD", 5: "\uFFFD", 6: "\uFFFD", 7: "\uFFFD", 8: "\uFFFD",
	11: "\uFFFD", 12: "\uFFFD", 14: "\uFFFD", 15: "\uFFFD", 16: "\uFFFD", 17: "\uFFFD", 18: "\uFFFD", 19: "\uFFFD",
	20: "\uFFFD", 21: "\uFFFD", 22: "\uFFFD", 23: "\uFFFD", 24: "\uFFFD", 25: "\uFFFD", 26: "\uFFFD", 27: "\uFFFD",
	28: "\uFFFD", 29: "\uFFFD", 30: "\uFFFD", 31: "\uFFFD",
}

// xmlTextEscapes is how junit.xml writes each ASCII byte of the text of <system-out>, where
// quotes, tabs and newlines are themselves: "" for as it is. A carriage return stays one
// (an XML reader turns a bare one into a newline), and '>' is escaped so that no "]]>" can
// appear.
var xmlTextEscapes = func() [utf8.RuneSelf]string {
	e := xmlEscapes
	e['"'], e['\''], e['\t'], e['\n'] = "", "", "", ""
	return e
}()

// text writes s as the text of an element (appendXMLText).
func (x *xmlWriter) text(s string) {
	x.scratch = appendXMLText(x.scratch[:0], s)
	_, _ = x.Write(x.scratch)
}

// appendXMLText appends s to dst escaped for the text of an element, never an attribute: as
// appendXML, but with quotes, tabs and newlines as they are. An XML reader reads back what
// xml.EscapeText would have written.
func appendXMLText(dst []byte, s string) []byte {
	return appendXMLWith(dst, s, &xmlTextEscapes)
}

// esc writes s escaped as xml.EscapeText does (appendXML).
func (x *xmlWriter) esc(s string) {
	x.scratch = appendXML(x.scratch[:0], s)
	_, _ = x.Write(x.scratch)
}

// appendXML appends s to dst escaped as xml.EscapeText does: the XML specials and tab, newline
// and carriage return as character references, invalid UTF-8 and characters XML cannot hold
// as U+FFFD.
func appendXML(dst []byte, s string) []byte {
	return appendXMLWith(dst, s, &xmlEscapes)
}

// appendXMLWith appends s to dst with each ASCII byte replaced as escapes says, and invalid
// UTF-8 and characters XML cannot hold as U+FFFD.
func appendXMLWith(dst []byte, s string, escapes *[utf8.RuneSelf]string) []byte {
	last := 0
	for i := 0; i < len(s); {
		repl, width := "", 1
		if c := s[i]; c < utf8.RuneSelf {
			repl = escapes[c]
		} else {
			var r rune
			r, width = utf8.DecodeRuneInString(s[i:])
			if (r == utf8.RuneError && width == 1) || !xmlChar(r) {
				repl = "\uFFFD"
			}
		}
		if repl != "" {
			dst = append(dst, s[last:i]...)
			dst = append(dst, repl...)
			last = i + width
		}
		i += width
	}
	return append(dst, s[last:]...)
}

// xmlChar reports whether XML can hold r (a non-ASCII rune): encoding/xml's isInCharacterRange.
func xmlChar(r rune) bool {
	return r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

func (x *xmlWriter) suites(s *Summary, doc *junitSuites) {
	x.start("testsuites", "name", doc.Name, "tests", strconv.Itoa(doc.Tests), "failures", strconv.Itoa(doc.Failures),
		"errors", strconv.Itoa(doc.Errors), "skipped", strconv.Itoa(doc.Skipped), "time", doc.Time)
	for i := range doc.Suites {
		su := &doc.Suites[i]
		x.start("testsuite", "name", su.Name, "tests", strconv.Itoa(su.Tests), "failures", strconv.Itoa(su.Failures),
			"errors", strconv.Itoa(su.Errors), "skipped", strconv.Itoa(su.Skipped), "time", su.Time, "timestamp?", su.Timestamp)
		x.properties(su.Properties)
		for j := range su.Cases {
			c := &su.Cases[j]
			x.start("testcase", "name", c.Name, "classname", c.Classname, "time", c.Time, "file?", c.File)
			x.properties(c.Properties)
			x.problem("failure", c.Failure)
			x.problem("error", c.Error)
			x.problem("skipped", c.Skipped)
			if c.transcript != nil {
				x.start("system-out")
				x.transcript(s, c.transcript)
				x.end("system-out")
			}
			x.end("testcase")
		}
		x.end("testsuite")
	}
	x.end("testsuites")
}

func (x *xmlWriter) properties(props []junitProperty) {
	if len(props) == 0 {
		return
	}
	x.start("properties")
	for _, p := range props {
		x.start("property", "name", p.Name, "value", p.Value)
		x.end("property")
	}
	x.end("properties")
}

func (x *xmlWriter) problem(name string, p *junitProblem) {
	if p == nil {
		return
	}
	x.start(name, "message", p.Message, "type?", p.Type)
	x.esc(p.Text)
	x.end(name)
}

// problemText returns the body of a failure, error or waived skip: the message, the waiver's
// reason and the rerun command.
func problemText(sc Scenario) string {
	var b strings.Builder
	b.WriteString(sc.Message)
	if sc.Waiver != "" {
		b.WriteString("\n\nwaived by --expected-failures: " + sc.Waiver)
	}
	if sc.Rerun != "" {
		b.WriteString("\n\nrerun: " + sc.Rerun)
	}
	return b.String()
}

// transcript writes the HTTP transcript of sc for <system-out>, escaped: a heading, then each
// exchange numbered. (Escaping it piece by piece is escaping it whole: every piece ends or
// starts with ASCII, so no character spans two pieces.)
func (x *xmlWriter) transcript(s *Summary, sc *Scenario) {
	x.text("scenario: " + sc.Name + " (" + sc.Location + ")\nseed: " + strconv.FormatInt(s.Seed, 10) + ", run id: " + s.RunID + "\n")
	if sc.OmittedExchanges > 0 {
		x.text("[" + strconv.Itoa(sc.OmittedExchanges) + " earlier exchanges not shown; --trace-dir writes them all]\n")
	}
	total := strconv.Itoa(sc.OmittedExchanges + len(sc.Exchanges))
	for i, ex := range sc.Exchanges {
		x.text("\n# " + strconv.Itoa(sc.OmittedExchanges+i+1) + "/" + total + "\n")
		if esc := ex.escapedFor(); esc != nil {
			_, _ = x.WriteString(esc.xmlTranscript)
		} else {
			x.text(ex.Transcript)
		}
	}
}

// seconds renders milliseconds as JUnit's seconds, e.g. "1.234".
func seconds(ms int64) string {
	return strconv.FormatFloat(float64(ms)/1000, 'f', 3, 64)
}

// fileOf returns the file of a "file:line" location.
func fileOf(loc string) string {
	if i := strings.LastIndexByte(loc, ':'); i > 0 {
		return loc[:i]
	}
	return loc
}

// firstLine returns s up to its first newline.
func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// belowGate reports whether a failure at grade does not fail a run gated at failOn: rfc under
// review or okta, review under okta. An empty grade or gate never is.
func belowGate(grade, failOn string) bool {
	rank := map[string]int{"okta": 0, "review": 1, "rfc": 2}
	g, ok1 := rank[grade]
	f, ok2 := rank[failOn]
	return ok1 && ok2 && g > f
}
