// Package report renders the results of one scimcheck run as the files a vendor hands over
// and CI gates on: summary.json (a stable, versioned schema), junit.xml and a self-contained
// report.html. It knows nothing of godog or of the target: package runner fills a Summary
// with what it observed, already redacted, and the writers here only render it.
package report

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"time"
	"unicode/utf8"
	"unsafe"
)

// SchemaVersion is the version of the summary.json schema. It changes only when a field is
// removed or changes meaning; new fields may appear in the same version.
const SchemaVersion = 2

// Scenario statuses (Scenario.Status). A skip never reads as a pass, and a failure of
// scimcheck itself is never a verdict on the target.
const (
	// StatusPassed: every step passed.
	StatusPassed = "passed"
	// StatusFailed: the target does not behave as Okta needs.
	StatusFailed = "failed"
	// StatusWaived: the scenario failed, but --expected-failures lists it; it does not fail
	// the run.
	StatusWaived = "waived"
	// StatusSkipped: the scenario gave no verdict: the target lacks an optional feature, the
	// selection left it out, or the run was interrupted before it ran. Message says which.
	StatusSkipped = "skipped"
	// StatusBlocked: Okta's own set-up of the scenario broke on an okta-grade check (BlockedBy
	// names the cause), so its subject was not reached, or only by a detour that passed.
	StatusBlocked = "blocked"
	// StatusError: scimcheck itself failed on the scenario (a harness bug); no verdict.
	StatusError = "error"
	// StatusPartial (capabilities only): some scenarios passed, the others were skipped.
	StatusPartial = "partial"
)

// Run results (Summary.Result).
const (
	ResultPassed      = "passed"      // exit code 0
	ResultFailed      = "failed"      // exit code 1
	ResultError       = "error"       // exit code 3: a harness bug, or scenarios that never ran
	ResultInterrupted = "interrupted" // exit code 130
	ResultDeadline    = "deadline"    // exit code 4: the run reached --deadline; the results are incomplete
)

