package features

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// wireDoc is the wire specification shipped with the features.
const wireDoc = "okta-wire.md"

// wireSections returns the section numbers of the wire specification ("0", "2.3", "8.2"),
// each with the numbers of its steps and items (the rows of a numbered table, the entries
// of a numbered list).
func wireSections(t *testing.T) map[string]map[string]bool {
	t.Helper()
	raw, err := os.ReadFile(wireDoc)
	require.NoError(t, err)
	heading := regexp.MustCompile(`^#{2,4} (\d+(?:\.\d+)*)\.? `)
	numbered := regexp.MustCompile(`^(?:\| (\d+)\b|(\d+)\. )`)
	inline := regexp.MustCompile(`[.;]\s+(\d+)\.\s`) // "… 200. 2. Create …": §8.5's steps
	sections := map[string]map[string]bool{}
	var cur []string // the section and its parents ("8", "8.2")
	for _, line := range strings.Split(string(raw), "\n") {
		if m := heading.FindStringSubmatch(line); m != nil {
			sections[m[1]] = map[string]bool{}
			cur = []string{m[1]}
			if i := strings.LastIndex(m[1], "."); i > 0 {
				cur = append(cur, m[1][:i])
			}
			continue
		}
		if m := numbered.FindStringSubmatch(line); m != nil && cur != nil {
			n := m[1] + m[2]
			ns := []string{n}
			for _, more := range inline.FindAllStringSubmatch(line, -1) {
				ns = append(ns, more[1])
			}
			for _, s := range cur {
				for _, n := range ns {
					sections[s][n] = true
				}
			}
		}
	}
	return sections
}

// citation is one "okta-wire §…" reference: its section and the steps or items it names.
type citation struct {
	where, section string
	numbers        []string
}

var (
	// citeRun is the text of a citation, from "okta-wire" to the end of its parenthesis,
	// clause or sentence (an RFC cited in the same parenthesis is not ours).
	citeRun = regexp.MustCompile(`okta-wire(?:\.md)?((?:[\s,]*(?:and\s+)?§\d+(?:\.\d+)*(?:\s+(?:steps?|items?)\s+\d+(?:(?:\s*,\s*|\s+and\s+|\s+or\s+|\s*[-–]\s*)\d+)*)?)+)`)
	citeOne = regexp.MustCompile(`§(\d+(?:\.\d+)*)(?:\s+(?:steps?|items?)\s+(\d+(?:(?:\s*,\s*|\s+and\s+|\s+or\s+|\s*[-–]\s*)\d+)*))?`)
	number  = regexp.MustCompile(`\d+`)
	// joins undoes line wrapping: comment markers and Go string concatenation.
	joins = regexp.MustCompile(`"\s*\+\s*\n\s*"|\n\s*(?://|#)?\s*`)
)

// citations returns every okta-wire citation in text.
func citations(where, text string) []citation {
	text = joins.ReplaceAllString(text, " ")
	var out []citation
	for _, run := range citeRun.FindAllStringSubmatch(text, -1) {
		for _, m := range citeOne.FindAllStringSubmatch(run[1], -1) {
			out = append(out, citation{where: where, section: m[1], numbers: number.FindAllString(m[2], -1)})
		}
	}
	return out
}

func TestCitationsParse(t *testing.T) {
	got := citations("x", "see (okta-wire §1.3, §1.4, §8.2 step 21,\n  §9.2, §11 items 16, 17, 20 and 21; RFC 7644 §3.5.2) and okta-wire.md §6")
	want := []citation{
		{"x", "1.3", nil}, {"x", "1.4", nil}, {"x", "8.2", []string{"21"}}, {"x", "9.2", nil},
		{"x", "11", []string{"16", "17", "20", "21"}}, {"x", "6", nil},
	}
	assert.Equal(t, want, got)
	assert.Equal(t, []citation{{"y", "8.2", []string{"17"}}}, citations("y", `"okta-wire §8.2 " +`+"\n\t\t"+`"step 17"`))
}

// TestWireCitationsExist fails when a feature, a step, a quirk or a message cites a section,
// step or item of okta-wire.md that the document does not have.
func TestWireCitationsExist(t *testing.T) {
	sections := wireSections(t)
	require.Contains(t, sections, "8.2")
	require.True(t, sections["8.2"]["17"], "§8.2 has its step 17")
	require.True(t, sections["11"]["40"], "§11 has its item 40")

	var cites []citation
	for _, root := range []string{".", "../steps", "../reference", "../main.go", "../README.md"} {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			switch filepath.Ext(path) {
			case ".go", ".feature", ".md", ".tmpl":
			default:
				return nil
			}
			if filepath.Base(path) == wireDoc {
				return nil
			}
			raw, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			cites = append(cites, citations(path, string(raw))...)
			return nil
		})
		require.NoError(t, err)
	}
	require.Greater(t, len(cites), 100, "the features, steps and quirks cite the document")
	for _, c := range cites {
		numbers, ok := sections[c.section]
		if !assert.True(t, ok, "%s cites okta-wire §%s: no such section", c.where, c.section) {
			continue
		}
		for _, n := range c.numbers {
			assert.True(t, numbers[n], "%s cites okta-wire §%s step/item %s: §%s has no such step or item", c.where, c.section, n, c.section)
		}
	}
}
