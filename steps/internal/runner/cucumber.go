package runner

import (
	"encoding/base64"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cucumber/godog"
	messages "github.com/cucumber/messages/go/v34"

	"github.com/scimcheck/scimcheck/reference/codec"
)

// cucumberFormats returns formats as godog is to be given them: each cucumber:FILE goes to a
// formatter of scimcheck's own that writes cucumber.json byte for byte as godog's cucumber
// formatter does, but redacted as it is written (every string through net) and without
// reflection. godog's builds the whole document, indents it and copies it twice before one
// write, after the last scenario, where every millisecond delays the run's end, and its file
// then had to be read back to be redacted. sinks gives, by FILE, where its formatter leaves a
// write error once godog has run; release must be called once godog has run.
func cucumberFormats(formats []string, net redactor) (godogFormats []string, sinks map[string]*cucumberSink, release func()) {
	sinks = map[string]*cucumberSink{}
	var slot *cucumberSlot
	var queue []*cucumberSink
	for _, f := range formats {
		if file, ok := strings.CutPrefix(f, "cucumber:"); ok {
			if slot == nil {
				slot = cucumberSlots.take()
			}
			sinks[file] = &cucumberSink{net: net}
			queue = append(queue, sinks[file])
			f = slot.name + ":" + file
		}
		godogFormats = append(godogFormats, f)
	}
	if slot == nil {
		return godogFormats, sinks, func() {}
	}
	slot.queue = queue
	return godogFormats, sinks, func() { cucumberSlots.give(slot) }
}

// cucumberSink is what a run gives the formatter writing one cucumber:FILE: the net its
// strings go through, and where the formatter leaves a write error.
type cucumberSink struct {
	net redactor
	err error
}

// cucumberSlot is one name of scimcheck's cucumber formatter in godog's registry, and the
// sinks of the run that holds it, one per cucumber:FILE in the order of its formats, which is
// the order godog builds their formatters in. godog builds a formatter from its name and the
// file it created, nothing else, and its registry may only grow before any run starts (it is
// not safe for concurrent use): the names are made once, and runs take one and give it back.
type cucumberSlot struct {
	name  string
	queue []*cucumberSink // what the slot's formatter has not yet been built for
}

// cucumberSlots is the pool of slots: as many as runs may write cucumber files at once; a
// run that finds none free waits for one.
var cucumberSlots = newSlotPool(32, func(slot *cucumberSlot) {
	godog.Format(slot.name, "Cucumber JSON as godog's cucumber formatter writes it, redacted (scimcheck)", slot.formatter)
})

// slotPool hands out cucumber slots.
type slotPool struct {
	mu   sync.Mutex
	cond *sync.Cond
	free []*cucumberSlot
}

// newSlotPool returns a pool of n slots, each passed to register once.
func newSlotPool(n int, register func(*cucumberSlot)) *slotPool {
	p := &slotPool{}
	p.cond = sync.NewCond(&p.mu)
	for i := range n {
		slot := &cucumberSlot{name: "scimcheck-cucumber-" + strconv.Itoa(i+1)}
		register(slot)
		p.free = append(p.free, slot)
	}
	return p
}

// take returns a free slot, once there is one.
func (p *slotPool) take() *cucumberSlot {
	p.mu.Lock()
	defer p.mu.Unlock()
	for len(p.free) == 0 {
		p.cond.Wait()
	}
	slot := p.free[len(p.free)-1]
	p.free = p.free[:len(p.free)-1]
	return slot
}

// give returns slot to the pool.
func (p *slotPool) give(slot *cucumberSlot) {
	p.mu.Lock()
	defer p.mu.Unlock()
	slot.queue = nil
	p.free = append(p.free, slot)
	p.cond.Signal()
}

// formatter is the slot's godog.FormatterFunc: out is the file godog created for the next
// cucumber:FILE of the run that holds the slot.
func (slot *cucumberSlot) formatter(suite string, out io.Writer) godog.Formatter {
	if len(slot.queue) == 0 {
		panic("scimcheck bug: " + slot.name + " built for a cucumber file no run gave it")
	}
	sink := slot.queue[0]
	slot.queue = slot.queue[1:]
	return &cucumberFmt{BaseFmt: godog.NewBaseFmt(suite, out), out: out, sink: sink}
}

