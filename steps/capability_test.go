package steps

import (
	"io/fs"
	"strings"
	"testing"

	"github.com/cucumber/godog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/scimcheck/scimcheck/features"
)

func TestEveryFeatureFileHasExactlyOneCapability(t *testing.T) {
	known := map[string]bool{}
	for _, c := range Capabilities() {
		require.False(t, known[c.Tag], "%s is listed twice", c.Tag)
		known[c.Tag] = true
		assert.NotEmpty(t, c.Title, c.Tag)
	}
	used := map[string]bool{}
	files, err := fs.Glob(features.FS, "okta/*.feature")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		raw, err := fs.ReadFile(features.FS, f)
		require.NoError(t, err)
		var caps []string
		for line := range strings.Lines(string(raw)) {
			line = strings.TrimSpace(line)
			if strings.HasPrefix(line, "Feature:") {
				break
			}
			for _, tag := range strings.Fields(line) {
				if known[tag] {
					caps = append(caps, tag)
				}
			}
		}
		assert.Len(t, caps, 1, "%s: the tags before Feature: must hold exactly one capability of steps.Capabilities", f)
		for _, c := range caps {
			used[c] = true
		}
	}
	for tag := range known {
		assert.True(t, used[tag], "capability %s has no feature file", tag)
	}
}

func TestEveryStepMatchesOnePattern(t *testing.T) {
	feats, err := godog.TestSuite{Options: &godog.Options{FS: features.FS, Paths: []string{"okta"}}}.RetrieveFeatures()
	require.NoError(t, err)
	steps := 0
	for _, ft := range feats {
		for _, p := range ft.Pickles {
			for _, st := range p.Steps {
				steps++
				var matched []string
				for _, d := range stepDefs {
					if d.expr.MatchString(st.Text) {
						matched = append(matched, d.expr.String())
					}
				}
				assert.Len(t, matched, 1, "%s, %q: %q matches %d step patterns: %q", p.Uri, p.Name, st.Text, len(matched), matched)
			}
		}
	}
	assert.Greater(t, steps, 300, "the feature files were read")
}
