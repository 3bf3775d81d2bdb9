package runner

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing/fstest"

	"github.com/cucumber/godog"
	messages "github.com/cucumber/messages/go/v34"

	"github.com/scimcheck/scimcheck/features"
	"github.com/scimcheck/scimcheck/steps"
)

// Feature files of the user's own (--features) and the step vocabulary they may use.

// featuresFrom returns the .feature files found under dirs (each a directory or one file), laid
// out under featureDir as the embedded features are, for --features: files keep their path
// relative to the directory given, under the directory's own name when several are given.
// Errors: a path that cannot be read, or no .feature file at all.
func featuresFrom(dirs []string) (fs.FS, error) {
	out := userFeatures{MapFS: fstest.MapFS{}, paths: map[string]string{}}
	for _, dir := range dirs {
		info, err := os.Stat(dir)
		if err != nil {
			return nil, usagef("--features %s: %v", dir, err)
		}
		root, prefix := dir, ""
		if !info.IsDir() {
			root = filepath.Dir(dir)
		}
		if len(dirs) > 1 {
			prefix = filepath.Base(filepath.Clean(root)) + "/"
		}
		err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() || !strings.HasSuffix(p, ".feature") || (!info.IsDir() && p != dir) {
				return nil
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			rel, err := filepath.Rel(root, p)
			if err != nil {
				return err
			}
			uri := path.Join(featureDir, prefix+filepath.ToSlash(rel))
			out.MapFS[uri], out.paths[uri] = &fstest.MapFile{Data: data, Mode: 0o644}, p
			return nil
		})
		if err != nil {
			return nil, usagef("--features %s: %v", dir, err)
		}
	}
	if len(out.MapFS) == 0 {
		return nil, usagef("--features %s: no .feature file there", strings.Join(dirs, ", "))
	}
	return out, nil
}

// userFeatures are the feature files of --features, with the path each was read from.
type userFeatures struct {
	fstest.MapFS
	paths map[string]string // uri (under featureDir) → the path on disk
}

// shownPath returns the path reports show for uri: where the file was read from.
func (u userFeatures) shownPath(uri string) string { return u.paths[uri] }

// stepExample is one step of the vocabulary: its pattern and a use of it from scimcheck's own
// features ("" when none uses it).
type stepExample struct {
	pattern *regexp.Regexp
	example string // e.g. `Given Okta has a user "ada"`
}

// vocabulary returns every step definition with its first use in the embedded features.
func vocabulary() ([]stepExample, error) {
	patterns := steps.StepPatterns()
	out := make([]stepExample, len(patterns))
	for i, p := range patterns {
		out[i].pattern = p
	}
	err := eachStep(features.FS, func(uri string, line int64, keyword, text string) {
		for i := range out {
			if out[i].example == "" && out[i].pattern.MatchString(text) {
				out[i].example = keyword + " " + text
				return
			}
		}
	})
	return out, err
}

// eachStep calls fn with every step of the features under featureDir in fsys: the file, the
// step's line, its keyword (Given, When or Then; an And or But as the one it continues) and
// its text.
func eachStep(fsys fs.FS, fn func(uri string, line int64, keyword, text string)) error {
	feats, err := godog.TestSuite{Options: &godog.Options{FS: fsys, Paths: []string{featureDir}}}.RetrieveFeatures()
	if err != nil {
		return fmt.Errorf("parse features: %w", err)
	}
	for _, f := range feats {
		keyword := map[string]string{} // AST step id → keyword, e.g. "And"
		line := map[string]int64{}     // AST step id → its line
		var walk func(children []*messages.FeatureChild)
		steps := func(list []*messages.Step) {
			for _, s := range list {
				keyword[s.Id], line[s.Id] = strings.TrimSpace(s.Keyword), s.Location.Line
			}
		}
		walk = func(children []*messages.FeatureChild) {
			for _, ch := range children {
				switch {
				case ch.Background != nil:
					steps(ch.Background.Steps)
				case ch.Scenario != nil:
					steps(ch.Scenario.Steps)
				case ch.Rule != nil:
					for _, rc := range ch.Rule.Children {
						if rc.Background != nil {
							steps(rc.Background.Steps)
						}
						if rc.Scenario != nil {
							steps(rc.Scenario.Steps)
						}
					}
				}
			}
		}
		walk(f.Feature.Children)
		for _, p := range f.Pickles {
			for _, s := range p.Steps {
				id := ""
				if len(s.AstNodeIds) > 0 {
					id = s.AstNodeIds[0]
				}
				kw := keyword[id]
				if kw == "And" || kw == "But" || kw == "*" {
					kw = map[messages.PickleStepType]string{messages.PickleStepType_CONTEXT: "Given",
						messages.PickleStepType_ACTION: "When", messages.PickleStepType_OUTCOME: "Then"}[s.Type]
				}
				fn(p.Uri, line[id], kw, s.Text)
			}
		}
	}
	return nil
}

// checkSteps returns a usage error naming every step of the features in fsys that no step
// definition matches, each with the closest step scimcheck knows; nil when all are known.
func checkSteps(fsys fs.FS) error {
	vocab, err := vocabulary()
	if err != nil {
		return err
	}
	var unknown []string
	seen := map[string]bool{}
	err = eachStep(fsys, func(uri string, line int64, keyword, text string) {
		for _, v := range vocab {
			if v.pattern.MatchString(text) {
				return
			}
		}
		shown := strings.TrimPrefix(uri, featureDir+"/")
		if u, ok := fsys.(userFeatures); ok {
			shown = u.shownPath(uri)
		}
		where := fmt.Sprintf("%s:%d", shown, line)
		if seen[where] {
			return // an outline's rows repeat the step
		}
		seen[where] = true
		msg := fmt.Sprintf("  %s: %s %s", where, keyword, text)
		if c := closest(text, vocab); c != "" {
			msg += "\n    did you mean: " + c
		}
		unknown = append(unknown, msg)
	})
	if err != nil {
		return usagef("--features: %v", err)
	}
	if len(unknown) == 0 {
		return nil
	}
	sort.Strings(unknown)
	return usagef("--features: %d step(s) scimcheck does not know; `scimcheck steps` lists every step with an example:\n%s",
		len(unknown), strings.Join(unknown, "\n"))
}

// closest returns the example of the known step nearest to text (fewest edits), "" for none.
func closest(text string, vocab []stepExample) string {
	best, bestD := "", -1
	for _, v := range vocab {
		if v.example == "" {
			continue
		}
		_, body, _ := strings.Cut(v.example, " ")
		if d := editDistance(strings.ToLower(text), strings.ToLower(body)); bestD < 0 || d < bestD {
			best, bestD = v.example, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
