package request

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/airlock-dev/airlock/wire"
)

// Field limits (doc/SPEC.md, "Limits").
const (
	NonceSize       = 8
	MaxTextLen      = 64 // user and host names
	MinKeyLen       = 8  // license key, normalised
	MaxKeyLen       = 32
	MaxLease        = 87600 * time.Hour
	maxUnixSeconds  = 1 << 40
	licenseKeyChars = "0123456789ABCDEFGHJKMNPQRSTVWXYZ" // Crockford base32
)

// NormalizeLicenseKey turns a license key as a person typed it into the form
// requests carry: dashes and spaces removed, upper case, and the letters
// people confuse with digits (O, I, L) read as the digits (0, 1, 1).
func NormalizeLicenseKey(s string) (string, error) {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == '-' || r == ' ':
			continue
		case r == 'O':
			r = '0'
		case r == 'I' || r == 'L':
			r = '1'
		}
		if !strings.ContainsRune(licenseKeyChars, r) {
			return "", fmt.Errorf("license key %q has %q, which is not a license key character", s, r)
		}
		b.WriteRune(r)
	}
	k := b.String()
	if len(k) < MinKeyLen || len(k) > MaxKeyLen {
		return "", fmt.Errorf("license key %q has %d characters, want %d to %d", s, len(k), MinKeyLen, MaxKeyLen)
	}
	return k, nil
}

func checkText(field, s string) error {
	if len(s) > MaxTextLen || !utf8.ValidString(s) {
		return &wire.FieldError{Field: field, Reason: fmt.Sprintf("must be at most %d bytes of UTF-8", MaxTextLen)}
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return &wire.FieldError{Field: field, Reason: fmt.Sprintf("%q has a control character", s)}
		}
	}
	return nil
}

// unixTime converts wire seconds, refusing 0 and absurd values.
func unixTime(field string, s uint64) (time.Time, error) {
	if s == 0 || s >= maxUnixSeconds {
		return time.Time{}, &wire.FieldError{Field: field, Reason: "missing or out of range"}
	}
	return time.Unix(int64(s), 0).UTC(), nil
}

func toUnix(field string, t time.Time) (uint64, error) {
	s := t.Unix()
	if t.IsZero() || s <= 0 || s >= maxUnixSeconds {
		return 0, &wire.FieldError{Field: field, Reason: "missing or out of range"}
	}
	return uint64(s), nil
}
