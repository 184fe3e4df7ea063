// Package record is the sealed state record of an Airlock client home: its
// file format, the seal (HMAC-SHA-256 under a key derived from the device
// key) and a strict parser.
//
// A record file is one header line and one line of JSON:
//
//	airlock state v1 hmac-sha256=<64 lowercase hex digits>\n
//	{"version":1,"generation":7,...}\n
//
// The MAC is HMAC-SHA-256(K, "airlock state v1" ‖ 0x00 ‖ body), where body
// is the JSON line with its "\n", and K = HKDF-SHA-256(device seed, no salt,
// info "airlock state seal v1", 32 bytes). The JSON is exactly what
// encoding/json writes for State (fields in declaration order, map keys
// sorted, no spaces): Parse re-encodes what it read and refuses anything
// that is not byte-for-byte the same, so there is one encoding of every
// state and unknown, repeated or reordered fields are refused.
package record

import (
	"bytes"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
)

// Errors Parse wraps.
var (
	// ErrMalformed is a file that is not a state record.
	ErrMalformed = errors.New("malformed state record")
	// ErrBadSeal is a record whose MAC does not verify: edited by hand, or
	// sealed with another device key.
	ErrBadSeal = errors.New("state record seal does not verify")
)

// MaxSize bounds a record file; Parse refuses larger input.
const MaxSize = 16 << 20

// Version is the record format version.
const Version = 1

const (
	magic     = "airlock state v1"
	macPrefix = magic + " hmac-sha256="
	sealLabel = "airlock state seal v1"
	macSize   = sha256.Size
)

// SealKey derives the MAC key from the device key's seed.
func SealKey(seed []byte) ([]byte, error) {
	return hkdf.Key(sha256.New, seed, nil, sealLabel, 32)
}

// State is the whole mutable state of a client home.
type State struct {
	Version    int    `json:"version"`
	Generation uint64 `json:"generation"` // one more on every write
	Product    string `json:"product"`    // fingerprint salt: fingerprint.ProductSalt(Product)
	Created    int64  `json:"created"`    // Unix seconds
	// HighWater is the latest time the client has seen, Unix seconds: its
	// clock at every write and the issued-at of every receipt applied.
	HighWater  int64       `json:"high_water"`
	Trust      string      `json:"trust"` // the trust store file, as crypto.TrustStore.Marshal writes it
	Pending    []Pending   `json:"pending"`
	Leases     []Lease     `json:"leases"`
	Tombstones []Tombstone `json:"tombstones"`
}

// Pending is a request this client wrote and has not seen answered.
type Pending struct {
	Hash     Hex      `json:"hash"` // request hash (16 bytes)
	Nonce    Hex      `json:"nonce"`
	Type     string   `json:"type"`            // "activation" or "refresh"
	Lease    string   `json:"lease,omitempty"` // refresh: the lease id
	License  string   `json:"license,omitempty"`
	Features []string `json:"features,omitempty"`
	Length   int64    `json:"length,omitempty"` // requested lease length, seconds
	Time     int64    `json:"time"`
	Request  []byte   `json:"request"` // the request, binary
}

// Lease is an installed lease: its newest receipt and its meters.
type Lease struct {
	ID        string            `json:"id"`
	Serial    uint64            `json:"serial"`
	LedgerSeq uint64            `json:"ledger_seq"`
	Installed int64             `json:"installed"` // when the receipt was applied
	Meters    map[string]uint64 `json:"meters,omitempty"`
	Receipt   []byte            `json:"receipt"`
}

// Tombstone kinds.
const (
	Returned = "returned"
	Revoked  = "revoked"
)

// Tombstone is a lease that ended here and can never come back.
type Tombstone struct {
	ID        string            `json:"id"`
	Kind      string            `json:"kind"` // Returned or Revoked
	At        int64             `json:"at"`   // when it was removed here
	Serial    uint64            `json:"serial"`
	LedgerSeq uint64            `json:"ledger_seq"`
	Meters    map[string]uint64 `json:"meters,omitempty"` // final meters
	Receipt   []byte            `json:"receipt"`          // the last receipt held
	// Proof is the signed return proof (returned leases): written out
	// again, byte for byte, when "return" runs again.
	Proof []byte `json:"proof,omitempty"`
	// Evidence is the deactivation receipt that answered the proof, or the
	// revocation receipt that ended the lease.
	Evidence   []byte `json:"evidence,omitempty"`
	EvidenceAt int64  `json:"evidence_at,omitempty"`
}