// cucumberFmt writes cucumber.json in Summary from godog's storage. Every other event is
// godog's base formatter's, which does nothing.
type cucumberFmt struct {
	*godog.BaseFmt
	out  io.Writer
	sink *cucumberSink
}

// Summary writes the document and leaves a write error in the sink.
func (f *cucumberFmt) Summary() {
	j := &cukeJSON{w: f.out, net: f.sink.net}
	f.document(j)
	j.flush()
	f.sink.err = j.err
}

// document writes what godog's Cuke.Summary writes: its features sorted by name, each with
// its pickles in the order godog gave them ids, each with its steps' results.
func (f *cucumberFmt) document(j *cukeJSON) {
	features := f.Storage.MustGetFeatures()
	sort.Slice(features, func(a, b int) bool { return features[a].Feature.Name < features[b].Feature.Name })
	j.open('[')
	for _, feat := range features {
		j.elem()
		f.feature(j, feat.GherkinDocument, feat.Uri)
	}
	j.close(']')
	j.raw("\n")
}

// feature writes the feature of doc, at uri, and the results of its pickles.
func (f *cucumberFmt) feature(j *cukeJSON, doc *messages.GherkinDocument, uri string) {
	ft := doc.Feature
	id := cukeID(ft.Name)
	j.open('{')
	j.str("uri", uri)
	j.str("id", id)
	j.str("keyword", ft.Keyword)
	j.str("name", ft.Name)
	j.str("description", ft.Description)
	j.num("line", int(ft.Location.Line))
	if len(doc.Comments) > 0 {
		j.key("comments")
		j.open('[')
		for _, c := range doc.Comments {
			j.lineItem("value", strings.TrimSpace(c.Text), c.Location)
		}
		j.close(']')
	}
	j.tags(ft.Tags, nil, nil)
	pickles := f.Storage.MustGetPickles(uri)
	sort.Slice(pickles, func(a, b int) bool { return pickleOrder(pickles[a].Id) < pickleOrder(pickles[b].Id) })
	if len(pickles) > 0 {
		feat := f.Storage.MustGetFeature(uri)
		steps := astSteps(doc)
		j.key("elements")
		j.open('[')
		for _, p := range pickles {
			var examples *messages.Examples // of an outline's row
			if len(p.AstNodeIds) > 1 {
				examples, _ = feat.FindExample(p.AstNodeIds[1])
			}
			j.elem()
			f.element(j, p, feat.FindScenario(p.AstNodeIds[0]), examples, id, ft.Tags, steps)
		}
		j.close(']')
	}
	j.close('}')
}

// element writes the pickle p of scenario (and of an examples table, for an outline's row),
// in the feature of featureID and featureTags, with its steps' results; steps are the
// feature's by AST id.
func (f *cucumberFmt) element(j *cukeJSON, p *messages.Pickle, scenario *messages.Scenario, examples *messages.Examples,
	featureID string, featureTags []*messages.Tag, steps map[string]*messages.Step) {
	line, rowID := int(scenario.Location.Line), ""
	var exampleTags []*messages.Tag
	if examples != nil {
		exampleTags = examples.Tags
	}
	if len(p.AstNodeIds) > 1 {
		for _, ex := range scenario.Examples {
			for i, row := range ex.TableBody {
				if row.Id == p.AstNodeIds[1] {
					rowID += ";" + cukeID(ex.Name) + ";" + strconv.Itoa(i+2)
					line = int(row.Location.Line)
				}
			}
		}
	}
	j.open('{')
	j.str("id", featureID+";"+cukeID(p.Name)+rowID)
	j.str("keyword", scenario.Keyword)
	j.str("name", p.Name)
	j.str("description", scenario.Description)
	j.num("line", line)
	j.str("type", "scenario")
	j.tags(featureTags, scenario.Tags, exampleTags)
	started := f.Storage.MustGetPickleResult(p.Id).StartedAt
	results := f.Storage.MustGetPickleStepResultsByPickleID(p.Id)
	sort.Slice(results, func(a, b int) bool {
		return pickleOrder(results[a].PickleStepID) < pickleOrder(results[b].PickleStepID)
	})
	if len(results) > 0 {
		j.key("steps")
		j.open('[')
		for _, res := range results {
			ps := f.Storage.MustGetPickleStep(res.PickleStepID)
			step := steps[ps.AstNodeIds[0]]
			location := ""
			if res.Def != nil {
				location, _, _ = strings.Cut(filepath.Base(res.Def.File)+":"+strconv.Itoa(res.Def.Line), " ")
			}
			took := res.FinishedAt.Sub(started)
			started = res.FinishedAt
			var attachments []cukeAttachment
			for _, a := range res.Attachments {
				attachments = append(attachments, cukeAttachment{a.Name, a.MimeType, a.Data})
			}
			j.elem()
			cukeStep(j, p.Uri, ps, step, location, res.Status.String(), res.Err, took, attachments)
		}
		j.close(']')
	}
	j.close('}')
}

