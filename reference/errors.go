// Package reference holds the domain of scimcheck's reference SCIM 2.0 service provider: the
// resource types and schemas it serves (schema.go), how a request body becomes a canonical
// resource (normalize.go), the SCIM error every layer returns (errors.go), the Store interface
// storage implements (store.go), and the catalogue of quirks that break it on purpose
// (quirks.go). Storage lives in package store, filters in filter, PATCH in patch, the HTTP
// server in server, and the quirks' behaviour in quirks.
package reference

import (
	"errors"
	"fmt"
)

// SCIM error types (RFC 7644 §3.12, Table 9).
const (
	ScimTypeInvalidFilter = "invalidFilter"
	ScimTypeTooMany       = "tooMany"
	ScimTypeUniqueness    = "uniqueness"
	ScimTypeMutability    = "mutability"
	ScimTypeInvalidSyntax = "invalidSyntax"
	ScimTypeInvalidPath   = "invalidPath"
	ScimTypeNoTarget      = "noTarget"
	ScimTypeInvalidValue  = "invalidValue"
	ScimTypeInvalidVers   = "invalidVers"
	ScimTypeSensitive     = "sensitive"
)

// ErrorSchema is the URN of the SCIM Error message (RFC 7644 §3.12).
const ErrorSchema = "urn:ietf:params:scim:api:messages:2.0:Error"

// Error is a SCIM error: the HTTP status, the optional scimType and a human detail. Every
// package of the reference server returns *Error for anything the client did wrong, so the HTTP
// layer can render it as an Error-schema body without guessing.
type Error struct {
	Status   int
	ScimType string
	Detail   string
}

// Error returns the detail with its status and scimType.
func (e *Error) Error() string {
	if e.ScimType != "" {
		return fmt.Sprintf("%d %s: %s", e.Status, e.ScimType, e.Detail)
	}
	return fmt.Sprintf("%d: %s", e.Status, e.Detail)
}

// Errorf returns an *Error with the given status, scimType (may be empty) and formatted detail.
func Errorf(status int, scimType, format string, args ...any) *Error {
	return &Error{Status: status, ScimType: scimType, Detail: fmt.Sprintf(format, args...)}
}

// BadRequest returns a 400 *Error with the given scimType and formatted detail.
func BadRequest(scimType, format string, args ...any) *Error {
	return Errorf(400, scimType, format, args...)
}

// NotFound returns a 404 *Error with the formatted detail.
func NotFound(format string, args ...any) *Error {
	return Errorf(404, "", format, args...)
}

// AsError returns the *Error in err's chain, if any.
func AsError(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}
