package response

import (
	"errors"
	"fmt"
	"time"

	"github.com/airlock-dev/airlock/crypto"
	"github.com/airlock-dev/airlock/fingerprint"
	"github.com/airlock-dev/airlock/internal/envelope"
	"github.com/airlock-dev/airlock/wire"
)

// Errors callers branch on, besides those of package wire and crypto
// (wire.ErrWrongType, crypto.ErrUnknownKey, crypto.ErrBadSignature,
// crypto.ErrKeyRetired, ...).
var (
	// ErrExpired is a receipt whose lease has ended.
	ErrExpired = errors.New("receipt expired")
	// ErrNotYetValid is a receipt whose lease has not begun.
	ErrNotYetValid = errors.New("receipt not yet valid")
)

// Receipt is a signed answer from the station. All four receipt types carry
// the same fields; their meaning per type is in doc/SPEC.md.
type Receipt struct {
	Type        wire.Type
	KeyID       crypto.KeyID // issuer key that signed it (set by Sign)
	LeaseID     wire.LeaseID
	LicenseID   uint64
	Product     string
	Features    []string          // sorted
	Limits      map[string]uint64 // consumption limits of features that have one
	DeviceKey   crypto.PublicKey
	Fingerprint fingerprint.Set
	Threshold   int // components that must match, 1..len(Fingerprint)
	// RequestHash names the request this receipt answers; nil for a
	// pushed refresh and for a revocation.
	RequestHash *wire.RequestHash
	Serial      uint64 // 1 for activation, one more for every later receipt of the lease
	LedgerSeq   uint64 // the station's ledger entry that recorded it
	IssuedAt    time.Time
	NotBefore   time.Time
	ExpiresAt   time.Time
}

type payload struct {
	Type        uint8             `cbor:"1,keyasint"`
	Version     uint8             `cbor:"2,keyasint"`
	LeaseID     []byte            `cbor:"3,keyasint"`
	LicenseID   uint64            `cbor:"4,keyasint"`
	Product     string            `cbor:"5,keyasint"`
	Features    []string          `cbor:"6,keyasint"`
	Limits      map[string]uint64 `cbor:"7,keyasint,omitempty"`
	DeviceKey   []byte            `cbor:"8,keyasint"`
	Fingerprint []byte            `cbor:"9,keyasint"`
	Threshold   uint64            `cbor:"10,keyasint"`
	RequestHash []byte            `cbor:"11,keyasint,omitempty"`
	Serial      uint64            `cbor:"12,keyasint"`
	LedgerSeq   uint64            `cbor:"13,keyasint"`
	IssuedAt    uint64            `cbor:"14,keyasint"`
	NotBefore   uint64            `cbor:"15,keyasint,omitempty"`
	ExpiresAt   uint64            `cbor:"16,keyasint"`
}

const maxUnixSeconds = 1 << 40

// Sign checks the receipt's fields and signs it with the issuer key, whose
// ID it records in r.KeyID. It returns the binary message.
func (r *Receipt) Sign(issuer *crypto.PrivateKey) ([]byte, error) {
	if !r.Type.IsReceipt() {
		return nil, fmt.Errorf("cannot sign a %s as a receipt", r.Type)
	}
	r.KeyID = issuer.Public().ID()
	if r.NotBefore.IsZero() {
		r.NotBefore = r.IssuedAt
	}
	if err := r.check(); err != nil {
		return nil, err
	}
	fp, err := r.Fingerprint.MarshalBinary()
	if err != nil {
		return nil, &wire.FieldError{Field: "fingerprint", Reason: err.Error()}
	}
	p := payload{
		Type: uint8(r.Type), Version: wire.Version, LeaseID: r.LeaseID[:], LicenseID: r.LicenseID,
		Product: r.Product, Features: r.Features, DeviceKey: r.DeviceKey.Bytes(), Fingerprint: fp,
		Threshold: uint64(r.Threshold), Serial: r.Serial, LedgerSeq: r.LedgerSeq,
		IssuedAt: uint64(r.IssuedAt.Unix()), ExpiresAt: uint64(r.ExpiresAt.Unix()),
	}
	if len(r.Limits) > 0 {
		p.Limits = r.Limits
	}
	if r.RequestHash != nil {
		p.RequestHash = r.RequestHash[:]
	}
	if !r.NotBefore.Equal(r.IssuedAt) {
		p.NotBefore = uint64(r.NotBefore.Unix())
	}
	b, err := envelope.EncodePayload(p)
	if err != nil {
		return nil, err
	}
	return envelope.Sign(r.Type, r.KeyID[:], b, issuer)
}

// check enforces the field rules of doc/SPEC.md.
func (r *Receipt) check() error {
	fe := func(field, reason string) error { return &wire.FieldError{Field: field, Reason: reason} }
	switch {
	case r.LicenseID == 0:
		return fe("license id", "missing")
	case len(r.Features) == 0:
		return fe("features", "a receipt grants at least one feature")
	case r.DeviceKey.IsZero():
		return fe("device key", "missing")
	case r.Threshold < 1 || r.Threshold > len(r.Fingerprint):
		return fe("threshold", fmt.Sprintf("%d is not between 1 and the %d fingerprint components", r.Threshold, len(r.Fingerprint)))
	case r.Serial == 0:
		return fe("serial", "must be at least 1")
	case r.LedgerSeq == 0:
		return fe("ledger sequence", "must be at least 1")
	}
	for _, tt := range []struct {
		name string
		t    time.Time
	}{{"issued-at", r.IssuedAt}, {"not-before", r.NotBefore}, {"expires-at", r.ExpiresAt}} {
		if s := tt.t.Unix(); tt.t.IsZero() || s <= 0 || s >= maxUnixSeconds || tt.t.Nanosecond() != 0 {
			return fe(tt.name, "missing, out of range or not whole seconds")
		}
	}
	if !r.ExpiresAt.After(r.NotBefore) {
		return fe("expires-at", "must be after not-before")
	}
	hashed := r.RequestHash != nil
	switch r.Type {
	case wire.ActivationReceipt, wire.DeactivationReceipt:
		if !hashed {
			return fe("request hash", fmt.Sprintf("a %s must name its request", r.Type))
		}
	case wire.RevocationReceipt:
		if hashed {
			return fe("request hash", "a revocation answers no request")
		}
	}
	if err := wire.CheckFeatures("product", []string{r.Product}); err != nil {
		return err
	}
	if err := wire.CheckFeatures("features", r.Features); err != nil {
		return err
	}
	for f := range r.Limits {
		if !contains(r.Features, f) {
			return fe("limits", fmt.Sprintf("limit for %q, which is not a granted feature", f))
		}
	}
	return nil
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