// cukeAttachment is what a step result attached: godog's PickleAttachment.
type cukeAttachment struct {
	name, mimeType string
	data           []byte
}

// cukeStep writes the result of the pickle step ps of step, in the feature at uri: its
// match's location (godog's "file.go:line" of the step definition), status, error, the time
// since the step before, and attachments.
func cukeStep(j *cukeJSON, uri string, ps *messages.PickleStep, step *messages.Step, location, status string,
	stepErr error, took time.Duration, attachments []cukeAttachment) {
	j.open('{')
	j.str("keyword", step.Keyword)
	j.str("name", ps.Text)
	j.num("line", int(step.Location.Line))
	if arg := ps.Argument; arg != nil && arg.DocString != nil && step.DocString != nil {
		j.key("doc_string")
		j.open('{')
		j.str("value", arg.DocString.Content)
		j.str("content_type", strings.TrimSpace(arg.DocString.MediaType))
		j.num("line", int(step.DocString.Location.Line))
		j.close('}')
	}
	unmatched := status == "undefined" || status == "pending" || status == "ambiguous"
	if unmatched {
		location = uri + ":" + strconv.Itoa(int(step.Location.Line))
	}
	j.key("match")
	j.open('{')
	j.str("location", location)
	j.close('}')
	j.key("result")
	j.open('{')
	j.str("status", status)
	if stepErr != nil {
		if msg := stepErr.Error(); msg != "" {
			j.str("error_message", msg)
		}
	}
	if !unmatched && status != "skipped" {
		j.num("duration", int(took.Nanoseconds()))
	}
	j.close('}')
	if arg := ps.Argument; arg != nil && arg.DataTable != nil && len(arg.DataTable.Rows) > 0 {
		j.key("rows")
		j.open('[')
		for _, row := range arg.DataTable.Rows {
			j.elem()
			j.open('{')
			j.key("cells")
			j.open('[')
			for _, c := range row.Cells {
				j.elem()
				j.string(c.Value)
			}
			j.close(']')
			j.close('}')
		}
		j.close(']')
	}
	if len(attachments) > 0 {
		j.key("embeddings")
		j.open('[')
		for _, a := range attachments {
			j.elem()
			j.open('{')
			j.str("name", a.name)
			j.str("mime_type", a.mimeType)
			j.key("data")
			j.base64(a.data)
			j.close('}')
		}
		j.close(']')
	}
	j.close('}')
}

// astSteps returns the steps of doc by AST id, the first of each id as godog's
// Feature.FindStep finds it.
func astSteps(doc *messages.GherkinDocument) map[string]*messages.Step {
	steps := map[string]*messages.Step{}
	add := func(list []*messages.Step) {
		for _, s := range list {
			if _, ok := steps[s.Id]; !ok {
				steps[s.Id] = s
			}
		}
	}
	for _, child := range doc.Feature.Children {
		if ru := child.Rule; ru != nil {
			for _, ch := range ru.Children {
				if ch.Scenario != nil {
					add(ch.Scenario.Steps)
				}
				if ch.Background != nil {
					add(ch.Background.Steps)
				}
			}
		}
		if child.Scenario != nil {
			add(child.Scenario.Steps)
		}
		if child.Background != nil {
			add(child.Background.Steps)
		}
	}
	return steps
}

