package wire

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
)

// Version is the format version every message carries in its payload.
const Version = 1

// MaxMessageSize is the largest message, in binary form, that any parser
// accepts. Larger input is refused before it is decoded.
const MaxMessageSize = 64 << 10

// Type identifies a message type. The numeric values are part of the format.
type Type uint8

// Message types.
const (
	ActivationRequest   Type = 1
	RefreshRequest      Type = 2
	ReturnRequest       Type = 3
	ActivationReceipt   Type = 4
	RefreshReceipt      Type = 5
	DeactivationReceipt Type = 6
	RevocationReceipt   Type = 7
	KeyRollover         Type = 8
)

var typeNames = [...]struct{ label, armor, short string }{
	ActivationRequest:   {"airlock/activation-request/v1", "ACTIVATION REQUEST", "activation request"},
	RefreshRequest:      {"airlock/refresh-request/v1", "REFRESH REQUEST", "refresh request"},
	ReturnRequest:       {"airlock/return-request/v1", "RETURN REQUEST", "return request"},
	ActivationReceipt:   {"airlock/activation-receipt/v1", "ACTIVATION RECEIPT", "activation receipt"},
	RefreshReceipt:      {"airlock/refresh-receipt/v1", "REFRESH RECEIPT", "refresh receipt"},
	DeactivationReceipt: {"airlock/deactivation-receipt/v1", "DEACTIVATION RECEIPT", "deactivation receipt"},
	RevocationReceipt:   {"airlock/revocation-receipt/v1", "REVOCATION RECEIPT", "revocation receipt"},
	KeyRollover:         {"airlock/key-rollover/v1", "KEY ROLLOVER", "key rollover statement"},
}

// Valid reports whether t is a known message type.
func (t Type) Valid() bool { return t >= ActivationRequest && t <= KeyRollover }

// Label is the versioned label of the type, for example
// "airlock/activation-receipt/v1". It is the COSE external_aad of the
// message's signature, so a signature made for one type never verifies as
// another.
func (t Type) Label() string {
	if !t.Valid() {
		return ""
	}
	return typeNames[t].label
}

// ArmorName is the <TYPE> in the armor lines, for example
// "ACTIVATION RECEIPT".
func (t Type) ArmorName() string {
	if !t.Valid() {
		return ""
	}
	return typeNames[t].armor
}

// String is the type in words, for messages to people.
func (t Type) String() string {
	if !t.Valid() {
		return fmt.Sprintf("unknown message type %d", uint8(t))
	}
	return typeNames[t].short
}

// IsRequest reports whether the type is signed by a device key.
func (t Type) IsRequest() bool { return t >= ActivationRequest && t <= ReturnRequest }

// IsReceipt reports whether the type is a receipt signed by an issuer key.
func (t Type) IsReceipt() bool { return t >= ActivationReceipt && t <= RevocationReceipt }

func typeFromArmorName(name string) (Type, bool) {
	for t := ActivationRequest; t <= KeyRollover; t++ {
		if typeNames[t].armor == name {
			return t, true
		}
	}
	return 0, false
}

// LeaseIDSize is the size of a lease ID in bytes.
const LeaseIDSize = 6

// LeaseID names one lease. The station draws it at random, so IDs never
// repeat even across stations or after a restore from backup. It is written
// as 12 lowercase hex digits.
type LeaseID [LeaseIDSize]byte

// NewLeaseID draws a random lease ID.
func NewLeaseID() LeaseID {
	var id LeaseID
	if _, err := rand.Read(id[:]); err != nil {
		panic("wire: crypto/rand failed: " + err.Error())
	}
	return id
}

func (id LeaseID) String() string { return hex.EncodeToString(id[:]) }

// MarshalText writes the lease ID as hex.
func (id LeaseID) MarshalText() ([]byte, error) { return []byte(id.String()), nil }

// UnmarshalText reads a lease ID written as hex.
func (id *LeaseID) UnmarshalText(b []byte) error {
	v, err := ParseLeaseID(string(b))
	if err != nil {
		return err
	}
	*id = v
	return nil
}

// ParseLeaseID reads a lease ID written as 12 hex digits.
func ParseLeaseID(s string) (LeaseID, error) {
	var id LeaseID
	if len(s) != 2*LeaseIDSize {
		return id, fmt.Errorf("lease id %q is not %d hex digits", s, 2*LeaseIDSize)
	}
	if _, err := hex.Decode(id[:], []byte(s)); err != nil {
		return id, fmt.Errorf("lease id %q is not %d hex digits", s, 2*LeaseIDSize)
	}
	return id, nil
}

// LeaseIDFromBytes copies a lease ID from its wire form.
func LeaseIDFromBytes(b []byte) (LeaseID, error) {
	var id LeaseID
	if len(b) != LeaseIDSize {
		return id, fmt.Errorf("lease id is %d bytes, want %d", len(b), LeaseIDSize)
	}
	copy(id[:], b)
	return id, nil
}

// RequestHashSize is the size of a request hash in bytes.
const RequestHashSize = 16

// RequestHash identifies a request: the first 16 bytes of SHA-256 over the
// request's binary (COSE_Sign1) bytes. A receipt names the request it
// answers by this hash.
type RequestHash [RequestHashSize]byte

func (h RequestHash) String() string { return hex.EncodeToString(h[:]) }