// Summary is the machine-readable result of one run, written as summary.json by
// `scimcheck run --report DIR`. Its shape is stable: SchemaVersion says which version of it a
// file holds, no field is ever omitted (an absent value is "", 0, false or [], and null for a
// failure object that is not there), and times are integer milliseconds.
//
//	{
//	  "schemaVersion": 2,
//	  "version": "v1.2.0",                       // scimcheck's version, "(devel)" from source
//	  "target": {
//	    "url": "https://app.example.com/scim/v2", // no user info, no query, never a credential
//	    "inProcess": false,                       // true: the bundled reference server
//	    "quirks": []                              // the reference server's --quirk defects
//	  },
//	  "seed": 42, "runId": "scn4k2", "oktaMode": "both",   // oin | aiw | both
//	  "selection": {"tags": "", "name": ""},
//	  "startedAt": "2026-01-02T15:04:05Z", "durationMs": 5120, "requests": 443,
//	  "result": "failed", "exitCode": 1,           // passed | failed | error | interrupted | deadline
//	  "failOn": "review",                          // the --fail-on grade
//	  "counts": {"total": 64, "selected": 64, "notSelected": 0, "passed": 60,
//	             "failed": 2, "waived": 1, "skipped": 1, "errors": 0},
//	  "capabilities": [                            // the rows of the capability table, in order
//	    {"name": "Push users", "tag": "@push-users",
//	     "status": "failed",                       // passed | partial | failed | waived | skipped | error
//	     "detail": "9 passed, 1 failed of 10", "counts": {…}}
//	  ],
//	  "causes": [                                  // every root cause once, most severe first
//	    {"id": "C1", "key": "no-409-on-duplicate", "grade": "okta", "check": "", "diagnosis": "…",
//	     "okta": "…", "message": "POST /scim/v2/Users HTTP/1.1\n  …", "failure": {…},
//	     "failed": ["Push users › …"], "blocked": [], "seen": 0}
//	  ],
//	  "findings": [],                              // the causes below okta grade, same shape
//	  "scenarios": [                               // every selected scenario, in run order
//	    {"name": "…", "feature": "Push users", "capability": "Push users",
//	     "location": "okta/push-users.feature:44", "tags": ["@push-users", "@must"],
//	     "status": "failed",                       // passed | failed | blocked | waived | skipped | error
//	     "durationMs": 12,
//	     "message": "POST /scim/v2/Users HTTP/1.1\n  HTTP status: expected 409, got 201 …",
//	     "grade": "okta", "cause": "C1", "blockedBy": "",
//	     "failure": {                              // the failed check as data; null when none
//	       "check": "", "grade": "okta", "request": "POST /scim/v2/Users HTTP/1.1", "status": 201,
//	       "path": "HTTP status", "expected": "409", "actual": "201 Created",
//	       "missing": false, "unreadable": "", "notes": [], "because": "…", "okta": "…",
//	       "diagnosis": "…", "cause": "no-409-on-duplicate"},
//	     "waiver": "",                             // the reason from --expected-failures
//	     "rerun": "scimcheck run --name '^…$' --seed 42 --trace-dir -",
//	     "steps": [{"keyword": "Given", "text": "…", "argument": "", "status": "passed", "message": ""}]}
//	  ],
//	  "waivers": {"file": "waivers.json", "strict": false,
//	              "stale": [{"name": "…", "reason": "…"}],   // listed, but passed
//	              "unknown": [{"name": "…", "reason": "…"}]} // listed, but no such scenario
//	}
//
// A scenario's message is its failure message (for "failed", "waived" and "error") or why it
// was skipped: text for people, which no report parses. Its failure is the failed check as
// data (for "failed" and "waived", and for "blocked" the check that blocked it), null for a
// harness error, a request that got no answer, or a failure no check made; a cause's failure
// is its first. rerun is set for "failed", "blocked", "waived" and "error" scenarios. Scenarios the
// selection left out (--okta-mode, --tags, --name) are not listed; counts.notSelected and the
// capabilities count them.
type Summary struct {
	SchemaVersion int       `json:"schemaVersion"`
	Version       string    `json:"version"`
	Target        Target    `json:"target"`
	Seed          int64     `json:"seed"`
	RunID         string    `json:"runId"`
	OktaMode      string    `json:"oktaMode"`
	Selection     Selection `json:"selection"`
	StartedAt     time.Time `json:"startedAt"`
	DurationMS    int64     `json:"durationMs"`
	Requests      int64     `json:"requests"`
	Result        string    `json:"result"`
	ExitCode      int       `json:"exitCode"`
	Counts        Counts    `json:"counts"`
	// FailOn is the --fail-on grade: the least grade of failure that fails the run.
	FailOn       string       `json:"failOn"`
	Capabilities []Capability `json:"capabilities"`
	Scenarios    []Scenario   `json:"scenarios"`
	// Causes are the run's root causes, most severe first, each listed once with the scenarios
	// it failed or blocked (schema version 2).
	Causes []Cause `json:"causes"`
	// Findings are the causes below okta grade (review, rfc): what Okta's engine tolerates,
	// reported once however often it was seen (schema version 2).
	Findings []Cause `json:"findings"`
	Waivers  Waivers `json:"waivers"`
}

// Cause is one root cause of a run's failures: a defect, named by its diagnosis.
type Cause struct {
	// ID is the run's label, "C1", "C2", …; Key is the stable root-cause id, the same from run
	// to run (e.g. "counts-not-integers", or "list-items-per-page" for an undiagnosed check).
	ID  string `json:"id"`
	Key string `json:"key"`
	// Grade is okta, review or rfc; Check is the id of the check that failed ("" when it named none).
	Grade string `json:"grade"`
	Check string `json:"check"`
	// Diagnosis names the defect in the vendor's terms; Okta says what Okta does about it.
	Diagnosis string `json:"diagnosis"`
	Okta      string `json:"okta"`
	// Message is the first failure's report: request line, path, expected and actual.
	Message string `json:"message"`
	// Failure is the first failure as data; nil for a cause no check found (no answer).
	Failure *Failure `json:"failure"`
	// Failed and Blocked name the scenarios ("Capability › name") whose subject failed on
	// it and those it blocked.
	Failed  []string `json:"failed"`
	Blocked []string `json:"blocked"`
	// Seen counts the times steps that replay Okta met it in passing and went on.
	Seen int `json:"seen"`
}

