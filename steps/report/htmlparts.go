package report

import (
	"html/template"
	"io"
	"strconv"
	"strings"
)

// The parts of report.html that repeat for every scenario, cause and failure: the scenario
// with its steps and HTTP exchanges, a failure from its fields, a message, a rerun command.
// They are written from the fields by hand, not by html/template, whose reflection-driven walk
// over thousands of exchanges was most of what --report cost; report.html.tmpl lays out the
// page around them. Every value goes through esc, which escapes exactly as html/template does
// in text and in quoted attribute values.

// htmlParts writes parts of report.html to its writer: report.html's own, for the scenarios,
// which are most of the page (through the template they would be copied twice more), or a
// string for the template (htmlString).
type htmlParts struct {
	markupWriter
	scratch []byte // esc's
}

// markupWriter is where htmlParts and xmlWriter write: a bufio.Writer or a strings.Builder.
type markupWriter interface {
	io.Writer
	io.StringWriter
}

// htmlString returns what write writes, as markup for the page template.
func htmlString(write func(w *htmlParts)) template.HTML {
	var b strings.Builder
	write(&htmlParts{markupWriter: &b})
	return template.HTML(b.String()) //nolint:gosec // every value in it went through esc
}

// htmlEscapes is how html/template writes each ASCII byte of a value in text and in quoted
// attribute values: "" for as it is.
var htmlEscapes = [128]string{0: "\uFFFD", '"': "&#34;", '&': "&amp;", '\'': "&#39;", '+': "&#43;", '<': "&lt;", '>': "&gt;"}

// esc writes s escaped as html/template escapes text and quoted attribute values (appendHTML).
func (w *htmlParts) esc(s string) {
	w.scratch = appendHTML(w.scratch[:0], s)
	_, _ = w.Write(w.scratch)
}

// htmlTextEscapes is how report.html writes each ASCII byte of the text of a <pre> (a
// transcript, a curl command), where quotes and '+' mean nothing: "" for as it is.
var htmlTextEscapes = [128]string{0: "\uFFFD", '&': "&amp;", '<': "&lt;", '>': "&gt;"}

// text writes s as the text of an element (appendHTMLText).
func (w *htmlParts) text(s string) {
	w.scratch = appendHTMLText(w.scratch[:0], s)
	_, _ = w.Write(w.scratch)
}

// appendHTMLText appends s to dst escaped for the text of an element, never an attribute: '&',
// '<' and '>' as entities, NUL as U+FFFD, everything else as it is. A transcript's JSON keeps
// its quotes: a fifth of report.html's bytes were "&#34;".
func appendHTMLText(dst []byte, s string) []byte {
	return appendEscaped(dst, s, &htmlTextEscapes)
}

// appendEscaped appends s to dst with each ASCII byte that escapes has an entry for replaced
// by it, and everything else as it is.
func appendEscaped(dst []byte, s string, escapes *[128]string) []byte {
	last := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 128 && escapes[c] != "" {
			dst = append(dst, s[last:i]...)
			dst = append(dst, escapes[c]...)
			last = i + 1
		}
	}
	return append(dst, s[last:]...)
}

// appendHTML appends s to dst escaped as html/template escapes text and quoted attribute
// values: the five HTML specials and '+' as entities, NUL as U+FFFD, everything else (invalid
// UTF-8 included) as it is.
func appendHTML(dst []byte, s string) []byte {
	return appendEscaped(dst, s, &htmlEscapes)
}

// failureHTML renders a failure from its fields: diagnosis, request line, the path with
// expected and actual (or missing, or unreadable), notes, the requirement, the grade and
// what Okta does, and the check's id.
func failureHTML(f *Failure) template.HTML {
	return htmlString(func(w *htmlParts) { w.failure(f) })
}

