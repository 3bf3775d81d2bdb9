package runner

import (
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/cucumber/godog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCucumberJSONIsGodogs runs the whole suite against a server that fails some of it, with
// scimcheck's cucumber formatter and godog's side by side: the two files are the same bytes.
func TestCucumberJSONIsGodogs(t *testing.T) {
	ours, theirs := twoCucumberFiles(t, Options{Seed: 7, Formats: []string{"progress"}, Quirks: []string{"deactivated-user-404", "create-returns-200"}})
	assert.Contains(t, theirs, `"embeddings"`, "failed scenarios attach their transcripts")
	assert.Contains(t, theirs, `"error_message"`)
	sameBytes(t, ours, theirs)
}

// constructsFeature holds every Gherkin construct godog's cucumber formatter writes: feature
// comments, tags and description, a background, a doc string with a media type, a data table,
// an outline with two example tables (one tagged), a rule with its own background, and steps
// that pass, fail with an attachment, are pending, undefined, ambiguous or skipped; with text that JSON
// escapes.
var constructsFeature = fstest.MapFS{"okta/constructs.feature": {Data: []byte(`# a comment about the feature
@connection @extra
Feature: Every construct
  A description
  of the "feature" <with> & marks.

  Background:
    Given a step that passes

  Scenario: a doc string and a table
    Some description.
    Given a step with a doc string:
      """json
      {"a": "<b> & \u2028 é 😀"}
      """
    And a step with a table:
      | a | b  |
      | 1 | ✓ |
    Then a step that fails and attaches
    And a step that passes

  @outline
  Scenario Outline: an outline <n>
    Given a step with "<n>"

    @first
    Examples: first set
      | n |
      | 1 |
      | 2 |

    Examples:
      | n |
      | 3 |

  Rule: a rule
    Background:
      Given a step that passes

    Scenario: in a rule
      Given a pending step
      And a step that passes

  Scenario: undefined
    Given a step nobody defined here

  Scenario: ambiguous
    Given an ambiguous step
`)}}

// TestCucumberJSONConstructs: for every construct, scimcheck's cucumber formatter writes the
// bytes godog's does.
func TestCucumberJSONConstructs(t *testing.T) {
	hook := func(sc *godog.ScenarioContext) {
		sc.Step(`^a step that passes$`, func() error { return nil })
		sc.Step(`^a step with a doc string:$`, func(*godog.DocString) error { return nil })
		sc.Step(`^a step with a table:$`, func(*godog.Table) error { return nil })
		sc.Step(`^a step with "(\d)"$`, func(n int) error {
			if n == 2 {
				return errors.New(`two is "wrong" <here> & there`)
			}
			return nil
		})
		sc.Step(`^an ambiguous step$`, func() error { return nil })
		sc.Step(`^an ambiguous .*$`, func() error { return nil })
		sc.Step(`^a pending step$`, func() error { return godog.ErrPending })
		sc.Step(`^a step that fails and attaches$`, func(ctx context.Context) (context.Context, error) {
			ctx = godog.Attach(ctx, godog.Attachment{Body: []byte("one\x00two <&>"), FileName: "one.bin", MediaType: "application/octet-stream"},
				godog.Attachment{Body: nil, FileName: "empty.txt", MediaType: "text/plain"})
			return ctx, errors.New("it failed")
		})
	}
	ours, theirs := twoCucumberFiles(t, Options{features: constructsFeature, scenarioHook: hook})
	for _, want := range []string{`"rows"`, `"doc_string"`, `"comments"`, `"embeddings"`, `"pending"`, `"undefined"`, `"ambiguous"`, `"skipped"`, `;first-set;3"`, `"name": "@first"`} {
		assert.Contains(t, theirs, want, "the feature exercises it")
	}
	sameBytes(t, ours, theirs)
}

// twoCucumberFiles runs o with scimcheck's cucumber formatter and godog's, and returns what
// each wrote.
func twoCucumberFiles(t *testing.T, o Options) (ours, theirs string) {
	t.Helper()
	dir := t.TempDir()
	a, b := filepath.Join(dir, "ours.json"), filepath.Join(dir, "godog.json")
	o.Formats = append(o.Formats, "cucumber:"+a)
	o.godogFormats = []string{"cucumber:" + b}
	res := runOpts(t, o, runLimit)
	require.NotEqual(t, ExitPass, res.code, res.dump())
	return readFile(t, a), readFile(t, b)
}

// sameBytes fails the test where ours and theirs first differ.
func sameBytes(t *testing.T, ours, theirs string) {
	t.Helper()
	if ours == theirs {
		return
	}
	i := 0
	for i < min(len(ours), len(theirs)) && ours[i] == theirs[i] {
		i++
	}
	t.Fatalf("%d bytes against godog's %d, first different at byte %d:\nours:  %q\ngodog: %q", len(ours), len(theirs), i,
		ours[max(0, i-120):min(len(ours), i+120)], theirs[max(0, i-120):min(len(theirs), i+120)])
}

// TestCucumberSlotsWaitForAFreeOne: a run that finds every slot taken waits until one is
// given back, and then has that one.
func TestCucumberSlotsWaitForAFreeOne(t *testing.T) {
	var registered []string
	p := newSlotPool(1, func(s *cucumberSlot) { registered = append(registered, s.name) })
	assert.Equal(t, []string{"scimcheck-cucumber-1"}, registered)
	first := p.take()
	got := make(chan *cucumberSlot)
	go func() { got <- p.take() }()
	select {
	case <-got:
		t.Fatal("a second take had a slot while the only one was taken")
	case <-time.After(50 * time.Millisecond):
	}
	p.give(first)
	select {
	case s := <-got:
		assert.Same(t, first, s)
	case <-time.After(5 * time.Second):
		t.Fatal("the waiting take never had the slot given back")
	}
}

// TestCucumberConcurrentRuns: runs at once each write their own cucumber file.
func TestCucumberConcurrentRuns(t *testing.T) {
	dir := t.TempDir()
	var wg sync.WaitGroup
	for i, name := range []string{"^Test API Credentials", "^an OIN app deactivates"} {
		wg.Go(func() {
			file := filepath.Join(dir, strconv.Itoa(i)+".json")
			res := runOpts(t, Options{Formats: []string{"progress", "cucumber:" + file}, Name: name}, runLimit)
			assert.Equal(t, ExitPass, res.code, res.dump())
			assert.Contains(t, readFile(t, file), `"name": "`+strings.TrimPrefix(name, "^"))
		})
	}
	wg.Wait()
}