// Target is the server a run talked to.
type Target struct {
	// URL is the SCIM base URL without user info, query or fragment.
	URL string `json:"url"`
	// InProcess reports that the target was the bundled reference server, started in process.
	InProcess bool `json:"inProcess"`
	// Quirks are the deliberate defects switched on in the in-process reference server.
	Quirks []string `json:"quirks"`
}

// Selection is the scenario selection of the run, besides the Okta mode.
type Selection struct {
	Tags string `json:"tags"`
	Name string `json:"name"`
}

// Counts counts scenarios by outcome. Total = Selected + NotSelected, and Selected = Passed +
// Failed + Blocked + Waived + Skipped + Errors.
type Counts struct {
	Total       int `json:"total"`
	Selected    int `json:"selected"`
	NotSelected int `json:"notSelected"`
	Passed      int `json:"passed"`
	Failed      int `json:"failed"`
	Blocked     int `json:"blocked"`
	Waived      int `json:"waived"`
	Skipped     int `json:"skipped"`
	Errors      int `json:"errors"`
}

// Capability is one row of the capability table: an Okta provisioning feature, as Okta's admin
// console names it.
type Capability struct {
	Name   string `json:"name"`
	Tag    string `json:"tag"`
	Status string `json:"status"`
	// Okta is Okta's verdict: works, partial, broken, blocked, waived, skip or ERROR; Review
	// and RFC count the capability's causes at those grades; BlockedBy lists the cause ids
	// ("C1") that blocked its scenarios (schema version 2).
	Okta      string   `json:"okta"`
	Review    int      `json:"review"`
	RFC       int      `json:"rfc"`
	BlockedBy []string `json:"blockedBy"`
	// Detail is the table's text: the counts and why scenarios did not run.
	Detail string `json:"detail"`
	Counts Counts `json:"counts"`
}

// Scenario is the outcome of one selected scenario.
type Scenario struct {
	Name       string   `json:"name"`
	Feature    string   `json:"feature"`
	Capability string   `json:"capability"`
	Location   string   `json:"location"`
	Tags       []string `json:"tags"`
	Status     string   `json:"status"`
	DurationMS int64    `json:"durationMs"`
	Message    string   `json:"message"`
	Waiver     string   `json:"waiver"`
	Rerun      string   `json:"rerun"`
	// Grade is the grade of a failure (okta, review or rfc), Cause the id ("C1") of its root
	// cause, and BlockedBy the id of the okta-grade cause that blocked the scenario or that its
	// set-up went around; "" when not applicable (schema version 2).
	Grade     string `json:"grade"`
	Cause     string `json:"cause"`
	BlockedBy string `json:"blockedBy"`
	// Failure is the failed check as data, what report.html renders; for a blocked scenario,
	// the check that blocked it. Nil for a harness error, a request that got no answer, or a
	// failure no check made: Message alone says those (schema version 2).
	Failure *Failure `json:"failure"`
	Steps   []Step   `json:"steps"`
	// Exchanges are the scenario's HTTP exchanges, for junit.xml and report.html; summary.json
	// leaves them out (see --trace-dir for replayable transcripts).
	Exchanges []Exchange `json:"-"`
	// OmittedExchanges counts the earlier exchanges left out of Exchanges to keep the reports
	// small.
	OmittedExchanges int `json:"-"`
}

