package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWriteHTML(t *testing.T) {
	tests := []struct {
		name      string
		edit      func(s *Summary)
		want, not []string
	}{
		{
			name: "the capability table, the failures and every scenario",
			want: []string{
				`<table class="caps">`, `<a href="#cap1">Push users</a>`, "✗ FAIL",
				"skipped: not selected by --tags (3 scenarios)",
				`<section id="failures">`,
				`HTTP status</span>: expected <mark class="exp">409</mark>, got <mark class="got">201 Created</mark>`,
				`totalResults</span>: expected <mark class="exp">1 (number)</mark>, got <mark class="got">0 (number)</mark>`,
				`<span class="tag-word">because</span> a second POST must be refused`,
				"scimcheck run --name &#39;^a second POST$&#39; --seed 42 --trace-dir -",
				`<details class="scenario st-failed" id="s2" data-status="failed" open>`,
				`<details class="scenario st-passed" id="s1" data-status="passed">`,
				`<span class="kw">Then</span> the response is a SCIM error with status 409`,
				"HTTP transcript: 2 requests", "as a curl command",
				"Waived</strong> by the expected-failures file: JIRA-123: fixed in 2.4",
				"Stale: listed, but passed", "<strong>an old failure</strong>: fixed long ago",
				"Unknown: no scenario has this name", "Skipped: the target does not support ETags",
				"ERROR", `panic in step &#34;x&#34;: boom`,
				"with the deliberate defects no-409-on-duplicate",
				"Failed: 1 of 5 selected scenarios failed",
			},
		},
		{
			name: "everything is escaped",
			want: []string{
				"a second POST is refused with 409 &lt;&amp;&gt;",
				"&lt;script&gt;alert(1)&lt;/script&gt; &amp; more",
				"&lt;b&gt;dup&lt;/b&gt;",
			},
			not: []string{"<script>alert(1)", "<b>dup</b>", "409 <&>"},
		},
		{
			name: "self-contained: no network",
			not:  []string{"http://fonts", "https://", "<link", "<script src", "@import", "url("},
		},
		{
			name: "a passing run",
			edit: func(s *Summary) {
				s.Result, s.Counts = ResultPassed, Counts{Total: 1, Selected: 1, Passed: 1}
				s.Scenarios = s.Scenarios[:1]
				s.Waivers = Waivers{}
				s.Target = Target{URL: "https://app.example.com/scim/v2"}
			},
			want: []string{"Passed: 1 of 1 selected scenarios", `class="verdict passed"`, "<code>https://app.example.com/scim/v2</code>"},
			not:  []string{`<section id="failures">`, `<section id="waivers">`, "deliberate defects"},
		},
		{
			name: "an interrupted run",
			edit: func(s *Summary) { s.Result = ResultInterrupted },
			want: []string{"Interrupted: the results are incomplete"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := sampleSummary()
			if tc.edit != nil {
				tc.edit(s)
			}
			var b bytes.Buffer
			require.NoError(t, WriteHTML(&b, s))
			page := b.String()
			assert.True(t, strings.HasPrefix(page, "<!DOCTYPE html>"), page[:min(len(page), 200)])
			for _, w := range tc.want {
				assert.Contains(t, page, w)
			}
			for _, n := range tc.not {
				assert.NotContains(t, page, n)
			}
		})
	}
}

func TestMessageLines(t *testing.T) {
	tests := []struct {
		line string
		want msgLine
	}{
		{"GET /scim/v2/Users/1 HTTP/1.1", msgLine{Kind: "request", Text: "GET /scim/v2/Users/1 HTTP/1.1"}},
		{"  HTTP status: expected 200, got 404 Not Found", msgLine{Kind: "finding", Indent: "  ", Path: "HTTP status", Expected: "200", Actual: "404 Not Found"}},
		{`  active: expected false (boolean), got "false" (string)`, msgLine{Kind: "finding", Indent: "  ", Path: "active", Expected: "false (boolean)", Actual: `"false" (string)`}},
		{"  id: missing, expected a non-empty string", msgLine{Kind: "missing", Indent: "  ", Path: "id", Expected: "a non-empty string"}},
		{"  body: expected a JSON object, but the body is empty", msgLine{Kind: "unreadable", Indent: "  ", Path: "body", Expected: "a JSON object", Actual: "the body is empty"}},
		{"  because: Okta needs it (okta-wire §4)", msgLine{Kind: "because", Indent: "  ", Text: "Okta needs it (okta-wire §4)"}},
		{"    what Okta does: the task fails", msgLine{Kind: "okta", Indent: "    ", Text: "the task fails"}},
		{"expected 2 users, got 3", msgLine{Kind: "finding", Expected: "2 users", Actual: "3"}},
		{"  detail: \"nope\"", msgLine{Kind: "text", Text: "  detail: \"nope\""}},
		{"diagnosis: the look-up is case-sensitive", msgLine{Kind: "diagnosis", Text: "the look-up is case-sensitive"}},
	}
	for _, tc := range tests {
		t.Run(tc.line, func(t *testing.T) {
			assert.Equal(t, []msgLine{tc.want}, messageLines(tc.line))
		})
	}
	assert.Nil(t, messageLines(" \n"))
}