// pickleOrder is the number godog's incrementing ids stand for, by which it orders pickles
// and step results.
func pickleOrder(id string) int {
	n, err := strconv.Atoi(id)
	if err != nil {
		panic(fmt.Sprintf("scimcheck bug: godog id %q is not a number", id))
	}
	return n
}

// cukeID is godog's cucumber id of a name: lower case, spaces as hyphens.
func cukeID(name string) string {
	return strings.ReplaceAll(strings.ToLower(name), " ", "-")
}

// cukeJSON writes JSON as json.MarshalIndent(v, "", "    ") lays it out, member by member,
// every string through net, to w 64 KiB at a time; it keeps the first write error.
type cukeJSON struct {
	w     io.Writer
	net   redactor
	buf   []byte
	depth int
	count []int // members written so far at each open level
	err   error
}

// tags writes the "tags" member of the tags of a feature, a scenario and its examples, in
// that order, when there is any.
func (j *cukeJSON) tags(lists ...[]*messages.Tag) {
	n := 0
	for _, l := range lists {
		n += len(l)
	}
	if n == 0 {
		return
	}
	j.key("tags")
	j.open('[')
	for _, l := range lists {
		for _, t := range l {
			j.lineItem("name", t.Name, t.Location)
		}
	}
	j.close(']')
}

// lineItem writes, as the next element of the array open last, the object of the member k
// with the string v, and "line", the line of at.
func (j *cukeJSON) lineItem(k, v string, at *messages.Location) {
	j.elem()
	j.open('{')
	j.str(k, v)
	j.num("line", int(at.Line))
	j.close('}')
}

// open starts an object or an array.
func (j *cukeJSON) open(c byte) {
	j.buf = append(j.buf, c)
	j.count = append(j.count, 0)
	j.depth++
}

// close ends the object or array open last.
func (j *cukeJSON) close(c byte) {
	j.depth--
	n := j.count[len(j.count)-1]
	j.count = j.count[:len(j.count)-1]
	if n > 0 {
		j.newline()
	}
	j.buf = append(j.buf, c)
	j.spill()
}

// elem starts the next element of the array open last.
func (j *cukeJSON) elem() {
	if j.count[len(j.count)-1] > 0 {
		j.buf = append(j.buf, ',')
	}
	j.count[len(j.count)-1]++
	j.newline()
}

// key starts the member k of the object open last.
func (j *cukeJSON) key(k string) {
	j.elem()
	j.buf = codec.AppendString(j.buf, k)
	j.buf = append(j.buf, ':', ' ')
}

// str writes the member k with the string value v.
func (j *cukeJSON) str(k, v string) {
	j.key(k)
	j.string(v)
}

// num writes the member k with the number n.
func (j *cukeJSON) num(k string, n int) {
	j.key(k)
	j.buf = strconv.AppendInt(j.buf, int64(n), 10)
}

// string writes the string value s, redacted.
func (j *cukeJSON) string(s string) {
	if len(j.net) > 0 {
		s = j.net.String(s)
	}
	j.buf = codec.AppendString(j.buf, s)
}

// base64 writes data, redacted, as a base64 string, as encoding/json writes a []byte.
func (j *cukeJSON) base64(data []byte) {
	if len(j.net) > 0 && j.net.occursIn(data) {
		data = j.net.Bytes(data)
	}
	j.buf = append(j.buf, '"')
	j.buf = base64.StdEncoding.AppendEncode(j.buf, data)
	j.buf = append(j.buf, '"')
	j.spill()
}

// raw writes s as it is.
func (j *cukeJSON) raw(s string) {
	j.buf = append(j.buf, s...)
}

// newline ends a line and indents the next to the current depth.
func (j *cukeJSON) newline() {
	j.buf = append(j.buf, '\n')
	for range j.depth {
		j.buf = append(j.buf, "    "...)
	}
}

// spill writes what is buffered once it is 64 KiB.
func (j *cukeJSON) spill() {
	if len(j.buf) >= 64<<10 {
		j.flush()
	}
}

// flush writes what is buffered; the first error stays in j.err.
func (j *cukeJSON) flush() {
	if j.err == nil && len(j.buf) > 0 {
		_, j.err = j.w.Write(j.buf)
	}
	j.buf = j.buf[:0]
}