// Failure is a failed check as data (see expect.Failure), already redacted: the fields reports
// render, so that none reads meaning out of a message.
type Failure struct {
	// Check is the id of the check ("" when it named none), Grade okta, review or rfc.
	Check string `json:"check"`
	Grade string `json:"grade"`
	// Request is the request line, e.g. "GET /scim/v2/Users HTTP/1.1"; Status the response's
	// HTTP status, 0 when there was no response.
	Request string `json:"request"`
	Status  int    `json:"status"`
	// Path is the JSON path checked, or "HTTP status" or "body"; Expected what the rule wants
	// and Actual what came back, both with their JSON types (`1 (number)`); Actual is "" when
	// the path is Missing or the body Unreadable (which then says why: not JSON, empty, …).
	Path       string `json:"path"`
	Expected   string `json:"expected"`
	Actual     string `json:"actual"`
	Missing    bool   `json:"missing"`
	Unreadable string `json:"unreadable"`
	// Notes are further lines: an unexpected status, the server's error detail, retries.
	Notes []string `json:"notes"`
	// Because is the requirement (Okta's or the RFC's); Okta what Okta does about the failure.
	Because string `json:"because"`
	Okta    string `json:"okta"`
	// Diagnosis names the defect in the vendor's terms and Cause is its stable id (a cause's
	// key, e.g. "counts-not-integers"); both "" when no diagnosis recognised it.
	Diagnosis string `json:"diagnosis"`
	Cause     string `json:"cause"`
}

// Step is the outcome of one step of a scenario.
type Step struct {
	// Keyword is Given, When, Then or And.
	Keyword string `json:"keyword"`
	Text    string `json:"text"`
	// Argument is the step's doc string, or its data table as "| a | b |" lines; "" for none.
	Argument string `json:"argument"`
	// Status is passed, failed, skipped, undefined, pending or ambiguous; "skipped" too for a
	// step that never ran.
	Status  string `json:"status"`
	Message string `json:"message"`
}

// Exchange is one HTTP request of a scenario and the response it got, rendered and redacted.
type Exchange struct {
	// Request is the request line, e.g. "GET /scim/v2/Users?count=1 HTTP/1.1".
	Request string
	// Status is the response status, e.g. "200 OK", or "no response".
	Status     string
	DurationMS int64
	// Attempts counts the requests sent, 429 retries included.
	Attempts int
	// Transcript is the exchange in "curl -v" style (see scim.Exchange.Transcript).
	Transcript string
	// Curl is a shell command that sends the request again (see scim.Exchange.Curl); "" when
	// left out (scimcheck keeps it for the scenarios that did not pass).
	Curl string

	// escaped holds Transcript and Curl as report.html and junit.xml write them, from Escape.
	escaped *escapedExchange
}

// escapedExchange is an Exchange's text escaped for the two reports that show it.
type escapedExchange struct {
	transcript, curl string    // Transcript and Curl as the text of report.html's <pre>s
	xmlTranscript    string    // Transcript as the text of junit.xml's <system-out>
	of               [2]string // the Transcript and Curl these are of
}

// Escape escapes e's transcript and curl command for report.html and junit.xml now, so that
// writing the reports later only copies them: scimcheck calls it as each scenario ends,
// while the others run, rather than for every exchange at once after the last. The reports
// are byte for byte the same with or without it, and a Transcript or Curl changed after it is
// escaped afresh.
func (e *Exchange) Escape() {
	esc := &escapedExchange{curl: escapedText(appendHTMLText, htmlGrowth, e.Curl), of: [2]string{e.Transcript, e.Curl}}
	// A transcript is nearly always ASCII with no control character but tab and newline, and
	// then both reports write it alike: one copy serves both. (Its "< " lines always need one.)
	size, same := htmlTextSize(e.Transcript)
	esc.transcript = escapedCopy(appendHTMLText, size, e.Transcript)
	if esc.xmlTranscript = esc.transcript; !same {
		esc.xmlTranscript = escapedText(appendXMLText, xmlGrowth, e.Transcript)
	}
	e.escaped = esc
}

// escapedText returns s escaped by appendEscaped, whose growth per byte grows gives: s itself
// when no byte of it grows, as nothing would change (every escape is longer than the byte it
// replaces, and a byte that may become U+FFFD grows by two), else escapedCopy.
func escapedText(appendEscaped func([]byte, string) []byte, grows *[256]uint8, s string) string {
	size := escapedSize(grows, s)
	if size == len(s) {
		return s
	}
	return escapedCopy(appendEscaped, size, s)
}

