package report

import (
	"time"
)

// sampleSummary returns a run with one scenario of every status, and text that needs
// escaping in every format.
func sampleSummary() *Summary {
	tx := func(line, status string) Exchange {
		return Exchange{
			Request: line, Status: status, DurationMS: 3, Attempts: 1,
			Transcript: "> " + line + "\n> Authorization: Bearer [REDACTED]\n< HTTP/1.1 " + status + "\n<\n< {\"detail\":\"<script>alert(1)</script> & more\"}\n",
			Curl:       "curl -sS -i -X GET 'http://127.0.0.1/scim/v2/Users' \\\n  -H \"Authorization: Bearer $SCIMCHECK_TOKEN\"\n",
		}
	}
	failMsg := "POST /scim/v2/Users HTTP/1.1\n  HTTP status: expected 409, got 201 Created\n  body: \"<b>dup</b>\"\n  because: a second POST must be refused (okta-wire §2.5)"
	dup := &Failure{
		Grade: "okta", Request: "POST /scim/v2/Users HTTP/1.1", Status: 201,
		Path: "HTTP status", Expected: "409", Actual: "201 Created", Notes: []string{`body: "<b>dup</b>"`},
		Because: "a second POST must be refused (okta-wire §2.5)", Okta: "Okta links the second user to the first account",
		Diagnosis: "a second POST must be refused with 409", Cause: "no-409-on-duplicate",
	}
	return &Summary{
		Version:    "(devel)",
		Target:     Target{URL: "http://127.0.0.1:8080/scim/v2", InProcess: true, Quirks: []string{"no-409-on-duplicate"}},
		Seed:       42,
		RunID:      "scabcd",
		OktaMode:   "both",
		Selection:  Selection{Tags: "@push-users"},
		StartedAt:  time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC),
		DurationMS: 1234, Requests: 17,
		Result: ResultFailed, ExitCode: 1,
		Counts: Counts{Total: 10, Selected: 5, NotSelected: 5, Passed: 1, Failed: 1, Waived: 1, Skipped: 1, Errors: 1},
		FailOn: "review",
		Causes: []Cause{{ID: "C1", Key: "no-409-on-duplicate", Grade: "okta", Diagnosis: "a second POST must be refused with 409",
			Message: failMsg, Failure: dup, Failed: []string{"Push users › a second POST is refused with 409 <&>"}, Blocked: []string{"Push users › a user is linked"}}},
		Findings: []Cause{{ID: "C2", Key: "list-items-per-page", Grade: "review", Check: "list-items-per-page", Diagnosis: "itemsPerPage must count", Seen: 3,
			Failure: &Failure{Check: "list-items-per-page", Grade: "review", Request: "GET /scim/v2/Users?count=2 HTTP/1.1", Status: 200,
				Path: "itemsPerPage", Expected: "1 (number): the count of Resources", Actual: "2 (number)", Notes: []string{"response: 200 OK"}},
			Failed: []string{"Import › pages"}, Blocked: []string{"Import › more pages"}}},
		Capabilities: []Capability{
			{Name: "Connection", Tag: "@connection", Status: StatusSkipped, BlockedBy: []string{"C1"}, Detail: "skipped: not selected by --tags (3 scenarios)", Counts: Counts{Total: 3, NotSelected: 3}},
			{Name: "Push users", Tag: "@push-users", Status: StatusFailed, Okta: "broken", Review: 1, BlockedBy: []string{"C1"}, Detail: "1 passed, 1 failed, 1 waived, 1 skipped, 1 harness error of 5", Counts: Counts{Total: 5, Selected: 5, Passed: 1, Failed: 1, Waived: 1, Skipped: 1, Errors: 1}},
		},
		Scenarios: []Scenario{
			{
				Name: "a user is created", Feature: "Push users", Capability: "Push users", Location: "okta/push-users.feature:15",
				Tags: []string{"@push-users", "@must"}, Status: StatusPassed, DurationMS: 12,
				Steps:     []Step{{Keyword: "Given", Text: `Okta has a user "ada"`, Status: "passed"}, {Keyword: "Then", Text: "it is there", Status: "passed"}},
				Exchanges: []Exchange{tx("POST /scim/v2/Users HTTP/1.1", "201 Created")},
			},
			{
				Name: "a second POST is refused with 409 <&>", Feature: "Push users", Capability: "Push users", Location: "okta/push-users.feature:44",
				Tags: []string{"@push-users"}, Status: StatusFailed, DurationMS: 20, Message: failMsg, Grade: "okta", Cause: "C1", Failure: dup,
				Rerun: "scimcheck run --name '^a second POST$' --seed 42 --trace-dir -",
				Steps: []Step{
					{Keyword: "Given", Text: `Okta has provisioned "ada"`, Status: "passed"},
					{Keyword: "When", Text: `Okta sends the same POST for "ada" again`, Status: "passed"},
					{Keyword: "Then", Text: "the response is a SCIM error with status 409", Status: "failed", Message: failMsg},
					{Keyword: "And", Text: "the app has exactly one user", Status: "skipped"},
				},
				Exchanges: []Exchange{tx("POST /scim/v2/Users HTTP/1.1", "201 Created"), tx("POST /scim/v2/Users HTTP/1.1", "201 Created")},
			},
			{
				Name: "the look-up is case-insensitive", Feature: "Push users", Capability: "Push users", Location: "okta/push-users.feature:51",
				Tags: []string{"@push-users"}, Status: StatusWaived, DurationMS: 8, Waiver: "JIRA-123: fixed in 2.4",
				Message: "GET /scim/v2/Users?filter=… HTTP/1.1\n  totalResults: expected 1 (number), got 0 (number)",
				Failure: &Failure{Check: "lookup-case-insensitive", Grade: "okta", Request: "GET /scim/v2/Users?filter=… HTTP/1.1", Status: 200,
					Path: "totalResults", Expected: "1 (number)", Actual: "0 (number)"},
				Rerun: "scimcheck run --name '^the look-up$' --seed 42 --trace-dir -",
				Steps: []Step{{Keyword: "When", Text: "Okta looks up", Status: "failed"}},
			},
			{
				Name: "ETags are honoured", Feature: "Push users", Capability: "Push users", Location: "okta/push-users.feature:90",
				Tags: []string{"@push-users", "@needs:etag"}, Status: StatusSkipped, Message: "the target does not support ETags",
				Steps: []Step{{Keyword: "Given", Text: "the target supports ETags", Status: "skipped"}},
			},
			{
				Name: "a step panics", Feature: "Push users", Capability: "Push users", Location: "okta/push-users.feature:99",
				Tags: []string{"@push-users"}, Status: StatusError, Message: "panic in step \"x\": boom\n  HTTP status: expected 200, got <i>500</i>",
				Rerun: "scimcheck run --name '^a step panics$' --seed 42 --trace-dir -",
			},
		},
		Waivers: Waivers{
			File:    "waivers.json",
			Stale:   []Waiver{{Name: "an old failure", Reason: "fixed long ago"}},
			Unknown: []Waiver{{Name: "no such scenario", Reason: "typo"}},
		},
	}
}
