package expect

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tidwall/gjson"

	"github.com/scimcheck/scimcheck/steps/scim"
)

// Failure is a target failure found by an assertion. Error renders it as a multi-line report:
//
//	GET /scim/v2/Users?filter=… HTTP/1.1
//	  totalResults: expected 1 (number), got 0 (number)
//	  because: <the requirement>
type Failure struct {
	// RequestLine is the request line, e.g. "GET /scim/v2/Users HTTP/1.1".
	RequestLine string
	// Status is the response's HTTP status, 0 when there was no response.
	Status int
	// Path is the JSON path checked, or "HTTP status" or "body".
	Path string
	// Expected is what the rule wants, with its JSON type: `1 (number)`, `a non-empty value`.
	Expected string
	// Actual is what came back, with its JSON type; empty when Missing or Unreadable is set.
	Actual string
	// Missing reports that Path is absent from a JSON body.
	Missing bool
	// Unreadable says why the body could not be checked: not JSON, empty, no response.
	Unreadable string
	// Notes are further lines: an unexpected status, the server's error detail, retries.
	Notes []string
	// Because is the requirement (Okta or RFC) that the check enforces.
	Because string

	// Check is the id of the check that failed (see Check), "" when the caller named none.
	Check string
	// Grade is how much the failure matters; "" until the caller grades it (see Graded).
	Grade Grade
	// Okta is what Okta does about this failure, true of the check at its grade.
	Okta string
	// Diagnosis names the defect in the vendor's terms, and Cause is its stable id, the root
	// cause reports group failures by (e.g. "counts-not-integers"); both "" when no rule
	// recognised the defect.
	Diagnosis, Cause string
}

// Error renders the failure: request line, finding, notes, then the requirement.
func (f *Failure) Error() string {
	var b strings.Builder
	b.WriteString(f.RequestLine)
	b.WriteString("\n  " + f.Finding())
	for _, n := range f.Notes {
		b.WriteString("\n  " + n)
	}
	if f.Because != "" {
		b.WriteString("\n  because: " + f.Because)
	}
	switch {
	case f.Grade != "" && f.Okta != "":
		fmt.Fprintf(&b, "\n  grade %s: %s", f.Grade, f.Okta)
	case f.Grade != "":
		fmt.Fprintf(&b, "\n  grade %s", f.Grade)
	case f.Okta != "":
		b.WriteString("\n  what Okta does: " + f.Okta)
	}
	return b.String()
}

// Finding renders what the check found, on one line: "<path>: expected X, got Y", or
// "<path>: missing, expected X", or "<path>: expected X, but <why unreadable>".
func (f *Failure) Finding() string {
	switch {
	case f.Unreadable != "":
		return fmt.Sprintf("%s: expected %s, but %s", f.Path, f.Expected, f.Unreadable)
	case f.Missing:
		return fmt.Sprintf("%s: missing, expected %s", f.Path, f.Expected)
	}
	return fmt.Sprintf("%s: expected %s, got %s", f.Path, f.Expected, f.Actual)
}

// statusPath is the Path of a Failure about the HTTP status.
const statusPath = "HTTP status"

// snippetMax is how many body bytes a Failure quotes.
const snippetMax = 200

// newFailure returns a Failure about path in ex, with the response notes filled in. done
// fills in the request line, so that a check that passes does not render it.
func newFailure(ex *scim.Exchange, path, expected, because string) *Failure {
	return &Failure{
		Status:   ex.Response.StatusCode,
		Path:     path,
		Expected: expected,
		Because:  because,
	}
}

// done completes f with the notes about ex's response, redacts it and returns it as an error.
func done(ex *scim.Exchange, f *Failure) error {
	r := ex.Response
	// What the target sent is redacted whole, before it is cut or quoted; what scimcheck
	// wrote (the notes' words, standard statuses) only from long secrets, as in transcripts.
	switch {
	case f.Path == statusPath:
		if d := detailNote(ex); d != "" {
			f.Notes = append(f.Notes, d)
		} else if len(r.Body) > 0 {
			f.Notes = append(f.Notes, fmt.Sprintf("body: %s", snippet([]byte(ex.Redact(string(r.Body))))))
		}
	case r.StatusCode != 0 && (f.Unreadable != "" || r.StatusCode < 200 || r.StatusCode > 299):
		f.Notes = append(f.Notes, responseNote(ex))
		if d := detailNote(ex); d != "" && f.Path != "detail" {
			f.Notes = append(f.Notes, d)
		}
	}
	if loc := r.Header.Get("Location"); r.StatusCode >= 300 && r.StatusCode < 400 {
		f.Notes = append(f.Notes, fmt.Sprintf("Location: %s (Okta does not follow redirects)", ex.Redact(loc)))
	}
	if r.Truncated {
		f.Notes = append(f.Notes, fmt.Sprintf("body: cut at %d bytes by the client (scim.Config.MaxBody)", r.CutAt()))
	}
	if ex.GaveUp != "" {
		f.Notes = append(f.Notes, "retry: "+ex.Redact(ex.GaveUp))
	}
	if n := len(ex.Retries); n > 0 {
		f.Notes = append(f.Notes, fmt.Sprintf("attempts: %d; %d answered 429 Too Many Requests and were retried", ex.Attempts, n))
	}
	if f.RequestLine == "" {
		f.RequestLine = ex.RequestLine() // redacted in its URI
	} else if method, uri, ok := strings.Cut(f.RequestLine, " "); ok {
		f.RequestLine = method + " " + ex.Redact(uri)
	}
	// copies: a value gjson returns shares the whole body's memory, and a failure outlives it
	if f.Actual != shownStatus(ex) { // the status as shown is redacted as it should be already
		f.Actual = ex.Redact(f.Actual)
	}
	f.Actual, f.Unreadable = strings.Clone(ex.RedactLong(f.Actual)), strings.Clone(ex.RedactLong(f.Unreadable))
	f.RequestLine, f.Path = ex.RedactLong(f.RequestLine), ex.RedactLong(f.Path)
	f.Expected, f.Because = ex.RedactLong(f.Expected), ex.RedactLong(f.Because)
	for i, n := range f.Notes {
		f.Notes[i] = ex.RedactLong(n)
	}
	return f
}