// escapedCopy returns s escaped by appendEscaped into a buffer of size bytes, at least what
// it takes: JSON bodies are full of quotes and markup, and a buffer that grows as it goes
// copies megabytes a run. The buffer becomes the string (it is never written again).
func escapedCopy(appendEscaped func([]byte, string) []byte, size int, s string) string {
	b := appendEscaped(make([]byte, 0, size), s)
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// xmlDiffers and xmlNonASCII mark, in htmlTextClass, an ASCII byte that appendXMLText writes
// otherwise than appendHTMLText does (a control character but NUL, tab and newline: a
// carriage return included), and a byte of non-ASCII UTF-8, which the two write alike when
// it is valid UTF-8 that XML can hold.
const (
	xmlDiffers  = 0x80
	xmlNonASCII = 0x40
)

// htmlTextClass is htmlGrowth with xmlDiffers and xmlNonASCII set on the bytes they mark.
var htmlTextClass = func() (c [256]uint8) {
	c = *htmlGrowth
	for b := range c {
		switch {
		case b >= utf8.RuneSelf:
			c[b] |= xmlNonASCII
		case htmlTextEscapes[b] != xmlTextEscapes[b]:
			c[b] |= xmlDiffers
		}
	}
	return c
}()

// htmlTextSize returns how long appendHTMLText makes s, and whether appendXMLText makes it
// the same, in one pass (and, for non-ASCII text, a check of its UTF-8).
func htmlTextSize(s string) (size int, same bool) {
	var class uint8
	size = len(s)
	for i := 0; i < len(s); i++ {
		c := htmlTextClass[s[i]]
		size += int(c &^ (xmlDiffers | xmlNonASCII))
		class |= c
	}
	return size, class&xmlDiffers == 0 && (class&xmlNonASCII == 0 || xmlKeeps(s))
}

// xmlKeeps reports whether appendXMLText keeps every non-ASCII character of s as it is: s is
// valid UTF-8 with none of the two characters XML cannot hold that UTF-8 can (U+FFFE and
// U+FFFF; surrogates and code points past U+10FFFF are not valid UTF-8).
func xmlKeeps(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, '\uFFFE') && !strings.ContainsRune(s, '\uFFFF')
}

// htmlGrowth and xmlGrowth say by how many bytes appendHTMLText and appendXMLText at most grow
// each byte: exactly for ASCII; for the bytes of other UTF-8, by the two that a U+FFFD in
// place of one byte takes (appendXMLText), or none (appendHTMLText keeps them as they are).
var htmlGrowth, xmlGrowth = growth(&htmlTextEscapes, 0), growth(&xmlTextEscapes, len("\uFFFD")-1)

// escapedSize returns how long s may be once escaped, from how much each byte grows.
func escapedSize(grows *[256]uint8, s string) int {
	n := len(s)
	for i := 0; i < len(s); i++ {
		n += int(grows[s[i]])
	}
	return n
}

// growth returns by how many bytes escapes grows each ASCII byte, and nonASCII for the others.
func growth(escapes *[128]string, nonASCII int) *[256]uint8 {
	var g [256]uint8
	for c, esc := range escapes {
		if esc != "" {
			g[c] = uint8(len(esc) - 1)
		}
	}
	for c := 128; c < 256; c++ {
		g[c] = uint8(nonASCII)
	}
	return &g
}

// escapedFor returns e.escaped when it is of e's Transcript and Curl as they are, else nil.
func (e *Exchange) escapedFor() *escapedExchange {
	if esc := e.escaped; esc != nil && esc.of == [2]string{e.Transcript, e.Curl} {
		return esc
	}
	return nil
}

// Waivers is what became of the --expected-failures file.
type Waivers struct {
	// File is the file's path; "" when none was given.
	File string `json:"file"`
	// Strict reports --strict-waivers: stale and unknown entries fail the run.
	Strict bool `json:"strict"`
	// Stale entries name scenarios that passed: the waiver can go.
	Stale []Waiver `json:"stale"`
	// Unknown entries name no scenario of this scimcheck.
	Unknown []Waiver `json:"unknown"`
}

