package request

import (
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"time"

	"github.com/airlock-dev/airlock/crypto"
	"github.com/airlock-dev/airlock/fingerprint"
	"github.com/airlock-dev/airlock/internal/envelope"
	"github.com/airlock-dev/airlock/wire"
)

// Header is what every request carries besides its own fields.
type Header struct {
	// Nonce makes every request unique; the station accepts each nonce
	// once. Sign draws one when it is zero.
	Nonce [NonceSize]byte
	// Time is the offline machine's clock when it wrote the request.
	Time time.Time
	// HighWater is the latest time the machine has ever seen (its clock, or
	// a receipt's issued-at). Behind Time it is treated as Time.
	HighWater time.Time
}

// ClockBehind is how far the machine's clock was behind its high-water
// mark when it wrote the request: a sign the clock was set back.
func (h Header) ClockBehind() time.Duration {
	if h.HighWater.After(h.Time) {
		return h.HighWater.Sub(h.Time)
	}
	return 0
}

// Activation asks for a new lease.
type Activation struct {
	Header
	LicenseKey  string           // normalised, see NormalizeLicenseKey
	Features    []string         // sorted; empty means every feature of the license
	Lease       time.Duration    // whole seconds; 0 means the license's default
	DeviceKey   crypto.PublicKey // set by Sign
	Fingerprint fingerprint.Set
	User, Host  string // for the station's records; may be empty
}

// Refresh asks to extend a lease and reports its meters.
type Refresh struct {
	Header
	LeaseID wire.LeaseID
	Serial  uint64 // serial of the newest receipt the machine holds for the lease
	// LedgerSeq is the ledger sequence of that receipt. A station whose
	// ledger ends before it has been restored from an old backup.
	LedgerSeq uint64
	Meters    map[string]uint64 // consumption since the lease began
	Lease     time.Duration     // requested new length from now; 0 means the default
}

// Return proves the lease was removed from the machine and reports its final
// meters. It is only ever written after the lease is gone locally.
type Return struct {
	Header
	LeaseID   wire.LeaseID
	Serial    uint64 // serial of the newest receipt the machine held
	LedgerSeq uint64 // that receipt's ledger sequence, as in Refresh
	Meters    map[string]uint64
}

// payload is the CBOR map of every request type; validate says which keys
// each type must and must not have.
type payload struct {
	Type        uint8             `cbor:"1,keyasint"`
	Version     uint8             `cbor:"2,keyasint"`
	Nonce       []byte            `cbor:"3,keyasint"`
	Time        uint64            `cbor:"4,keyasint"`
	HighWater   uint64            `cbor:"5,keyasint,omitempty"`
	LicenseKey  string            `cbor:"6,keyasint,omitempty"`
	Features    []string          `cbor:"7,keyasint,omitempty"`
	Lease       uint64            `cbor:"8,keyasint,omitempty"`
	DeviceKey   []byte            `cbor:"9,keyasint,omitempty"`
	Fingerprint []byte            `cbor:"10,keyasint,omitempty"`
	User        string            `cbor:"11,keyasint,omitempty"`
	Host        string            `cbor:"12,keyasint,omitempty"`
	LeaseID     []byte            `cbor:"13,keyasint,omitempty"`
	Serial      uint64            `cbor:"14,keyasint,omitempty"`
	Meters      map[string]uint64 `cbor:"15,keyasint,omitempty"`
	Removed     bool              `cbor:"16,keyasint,omitempty"`
	LedgerSeq   uint64            `cbor:"17,keyasint,omitempty"`
}

// Hash returns the hash a receipt uses to name the request in data (its
// binary form): the first 16 bytes of SHA-256 over the bytes.
func Hash(data []byte) wire.RequestHash {
	sum := sha256.Sum256(data)
	var h wire.RequestHash
	copy(h[:], sum[:])
	return h
}

