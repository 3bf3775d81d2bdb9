package runner

import (
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing/fstest"

	"github.com/cucumber/godog"
	messages "github.com/cucumber/messages/go/v34"

	"github.com/scimcheck/scimcheck/features"
)

// featureDir is the directory of the features, in features.FS and in Options.features.
const featureDir = "okta"

// scenario is one runnable scenario of the features: a Scenario, or one example row of a
// Scenario Outline (a godog pickle).
type scenario struct {
	uri     string   // e.g. "okta/push-users.feature"
	shown   string   // for --features: the path the file was read from; "" for the embedded features
	line    int64    // the Scenario's line, or the example row's line
	feature string   // the Feature's name
	name    string   // the pickle name (outline placeholders filled in)
	pickle  string   // godog's pickle id, unique within a run; set for the selected scenarios
	tags    []string // with "@": feature, rule, scenario and examples tags
	// excluded says which selection left it out ("--okta-mode aiw", "--tags", "--name"); ""
	// when selected.
	excluded string

	block [2]int64 // first and last line of its Scenario block, tags included
	row   bool     // line is an example row of an outline
}

// location returns "uri:line".
func (s *scenario) location() string {
	if s.shown != "" {
		return fmt.Sprintf("%s:%d", s.shown, s.line)
	}
	return fmt.Sprintf("%s:%d", s.uri, s.line)
}

// catalogue is every scenario of a feature tree, in file order, with the files' text.
type catalogue struct {
	scenarios []*scenario
	files     map[string][]byte // uri → content
	order     []string          // uris in the order godog runs them
}

// loadCatalogue parses the features under featureDir in fsys (features.FS when nil) with
// godog's own parser. Errors: a feature file that does not parse, or no scenario at all.
func loadCatalogue(fsys fs.FS) (*catalogue, error) {
	if fsys == nil {
		fsys = features.FS
	}
	c := &catalogue{files: map[string][]byte{}}
	err := eachPickle(fsys, func(uri string, content []byte, doc *messages.GherkinDocument, p *messages.Pickle, sc *messages.Scenario, row *messages.TableRow) {
		if _, seen := c.files[uri]; !seen {
			c.files[uri] = content
			c.order = append(c.order, uri)
		}
		s := &scenario{uri: uri, line: sc.Location.Line, feature: doc.Feature.Name, name: p.Name, block: scenarioBlock(doc, sc, content)}
		if u, ok := fsys.(userFeatures); ok {
			s.shown = u.shownPath(uri)
		}
		if row != nil {
			s.line, s.row = row.Location.Line, true
		}
		for _, t := range p.Tags {
			s.tags = append(s.tags, t.Name)
		}
		c.scenarios = append(c.scenarios, s)
	})
	if err != nil {
		return nil, err
	}
	if len(c.scenarios) == 0 {
		return nil, fmt.Errorf("no scenario in the features under %s/", featureDir)
	}
	return c, nil
}

// eachPickle parses the features under featureDir in fsys with godog's parser and calls fn for
// every pickle, in the order godog runs them, with the Scenario it comes from and, for an
// outline, its example row.
func eachPickle(fsys fs.FS, fn func(uri string, content []byte, doc *messages.GherkinDocument, p *messages.Pickle, sc *messages.Scenario, row *messages.TableRow)) error {
	feats, err := godog.TestSuite{Options: &godog.Options{FS: fsys, Paths: []string{featureDir}}}.RetrieveFeatures()
	if err != nil {
		return fmt.Errorf("parse features: %w", err)
	}
	for _, ft := range feats {
		for _, p := range ft.Pickles {
			sc := ft.FindScenario(p.AstNodeIds[0])
			if sc == nil {
				return fmt.Errorf("parse features: %s: pickle %q has no scenario", p.Uri, p.Name)
			}
			var row *messages.TableRow
			if len(p.AstNodeIds) > 1 {
				_, row = ft.FindExample(p.AstNodeIds[1])
			}
			fn(p.Uri, ft.Content, ft.GherkinDocument, p, sc, row)
		}
	}
	return nil
}

