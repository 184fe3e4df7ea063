package wire

import (
	"errors"
	"fmt"
	"strings"
)

// Base45Prefix starts every Airlock message in Base45 form. It is made of
// QR alphanumeric characters, like Base45 itself.
const Base45Prefix = "AL1:"

const base45Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

var base45Value = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < len(base45Alphabet); i++ {
		t[base45Alphabet[i]] = int8(i)
	}
	return t
}()

// ErrBase45 is wrapped by every Base45 decoding error.
var ErrBase45 = errors.New("malformed base45")

// EncodeBase45 encodes b as RFC 9285 Base45.
func EncodeBase45(b []byte) string {
	var sb strings.Builder
	sb.Grow((len(b)/2)*3 + 2)
	for i := 0; i+1 < len(b); i += 2 {
		n := int(b[i])<<8 | int(b[i+1])
		sb.WriteByte(base45Alphabet[n%45])
		sb.WriteByte(base45Alphabet[(n/45)%45])
		sb.WriteByte(base45Alphabet[n/2025])
	}
	if len(b)%2 == 1 {
		n := int(b[len(b)-1])
		sb.WriteByte(base45Alphabet[n%45])
		sb.WriteByte(base45Alphabet[n/45])
	}
	return sb.String()
}

// DecodeBase45 decodes RFC 9285 Base45. It refuses characters outside the
// alphabet, a dangling single character, and groups whose value does not fit
// (above 65535 for three characters, above 255 for two), so every string has
// at most one decoding and EncodeBase45 gives the input back.
func DecodeBase45(s string) ([]byte, error) {
	if len(s)%3 == 1 {
		return nil, fmt.Errorf("%w: length %d leaves a single character", ErrBase45, len(s))
	}
	out := make([]byte, 0, len(s)/3*2+1)
	for i := 0; i < len(s); i += 3 {
		end := min(i+3, len(s))
		n := 0
		for j := end - 1; j >= i; j-- {
			v := base45Value[s[j]]
			if v < 0 {
				return nil, fmt.Errorf("%w: character %q at offset %d is not in the alphabet", ErrBase45, s[j], j)
			}
			n = n*45 + int(v)
		}
		if end-i == 3 {
			if n > 0xffff {
				return nil, fmt.Errorf("%w: group at offset %d is out of range", ErrBase45, i)
			}
			out = append(out, byte(n>>8), byte(n))
		} else {
			if n > 0xff {
				return nil, fmt.Errorf("%w: final group at offset %d is out of range", ErrBase45, i)
			}
			out = append(out, byte(n))
		}
	}
	return out, nil
}

// MarshalBase45 writes a message as the Base45 prefix followed by Base45.
func MarshalBase45(msg []byte) string { return Base45Prefix + EncodeBase45(msg) }

// UnmarshalBase45 reads the form written by MarshalBase45.
func UnmarshalBase45(s string) ([]byte, error) {
	rest, ok := strings.CutPrefix(s, Base45Prefix)
	if !ok {
		return nil, fmt.Errorf("%w: missing %q prefix", ErrBase45, Base45Prefix)
	}
	if len(rest) > (MaxMessageSize/2)*3+2 {
		return nil, fmt.Errorf("%w: %d characters is more than a %d-byte message", ErrBase45, len(rest), MaxMessageSize)
	}
	return DecodeBase45(rest)
}

// IsBase45Message reports whether s looks like a complete message in Base45
// form: the prefix and a well-formed Base45 body. The QR decoder uses it to
// tell a good read from noise.
func IsBase45Message(s string) bool {
	b, err := UnmarshalBase45(s)
	return err == nil && len(b) > 0
}
