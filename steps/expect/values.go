package expect

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/scimcheck/scimcheck/steps/scim"
)

// check runs one body assertion: the value at path must exist and satisfy ok. expected
// describes what ok wants, for the message.
func check(ex *scim.Exchange, path, expected, because string, ok func(gjson.Result) bool) error {
	if err := usable(ex, path); err != nil {
		return err
	}
	f := newFailure(ex, path, expected, because)
	if f.Unreadable = unreadable(ex); f.Unreadable != "" {
		return done(ex, f)
	}
	r := ex.JSON().Get(path)
	switch {
	case !r.Exists():
		f.Missing = true
	case !ok(r):
		f.Actual = describe(r)
	default:
		return nil
	}
	return done(ex, f)
}

// usable returns a harness error for a nil exchange or an empty path.
func usable(ex *scim.Exchange, path string) error {
	if ex == nil {
		return errors.New("expect: the exchange is nil")
	}
	if path == "" {
		return errors.New("expect: the JSON path is empty")
	}
	return nil
}

// Equal checks that the value at path equals want, type included: "1" (string) is not
// 1 (number). want is a string, a bool, an integer or float of any Go kind, or nil for JSON
// null. It returns a *Failure when the value is missing or differs, or a plain error for
// another want type.
func Equal(ex *scim.Exchange, path string, want any, because string) error {
	expected, ok, err := matcher(want)
	if err != nil {
		return err
	}
	return check(ex, path, expected, because, ok)
}

// matcher returns the rendering of want and a test for a JSON value equal to it.
func matcher(want any) (string, func(gjson.Result) bool, error) {
	if want == nil {
		return "null", func(r gjson.Result) bool { return r.Type == gjson.Null }, nil
	}
	v := reflect.ValueOf(want)
	switch v.Kind() {
	case reflect.String:
		w := v.String()
		return strconv.Quote(w) + " (string)", func(r gjson.Result) bool { return r.Type == gjson.String && r.Str == w }, nil
	case reflect.Bool:
		w := v.Bool()
		return strconv.FormatBool(w) + " (boolean)", func(r gjson.Result) bool {
			return (r.Type == gjson.True && w) || (r.Type == gjson.False && !w)
		}, nil
	case reflect.Float32, reflect.Float64:
		w := v.Float()
		return strconv.FormatFloat(w, 'g', -1, 64) + " (number)", func(r gjson.Result) bool {
			return r.Type == gjson.Number && r.Num == w
		}, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		w := v.Int()
		return strconv.FormatInt(w, 10) + " (number)", func(r gjson.Result) bool {
			if got, err := strconv.ParseInt(r.Raw, 10, 64); err == nil && r.Type == gjson.Number {
				return got == w // exact, beyond float64 precision
			}
			return r.Type == gjson.Number && r.Num == float64(w)
		}, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		w := v.Uint()
		return strconv.FormatUint(w, 10) + " (number)", func(r gjson.Result) bool {
			if got, err := strconv.ParseUint(r.Raw, 10, 64); err == nil && r.Type == gjson.Number {
				return got == w
			}
			return r.Type == gjson.Number && r.Num == float64(w)
		}, nil
	}
	return "", nil, fmt.Errorf("expect: want has unsupported type %T: use a string, bool, integer, float or nil", want)
}

// EqualFold checks that the value at path is a string equal to want under Unicode case
// folding, as for caseExact=false attributes such as userName (RFC 7643 §4.1.1).
func EqualFold(ex *scim.Exchange, path, want, because string) error {
	return check(ex, path, strconv.Quote(want)+" (string, any case)", because, func(r gjson.Result) bool {
		return r.Type == gjson.String && strings.EqualFold(r.Str, want)
	})
}

// Number checks that the value at path is a JSON number ("1" is a string, not a number).
func Number(ex *scim.Exchange, path, because string) error {
	return check(ex, path, "a number", because, func(r gjson.Result) bool { return r.Type == gjson.Number })
}

// Integer checks that the value at path is a JSON number with no fractional digits (RFC 7643
// §2.3.4): 1 passes, 1.0, 1e0 and "1" fail. Okta needs totalResults, startIndex and
// itemsPerPage as integers (okta-wire §2.2).
func Integer(ex *scim.Exchange, path, because string) error {
	return check(ex, path, "an integer (a number with no fractional digits)", because, func(r gjson.Result) bool {
		return r.Type == gjson.Number && !strings.ContainsAny(r.Raw, ".eE")
	})
}

// NotEmpty checks that the value at path is present and not null, a blank string, [] or {}.
func NotEmpty(ex *scim.Exchange, path, because string) error {
	return check(ex, path, "a non-empty value", because, func(r gjson.Result) bool {
		switch {
		case r.Type == gjson.Null:
			return false
		case r.Type == gjson.String:
			return strings.TrimSpace(r.Str) != ""
		case r.IsArray():
			return len(r.Array()) > 0
		case r.IsObject():
			return len(r.Map()) > 0
		}
		return true
	})
}

// Absent checks that path is absent from the body or null, which RFC 7643 §2.5 makes
// equivalent ("unassigned"). It fails when the body cannot be read as JSON: absence is then
// unknown, not proven.
func Absent(ex *scim.Exchange, path, because string) error {
	if err := usable(ex, path); err != nil {
		return err
	}
	f := newFailure(ex, path, "absent (or null)", because)
	if f.Unreadable = unreadable(ex); f.Unreadable != "" {
		return done(ex, f)
	}
	r := ex.JSON().Get(path)
	if !r.Exists() || r.Type == gjson.Null {
		return nil
	}
	f.Actual = describe(r)
	return done(ex, f)
}

// Contains checks that the value at path is an array holding the string want, e.g. "schemas"
// holding the Error URN.
func Contains(ex *scim.Exchange, path, want, because string) error {
	return check(ex, path, "an array containing "+strconv.Quote(want), because, func(r gjson.Result) bool {
		if !r.IsArray() {
			return false
		}
		for _, v := range r.Array() {
			if v.Type == gjson.String && v.Str == want {
				return true
			}
		}
		return false
	})
}

// Len checks that the value at path is an array of n elements.
func Len(ex *scim.Exchange, path string, n int, because string) error {
	return check(ex, path, fmt.Sprintf("an array of %d", n), because, func(r gjson.Result) bool {
		return r.IsArray() && len(r.Array()) == n
	})
}
