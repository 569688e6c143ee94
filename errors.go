package xinyong

import (
	"errors"
	"fmt"
	"strings"
)

// Error codes: a small closed set. The HTTP layer maps each to a status in
// exactly one place (internal/server).
const (
	EINVALID        = "invalid"
	ENOTFOUND       = "not_found"
	ECONFLICT       = "conflict"
	EUNAUTHORIZED   = "unauthorized"
	EFORBIDDEN      = "forbidden"
	EDEADLINEPASSED = "deadline_passed"
	ETOOLARGE       = "too_large"
	EUNSUPPORTED    = "unsupported_media_type"
	ETOOMANY        = "too_many_requests"
	EINTERNAL       = "internal"
)

// FieldError names one field (or row and column) that broke one rule.
type FieldError struct {
	Row     int    `json:"row,omitempty"`
	Field   string `json:"field"`
	Rule    string `json:"rule"`
	Message string `json:"message"`
	Value   string `json:"value,omitempty"`
}

// Error is an application error with a code, a message that is safe to show
// to the user, and optional per-field details.
type Error struct {
	Code    string
	Message string
	Fields  []FieldError
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return fmt.Sprintf("xinyong: %s: %s", e.Code, e.Message)
	}
	parts := make([]string, 0, len(e.Fields))
	for _, f := range e.Fields {
		parts = append(parts, f.Field+": "+f.Message)
	}
	return fmt.Sprintf("xinyong: %s: %s (%s)", e.Code, e.Message, strings.Join(parts, "; "))
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EINVALID error carrying the field errors.
func Invalid(msg string, fields ...FieldError) *Error {
	return &Error{Code: EINVALID, Message: msg, Fields: fields}
}

// ErrorCode returns the code of an application error, or EINTERNAL for any
// other non-nil error.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-safe message of an application error, or a
// generic message for any other error.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "内部错误 (internal error)"
}

// ErrorFields returns the per-field details of an application error.
func ErrorFields(err error) []FieldError {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// Validation collects field errors and turns them into one EINVALID error.
type Validation struct {
	Fields []FieldError
}

// Add records one broken rule.
func (v *Validation) Add(field, rule, format string, args ...any) {
	v.Fields = append(v.Fields, FieldError{Field: field, Rule: rule, Message: fmt.Sprintf(format, args...)})
}

// Err returns nil when nothing was added, or an EINVALID error with msg.
func (v *Validation) Err(msg string) error {
	if len(v.Fields) == 0 {
		return nil
	}
	return &Error{Code: EINVALID, Message: msg, Fields: v.Fields}
}