// Hex is bytes written as lowercase hex in JSON.
type Hex []byte

func (h Hex) String() string { return hex.EncodeToString(h) }

// MarshalText writes lowercase hex.
func (h Hex) MarshalText() ([]byte, error) { return []byte(hex.EncodeToString(h)), nil }

// UnmarshalText reads hex.
func (h *Hex) UnmarshalText(b []byte) error {
	v, err := hex.DecodeString(string(b))
	if err != nil {
		return err
	}
	*h = v
	return nil
}

// Marshal seals s under key and returns the file.
func Marshal(key []byte, s *State) ([]byte, error) {
	body, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	return Seal(key, append(body, '\n')), nil
}

// Seal returns the file holding body (a JSON line with its "\n") under the
// header line with its MAC. Marshal uses it; tests seal bodies of their
// own.
func Seal(key, body []byte) []byte {
	var b bytes.Buffer
	b.Grow(len(macPrefix) + 2*macSize + 1 + len(body))
	b.WriteString(macPrefix)
	b.WriteString(hex.EncodeToString(mac(key, body)))
	b.WriteByte('\n')
	b.Write(body)
	return b.Bytes()
}

func mac(key, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(magic))
	m.Write([]byte{0})
	m.Write(body)
	return m.Sum(nil)
}

// Parse checks the seal of a record file under key and decodes it. The
// seal is checked before the JSON is read. On error the State is nil.
func Parse(key, data []byte) (*State, error) {
	body, sum, err := split(data)
	if err != nil {
		return nil, err
	}
	if !hmac.Equal(sum, mac(key, body)) {
		return nil, ErrBadSeal
	}
	return Decode(body)
}

func split(data []byte) (body, sum []byte, err error) {
	if len(data) > MaxSize {
		return nil, nil, fmt.Errorf("%w: %d bytes, larger than any state record", ErrMalformed, len(data))
	}
	line, body, ok := bytes.Cut(data, []byte("\n"))
	rest, found := bytes.CutPrefix(line, []byte(macPrefix))
	if !ok || !found {
		return nil, nil, fmt.Errorf("%w: the first line is not %q", ErrMalformed, macPrefix+"<mac>")
	}
	sum, err = hex.DecodeString(string(rest))
	if err != nil || len(sum) != macSize || hex.EncodeToString(sum) != string(rest) {
		return nil, nil, fmt.Errorf("%w: the mac is not %d lowercase hex digits", ErrMalformed, 2*macSize)
	}
	return body, sum, nil
}

// Decode reads the JSON line of a record (with its "\n") without checking
// any seal, refusing every encoding but the one Marshal writes.
func Decode(body []byte) (*State, error) {
	if len(body) > MaxSize {
		return nil, fmt.Errorf("%w: %d bytes, larger than any state record", ErrMalformed, len(body))
	}
	line, ok := bytes.CutSuffix(body, []byte("\n"))
	if !ok || bytes.IndexByte(line, '\n') >= 0 {
		return nil, fmt.Errorf("%w: the body is not one line of JSON", ErrMalformed)
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	var s State
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: data after the JSON object", ErrMalformed)
	}
	again, err := json.Marshal(&s)
	if err != nil || !bytes.Equal(again, line) {
		return nil, fmt.Errorf("%w: not in canonical form", ErrMalformed)
	}
	if s.Version != Version {
		return nil, fmt.Errorf("%w: version %d, this airlock reads version %d", ErrMalformed, s.Version, Version)
	}
	return &s, nil
}

// Clone returns a deep copy of s, for building the next state.
func (s *State) Clone() *State {
	b, err := json.Marshal(s)
	if err != nil {
		panic("record: " + err.Error())
	}
	var c State
	if err := json.Unmarshal(b, &c); err != nil {
		panic("record: " + err.Error())
	}
	return &c
}
