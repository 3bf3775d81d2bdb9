package steps

import (
	"fmt"
	"strings"

	"github.com/cucumber/godog"
	messages "github.com/cucumber/messages/go/v34"
)

// What godog reports of a step, read for a Result.

// isPanic reports whether err, or an error it wraps, is godog's record of a recovered panic.
// godog does not export that type, so it is recognised by name.
func isPanic(err error) bool {
	return inChain(err, func(e error) bool { return fmt.Sprintf("%T", e) == "*godog.traceError" })
}

// isHarnessError reports whether err, or an error it wraps, is a *HarnessError: a fault
// of scimcheck's own, never a verdict on the target.
func isHarnessError(err error) bool {
	return inChain(err, func(e error) bool { _, ok := e.(*HarnessError); return ok })
}

// inChain reports whether match holds for err or any error it wraps.
func inChain(err error, match func(error) bool) bool {
	for err != nil {
		if match(err) {
			return true
		}
		switch u := err.(type) {
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				if inChain(e, match) {
					return true
				}
			}
			return false
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		default:
			return false
		}
	}
	return false
}

// errText returns err's message, or "" for nil.
func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// skipReason returns why a step was skipped: its error without godog's "skipped" prefix.
func skipReason(err error) string {
	msg := strings.TrimPrefix(err.Error(), "before scenario hook failed: ")
	msg = strings.TrimPrefix(msg, godog.ErrSkip.Error())
	return strings.TrimSpace(strings.TrimLeft(msg, ":"))
}

// keyword returns the Gherkin keyword that reads like a step of type t after a step of type
// prev: Given, When, Then, or And when the type repeats.
func keyword(t, prev messages.PickleStepType) string {
	if t == prev && t != messages.PickleStepType_UNKNOWN {
		return "And"
	}
	switch t {
	case messages.PickleStepType_CONTEXT:
		return "Given"
	case messages.PickleStepType_ACTION:
		return "When"
	case messages.PickleStepType_OUTCOME:
		return "Then"
	}
	return "*"
}

// stepArgument returns a step's doc string, or its data table as "| a | b |" lines; "" for
// none.
func stepArgument(a *messages.PickleStepArgument) string {
	switch {
	case a == nil:
		return ""
	case a.DocString != nil:
		return a.DocString.Content
	case a.DataTable != nil:
		var b strings.Builder
		for _, row := range a.DataTable.Rows {
			b.WriteString("|")
			for _, c := range row.Cells {
				b.WriteString(" " + c.Value + " |")
			}
			b.WriteString("\n")
		}
		return strings.TrimSuffix(b.String(), "\n")
	}
	return ""
}
