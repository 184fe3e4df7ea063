package crypto

import (
	"errors"
	"fmt"
	"time"

	"github.com/airlock-dev/airlock/internal/envelope"
	"github.com/airlock-dev/airlock/wire"
)

// ErrStaleRollover is a rollover statement whose version is not above the
// trust store's: already applied, or older than one that was.
var ErrStaleRollover = errors.New("rollover statement is not newer than the trust store")

// Rollover is a key rollover statement: a new issuer key, introduced by a
// key the client already trusts, with a version that only goes up.
type Rollover struct {
	SignerID KeyID     // the trusted key that signed the statement
	NewKey   PublicKey // the key to trust from now on
	Name     string    // the new key's name in trust stores
	Version  uint64    // must be above the trust store's version
	IssuedAt time.Time
	// RetireSignerAt, when not zero, retires the signing key: messages it
	// signs that are issued after this instant are refused.
	RetireSignerAt time.Time
}

type rolloverPayload struct {
	Type          uint8  `cbor:"1,keyasint"`
	FormatVersion uint8  `cbor:"2,keyasint"`
	NewKey        []byte `cbor:"3,keyasint"`
	Name          string `cbor:"4,keyasint"`
	Version       uint64 `cbor:"5,keyasint"`
	IssuedAt      uint64 `cbor:"6,keyasint"`
	RetireAt      uint64 `cbor:"7,keyasint,omitempty"`
}

// Sign signs the statement with signer, the currently trusted key.
func (r *Rollover) Sign(signer *PrivateKey) ([]byte, error) {
	if err := r.validate(); err != nil {
		return nil, err
	}
	p := rolloverPayload{
		Type: uint8(wire.KeyRollover), FormatVersion: wire.Version,
		NewKey: r.NewKey.Bytes(), Name: r.Name, Version: r.Version,
		IssuedAt: uint64(r.IssuedAt.Unix()),
	}
	if !r.RetireSignerAt.IsZero() {
		p.RetireAt = uint64(r.RetireSignerAt.Unix())
	}
	payload, err := envelope.EncodePayload(p)
	if err != nil {
		return nil, err
	}
	id := signer.Public().ID()
	r.SignerID = id
	return envelope.Sign(wire.KeyRollover, id[:], payload, signer)
}

func (r *Rollover) validate() error {
	if r.NewKey.IsZero() {
		return &wire.FieldError{Field: "new key", Reason: "missing"}
	}
	if err := checkKeyName(r.Name); err != nil {
		return &wire.FieldError{Field: "name", Err: err}
	}
	if r.Version == 0 {
		return &wire.FieldError{Field: "version", Reason: "must be at least 1"}
	}
	if r.IssuedAt.Unix() <= 0 {
		return &wire.FieldError{Field: "issued-at", Reason: "missing"}
	}
	if !r.RetireSignerAt.IsZero() && r.RetireSignerAt.Unix() <= 0 {
		return &wire.FieldError{Field: "retire-at", Reason: "before 1970"}
	}
	return nil
}

// ParseRollover decodes a rollover statement without verifying it.
func ParseRollover(data []byte) (*Rollover, error) {
	m, err := envelope.Parse(data)
	if err != nil {
		return nil, err
	}
	return decodeRollover(m)
}

func decodeRollover(m *envelope.Message) (*Rollover, error) {
	if err := m.Expect(wire.KeyRollover); err != nil {
		return nil, err
	}
	if m.KeyID == nil {
		return nil, &wire.FieldError{Field: "kid", Reason: "missing from the protected header"}
	}
	var p rolloverPayload
	if err := envelope.DecodePayload(m.Payload, &p); err != nil {
		return nil, err
	}
	pub, err := ParsePublicKey(p.NewKey)
	if err != nil {
		return nil, &wire.FieldError{Field: "new key", Err: err}
	}
	r := &Rollover{NewKey: pub, Name: p.Name, Version: p.Version, IssuedAt: time.Unix(int64(p.IssuedAt), 0).UTC()}
	copy(r.SignerID[:], m.KeyID)
	if p.RetireAt != 0 {
		r.RetireSignerAt = time.Unix(int64(p.RetireAt), 0).UTC()
	}
	if p.IssuedAt > 1<<40 || p.RetireAt > 1<<40 {
		return nil, &wire.FieldError{Field: "time", Reason: "out of range"}
	}
	if err := r.validate(); err != nil {
		return nil, err
	}
	return r, nil
}

// ApplyRollover verifies a rollover statement against the store and, when it
// is good, adds its key, raises the store's version and retires the signing
// key if the statement says so. On any error the store is unchanged.
func (s *TrustStore) ApplyRollover(data []byte) (*Rollover, error) {
	m, err := envelope.Parse(data)
	if err != nil {
		return nil, err
	}
	if err := m.Expect(wire.KeyRollover); err != nil {
		return nil, err
	}
	if len(m.KeyID) != KeyIDSize {
		return nil, &wire.FieldError{Field: "kid", Reason: "missing from the protected header"}
	}
	signer, err := s.Key(KeyID(m.KeyID))
	if err != nil {
		return nil, err
	}
	if err := m.Verify(signer.Key); err != nil {
		return nil, err
	}
	r, err := decodeRollover(m)
	if err != nil {
		return nil, err
	}
	if err := signer.AcceptsIssuedAt(r.IssuedAt); err != nil {
		return nil, err
	}
	if r.Version <= s.Version {
		return nil, fmt.Errorf("%w: statement version %d, trust store version %d", ErrStaleRollover, r.Version, s.Version)
	}
	next := &TrustStore{Version: r.Version, Keys: append([]TrustedKey(nil), s.Keys...)}
	if err := next.add(TrustedKey{Name: r.Name, Key: r.NewKey}); err != nil {
		return nil, err
	}
	if !r.RetireSignerAt.IsZero() {
		for i := range next.Keys {
			k := &next.Keys[i]
			if k.Key.Equal(signer.Key) && (k.RetiredAt.IsZero() || r.RetireSignerAt.Before(k.RetiredAt)) {
				k.RetiredAt = r.RetireSignerAt
			}
		}
	}
	*s = *next
	return r, nil
}
