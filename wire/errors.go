package wire

import (
	"errors"
	"fmt"
	"strings"
)

// Errors for messages that cannot be parsed. Every parse error wraps one.
var (
	// ErrOversize is input larger than MaxMessageSize.
	ErrOversize = errors.New("message too large")
	// ErrMalformed is input that is not the CBOR structure of a message.
	ErrMalformed = errors.New("malformed message")
	// ErrTrailingData is a message followed by more bytes.
	ErrTrailingData = errors.New("trailing data after message")
	// ErrNonCanonical is a message whose CBOR is valid but not in the one
	// deterministic encoding the format allows.
	ErrNonCanonical = errors.New("non-canonical encoding")
	// ErrWrongType is a message of another type than the one asked for.
	ErrWrongType = errors.New("wrong message type")
	// ErrUnsupportedVersion is a message of a format version this code does
	// not know.
	ErrUnsupportedVersion = errors.New("unsupported format version")
	// ErrInvalidField is a field whose value breaks the format's rules (a
	// missing field, a value out of range, a string too long).
	ErrInvalidField = errors.New("invalid field")
)

// TypeError is a message of another type than the one asked for.
type TypeError struct {
	Want []Type
	Got  Type
}

func (e *TypeError) Error() string {
	want := make([]string, len(e.Want))
	for i, t := range e.Want {
		want[i] = t.String()
	}
	return fmt.Sprintf("wrong message type: got %s, want %s", e.Got, strings.Join(want, " or "))
}

func (e *TypeError) Unwrap() error { return ErrWrongType }

// CheckType returns a *TypeError unless got is one of want.
func CheckType(got Type, want ...Type) error {
	for _, w := range want {
		if got == w {
			return nil
		}
	}
	return &TypeError{Want: want, Got: got}
}

// FieldError names the field that broke the format's rules.
type FieldError struct {
	Field  string
	Reason string
	Err    error // the underlying error, if any
}

func (e *FieldError) Error() string {
	if e.Err != nil && e.Reason == "" {
		return fmt.Sprintf("invalid field %s: %v", e.Field, e.Err)
	}
	return fmt.Sprintf("invalid field %s: %s", e.Field, e.Reason)
}

// Unwrap gives ErrInvalidField and the underlying error.
func (e *FieldError) Unwrap() []error {
	if e.Err != nil {
		return []error{ErrInvalidField, e.Err}
	}
	return []error{ErrInvalidField}
}