// unreadable returns why ex's body cannot be checked as JSON, or "" when it can, what the
// target sent in it redacted.
func unreadable(ex *scim.Exchange) string {
	switch {
	case ex.Response.StatusCode == 0 && ex.Err != nil:
		return "there was no response: " + ex.ErrorText()
	case ex.Response.StatusCode == 0:
		return "there was no response"
	case ex.Err != nil:
		return "the body did not arrive complete: " + ex.ErrorText()
	case len(bytes.TrimSpace(ex.Response.Body)) == 0:
		return "the body is empty"
	case ex.TooDeep():
		return fmt.Sprintf("the answer nests deeper than %d levels: %s", scim.MaxDepth, snippet([]byte(ex.Redact(string(ex.Response.Body)))))
	case !ex.IsJSON():
		return "the body is not JSON: " + snippet([]byte(ex.Redact(string(ex.Response.Body))))
	}
	return ""
}

// statusText returns e.g. "409 Conflict".
func statusText(r scim.RecordedResponse) string {
	if r.Status != "" {
		return r.Status
	}
	return strings.TrimSpace(fmt.Sprintf("%d %s", r.StatusCode, http.StatusText(r.StatusCode)))
}

// responseNote returns "response: <status>, Content-Type: <type>, <n> bytes".
func responseNote(ex *scim.Exchange) string {
	ct := "no Content-Type"
	if v := ex.Response.Header.Get("Content-Type"); v != "" {
		ct = "Content-Type: " + ex.Redact(v)
	}
	return fmt.Sprintf("response: %s, %s, %d bytes", shownStatus(ex), ct, len(ex.Response.Body))
}

// shownStatus returns the response's status as scimcheck shows it (scim's ShownStatus: a
// standard status whole, the target's own reason phrase redacted), or Go's text for its code
// when the exchange recorded none.
func shownStatus(ex *scim.Exchange) string {
	if ex.Response.Status == "" {
		return statusText(ex.Response)
	}
	return ex.ShownStatus()
}

// detailNote returns the SCIM error detail (and scimType) of a JSON body, or "".
func detailNote(ex *scim.Exchange) string {
	if !ex.IsJSON() {
		return ""
	}
	body := ex.JSON()
	d := body.Get("detail")
	if !d.Exists() {
		return ""
	}
	note := "detail: " + clip(ex.Redact(d.Raw))
	if st := body.Get("scimType"); st.Exists() {
		note += ", scimType: " + clip(ex.Redact(st.Raw))
	}
	return note
}

// describe renders a JSON value with its type: `1 (number)`, `"1" (string)`, `null`.
func describe(r gjson.Result) string {
	raw := clip(r.Raw)
	switch {
	case r.Type == gjson.Null:
		return "null"
	case r.Type == gjson.True, r.Type == gjson.False:
		return raw + " (boolean)"
	case r.Type == gjson.Number:
		return raw + " (number)"
	case r.Type == gjson.String:
		return raw + " (string)"
	case r.IsArray():
		return fmt.Sprintf("%s (array of %d)", raw, len(r.Array()))
	}
	return raw + " (object)"
}

// snippet quotes the first snippetMax bytes of b, noting the full length when cut.
func snippet(b []byte) string {
	if len(b) <= snippetMax {
		return strconv.Quote(strings.ToValidUTF8(string(b), "\uFFFD"))
	}
	return fmt.Sprintf("%s… (%d bytes)", strconv.Quote(strings.ToValidUTF8(cut(string(b)), "\uFFFD")), len(b))
}

// clip returns s cut to snippetMax bytes, with "…" when cut.
func clip(s string) string {
	if len(s) <= snippetMax {
		return s
	}
	return cut(s) + "…"
}

// cut returns s's first snippetMax bytes, backing off to a rune boundary.
func cut(s string) string {
	i := snippetMax
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i]
}