func (w *htmlParts) failure(f *Failure) {
	w.WriteString(`<pre class="message failure">`)
	if f.Diagnosis != "" {
		w.WriteString(`<span class="line k-diagnosis"><span class="tag-word">Diagnosis:</span> `)
		w.esc(f.Diagnosis)
		w.WriteString("</span>\n")
	}
	w.WriteString(`<span class="line k-request">`)
	w.esc(f.Request)
	w.WriteString("</span>\n  ")
	switch {
	case f.Unreadable != "":
		w.WriteString(`<span class="line k-unreadable"><span class="path">`)
		w.esc(f.Path)
		w.WriteString(`</span>: expected <mark class="exp">`)
		w.esc(f.Expected)
		w.WriteString(`</mark>, but <mark class="got">`)
		w.esc(f.Unreadable)
		w.WriteString(`</mark></span>`)
	case f.Missing:
		w.WriteString(`<span class="line k-missing"><span class="path">`)
		w.esc(f.Path)
		w.WriteString(`</span>: <mark class="got">missing</mark>, expected <mark class="exp">`)
		w.esc(f.Expected)
		w.WriteString(`</mark></span>`)
	default:
		w.WriteString(`<span class="line k-finding"><span class="path">`)
		w.esc(f.Path)
		w.WriteString(`</span>: expected <mark class="exp">`)
		w.esc(f.Expected)
		w.WriteString(`</mark>, got <mark class="got">`)
		w.esc(f.Actual)
		w.WriteString(`</mark></span>`)
	}
	w.WriteString("\n")
	for _, n := range f.Notes {
		w.WriteString(`  <span class="line k-note">`)
		w.esc(n)
		w.WriteString("</span>\n")
	}
	if f.Because != "" {
		w.WriteString(`  <span class="line k-because"><span class="tag-word">because</span> `)
		w.esc(f.Because)
		w.WriteString("</span>\n")
	}
	w.WriteString(`  <span class="line k-okta"><span class="grade g-`)
	w.esc(f.Grade)
	w.WriteString(`" title="how much it matters">`)
	w.esc(f.Grade)
	w.WriteString(` grade</span>`)
	if f.Okta != "" {
		w.WriteString(` <span class="tag-word">what Okta does</span> `)
		w.esc(f.Okta)
	}
	w.WriteString(`</span>`)
	if f.Check != "" {
		w.WriteString("\n  <span class=\"line k-check\">check <code class=\"check\">")
		w.esc(f.Check)
		w.WriteString(`</code></span>`)
	}
	w.WriteString("\n</pre>")
}

// messageHTML renders a scenario's failure from its fields followed by its message as text,
// or, without the fields, the message alone, preformatted.
func messageHTML(sc htmlScenario) template.HTML {
	return htmlString(func(w *htmlParts) { w.message(&sc.Scenario) })
}

func (w *htmlParts) message(sc *Scenario) {
	if sc.Failure != nil {
		w.failure(sc.Failure)
		w.WriteString("\n")
		if sc.Message != "" {
			w.WriteString(`<details class="as-text"><summary>the message as text</summary><pre class="message plain">`)
			w.esc(sc.Message)
			w.WriteString(`</pre></details>`)
		}
		return
	}
	if sc.Message != "" {
		w.WriteString(`<pre class="message plain">`)
		w.esc(sc.Message)
		w.WriteString(`</pre>`)
	}
}

// rerunHTML renders a rerun command; "" for none.
func rerunHTML(cmd string) template.HTML {
	return htmlString(func(w *htmlParts) { w.rerun(cmd) })
}

func (w *htmlParts) rerun(cmd string) {
	if cmd == "" {
		return
	}
	w.WriteString(`<div class="rerun"><span class="rerun-label">Rerun just this scenario, with its transcript:</span><pre><code>`)
	w.esc(cmd)
	w.WriteString(`</code></pre></div>`)
}