func (h *Header) encode(t wire.Type) (payload, error) {
	if h.Nonce == ([NonceSize]byte{}) {
		if _, err := rand.Read(h.Nonce[:]); err != nil {
			return payload{}, err
		}
	}
	now, err := toUnix("time", h.Time)
	if err != nil {
		return payload{}, err
	}
	p := payload{Type: uint8(t), Version: wire.Version, Nonce: h.Nonce[:], Time: now}
	if h.HighWater.Unix() > h.Time.Unix() {
		if p.HighWater, err = toUnix("high-water", h.HighWater); err != nil {
			return payload{}, err
		}
	}
	return p, nil
}

func (p *payload) header() (Header, error) {
	var h Header
	if len(p.Nonce) != NonceSize {
		return h, &wire.FieldError{Field: "nonce", Reason: fmt.Sprintf("%d bytes, want %d", len(p.Nonce), NonceSize)}
	}
	copy(h.Nonce[:], p.Nonce)
	var err error
	if h.Time, err = unixTime("time", p.Time); err != nil {
		return h, err
	}
	h.HighWater = h.Time
	if p.HighWater != 0 {
		if p.HighWater <= p.Time {
			return h, &wire.FieldError{Field: "high-water", Reason: "present only when after the request's time"}
		}
		if h.HighWater, err = unixTime("high-water", p.HighWater); err != nil {
			return h, err
		}
	}
	return h, nil
}

func leaseSeconds(d time.Duration) (uint64, error) {
	if d < 0 || d > MaxLease || d%time.Second != 0 {
		return 0, &wire.FieldError{Field: "lease", Reason: fmt.Sprintf("%s is not whole seconds between 0 and %s", d, MaxLease)}
	}
	return uint64(d / time.Second), nil
}

func leaseDuration(s uint64) (time.Duration, error) {
	if s > uint64(MaxLease/time.Second) {
		return 0, &wire.FieldError{Field: "lease", Reason: fmt.Sprintf("%d seconds is longer than %s", s, MaxLease)}
	}
	return time.Duration(s) * time.Second, nil
}

func sign(t wire.Type, p payload, device *crypto.PrivateKey) ([]byte, error) {
	b, err := envelope.EncodePayload(p)
	if err != nil {
		return nil, err
	}
	return envelope.Sign(t, nil, b, device)
}

// open parses data as a request of type want and decodes its payload,
// checking the type before anything else. The signature is not checked.
func open(data []byte, want wire.Type) (*envelope.Message, *payload, error) {
	m, err := envelope.Parse(data)
	if err != nil {
		return nil, nil, err
	}
	if err := m.Expect(want); err != nil {
		return nil, nil, err
	}
	if m.KeyID != nil {
		return nil, nil, &wire.FieldError{Field: "kid", Reason: "requests carry no key id"}
	}
	var p payload
	if err := envelope.DecodePayload(m.Payload, &p); err != nil {
		return nil, nil, err
	}
	if err := p.allowed(want); err != nil {
		return nil, nil, err
	}
	return m, &p, nil
}

// allowed checks that p has no field its type does not allow.
func (p *payload) allowed(t wire.Type) error {
	activation := p.LicenseKey != "" || p.Features != nil || p.DeviceKey != nil || p.Fingerprint != nil || p.User != "" || p.Host != ""
	lease := p.LeaseID != nil || p.Serial != 0 || p.Meters != nil || p.LedgerSeq != 0
	switch {
	case t == wire.ActivationRequest && lease:
		return &wire.FieldError{Field: "lease id", Reason: "not allowed in an activation request"}
	case t != wire.ActivationRequest && activation:
		return &wire.FieldError{Field: "activation fields", Reason: fmt.Sprintf("not allowed in a %s", t)}
	case t != wire.ReturnRequest && p.Removed:
		return &wire.FieldError{Field: "removed", Reason: fmt.Sprintf("not allowed in a %s", t)}
	case t == wire.ReturnRequest && p.Lease != 0:
		return &wire.FieldError{Field: "lease", Reason: "not allowed in a return request"}
	}
	return nil
}
