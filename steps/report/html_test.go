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
				`<span class="line k-finding"><span class="path">HTTP status</span>: expected <mark class="exp">409</mark>, got <mark class="got">201 Created</mark></span>`,
				`<span class="line k-finding"><span class="path">totalResults</span>: expected <mark class="exp">1 (number)</mark>, got <mark class="got">0 (number)</mark></span>`,
				`<span class="line k-diagnosis"><span class="tag-word">Diagnosis:</span> a second POST must be refused with 409</span>`,
				`<span class="line k-request">POST /scim/v2/Users HTTP/1.1</span>`,
				`<span class="line k-because"><span class="tag-word">because</span> a second POST must be refused (okta-wire §2.5)</span>`,
				`<span class="grade g-okta" title="how much it matters">okta grade</span> <span class="tag-word">what Okta does</span> Okta links the second user to the first account`,
				`check <code class="check">lookup-case-insensitive</code>`,
				`<summary>the message as text</summary>`,
				"scimcheck run --name &#39;^a second POST$&#39; --seed 42 --trace-dir -",
				`<details class="scenario st-failed" id="s2" data-status="failed" open>`,
				`<details class="scenario st-passed" id="s1" data-status="passed">`,
				`<span class="kw">Then</span> the response is a SCIM error with status 409`,
				"HTTP transcript: 2 requests", "as a curl command",
				"Waived</strong> by the expected-failures file: JIRA-123: fixed in 2.4",
				"Stale: listed, but passed", "<strong>an old failure</strong>: fixed long ago",
				"Unknown: no scenario has this name", "Skipped: the target does not support ETags",
				"ERROR", `<pre class="message plain">panic in step &#34;x&#34;: boom` + "\n" + `  HTTP status: expected 200, got &lt;i&gt;500&lt;/i&gt;</pre>`,
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
			name: "a harness error's message is text, never read as a finding",
			not:  []string{`<mark class="exp">200</mark>`, `<mark class="got">&lt;i&gt;500`, "<i>500</i>"},
		},
		{
			name: "hostile values in a failure's fields are escaped",
			edit: func(s *Summary) {
				f := s.Scenarios[1].Failure
				f.Expected, f.Actual = `"<script>alert('x')</script>" (string)`, `"\"><img src=x onerror=alert(1)>" (string)`
				f.Path, f.Diagnosis, f.Notes = `name.<b>given</b>`, `the <em>diagnosis</em> & "more"`, []string{`detail: "</pre><script>alert(2)</script>"`}
			},
			want: []string{
				`<mark class="exp">&#34;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&#34; (string)</mark>`,
				`<mark class="got">&#34;\&#34;&gt;&lt;img src=x onerror=alert(1)&gt;&#34; (string)</mark>`,
				`<span class="path">name.&lt;b&gt;given&lt;/b&gt;</span>`,
				`the &lt;em&gt;diagnosis&lt;/em&gt; &amp; &#34;more&#34;`,
				`detail: &#34;&lt;/pre&gt;&lt;script&gt;alert(2)&lt;/script&gt;&#34;`,
			},
			not: []string{"<script>alert", "<img src=x", "<b>given</b>", "<em>diagnosis</em>"},
		},
		{
			name: "a missing value and an unreadable body",
			edit: func(s *Summary) {
				s.Scenarios[1].Failure.Missing, s.Scenarios[1].Failure.Actual = true, ""
				s.Scenarios[2].Failure.Unreadable, s.Scenarios[2].Failure.Actual = "the body is not JSON: \"<html>\"", ""
			},
			want: []string{
				`<span class="line k-missing"><span class="path">HTTP status</span>: <mark class="got">missing</mark>, expected <mark class="exp">409</mark></span>`,
				`<span class="line k-unreadable"><span class="path">totalResults</span>: expected <mark class="exp">1 (number)</mark>, but <mark class="got">the body is not JSON: &#34;&lt;html&gt;&#34;</mark></span>`,
			},
		},
		{
			name: "a blocked scenario shows its blocker's fields",
			edit: func(s *Summary) {
				s.Scenarios[1].Status, s.Scenarios[1].BlockedBy, s.Scenarios[1].Cause, s.Scenarios[1].Grade = StatusBlocked, "C1", "", ""
			},
			want: []string{
				`<p class="blocked-by"><strong>Blocked by C1</strong>: Okta's own set-up of this scenario broke on it.</p>`,
				`<span class="badge b-blocked" title="blocked">– blocked</span>`,
				`<span class="line k-finding"><span class="path">HTTP status</span>: expected <mark class="exp">409</mark>`,
			},
		},
		{
			name: "a failure message without its fields is text, whatever it says",
			edit: func(s *Summary) {
				s.Scenarios[1].Failure, s.Scenarios[2].Failure = nil, nil
				s.Causes[0].Failure = nil
			},
			want: []string{`<pre class="message plain">POST /scim/v2/Users HTTP/1.1` + "\n" + `  HTTP status: expected 409, got 201 Created`},
			not:  []string{`<mark class="exp">409</mark>`, `class="line k-diagnosis"`, `class="line k-request"`},
		},
		{
			name: "each cause once, with its scenarios, and the grades in the table",
			want: []string{
				`<section id="causes">`,
				`<div class="card cause" id="C1">`,
				`<h3><span class="grade g-okta">C1 · okta</span> a second POST must be refused with 409</h3>`,
				`<strong>Failed 1:</strong> Push users › a second POST is refused with 409 &lt;&amp;&gt;`,
				`<strong>Blocked 1:</strong> Push users › a user is linked`,
				`<td class="okta">broken <a href="#C1">C1</a></td><td class="num">1</td><td class="num">-</td>`,
			},
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
				assert.True(t, strings.Contains(page, w), "report.html lacks %q", w)
			}
			for _, n := range tc.not {
				assert.False(t, strings.Contains(page, n), "report.html holds %q", n)
			}
		})
	}
}
