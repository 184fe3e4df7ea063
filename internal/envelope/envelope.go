// Package envelope is the COSE_Sign1 (RFC 9052) envelope every Airlock
// message travels in, parsed strictly: size first, then the exact structure,
// canonical (deterministic) CBOR only, no trailing bytes, and the payload's
// message type and version read before anything else.
//
//	COSE_Sign1 = #6.18([ protected: bstr .cbor {1: -8 (EdDSA), ? 4: kid},
//	                     unprotected: {},
//	                     payload: bstr .cbor {1: type, 2: version, ...},
//	                     signature: bstr .size 64 ])
//
// The signature covers the COSE Sig_structure with the message type's
// versioned label as external_aad, so a signature made for one message type
// never verifies as another.
package envelope

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/fxamacker/cbor/v2"
	"github.com/veraison/go-cose"

	"github.com/airlock-dev/airlock/wire"
)

// KeyIDSize is the size of the kid in the protected header.
const KeyIDSize = 4

// Message is a parsed, not yet verified, COSE_Sign1 message.
type Message struct {
	Type      wire.Type
	KeyID     []byte // kid from the protected header, nil when absent
	Payload   []byte
	Signature []byte
}

type sign1 struct {
	_           struct{} `cbor:",toarray"`
	Protected   []byte
	Unprotected cbor.RawMessage
	Payload     []byte
	Signature   []byte
}

type protectedHeader struct {
	Alg int    `cbor:"1,keyasint"`
	Kid []byte `cbor:"4,keyasint,omitempty"`
}

type typeVersion struct {
	Type    uint64 `cbor:"1,keyasint"`
	Version uint64 `cbor:"2,keyasint"`
}

const (
	tagSign1   = 18
	algEdDSA   = -8
	maxNesting = 6
	maxItems   = 256
)

var (
	encMode = mustEnc(cbor.CoreDetEncOptions())
	// strict refuses duplicate keys, indefinite lengths, tags, unknown
	// struct fields and invalid UTF-8.
	strict = mustDec(cbor.DecOptions{
		DupMapKey:         cbor.DupMapKeyEnforcedAPF,
		IndefLength:       cbor.IndefLengthForbidden,
		TagsMd:            cbor.TagsForbidden,
		ExtraReturnErrors: cbor.ExtraDecErrorUnknownField,
		MaxNestedLevels:   maxNesting,
		MaxArrayElements:  maxItems,
		MaxMapPairs:       maxItems,
		UTF8:              cbor.UTF8RejectInvalid,
		IntDec:            cbor.IntDecConvertNone,
	})
	// lenient is strict without the unknown-field check, to peek at the
	// type and version of a payload.
	lenient = mustDec(cbor.DecOptions{
		DupMapKey:        cbor.DupMapKeyEnforcedAPF,
		IndefLength:      cbor.IndefLengthForbidden,
		TagsMd:           cbor.TagsForbidden,
		MaxNestedLevels:  maxNesting,
		MaxArrayElements: maxItems,
		MaxMapPairs:      maxItems,
		UTF8:             cbor.UTF8RejectInvalid,
	})
)

func mustEnc(o cbor.EncOptions) cbor.EncMode {
	m, err := o.EncMode()
	if err != nil {
		panic(err)
	}
	return m
}

func mustDec(o cbor.DecOptions) cbor.DecMode {
	m, err := o.DecMode()
	if err != nil {
		panic(err)
	}
	return m
}

