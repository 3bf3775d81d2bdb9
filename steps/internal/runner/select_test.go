package runner

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	messages "github.com/cucumber/messages/go/v34"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTagExpr(t *testing.T) {
	tags := []string{"@push-users", "@must", "@oin"}
	tests := []struct {
		expr string
		want bool
	}{
		{"", true},
		{"@push-users", true},
		{"push-users", true},
		{"@import", false},
		{"~@import", true},
		{"~@oin", false},
		{"@push-users && @must", true},
		{"@push-users && ~@must", false},
		{"@import, @must", true},
		{"@import, @groups && @must", false},
		{" @import ,@push-users&&~@aiw ", true},
	}
	for _, tc := range tests {
		e, err := parseTagExpr(tc.expr)
		require.NoError(t, err, tc.expr)
		assert.Equal(t, tc.want, e.match(tags), tc.expr)
	}
	for _, bad := range []string{"@a &&", ",@a", "@a and @b", "(@a)", "~", "@a || @b", "@a, ~"} {
		_, err := parseTagExpr(bad)
		assert.Error(t, err, bad)
	}
}

// blankingFeatures is a feature tree with every Gherkin construct the blanking must handle:
// a Background, Rules with their own Background, tags on scenarios, rules and Examples, an
// outline with two Examples blocks, comments and doc strings.
var blankingFeatures = fstest.MapFS{
	"okta/a.feature": {Data: []byte(`@cap-a
Feature: A
  Background:
    Given the background

  @must
  Scenario: first
    Given a step
      """
      doc string with "Scenario:" inside
      """

  # a comment before an outline
  @should
  Scenario Outline: outline <n>
    Given step <n>

    @oin
    Examples: oin
      | n |
      | 1 |
      | 2 |

    @aiw
    Examples: aiw
      | n |
      | 3 |

  @must
  Rule: a rule
    Background:
      Given the rule background

    Scenario: in the rule
      Given a step

    @optional
    Scenario: optional in the rule
      Given a step
`)},
	"okta/b.feature": {Data: []byte(`@cap-b
Feature: B
  Scenario: only in b
    Given a step
`)},
}

// pickleNames parses fsys and returns its pickles' names, in run order.
func pickleNames(t *testing.T, fsys fs.FS) []string {
	t.Helper()
	var names []string
	require.NoError(t, eachPickle(fsys, func(_ string, _ []byte, _ *messages.GherkinDocument, p *messages.Pickle, _ *messages.Scenario, _ *messages.TableRow) {
		names = append(names, p.Name)
	}))
	return names
}

func TestSelectedFSRunsExactlyTheSelection(t *testing.T) {
	tests := []struct {
		mode, tags, name string
		want             []string
	}{
		{ModeBoth, "", "", []string{"first", "outline 1", "outline 2", "outline 3", "in the rule", "optional in the rule", "only in b"}},
		{ModeOIN, "", "", []string{"first", "outline 1", "outline 2", "in the rule", "optional in the rule", "only in b"}},
		{ModeAIW, "", "", []string{"first", "outline 3", "in the rule", "optional in the rule", "only in b"}},
		{ModeBoth, "~@optional && ~@cap-b", "", []string{"first", "outline 1", "outline 2", "outline 3", "in the rule"}},
		{ModeBoth, "", "^outline 2$", []string{"outline 2"}},
		{ModeBoth, "", "rule", []string{"in the rule", "optional in the rule"}},
		{ModeBoth, "@must", "", []string{"first", "in the rule", "optional in the rule"}},
		{ModeOIN, "@should, @cap-b", "", []string{"outline 1", "outline 2", "only in b"}},
		{ModeBoth, "", "^only in b$", []string{"only in b"}},
	}
	for _, tc := range tests {
		t.Run(tc.mode+" "+tc.tags+" "+tc.name, func(t *testing.T) {
			cat, err := loadCatalogue(blankingFeatures)
			require.NoError(t, err)
			sel, err := newSelector(tc.mode, tc.tags, tc.name)
			require.NoError(t, err)
			selected, err := sel.apply(cat)
			require.NoError(t, err)
			var names []string
			for _, sc := range selected {
				names = append(names, sc.name)
			}
			assert.Equal(t, tc.want, names, "selection")

			fsys := cat.selectedFS()
			assert.Equal(t, tc.want, pickleNames(t, fsys), "what godog would run")
			byPickle, err := pickleIDs(fsys, selected)
			require.NoError(t, err)
			assert.Len(t, byPickle, len(tc.want))

			// Line numbers are kept: every selected scenario is where the original has it.
			for _, sc := range selected {
				orig := strings.Split(string(blankingFeatures[sc.uri].Data), "\n")
				got := strings.Split(string(fsys.(fstest.MapFS)[sc.uri].Data), "\n")
				assert.Equal(t, orig[sc.line-1], got[sc.line-1], sc.location())
			}
		})
	}
}

