package report

import (
	"bytes"
	"encoding/xml"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// parsedJUnit is junit.xml as a CI server reads it.
type parsedJUnit struct {
	Tests    int `xml:"tests,attr"`
	Failures int `xml:"failures,attr"`
	Errors   int `xml:"errors,attr"`
	Skipped  int `xml:"skipped,attr"`
	Suites   []struct {
		Name  string `xml:"name,attr"`
		Tests int    `xml:"tests,attr"`
		Cases []struct {
			Name       string `xml:"name,attr"`
			Classname  string `xml:"classname,attr"`
			Time       string `xml:"time,attr"`
			Properties []struct {
				Name  string `xml:"name,attr"`
				Value string `xml:"value,attr"`
			} `xml:"properties>property"`
			Failure *struct {
				Message string `xml:"message,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
			Error *struct {
				Message string `xml:"message,attr"`
			} `xml:"error"`
			Skipped *struct {
				Message string `xml:"message,attr"`
				Text    string `xml:",chardata"`
			} `xml:"skipped"`
			SystemOut string `xml:"system-out"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func TestWriteJUnit(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, WriteJUnit(&b, sampleSummary()))
	var doc parsedJUnit
	require.NoError(t, xml.Unmarshal(b.Bytes(), &doc), b.String())
	assert.Equal(t, 5, doc.Tests)
	assert.Equal(t, 1, doc.Failures)
	assert.Equal(t, 1, doc.Errors)
	assert.Equal(t, 2, doc.Skipped, "a waived failure is a skip with its reason")
	require.Len(t, doc.Suites, 1)
	cases := doc.Suites[0].Cases
	require.Len(t, cases, 5)

	tests := []struct {
		name  string
		index int
		check func(t *testing.T)
	}{
		{"passed: no problem element, the transcript in system-out", 0, func(t *testing.T) {
			c := cases[0]
			assert.Nil(t, c.Failure)
			assert.Nil(t, c.Skipped)
			assert.Equal(t, "0.012", c.Time)
			assert.Contains(t, c.SystemOut, "> POST /scim/v2/Users HTTP/1.1")
			assert.Contains(t, c.SystemOut, "seed: 42, run id: scabcd")
		}},
		{"failed: the first line as message, the whole message and the rerun command as text", 1, func(t *testing.T) {
			c := cases[1]
			require.NotNil(t, c.Failure)
			assert.Equal(t, "a second POST is refused with 409 <&>", c.Name, "escaped and read back")
			assert.Equal(t, "POST /scim/v2/Users HTTP/1.1", c.Failure.Message)
			assert.Contains(t, c.Failure.Text, "HTTP status: expected 409, got 201 Created")
			assert.Contains(t, c.Failure.Text, `body: "<b>dup</b>"`)
			assert.Contains(t, c.Failure.Text, "rerun: scimcheck run --name")
			assert.Contains(t, c.SystemOut, "# 2/2")
			assert.Contains(t, c.SystemOut, `<script>alert(1)</script> & more`)
		}},
		{"waived: skipped with the reason, the failure kept, a status property", 2, func(t *testing.T) {
			c := cases[2]
			assert.Nil(t, c.Failure)
			require.NotNil(t, c.Skipped)
			assert.Equal(t, "waived: JIRA-123: fixed in 2.4", c.Skipped.Message)
			assert.Contains(t, c.Skipped.Text, "totalResults: expected 1 (number), got 0 (number)")
			assert.Contains(t, c.Properties, struct {
				Name  string `xml:"name,attr"`
				Value string `xml:"value,attr"`
			}{"scimcheck.status", "waived"})
		}},
		{"skipped: the reason", 3, func(t *testing.T) {
			require.NotNil(t, cases[3].Skipped)
			assert.Equal(t, "the target does not support ETags", cases[3].Skipped.Message)
			assert.Empty(t, cases[3].SystemOut, "no request, no transcript")
		}},
		{"harness error: an error, not a failure", 4, func(t *testing.T) {
			assert.Nil(t, cases[4].Failure)
			require.NotNil(t, cases[4].Error)
			assert.Equal(t, `panic in step "x": boom`, cases[4].Error.Message)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, tc.check)
	}
}

func TestWriteJUnitOneSuitePerFeature(t *testing.T) {
	s := sampleSummary()
	s.Scenarios[0].Feature = "Connection"
	var b bytes.Buffer
	require.NoError(t, WriteJUnit(&b, s))
	var doc parsedJUnit
	require.NoError(t, xml.Unmarshal(b.Bytes(), &doc))
	require.Len(t, doc.Suites, 2)
	assert.Equal(t, "Connection", doc.Suites[0].Name)
	assert.Equal(t, 1, doc.Suites[0].Tests)
	assert.Equal(t, 4, doc.Suites[1].Tests)
}

func TestWriteJUnitGradesAndBlocks(t *testing.T) {
	s := sampleSummary()
	s.FailOn = "review"
	s.Scenarios = []Scenario{
		{Name: "op names in any case", Feature: "Deactivate users", Status: StatusFailed, Grade: "rfc", Cause: "C2", Message: "PATCH … HTTP/1.1"},
		{Name: "itemsPerPage counts", Feature: "Import", Status: StatusFailed, Grade: "review", Cause: "C3", Message: "GET … HTTP/1.1"},
		{Name: "deactivation", Feature: "Deactivate users", Status: StatusBlocked, BlockedBy: "C1", Message: "set-up broke"},
	}
	var b bytes.Buffer
	require.NoError(t, WriteJUnit(&b, s))
	out := b.String()
	assert.Contains(t, out, `<skipped message="finding at rfc grade, below --fail-on review: PATCH … HTTP/1.1">`,
		"an rfc failure does not fail a run gated at review, nor CI's view of it")
	assert.Contains(t, out, `<failure message="GET … HTTP/1.1" type="failed">`, "a review failure fails a run gated at review")
	assert.Contains(t, out, `<failure message="blocked by C1: set-up broke" type="blocked">`)
	assert.Contains(t, out, `<property name="scimcheck.grade" value="rfc">`)
	assert.Contains(t, out, `<property name="scimcheck.blockedBy" value="C1">`)
	assert.Contains(t, out, `failures="2"`)
}
