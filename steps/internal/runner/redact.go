package runner

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/scimcheck/scimcheck/steps/scim"
)

// redactor hides every form of a run's secret that scimcheck knows: those the scim.Client
// redacts, and the bare token of a header-auth secret such as "Bearer xyz", which the client
// only knows whole. It is immutable and safe for concurrent use.
type redactor []*scim.Redactor

// newRedactor returns the redactor for a client that sends secret as auth says. Errors: the
// auth mode and secret do not fit (as scim.New reports them).
func newRedactor(auth scim.AuthMode, secret string) (redactor, error) {
	c, err := scim.New(scim.Config{BaseURL: "http://127.0.0.1", Auth: auth, Secret: secret})
	if err != nil {
		return nil, err
	}
	rd := redactor{c.Redactor()}
	if _, token, ok := strings.Cut(secret, " "); auth == scim.AuthHeader && ok && strings.TrimSpace(token) != "" {
		rd = append(rd, scim.NewRedactor(strings.TrimSpace(token)))
	}
	return rd, nil
}

// String returns s with every secret replaced by scim.Redacted.
func (rd redactor) String(s string) string {
	for _, r := range rd {
		s = r.String(s)
	}
	return s
}

// Bytes returns a copy of b with every secret replaced by scim.Redacted.
func (rd redactor) Bytes(b []byte) []byte {
	return []byte(rd.String(string(b)))
}

// net returns the safety net over rendered output: the forms of rd's secrets that are at
// least scim.NetMinLen long. Values are redacted at their source, whatever their length
// (exchanges, headers, bodies, failures); a shorter form over rendered text would hit keys,
// tags, command names and the marker's own letters.
func (rd redactor) net() redactor {
	out := make(redactor, 0, len(rd))
	for _, r := range rd {
		out = append(out, r.LongOnly())
	}
	return out
}

// document redacts the rendered file raw by its structure: the string values of JSON,
// the character data and attribute values of XML and HTML, else every line; with the net only.
func (rd redactor) document(name string, raw []byte) []byte {
	for _, r := range rd.net() {
		if !r.OccursIn(raw) { // nothing to redact: skip the copy and the parse
			continue
		}
		switch strings.ToLower(filepath.Ext(name)) {
		case ".json":
			raw = r.JSONValues(raw)
		case ".xml", ".html", ".htm":
			raw = r.MarkupText(raw)
		default:
			raw = r.Bytes(raw)
		}
	}
	return raw
}

// leakWatch passes what is written through to w and notes whether any form of net's secrets
// went by, also across the boundary of two writes, without holding more than the longest
// form: the reports stream to their files, and only one that a secret reached is read back
// and redacted by its structure.
type leakWatch struct {
	w    io.Writer
	net  redactor
	keep int    // the longest form's length less one
	tail []byte // the last keep bytes written
	seen bool
}

// newLeakWatch returns a leakWatch writing to w.
func newLeakWatch(w io.Writer, net redactor) *leakWatch {
	lw := &leakWatch{w: w, net: net}
	for _, r := range net {
		lw.keep = max(lw.keep, r.Longest()-1)
	}
	return lw
}

// Write looks for the net's forms in p and in what straddles p and the bytes before it, then
// writes p to w.
func (lw *leakWatch) Write(p []byte) (int, error) {
	if !lw.seen && lw.keep > 0 {
		lw.seen = lw.net.occursIn(p) || len(lw.tail) > 0 && lw.net.occursIn(append(lw.tail, p[:min(len(p), lw.keep)]...))
		lw.tail = append(lw.tail, p[max(0, len(p)-lw.keep):]...)
		if n := len(lw.tail) - lw.keep; n > 0 {
			lw.tail = append(lw.tail[:0], lw.tail[n:]...)
		}
	}
	return lw.w.Write(p)
}

// occursIn reports whether any form of rd's secrets occurs in b.
func (rd redactor) occursIn(b []byte) bool {
	for _, r := range rd {
		if r.OccursIn(b) {
			return true
		}
	}
	return false
}

// redactWriter writes whole lines to w with every secret rd knows replaced. It holds back a
// partial line until its newline arrives (or Flush), so that a secret split across two
// writes is still caught. It is safe for concurrent use.
//
// Everything scimcheck prints goes through one: the step definitions and package scim already
// redact, and this is the second line of defence, with rd's net only (so that a short secret
// does not eat the letters of the table and of rerun commands).
type redactWriter struct {
	w  io.Writer
	rd redactor

	mu  sync.Mutex
	buf []byte
}

// Write buffers p and writes every complete line. It reports len(p) unless w fails.
func (rw *redactWriter) Write(p []byte) (int, error) {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	rw.buf = append(rw.buf, p...)
	i := bytes.LastIndexByte(rw.buf, '\n')
	if i < 0 {
		return len(p), nil
	}
	_, err := rw.w.Write(rw.rd.net().Bytes(rw.buf[:i+1]))
	rw.buf = append(rw.buf[:0], rw.buf[i+1:]...)
	if err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush writes what is left of an unfinished line.
func (rw *redactWriter) Flush() error {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	if len(rw.buf) == 0 {
		return nil
	}
	_, err := rw.w.Write(rw.rd.net().Bytes(rw.buf))
	rw.buf = rw.buf[:0]
	return err
}

// ansiEscape matches the colour codes godog's console formatters write.
var ansiEscape = regexp.MustCompile("\x1b\\[[0-9;]*[A-Za-z]")

// redactFile rewrites the file at path with every secret rd knows replaced, when it holds
// any, and, with uncolor, without ANSI colour codes. godog writes report files itself, so
// they are cleaned after the run.
func redactFile(path string, rd redactor, uncolor bool) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if uncolor {
		raw = ansiEscape.ReplaceAll(raw, nil)
	}
	clean := rd.document(path, raw)
	if bytes.Equal(clean, raw) {
		return nil
	}
	return os.WriteFile(path, clean, 0o644)
}