func TestSelectionErrors(t *testing.T) {
	cat, err := loadCatalogue(blankingFeatures)
	require.NoError(t, err)
	tests := []struct {
		mode, tags, name string
		want             []string
	}{
		{ModeBoth, "", "nothing like this", []string{"matches no scenario name", "first  (okta/a.feature:7)"}},
		{ModeAIW, "", "^outline 1$", []string{"matches 1 scenario(s), but --okta-mode aiw", "outline 1"}},
		{ModeBoth, "@nope", "", []string{"select(s) no scenario", "@cap-a @cap-b @must @oin"}},
	}
	for _, tc := range tests {
		sel, err := newSelector(tc.mode, tc.tags, tc.name)
		require.NoError(t, err)
		_, err = sel.apply(cat)
		require.Error(t, err)
		var ue *usageError
		require.ErrorAs(t, err, &ue)
		for _, w := range tc.want {
			assert.Contains(t, err.Error(), w)
		}
	}
}

func TestCatalogueOfTheEmbeddedFeatures(t *testing.T) {
	cat, err := loadCatalogue(nil)
	require.NoError(t, err)
	require.NotEmpty(t, cat.scenarios)
	seen := map[string]bool{}
	for _, sc := range cat.scenarios {
		assert.NotEmpty(t, sc.name, sc.location())
		assert.NotEmpty(t, sc.feature, sc.location())
		hasCapability := false
		for _, c := range capabilities() {
			if containsTag(sc.tags, c.tag) {
				hasCapability = true
			}
		}
		assert.True(t, hasCapability, "%s %q has no capability tag: the table would count it as Other", sc.location(), sc.name)
		seen[sc.location()] = true
	}
	assert.Len(t, seen, len(cat.scenarios), "every scenario has its own location")

	// The whole catalogue survives the round trip through selectedFS.
	sel, err := newSelector(ModeBoth, "", "")
	require.NoError(t, err)
	selected, err := sel.apply(cat)
	require.NoError(t, err)
	_, err = pickleIDs(cat.selectedFS(), selected)
	require.NoError(t, err)
}

func containsTag(tags []string, tag string) bool {
	for _, t := range tags {
		if t == tag {
			return true
		}
	}
	return false
}

func TestSlug(t *testing.T) {
	assert.Equal(t, "a-user-who-is-already-in-the-app-is-linked-not-created-oin",
		slug("a user who is already in the app is linked, not created (OIN)"))
	assert.Equal(t, "scenario", slug("«»"))
	assert.Equal(t, "rfc-7644-3-5-2", slug("  RFC 7644 §3.5.2  "))
	assert.LessOrEqual(t, len(slug(strings.Repeat("word ", 50))), 80)
	used := map[string]bool{}
	assert.Equal(t, "x", uniqueSlug("x", used))
	assert.Equal(t, "x-2", uniqueSlug("X", used))
}
