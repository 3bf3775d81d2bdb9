package steps

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/cucumber/godog"
	"github.com/tidwall/gjson"

	"github.com/scimcheck/scimcheck/steps/expect"
	"github.com/scimcheck/scimcheck/steps/scim"
)

// Every step's failure gets a first line that names the defect the way the server's vendor
// thinks of it ("diagnosis: the userName look-up is case-sensitive: …"), above the precise
// report (request line, JSON path, expected and actual, the requirement). The rules that find
// it live in the file of the capability they are about; diagnosisRules lists them in order.

// step returns the definition of one step: pattern compiled once, fn wrapped so that its
// failures carry a diagnosis.
func step(pattern string, fn any) stepDef {
	return stepDef{expr: regexp.MustCompile(pattern), fn: diagnosing(fn)}
}

// diagnosing wraps a step function so that the error it returns goes through diagnose. It
// panics on a signature it does not know: a harness bug, found when the package initialises.
func diagnosing(fn any) any {
	switch f := fn.(type) {
	case func(context.Context) error:
		return func(ctx context.Context) error { return diagnose(ctx, f(ctx)) }
	case func(context.Context, string) error:
		return func(ctx context.Context, a string) error { return diagnose(ctx, f(ctx, a)) }
	case func(context.Context, int) error:
		return func(ctx context.Context, a int) error { return diagnose(ctx, f(ctx, a)) }
	case func(context.Context, string, string) error:
		return func(ctx context.Context, a, b string) error { return diagnose(ctx, f(ctx, a, b)) }
	case func(context.Context, string, int) error:
		return func(ctx context.Context, a string, b int) error { return diagnose(ctx, f(ctx, a, b)) }
	case func(context.Context, string, string, string) error:
		return func(ctx context.Context, a, b, c string) error { return diagnose(ctx, f(ctx, a, b, c)) }
	case func(context.Context, string, string, *godog.DocString) error:
		return func(ctx context.Context, a, b string, d *godog.DocString) error {
			return diagnose(ctx, f(ctx, a, b, d))
		}
	}
	panic(fmt.Sprintf("scimcheck harness bug: step function of type %T cannot be diagnosed; add its signature to diagnosing", fn))
}

// diagnosis is the defect behind a failed check, named the way the server's vendor thinks of
// it: a stable id (the root cause the reports group failures by, e.g. "counts-not-integers")
// and the line that explains it. The zero value means no rule recognised the defect.
type diagnosis struct {
	id, line string
}

// found returns the diagnosis id with its line.
func found(id, line string) diagnosis { return diagnosis{id: id, line: line} }

// diagnosedError renders a target failure with its diagnosis above it. The diagnosis itself
// travels as data on the *expect.Failure (Diagnosis, Cause).
type diagnosedError struct {
	line string
	err  error
}

// Error returns "diagnosis: <line>" above the failure's own report.
func (d *diagnosedError) Error() string { return "diagnosis: " + d.line + "\n" + d.err.Error() }

// Unwrap returns the failure.
func (d *diagnosedError) Unwrap() error { return d.err }

// diagnose returns err with a diagnosis line when a rule recognises the defect behind it, and
// err unchanged otherwise: nil, a skip, a harness error or an unrecognised failure.
func diagnose(ctx context.Context, err error) error {
	var f *expect.Failure
	if err == nil || errors.Is(err, godog.ErrSkip) || !errors.As(err, &f) {
		return err
	}
	w, ok := ctx.Value(worldKey{}).(*world)
	if !ok {
		return err
	}
	err = w.gradeDefault(err)
	kind := ""
	var fe *sequenceError
	if errors.As(err, &fe) {
		kind = fe.kind
	}
	w.diagnosisOf(f, kind)
	var done *diagnosedError
	if f.Diagnosis != "" && !errors.As(err, &done) {
		return &diagnosedError{line: f.Diagnosis, err: err}
	}
	return err
}

// diagnoseFailure sets f's Diagnosis and Cause when a rule recognises its defect.
func (w *world) diagnoseFailure(f *expect.Failure) { w.diagnosisOf(f, "") }

// diagnosisOf runs the diagnosis rules on f, found by a check in the Okta sequence of kind kind ("" outside
// one), sets its Diagnosis and Cause from the first rule that recognises the defect, and returns
// that diagnosis; the zero diagnosis when none does or f was diagnosed before.
func (w *world) diagnosisOf(f *expect.Failure, kind string) diagnosis {
	if f.Diagnosis != "" {
		return diagnosis{}
	}
	c := &clue{w: w, f: f, ex: w.exchangeOf(f.RequestLine), sequence: kind}
	if c.ex == nil {
		return diagnosis{}
	}
	for _, rule := range diagnosisRules {
		if d := rule(c); d.line != "" {
			f.Diagnosis, f.Cause = d.line, d.id
			return d
		}
	}
	return diagnosis{}
}

// exchangeOf returns the scenario's latest exchange with the request line line, or nil.
func (w *world) exchangeOf(line string) *scim.Exchange {
	for i := len(w.exchanges) - 1; i >= 0; i-- {
		if w.exchanges[i].RequestLine() == line {
			return w.exchanges[i]
		}
	}
	return nil
}

