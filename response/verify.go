package response

import (
	"fmt"
	"time"

	"github.com/airlock-dev/airlock/crypto"
	"github.com/airlock-dev/airlock/fingerprint"
	"github.com/airlock-dev/airlock/internal/envelope"
	"github.com/airlock-dev/airlock/wire"
)

// ValidityError is a receipt used outside its validity window.
type ValidityError struct {
	NotBefore, ExpiresAt, Now time.Time
}

func (e *ValidityError) Error() string {
	if e.Now.Before(e.NotBefore) {
		return fmt.Sprintf("receipt not yet valid: valid from %s, it is now %s", stamp(e.NotBefore), stamp(e.Now))
	}
	return fmt.Sprintf("receipt expired at %s, it is now %s", stamp(e.ExpiresAt), stamp(e.Now))
}

func (e *ValidityError) Unwrap() error {
	if e.Now.Before(e.NotBefore) {
		return ErrNotYetValid
	}
	return ErrExpired
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

// ValidAt returns a *ValidityError unless NotBefore ≤ now < ExpiresAt. A
// zero NotBefore means IssuedAt.
func (r *Receipt) ValidAt(now time.Time) error {
	nb := r.NotBefore
	if nb.IsZero() {
		nb = r.IssuedAt
	}
	if now.Before(nb) || !now.Before(r.ExpiresAt) {
		return &ValidityError{NotBefore: nb, ExpiresAt: r.ExpiresAt, Now: now}
	}
	return nil
}

// Verify checks a receipt in binary form and returns it only if every check
// passes, in this order (doc/SPEC.md, "Verifying a receipt"):
//
//  1. size and strict structure (wire.ErrOversize, wire.ErrMalformed,
//     wire.ErrTrailingData, wire.ErrNonCanonical);
//  2. the message type is one of want (wire.ErrWrongType) and the version
//     known (wire.ErrUnsupportedVersion);
//  3. the kid names a key in trust (crypto.ErrUnknownKey);
//  4. the signature verifies under it (crypto.ErrBadSignature);
//  5. every field follows the format's rules (wire.ErrInvalidField);
//  6. the key was not retired before the receipt's issued-at
//     (crypto.ErrKeyRetired);
//  7. for activation and refresh receipts, now is inside the validity
//     window (ErrNotYetValid, ErrExpired).
//
// Deactivation and revocation receipts are evidence that stays valid, so
// step 7 does not apply to them.
func Verify(data []byte, trust *crypto.TrustStore, now time.Time, want ...wire.Type) (*Receipt, error) {
	if len(want) == 0 {
		want = []wire.Type{wire.ActivationReceipt, wire.RefreshReceipt, wire.DeactivationReceipt, wire.RevocationReceipt}
	}
	m, err := envelope.Parse(data)
	if err != nil {
		return nil, err
	}
	if err := m.Expect(want...); err != nil {
		return nil, err
	}
	if len(m.KeyID) != crypto.KeyIDSize {
		return nil, fmt.Errorf("%w: receipt has no key id", wire.ErrMalformed)
	}
	key, err := trust.Key(crypto.KeyID(m.KeyID))
	if err != nil {
		return nil, err
	}
	if err := m.Verify(key.Key); err != nil {
		return nil, err
	}
	r, err := decode(m)
	if err != nil {
		return nil, err
	}
	if err := key.AcceptsIssuedAt(r.IssuedAt); err != nil {
		return nil, err
	}
	if r.Type == wire.ActivationReceipt || r.Type == wire.RefreshReceipt {
		if err := r.ValidAt(now); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// ParseUnverified decodes a receipt without checking its signature or
// times, for showing what a file claims to be. Never act on its result.
func ParseUnverified(data []byte) (*Receipt, error) {
	m, err := envelope.Parse(data)
	if err != nil {
		return nil, err
	}
	if !m.Type.IsReceipt() {
		return nil, &wire.TypeError{Want: []wire.Type{wire.ActivationReceipt, wire.RefreshReceipt, wire.DeactivationReceipt, wire.RevocationReceipt}, Got: m.Type}
	}
	if len(m.KeyID) != crypto.KeyIDSize {
		return nil, fmt.Errorf("%w: receipt has no key id", wire.ErrMalformed)
	}
	return decode(m)
}

func decode(m *envelope.Message) (*Receipt, error) {
	var p payload
	if err := envelope.DecodePayload(m.Payload, &p); err != nil {
		return nil, err
	}
	r := &Receipt{
		Type: m.Type, LicenseID: p.LicenseID, Product: p.Product, Features: p.Features, Limits: p.Limits,
		Threshold: int(min(p.Threshold, 1<<16)), Serial: p.Serial, LedgerSeq: p.LedgerSeq,
	}
	copy(r.KeyID[:], m.KeyID)
	var err error
	if r.LeaseID, err = wire.LeaseIDFromBytes(p.LeaseID); err != nil {
		return nil, &wire.FieldError{Field: "lease id", Err: err}
	}
	if r.DeviceKey, err = crypto.ParsePublicKey(p.DeviceKey); err != nil {
		return nil, &wire.FieldError{Field: "device key", Err: err}
	}
	if r.Fingerprint, err = fingerprint.ParseSet(p.Fingerprint); err != nil {
		return nil, &wire.FieldError{Field: "fingerprint", Err: err}
	}
	if p.RequestHash != nil {
		if len(p.RequestHash) != wire.RequestHashSize {
			return nil, &wire.FieldError{Field: "request hash", Reason: fmt.Sprintf("%d bytes, want %d", len(p.RequestHash), wire.RequestHashSize)}
		}
		r.RequestHash = new(wire.RequestHash)
		copy(r.RequestHash[:], p.RequestHash)
	}
	if p.IssuedAt >= maxUnixSeconds || p.NotBefore >= maxUnixSeconds || p.ExpiresAt >= maxUnixSeconds {
		return nil, &wire.FieldError{Field: "time", Reason: "out of range"}
	}
	r.IssuedAt = time.Unix(int64(p.IssuedAt), 0).UTC()
	r.NotBefore = r.IssuedAt
	if p.NotBefore != 0 {
		if p.NotBefore == p.IssuedAt {
			return nil, &wire.FieldError{Field: "not-before", Reason: "present only when it differs from issued-at"}
		}
		r.NotBefore = time.Unix(int64(p.NotBefore), 0).UTC()
	}
	r.ExpiresAt = time.Unix(int64(p.ExpiresAt), 0).UTC()
	if err := r.check(); err != nil {
		return nil, err
	}
	return r, nil
}
