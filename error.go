// Package attest is the domain of Attest, a self-hosted SOC 2 compliance
// platform: frameworks and their criteria, controls, engagements (audit
// projects), remediation tasks and readiness. It holds types, validation and
// pure computation; storage lives in store/, HTTP in web/, wiring in cmd/.
package attest

import (
	"errors"
	"fmt"
)

// Error codes. Each maps to one HTTP status and one CLI exit code.
const (
	EINVALID      = "invalid"
	ENOTFOUND     = "not_found"
	ECONFLICT     = "conflict"
	EUNAUTHORIZED = "unauthorized"
	EFORBIDDEN    = "forbidden"
	EINTERNAL     = "internal"
	// ETOOLARGE is for input over a size limit, such as an upload.
	ETOOLARGE = "too_large"
)

// Error is a domain error: a code and a message that is safe to show a user.
// Any error that is not an *Error is shown as "Internal error".
type Error struct {
	Code    string
	Message string
	// Field names the form field the error is about, when there is one, so
	// a form can show the message beside it ("" for the form as a whole).
	Field string
}

func (e *Error) Error() string {
	return fmt.Sprintf("attest error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf returns an EINVALID *Error about one field of a form or
// request.
func FieldErrorf(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Message: fmt.Sprintf(format, args...), Field: field}
}

// ErrorField returns the field of the first *Error in err's chain, or "".
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-safe message of err: the message of its
// *Error, or "Internal error" for anything else.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error"
}
