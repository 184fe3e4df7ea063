package wire

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Name limits (doc/SPEC.md, "Limits").
const (
	MaxFeatures = 32
	MaxNameLen  = 32 // feature, product and meter names
	MaxMeters   = 32
)

// CheckName validates a feature, product or meter name: 1 to 32 bytes of letters,
// digits, '.', '_' or '-', starting with a letter or digit.
func CheckName(field, n string) error {
	if n == "" || len(n) > MaxNameLen {
		return &FieldError{Field: field, Reason: fmt.Sprintf("name %q must be 1 to %d bytes", n, MaxNameLen)}
	}
	for i, r := range n {
		ok := r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || (i > 0 && strings.ContainsRune("._-", r)))
		if !ok {
			return &FieldError{Field: field, Reason: fmt.Sprintf("name %q may hold only letters, digits, '.', '_' and '-'", n)}
		}
	}
	return nil
}

// CheckFeatures validates a feature list: names as CheckName, sorted, no
// repeats, at most MaxFeatures.
func CheckFeatures(field string, fs []string) error {
	if len(fs) > MaxFeatures {
		return &FieldError{Field: field, Reason: fmt.Sprintf("%d features, at most %d", len(fs), MaxFeatures)}
	}
	for i, f := range fs {
		if err := CheckName(field, f); err != nil {
			return err
		}
		if i > 0 && fs[i-1] >= f {
			return &FieldError{Field: field, Reason: "features must be sorted and not repeated"}
		}
	}
	return nil
}

// SortFeatures returns the features sorted and without repeats, the order
// the format requires.
func SortFeatures(fs []string) []string {
	out := slices.Clone(fs)
	slices.Sort(out)
	return slices.Compact(out)
}

// CheckMeters validates consumption meters: at most MaxMeters, names as
// CheckName.
func CheckMeters(m map[string]uint64) error {
	if len(m) > MaxMeters {
		return &FieldError{Field: "meters", Reason: fmt.Sprintf("%d meters, at most %d", len(m), MaxMeters)}
	}
	for n := range m {
		if err := CheckName("meters", n); err != nil {
			return err
		}
	}
	return nil
}
