package report

import (
	"bufio"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"time"
)

//go:embed report.html.tmpl
var htmlSource string

// htmlPage is report.html's template, parsed once per WriteHTML call (no package state); its
// scenarios are written straight to out, where the template is writing.
func htmlPage(out markupWriter) (*template.Template, error) {
	return template.New("report").Funcs(template.FuncMap{
		"icon":  icon,
		"label": label,
		"ms":    formatMS,
		"inc":   func(n int) int { return n + 1 },
		"http":  httpClass,
		// the parts that repeat, written from the fields (htmlparts.go)
		"scenario": func(sc htmlScenario) template.HTML { (&htmlParts{markupWriter: out}).scenario(sc); return "" },
		"failure":  failureHTML,
		"message":  messageHTML,
		"rerun":    rerunHTML,
	}).Parse(htmlSource)
}

// htmlView is what the template renders.
type htmlView struct {
	*Summary
	Verdict, VerdictClass string
	Started, Duration     string
	Failures, Waived      []htmlScenario
	Groups                []htmlGroup
}

// htmlGroup is the scenarios of one capability.
type htmlGroup struct {
	Name, Status string
	Scenarios    []htmlScenario
}

// htmlScenario is a Scenario with its anchor.
type htmlScenario struct {
	Scenario
	ID string
}

// WriteHTML writes s as report.html: one self-contained page (inline CSS, a few lines of
// inline script, no network) with the capability table, the failures with their expected
// and actual values, every scenario with its steps, and each HTTP exchange expandable.
// A failure is rendered from its fields (Scenario.Failure: diagnosis, request, path, expected
// and actual, grade, what Okta does); a message without them (a harness error, a request
// that got no answer) is shown as it is, preformatted, never interpreted. Everything is
// escaped by html/template. Errors: a template bug, or those of w.
func WriteHTML(w io.Writer, s *Summary) error {
	bw := bufio.NewWriterSize(w, 64<<10) // w itself when it is a bufio.Writer as large
	t, err := htmlPage(bw)
	if err != nil {
		return fmt.Errorf("parse the report template: %w", err)
	}
	ns := s.normalized()
	v := htmlView{Summary: &ns}
	v.Verdict, v.VerdictClass = verdict(&ns)
	if !ns.StartedAt.IsZero() {
		v.Started = ns.StartedAt.UTC().Format("2006-01-02 15:04:05 UTC")
	}
	v.Duration = (time.Duration(ns.DurationMS) * time.Millisecond).String()
	groups := map[string]int{}
	for _, c := range ns.Capabilities {
		groups[c.Name] = len(v.Groups)
		v.Groups = append(v.Groups, htmlGroup{Name: c.Name, Status: c.Status})
	}
	for i, sc := range ns.Scenarios {
		hs := htmlScenario{Scenario: sc, ID: fmt.Sprintf("s%d", i+1)}
		switch sc.Status {
		case StatusFailed, StatusError:
			v.Failures = append(v.Failures, hs)
		case StatusWaived:
			v.Waived = append(v.Waived, hs)
		}
		g, ok := groups[sc.Capability]
		if !ok {
			g = len(v.Groups)
			groups[sc.Capability] = g
			v.Groups = append(v.Groups, htmlGroup{Name: sc.Capability, Status: sc.Status})
		}
		v.Groups[g].Scenarios = append(v.Groups[g].Scenarios, hs)
	}
	if err := t.Execute(bw, v); err != nil {
		return err
	}
	return bw.Flush()
}

// verdict returns the headline of the page and its CSS class.
func verdict(s *Summary) (string, string) {
	c := s.Counts
	switch s.Result {
	case ResultPassed:
		text := fmt.Sprintf("Passed: %d of %d selected scenarios", c.Passed, c.Selected)
		if c.Waived > 0 {
			text += fmt.Sprintf(", %d known failure(s) waived", c.Waived)
		}
		return text, "passed"
	case ResultFailed:
		return fmt.Sprintf("Failed: %d of %d selected scenarios failed", c.Failed, c.Selected), "failed"
	case ResultInterrupted:
		return "Interrupted: the results are incomplete", "skipped"
	case ResultDeadline:
		return "Deadline reached (--deadline): the results are incomplete", "skipped"
	}
	return "Error: scimcheck itself failed; no verdict on the target", "error"
}

// icon returns the symbol shown for a status.
func icon(status string) string {
	switch status {
	case StatusPassed:
		return "✓"
	case StatusFailed:
		return "✗"
	case StatusWaived:
		return "≈"
	case StatusPartial:
		return "◐"
	case StatusError, "undefined", "pending", "ambiguous":
		return "!"
	}
	return "–"
}

// label returns the word shown for a status.
func label(status string) string {
	switch status {
	case StatusPassed:
		return "pass"
	case StatusFailed:
		return "FAIL"
	case StatusError:
		return "ERROR"
	case "":
		return "not run"
	}
	return status
}

// httpClass returns the CSS class of a response status such as "201 Created": h2xx, h3xx,
// h4xx, h5xx, or hnone when no response came.
func httpClass(status string) string {
	if len(status) == 0 || status[0] < '1' || status[0] > '5' {
		return "hnone"
	}
	return "h" + status[:1] + "xx"
}

// formatMS renders a duration in milliseconds for reading: "<1 ms", "12 ms", "1.3 s".
func formatMS(ms int64) string {
	if ms < 1 {
		return "<1 ms"
	}
	if ms < 1000 {
		return fmt.Sprintf("%d ms", ms)
	}
	return fmt.Sprintf("%.1f s", float64(ms)/1000)
}