// Waiver is one entry of an --expected-failures file.
type Waiver struct {
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

// normalized returns s with every list non-nil, so that summary.json never holds null.
func (s Summary) normalized() Summary {
	s.SchemaVersion = SchemaVersion
	s.Target.Quirks = nonNil(s.Target.Quirks)
	s.Waivers.Stale = nonNil(s.Waivers.Stale)
	s.Waivers.Unknown = nonNil(s.Waivers.Unknown)
	// copies, not the caller's arrays: the writers run concurrently on one Summary
	s.Capabilities = append(make([]Capability, 0, len(s.Capabilities)), s.Capabilities...)
	for i := range s.Capabilities {
		s.Capabilities[i].BlockedBy = nonNil(s.Capabilities[i].BlockedBy)
	}
	s.Causes, s.Findings = normalizedCauses(s.Causes), normalizedCauses(s.Findings)
	scs := make([]Scenario, len(s.Scenarios))
	for i, sc := range s.Scenarios {
		sc.Tags, sc.Steps, sc.Failure = nonNil(sc.Tags), nonNil(sc.Steps), sc.Failure.normalized()
		scs[i] = sc
	}
	s.Scenarios = scs
	return s
}

// normalizedCauses returns cs with every list present.
func normalizedCauses(cs []Cause) []Cause {
	out := make([]Cause, len(cs))
	for i, c := range cs {
		c.Failed, c.Blocked, c.Failure = nonNil(c.Failed), nonNil(c.Blocked), c.Failure.normalized()
		out[i] = c
	}
	return out
}

// normalized returns a copy of f with its notes present, or nil for nil.
func (f *Failure) normalized() *Failure {
	if f == nil {
		return nil
	}
	c := *f
	c.Notes = nonNil(c.Notes)
	return &c
}

// nonNil returns l, or an empty list when l is nil.
func nonNil[T any](l []T) []T {
	if l == nil {
		return []T{}
	}
	return l
}

// WriteJSON writes s as summary.json: indented by two spaces, HTML characters unescaped,
// every list present; the bytes of a json.Encoder with SetIndent("", "  "). Errors: those of
// w.
func WriteJSON(w io.Writer, s *Summary) error {
	var compact bytes.Buffer
	enc := json.NewEncoder(&compact)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s.normalized()); err != nil {
		return err
	}
	_, err := w.Write(appendIndented(make([]byte, 0, compact.Len()*3/2), compact.Bytes(), "  "))
	return err
}

// appendIndented appends to dst the compact JSON src (as encoding/json writes it: no space
// outside strings) indented as json.Indent(dst, src, "", indent) does: a member or element
// a line, empty objects and arrays kept as {} and [], a space after each colon. json.Indent
// runs its validating scanner over every byte, which took most of summary.json's time; src
// is scimcheck's own marshalled output, valid by construction, and string contents are
// copied through whole.
func appendIndented(dst, src []byte, indent string) []byte {
	depth := 0
	newline := func() {
		dst = append(dst, '\n')
		for range depth {
			dst = append(dst, indent...)
		}
	}
	for i := 0; i < len(src); i++ {
		switch c := src[i]; c {
		case '"':
			end := stringEnd(src, i)
			dst = append(dst, src[i:end]...)
			i = end - 1
		case '{', '[':
			dst = append(dst, c)
			if i+1 < len(src) && (src[i+1] == '}' || src[i+1] == ']') {
				dst = append(dst, src[i+1])
				i++
				continue
			}
			depth++
			newline()
		case '}', ']':
			depth--
			newline()
			dst = append(dst, c)
		case ',':
			dst = append(dst, c)
			newline()
		case ':':
			dst = append(dst, ':', ' ')
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// stringEnd returns the index just past the JSON string that starts with the quote at
// src[start], or len(src) when it does not end.
func stringEnd(src []byte, start int) int {
	for i := start + 1; ; {
		q := bytes.IndexByte(src[i:], '"')
		if q < 0 {
			return len(src)
		}
		q += i
		backslashes := 0
		for j := q - 1; j > start && src[j] == '\\'; j-- {
			backslashes++
		}
		if backslashes%2 == 0 {
			return q + 1
		}
		i = q + 1
	}
}