// clue is what a diagnosis rule looks at: the failed check, the exchange it is about and the
// scenario's world.
type clue struct {
	w        *world
	f        *expect.Failure
	ex       *scim.Exchange
	sequence string // the kind of Okta sequence that failed ("assignment", …), "" outside one
}

// method returns the request method.
func (c *clue) method() string { return c.ex.Request.Method }

// status returns the response status.
func (c *clue) status() int { return c.ex.Response.StatusCode }

// target returns the endpoint ("Users", "Groups") and id of the request.
func (c *clue) target() (kind, id string) { return resourceOf(c.ex.Request.URL) }

// rawQuery returns the request's query string as sent.
func (c *clue) rawQuery() string {
	u, err := url.Parse(c.ex.Request.URL)
	if err != nil {
		return ""
	}
	return u.RawQuery
}

// query returns the request's query parameters.
func (c *clue) query() url.Values {
	v, _ := url.ParseQuery(c.rawQuery())
	return v
}

// sent returns the request body as JSON.
func (c *clue) sent() gjson.Result { return gjson.ParseBytes(c.ex.Request.Body) }

// got returns the response body as JSON.
func (c *clue) got() gjson.Result { return c.ex.JSON() }

// statusCheck reports whether the failure is about the HTTP status, wanting one of want.
func (c *clue) statusCheck(want ...int) bool {
	if c.f.Path != "HTTP status" {
		return false
	}
	for _, code := range want {
		if !strings.Contains(c.f.Expected, strconv.Itoa(code)) {
			return false
		}
	}
	return true
}

// operations returns the PatchOp operations the request sent.
func (c *clue) operations() []gjson.Result { return c.sent().Get("Operations").Array() }

// userByID returns the scenario's user whose app id is id, or nil.
func (w *world) userByID(id string) *user {
	for _, u := range w.users {
		if id != "" && (u.id == id || u.firstID == id) {
			return u
		}
	}
	return nil
}

// groupByID returns the scenario's group whose app id is id, or nil.
func (w *world) groupByID(id string) *group {
	for _, g := range w.groups {
		if id != "" && g.id == id {
			return g
		}
	}
	return nil
}

// userByName returns the scenario's user whose userName, or the one the app holds for it,
// equals name in any case, or nil.
func (w *world) userByName(name string) *user {
	for _, u := range w.users {
		if strings.EqualFold(u.userName, name) || strings.EqualFold(u.appName(), name) {
			return u
		}
	}
	return nil
}

// writesBefore returns the 2xx PUT and PATCH requests to resource id that came before ex in
// the scenario, oldest first.
func (w *world) writesBefore(ex *scim.Exchange, id string) []*scim.Exchange {
	var out []*scim.Exchange
	for _, e := range w.exchanges {
		if e == ex {
			break
		}
		st := e.Response.StatusCode
		if _, eid := resourceOf(e.Request.URL); eid == id && st >= 200 && st <= 299 &&
			(e.Request.Method == "PUT" || e.Request.Method == "PATCH") {
			out = append(out, e)
		}
	}
	return out
}

// sentBefore reports whether the scenario sent method to an endpoint of kind before ex.
func (w *world) sentBefore(ex *scim.Exchange, method, kind string) bool {
	for _, e := range w.exchanges {
		if e == ex {
			return false
		}
		if k, id := resourceOf(e.Request.URL); e.Request.Method == method && k == kind && id != "" {
			return true
		}
	}
	return false
}

// filterValue returns the attribute and the value of the request's `attr eq "value"` filter.
func (c *clue) filterValue() (attr, value string, ok bool) {
	expr := c.query().Get("filter")
	attr, rest, found := strings.Cut(expr, " eq ")
	if !found {
		return "", "", false
	}
	v, err := strconv.Unquote(strings.TrimSpace(rest))
	if err != nil {
		return "", "", false
	}
	return strings.TrimSpace(attr), v, true
}

// rendered renders a JSON value the way a Failure's Expected does: `"x" (string)`, `1 (number)`.
func rendered(r gjson.Result) string {
	switch r.Type {
	case gjson.String:
		return strconv.Quote(r.Str) + " (string)"
	case gjson.True, gjson.False:
		return r.Raw + " (boolean)"
	case gjson.Number:
		return r.Raw + " (number)"
	}
	return r.Raw
}

// topName returns the attribute a JSON path starts with: "phoneNumbers" for "phoneNumbers.0.value".
func topName(path string) string {
	name, _, _ := strings.Cut(path, ".")
	return name
}

// plural returns "1 resource" or "3 resources".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// diagnosisRules name the defect behind a failed check in the vendor's terms, most specific
// first; diagnose uses the first that answers. Each returns "" when it does not apply. The
// mutation matrix (matrix_test.go) proves that every quirk of the reference server gets its
// diagnosis.
var diagnosisRules = []func(c *clue) diagnosis{
	// Authentication and error bodies (okta-wire §1.2, §1.4, §9.2).
	diagnoseAuth,
	diagnoseErrorBody,
	// Status codes.
	diagnoseServerError,
	diagnoseMediaType,
	diagnoseCreate,
	diagnoseStatus,
	diagnoseListRequest,
	diagnosePatchRefused,
	diagnosePutRefused,
	// Values.
	diagnoseCounts,
	diagnoseActive,
	diagnoseMisc,
	diagnoseLookup,
	diagnoseUserWrite,
	diagnoseMembers,
	diagnoseGroupName,
}
