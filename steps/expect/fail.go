package expect

import (
	"github.com/tidwall/gjson"

	"github.com/scimcheck/scimcheck/steps/scim"
)

// Fail returns a *Failure about path in ex for a check this package does not offer: expected
// and actual are already rendered (use Describe for a JSON value). It carries the same
// response notes and redaction as every other check.
func Fail(ex *scim.Exchange, path, expected, actual, because string) error {
	f := newFailure(ex, path, expected, because)
	f.Actual = actual
	return done(ex, f)
}

// FailMissing returns a *Failure saying path is absent from ex's body, where expected was
// wanted.
func FailMissing(ex *scim.Exchange, path, expected, because string) error {
	f := newFailure(ex, path, expected, because)
	f.Missing = true
	return done(ex, f)
}

// Describe renders a JSON value with its type, as failure messages do: `1 (number)`,
// `"1" (string)`, `null`, and `nothing` for a value that does not exist.
func Describe(r gjson.Result) string {
	if !r.Exists() {
		return "nothing"
	}
	return describe(r)
}