// scenarioBlock returns the first and last line of sc in doc: from its first tag to the line
// before the next Background, Scenario or Rule (tags included), or to the end of the file.
func scenarioBlock(doc *messages.GherkinDocument, sc *messages.Scenario, content []byte) [2]int64 {
	var starts []int64
	add := func(loc *messages.Location, tags []*messages.Tag) {
		line := loc.Line
		for _, t := range tags {
			line = min(line, t.Location.Line)
		}
		starts = append(starts, line)
	}
	var walk func(children []*messages.FeatureChild)
	walk = func(children []*messages.FeatureChild) {
		for _, ch := range children {
			switch {
			case ch.Background != nil:
				add(ch.Background.Location, nil)
			case ch.Scenario != nil:
				add(ch.Scenario.Location, ch.Scenario.Tags)
			case ch.Rule != nil:
				add(ch.Rule.Location, ch.Rule.Tags)
				for _, rc := range ch.Rule.Children {
					walk([]*messages.FeatureChild{{Background: rc.Background, Scenario: rc.Scenario}})
				}
			}
		}
	}
	walk(doc.Feature.Children)
	sort.Slice(starts, func(i, j int) bool { return starts[i] < starts[j] })
	first := sc.Location.Line
	for _, t := range sc.Tags {
		first = min(first, t.Location.Line)
	}
	last := int64(strings.Count(string(content), "\n") + 1)
	for _, s := range starts {
		if s > sc.Location.Line {
			last = s - 1
			break
		}
	}
	return [2]int64{first, last}
}

// selector is the scenario selection of one run or listing.
type selector struct {
	mode string
	tags tagExpr
	name *regexp.Regexp
	// raw flags, for messages
	rawTags, rawName string
}

// newSelector returns the selector for mode, tags and name. Errors (*usageError): a tag
// expression or regular expression that does not parse.
func newSelector(mode, tags, name string) (*selector, error) {
	s := &selector{mode: mode, rawTags: tags, rawName: name}
	var err error
	if s.tags, err = parseTagExpr(tags); err != nil {
		return nil, err
	}
	if name != "" {
		if s.name, err = regexp.Compile(name); err != nil {
			return nil, usagef("--name %q is not a regular expression: %v", name, err)
		}
	}
	return s, nil
}

// exclusion returns why sc is left out, or "" when it is selected. Mode comes first, then
// tags, then name, so each scenario has one reason.
func (sel *selector) exclusion(sc *scenario) string {
	switch {
	case sel.mode == ModeOIN && slices.Contains(sc.tags, "@aiw"):
		return "--okta-mode oin"
	case sel.mode == ModeAIW && slices.Contains(sc.tags, "@oin"):
		return "--okta-mode aiw"
	case !sel.tags.match(sc.tags):
		return "--tags"
	case sel.name != nil && !sel.name.MatchString(sc.name):
		return "--name"
	}
	return ""
}

// apply marks every scenario of c selected or excluded and returns the selected ones. It
// returns a *usageError when nothing is selected, saying which flag emptied the selection and
// naming a few scenarios that would match.
func (sel *selector) apply(c *catalogue) ([]*scenario, error) {
	var selected, nameOnly []*scenario
	for _, sc := range c.scenarios {
		sc.excluded = sel.exclusion(sc)
		if sc.excluded == "" {
			selected = append(selected, sc)
		}
		if sel.name != nil && sel.name.MatchString(sc.name) {
			nameOnly = append(nameOnly, sc)
		}
	}
	if len(selected) > 0 {
		return selected, nil
	}
	filters := "--okta-mode " + sel.mode
	if sel.rawTags != "" {
		filters += " and --tags " + quoteArg(sel.rawTags)
	}
	switch {
	case sel.name != nil && len(nameOnly) == 0:
		var pool []*scenario
		for _, sc := range c.scenarios {
			if sel.exclusion(sc) == "--name" {
				pool = append(pool, sc)
			}
		}
		if len(pool) == 0 {
			pool = c.scenarios
		}
		return nil, usagef("--name %s matches no scenario name; for example:\n%s\n(`scimcheck list` prints them all)",
			quoteArg(sel.rawName), someNames(pool, 5))
	case sel.name != nil:
		return nil, usagef("--name %s matches %d scenario(s), but %s leave(s) them all out:\n%s",
			quoteArg(sel.rawName), len(nameOnly), filters, someNames(nameOnly, 5))
	}
	return nil, usagef("%s select(s) no scenario; tags in use: %s", filters, strings.Join(c.tagsInUse(), " "))
}