// Parse decodes data as a message without verifying its signature.
func Parse(data []byte) (*Message, error) {
	if len(data) > wire.MaxMessageSize {
		return nil, fmt.Errorf("%w: %d bytes, the limit is %d", wire.ErrOversize, len(data), wire.MaxMessageSize)
	}
	if len(data) < 2 || data[0] != 0xc0|tagSign1 {
		return nil, fmt.Errorf("%w: not a COSE_Sign1 message (tag 18)", wire.ErrMalformed)
	}
	var s sign1
	if err := decode(strict, data[1:], &s); err != nil {
		return nil, err
	}
	if err := checkCanonical(data[1:], s); err != nil {
		return nil, err
	}
	m := &Message{Payload: s.Payload, Signature: s.Signature}
	var err error
	if m.KeyID, err = parseProtected(s.Protected); err != nil {
		return nil, err
	}
	if !bytes.Equal(s.Unprotected, []byte{0xa0}) {
		return nil, fmt.Errorf("%w: unprotected header must be empty", wire.ErrMalformed)
	}
	if len(s.Signature) != 64 {
		return nil, fmt.Errorf("%w: signature is %d bytes, want 64", wire.ErrMalformed, len(s.Signature))
	}
	if m.Type, err = peekType(s.Payload); err != nil {
		return nil, err
	}
	return m, nil
}

func parseProtected(b []byte) ([]byte, error) {
	var h protectedHeader
	if err := decode(strict, b, &h); err != nil {
		return nil, fmt.Errorf("protected header: %w", err)
	}
	if err := checkCanonical(b, h); err != nil {
		return nil, fmt.Errorf("protected header: %w", err)
	}
	if h.Alg != algEdDSA {
		return nil, fmt.Errorf("%w: algorithm %d, want EdDSA (-8)", wire.ErrMalformed, h.Alg)
	}
	if h.Kid != nil && len(h.Kid) != KeyIDSize {
		return nil, fmt.Errorf("%w: kid is %d bytes, want %d", wire.ErrMalformed, len(h.Kid), KeyIDSize)
	}
	return h.Kid, nil
}

// peekType reads the type and version of a payload after checking that the
// payload as a whole is a canonical CBOR map.
func peekType(payload []byte) (wire.Type, error) {
	var generic map[uint64]any
	if err := decode(lenient, payload, &generic); err != nil {
		return 0, fmt.Errorf("payload: %w", err)
	}
	if err := checkCanonical(payload, generic); err != nil {
		return 0, fmt.Errorf("payload: %w", err)
	}
	var tv typeVersion
	if err := lenient.Unmarshal(payload, &tv); err != nil {
		return 0, fmt.Errorf("%w: payload type or version: %v", wire.ErrMalformed, err)
	}
	t := wire.Type(tv.Type)
	if _, ok := generic[1]; !ok || tv.Type > 255 || !t.Valid() {
		return 0, fmt.Errorf("%w: payload has no known message type", wire.ErrMalformed)
	}
	if tv.Version != wire.Version {
		return t, fmt.Errorf("%w: %s of version %d, this program reads version %d",
			wire.ErrUnsupportedVersion, t, tv.Version, wire.Version)
	}
	return t, nil
}

// Expect returns a *wire.TypeError unless m is one of the wanted types.
func (m *Message) Expect(want ...wire.Type) error { return wire.CheckType(m.Type, want...) }

// Marshal encodes the message; for a parsed message it gives the parsed
// bytes back.
func (m *Message) Marshal() []byte {
	prot := marshalProtected(m.KeyID)
	b, err := encMode.Marshal(cbor.Tag{Number: tagSign1, Content: sign1{
		Protected: prot, Unprotected: []byte{0xa0}, Payload: m.Payload, Signature: m.Signature,
	}})
	if err != nil {
		panic("envelope: marshal: " + err.Error()) // only plain byte strings: cannot fail
	}
	return b
}

func marshalProtected(kid []byte) []byte {
	b, err := encMode.Marshal(protectedHeader{Alg: algEdDSA, Kid: kid})
	if err != nil {
		panic("envelope: marshal protected header: " + err.Error())
	}
	return b
}

// wrapBstr encodes b as a CBOR byte string, the form go-cose expects for a
// raw protected header.
func wrapBstr(b []byte) []byte {
	out, err := encMode.Marshal(b)
	if err != nil {
		panic("envelope: marshal bstr: " + err.Error())
	}
	return out
}

// DecodePayload decodes a payload strictly into v (a struct with keyasint
// tags) and checks that encoding v again gives the same bytes, so absent
// and default values have one encoding only.
func DecodePayload(payload []byte, v any) error {
	if err := decode(strict, payload, v); err != nil {
		return fmt.Errorf("payload: %w", err)
	}
	if err := checkCanonical(payload, v); err != nil {
		return fmt.Errorf("payload: %w", err)
	}
	return nil
}