// scenario writes one scenario: a details element, open when it failed, with its steps, its
// failure, its rerun command and its HTTP exchanges.
func (w *htmlParts) scenario(sc htmlScenario) {
	w.WriteString(`<details class="scenario st-`)
	w.esc(sc.Status)
	w.WriteString(`" id="`)
	w.esc(sc.ID)
	w.WriteString(`" data-status="`)
	w.esc(sc.Status)
	w.WriteString(`"`)
	if sc.Status == StatusFailed || sc.Status == StatusError {
		w.WriteString(` open`)
	}
	w.WriteString(">\n<summary>")
	w.badge(sc.Status)
	w.WriteString(`<span class="name">`)
	w.esc(sc.Name)
	w.WriteString(`</span><span class="dur">`)
	w.esc(formatMS(sc.DurationMS))
	w.WriteString("</span></summary>\n<div class=\"body\">\n<p class=\"where\"><span class=\"loc\">")
	w.esc(sc.Feature)
	w.WriteString(" · ")
	w.esc(sc.Location)
	w.WriteString(`</span>`)
	for _, t := range sc.Tags {
		w.WriteString(` <span class="tag">`)
		w.esc(t)
		w.WriteString(`</span>`)
	}
	w.WriteString("</p>\n")
	if sc.Waiver != "" {
		w.WriteString(`<p class="waiver"><strong>Waived</strong> by the expected-failures file: `)
		w.esc(sc.Waiver)
		w.WriteString(`</p>`)
	}
	w.WriteString("\n")
	if sc.Status == StatusSkipped && sc.Message != "" {
		w.WriteString(`<p class="skip-reason">Skipped: `)
		w.esc(sc.Message)
		w.WriteString(`</p>`)
	}
	w.WriteString("\n")
	if sc.BlockedBy != "" {
		w.WriteString(`<p class="blocked-by">`)
		if sc.Status == StatusBlocked {
			w.WriteString(`<strong>Blocked by `)
			w.esc(sc.BlockedBy)
			w.WriteString(`</strong>: Okta's own set-up of this scenario broke on it`)
		} else {
			w.WriteString(`Okta's own set-up of this scenario broke on <strong>`)
			w.esc(sc.BlockedBy)
			w.WriteString(`</strong>; it was set up directly instead`)
		}
		w.WriteString(`.</p>`)
	}
	w.WriteString("\n<ol class=\"steps\">")
	for _, st := range sc.Steps {
		w.WriteString("\n<li class=\"step ss-")
		w.esc(st.Status)
		w.WriteString(`"><span class="step-icon" title="`)
		w.esc(st.Status)
		w.WriteString(`">`)
		w.esc(icon(st.Status))
		w.WriteString(`</span> <span class="kw">`)
		w.esc(st.Keyword)
		w.WriteString(`</span> `)
		w.esc(st.Text)
		if st.Message != "" && st.Status != StatusFailed {
			w.WriteString(` <span class="step-note">(`)
			w.esc(st.Message)
			w.WriteString(`)</span>`)
		}
		if st.Argument != "" {
			w.WriteString(`<pre class="arg">`)
			w.esc(st.Argument)
			w.WriteString(`</pre>`)
		}
		w.WriteString(`</li>`)
	}
	w.WriteString("\n</ol>\n")
	if sc.Status != StatusSkipped {
		w.message(&sc.Scenario)
	}
	w.WriteString("\n")
	w.rerun(sc.Rerun)
	w.WriteString("\n")
	if len(sc.Exchanges) > 0 {
		w.exchanges(&sc.Scenario)
	}
	w.WriteString("\n</div>\n</details>")
}

// badge writes a status badge: its icon and its word.
func (w *htmlParts) badge(status string) {
	w.WriteString(`<span class="badge b-`)
	w.esc(status)
	w.WriteString(`" title="`)
	w.esc(status)
	w.WriteString(`">`)
	w.esc(icon(status))
	w.WriteString(" ")
	w.esc(label(status))
	w.WriteString(`</span>`)
}

// exchanges writes a scenario's HTTP transcript: each exchange expandable, with its curl
// command when it has one.
func (w *htmlParts) exchanges(sc *Scenario) {
	n := len(sc.Exchanges)
	w.WriteString(`<details class="transcript"><summary>HTTP transcript: `)
	w.WriteString(strconv.Itoa(n))
	w.WriteString(" request")
	if n != 1 {
		w.WriteString("s")
	}
	if sc.OmittedExchanges != 0 {
		w.WriteString(" (the last ones; ")
		w.WriteString(strconv.Itoa(sc.OmittedExchanges))
		w.WriteString(" earlier not shown, --trace-dir has them all)")
	}
	w.WriteString("</summary>\n<ol class=\"exchanges\" start=\"")
	w.WriteString(strconv.Itoa(sc.OmittedExchanges + 1))
	w.WriteString(`">`)
	for _, ex := range sc.Exchanges {
		w.WriteString("\n<li><details class=\"exchange\"><summary><code>")
		w.esc(ex.Request)
		w.WriteString(`</code> <span class="arrow">→</span> <span class="http `)
		w.esc(httpClass(ex.Status))
		w.WriteString(`">`)
		w.esc(ex.Status)
		w.WriteString(`</span> <span class="dur">`)
		w.esc(formatMS(ex.DurationMS))
		if ex.Attempts > 1 {
			w.WriteString(" · ")
			w.WriteString(strconv.Itoa(ex.Attempts))
			w.WriteString(" attempts")
		}
		w.WriteString("</span></summary>\n<pre class=\"wire\">")
		esc := ex.escapedFor()
		if esc != nil {
			w.WriteString(esc.transcript)
		} else {
			w.text(ex.Transcript)
		}
		w.WriteString("</pre>\n")
		if ex.Curl != "" {
			w.WriteString(`<details class="curl"><summary>as a curl command</summary><pre class="wire">`)
			if esc != nil {
				w.WriteString(esc.curl)
			} else {
				w.text(ex.Curl)
			}
			w.WriteString(`</pre></details>`)
		}
		w.WriteString("\n</details></li>")
	}
	w.WriteString("\n</ol></details>")
}
