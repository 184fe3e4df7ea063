package station

import (
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"io"
	"strings"

	"github.com/airlock-dev/airlock/request"
)

// licenseKeyEncoding is Crockford's base32 alphabet (no I, L, O, U).
var licenseKeyEncoding = base32.NewEncoding("0123456789ABCDEFGHJKMNPQRSTVWXYZ").WithPadding(base32.NoPadding)

// NewLicenseKey draws a license key: 80 bits from rand (crypto/rand when
// nil) as 16 characters of Crockford base32, in its normalised form.
func NewLicenseKey(r io.Reader) (string, error) {
	if r == nil {
		r = rand.Reader
	}
	var b [10]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "", fmt.Errorf("drawing a license key: %w", err)
	}
	return licenseKeyEncoding.EncodeToString(b[:]), nil
}

// FormatLicenseKey writes a normalised key in groups of four with dashes,
// as people read and type it: "7K3Q-M9XD-2HFR-W4TB".
func FormatLicenseKey(key string) string {
	var b strings.Builder
	for i, r := range key {
		if i > 0 && i%4 == 0 {
			b.WriteByte('-')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// ParseLicenseKey normalises a key as a person typed it; see
// request.NormalizeLicenseKey.
func ParseLicenseKey(s string) (string, error) { return request.NormalizeLicenseKey(s) }