// EncodePayload encodes v deterministically.
func EncodePayload(v any) ([]byte, error) { return encMode.Marshal(v) }

func decode(dm cbor.DecMode, data []byte, v any) error {
	err := dm.Unmarshal(data, v)
	var extra *cbor.ExtraneousDataError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &extra):
		return fmt.Errorf("%w: %v", wire.ErrTrailingData, err)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return fmt.Errorf("%w: truncated", wire.ErrMalformed)
	}
	return fmt.Errorf("%w: %v", wire.ErrMalformed, err)
}

func checkCanonical(data []byte, v any) error {
	again, err := encMode.Marshal(v)
	if err != nil || !bytes.Equal(again, data) {
		return wire.ErrNonCanonical
	}
	return nil
}

// Signer makes raw Ed25519 signatures.
type Signer interface{ Sign(msg []byte) []byte }

// Verifier checks raw Ed25519 signatures strictly.
type Verifier interface{ Verify(msg, sig []byte) error }

// Sign builds and signs a message of type t over payload. kid goes in the
// protected header when not nil.
func Sign(t wire.Type, kid, payload []byte, key Signer) ([]byte, error) {
	if !t.Valid() {
		return nil, fmt.Errorf("cannot sign %s", t)
	}
	if kid != nil && len(kid) != KeyIDSize {
		return nil, fmt.Errorf("kid is %d bytes, want %d", len(kid), KeyIDSize)
	}
	m := &cose.Sign1Message{
		Headers: cose.Headers{RawProtected: wrapBstr(marshalProtected(kid)), RawUnprotected: []byte{0xa0}},
		Payload: payload,
	}
	if err := m.Headers.UnmarshalFromRaw(); err != nil {
		return nil, err
	}
	if err := m.Sign(nil, []byte(t.Label()), coseSigner{key}); err != nil {
		return nil, fmt.Errorf("signing %s: %w", t, err)
	}
	out := (&Message{Type: t, KeyID: kid, Payload: payload, Signature: m.Signature}).Marshal()
	parsed, err := Parse(out)
	if err != nil {
		return nil, fmt.Errorf("signing %s: the payload does not parse back: %w", t, err)
	}
	if parsed.Type != t {
		return nil, fmt.Errorf("signing %s: the payload says %s", t, parsed.Type)
	}
	return out, nil
}

// Verify checks the message's signature under key, with the message type's
// label as external_aad.
func (m *Message) Verify(key Verifier) error {
	msg := &cose.Sign1Message{
		Headers:   cose.Headers{RawProtected: wrapBstr(marshalProtected(m.KeyID)), RawUnprotected: []byte{0xa0}},
		Payload:   m.Payload,
		Signature: m.Signature,
	}
	if err := msg.Headers.UnmarshalFromRaw(); err != nil {
		return fmt.Errorf("%w: %v", wire.ErrMalformed, err)
	}
	return msg.Verify([]byte(m.Type.Label()), coseVerifier{key})
}

// ToBeSigned returns the exact bytes the signature covers: the CBOR
// Sig_structure ["Signature1", protected, external_aad, payload].
func (m *Message) ToBeSigned() []byte {
	b, err := encMode.Marshal([]any{"Signature1", marshalProtected(m.KeyID), []byte(m.Type.Label()), m.Payload})
	if err != nil {
		panic("envelope: marshal Sig_structure: " + err.Error())
	}
	return b
}

type coseSigner struct{ k Signer }

func (s coseSigner) Algorithm() cose.Algorithm { return cose.AlgorithmEdDSA }
func (s coseSigner) Sign(_ io.Reader, content []byte) ([]byte, error) {
	return s.k.Sign(content), nil
}

type coseVerifier struct{ k Verifier }

func (v coseVerifier) Algorithm() cose.Algorithm { return cose.AlgorithmEdDSA }
func (v coseVerifier) Verify(content, sig []byte) error {
	return v.k.Verify(content, sig)
}