// someNames returns up to n scenario names, one per indented line.
func someNames(list []*scenario, n int) string {
	var b strings.Builder
	for i, sc := range list {
		if i == n {
			fmt.Fprintf(&b, "\n  … and %d more", len(list)-n)
			break
		}
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "  %s  (%s)", sc.name, sc.location())
	}
	return b.String()
}

// tagsInUse returns every tag of c, sorted.
func (c *catalogue) tagsInUse() []string {
	seen := map[string]bool{}
	var out []string
	for _, sc := range c.scenarios {
		for _, t := range sc.tags {
			if !seen[t] {
				seen[t] = true
				out = append(out, t)
			}
		}
	}
	sort.Strings(out)
	return out
}

// selectedFS returns the features with every scenario that is not selected blanked out, line
// for line, so that godog runs exactly the selection while file names and line numbers stay
// those of the originals. Files with nothing selected are left out.
func (c *catalogue) selectedFS() fs.FS {
	keep := map[string][]*scenario{}
	drop := map[string][]*scenario{}
	for _, sc := range c.scenarios {
		if sc.excluded == "" {
			keep[sc.uri] = append(keep[sc.uri], sc)
		} else {
			drop[sc.uri] = append(drop[sc.uri], sc)
		}
	}
	out := fstest.MapFS{}
	for _, uri := range c.order {
		if len(keep[uri]) == 0 {
			continue
		}
		lines := strings.Split(string(c.files[uri]), "\n")
		blank := func(from, to int64) {
			for l := from; l <= to && int(l) <= len(lines); l++ {
				lines[l-1] = ""
			}
		}
		kept := map[[2]int64]bool{} // Scenario blocks with at least one selected pickle
		for _, sc := range keep[uri] {
			kept[sc.block] = true
		}
		for _, sc := range drop[uri] {
			if sc.row && kept[sc.block] {
				blank(sc.line, sc.line) // one example row of an outline that stays
			} else {
				blank(sc.block[0], sc.block[1])
			}
		}
		out[uri] = &fstest.MapFile{Data: []byte(strings.Join(lines, "\n")), Mode: 0o444}
	}
	return out
}

// pickleIDs parses fsys, the result of selectedFS, as the run will, and returns the selected
// scenarios by godog's pickle id (and sets each one's pickle). An error means the blanked
// features do not hold exactly the selection: a harness bug.
func pickleIDs(fsys fs.FS, selected []*scenario) (byPickle map[string]*scenario, err error) {
	byLoc := make(map[string]*scenario, len(selected))
	for _, sc := range selected {
		byLoc[fmt.Sprintf("%s:%d", sc.uri, sc.line)] = sc // where godog parses it, not where it is shown
	}
	byPickle = make(map[string]*scenario, len(selected))
	var extra []string
	err = eachPickle(fsys, func(uri string, _ []byte, _ *messages.GherkinDocument, p *messages.Pickle, sc *messages.Scenario, row *messages.TableRow) {
		line := sc.Location.Line
		if row != nil {
			line = row.Location.Line
		}
		s, ok := byLoc[fmt.Sprintf("%s:%d", uri, line)]
		if !ok || s.name != p.Name {
			extra = append(extra, fmt.Sprintf("%s:%d %q", uri, line, p.Name))
			return
		}
		byPickle[p.Id] = s
		s.pickle = p.Id
	})
	if err != nil {
		return nil, fmt.Errorf("selected features: %w", err)
	}
	if len(extra) > 0 || len(byPickle) != len(selected) {
		return nil, fmt.Errorf("selected features hold %d of the %d selected scenarios and %d others (%s)",
			len(byPickle), len(selected), len(extra), strings.Join(extra, ", "))
	}
	return byPickle, nil
}
