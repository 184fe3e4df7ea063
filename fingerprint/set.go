package fingerprint

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Kind says which piece of hardware or software a component describes.
// The numeric values are part of the wire format (doc/SPEC.md) and never change.
type Kind uint8

// Component kinds. Values are fixed by the format; add new kinds at the end.
const (
	KindMachineID   Kind = 1 // /etc/machine-id, MachineGuid
	KindProductUUID Kind = 2 // DMI/SMBIOS product UUID, IOPlatformUUID
	KindBoardSerial Kind = 3 // DMI board serial, Mac hardware serial
	KindMAC         Kind = 4 // MAC address of a physical network interface
	KindDiskSerial  Kind = 5 // serial of the system disk, volume serial
	KindCPU         Kind = 6 // CPU model string
	KindHostname    Kind = 7 // host or computer name
	kindLimit       Kind = 8 // first unassigned kind
)

// String returns the short name used in reports and JSON.
func (k Kind) String() string {
	switch k {
	case KindMachineID:
		return "machine-id"
	case KindProductUUID:
		return "product-uuid"
	case KindBoardSerial:
		return "board-serial"
	case KindMAC:
		return "mac"
	case KindDiskSerial:
		return "disk-serial"
	case KindCPU:
		return "cpu"
	case KindHostname:
		return "hostname"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// ParseKind returns the kind named by s, the short name String gives.
func ParseKind(s string) (Kind, error) {
	for k := Kind(1); k < kindLimit; k++ {
		if k.String() == s {
			return k, nil
		}
	}
	return 0, fmt.Errorf("unknown component kind %q", s)
}

// Valid reports whether k is an assigned kind.
func (k Kind) Valid() bool { return k > 0 && k < kindLimit }

// MarshalText gives the short name, so JSON shows "mac" rather than 4.
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText accepts the short name written by MarshalText.
func (k *Kind) UnmarshalText(b []byte) error {
	v, err := ParseKind(string(b))
	if err != nil {
		return err
	}
	*k = v
	return nil
}

// Wire limits of a Set.
const (
	SumSize       = 4 // bytes of salted hash kept per component
	EntrySize     = 1 + SumSize
	MaxComponents = 16
)

// Hash is one component as it travels: its kind and a salted, truncated hash
// of its raw value. The raw value never leaves the machine.
type Hash struct {
	Kind Kind
	Sum  [SumSize]byte
}

// String gives the kind and the hash in hex, e.g. "mac:1a2b3c4d".
func (h Hash) String() string { return h.Kind.String() + ":" + hex.EncodeToString(h.Sum[:]) }

// hashJSON is the JSON form of a Hash.
type hashJSON struct {
	Kind Kind   `json:"kind"`
	Hash string `json:"hash"`
}

// MarshalJSON writes {"kind":"mac","hash":"1a2b3c4d"}.
func (h Hash) MarshalJSON() ([]byte, error) {
	return json.Marshal(hashJSON{Kind: h.Kind, Hash: hex.EncodeToString(h.Sum[:])})
}

// UnmarshalJSON reads the form written by MarshalJSON.
func (h *Hash) UnmarshalJSON(b []byte) error {
	var v hashJSON
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	sum, err := hex.DecodeString(v.Hash)
	if err != nil || len(sum) != SumSize {
		return fmt.Errorf("fingerprint hash %q is not %d hex bytes", v.Hash, SumSize)
	}
	h.Kind = v.Kind
	copy(h.Sum[:], sum)
	return nil
}

// Set is the fingerprint of one machine under one salt: component hashes in
// canonical order (by kind, then by sum), without duplicates.
type Set []Hash

// Errors returned by ParseSet.
var (
	ErrMalformed = errors.New("malformed fingerprint")
)

// HashComponent computes the salted hash of one raw component value.
// The salt separates products: the same machine gives unrelated hashes under
// two salts.
func HashComponent(salt []byte, kind Kind, raw string) Hash {
	m := hmac.New(sha256.New, append([]byte("airlock fingerprint v1\x00"), salt...))
	m.Write([]byte{byte(kind)})
	m.Write([]byte(raw))
	var h Hash
	h.Kind = kind
	copy(h.Sum[:], m.Sum(nil))
	return h
}

// Canonical returns a copy of s sorted by kind then sum, without duplicates.
func (s Set) Canonical() Set {
	out := append(Set(nil), s...)
	sort.Slice(out, func(i, j int) bool { return less(out[i], out[j]) })
	w := 0
	for i, h := range out {
		if i > 0 && h == out[w-1] {
			continue
		}
		out[w] = h
		w++
	}
	return out[:w]
}

func less(a, b Hash) bool {
	if a.Kind != b.Kind {
		return a.Kind < b.Kind
	}
	return string(a.Sum[:]) < string(b.Sum[:])
}

// MarshalBinary encodes s as consecutive entries of one kind byte and
// SumSize hash bytes. s must be canonical.
func (s Set) MarshalBinary() ([]byte, error) {
	if err := s.validate(); err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(s)*EntrySize)
	for _, h := range s {
		out = append(out, byte(h.Kind))
		out = append(out, h.Sum[:]...)
	}
	return out, nil
}

// summaryAlphabet is Crockford's base32: digits and capitals without I, L,
// O and U, so a summary read over the phone cannot be misheard as another.
const summaryAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

var summaryEncoding = base32.NewEncoding(summaryAlphabet).WithPadding(base32.NoPadding)

// Summary is a short digest of the whole set for people to compare by eye or
// read over the phone: three groups of four characters of Crockford base32
// (60 bits of SHA-256 over the canonical wire form), e.g. "7KQ2-M9XD-4TNB".
// It identifies the set, not any single component: two machines, or one
// machine under two products, give unrelated summaries, and a summary that
// differs says only that something changed — Compare says what. An empty set
// has the empty summary.
func (s Set) Summary() string {
	c := s.Canonical()
	if len(c) == 0 {
		return ""
	}
	d := sha256.New()
	d.Write([]byte("airlock fingerprint summary v1\x00"))
	for _, h := range c {
		d.Write([]byte{byte(h.Kind)})
		d.Write(h.Sum[:])
	}
	t := summaryEncoding.EncodeToString(d.Sum(nil))
	return t[0:4] + "-" + t[4:8] + "-" + t[8:12]
}

// String lists the hashes, e.g. "machine-id:1a2b3c4d mac:5e6f7a8b".
func (s Set) String() string {
	parts := make([]string, len(s))
	for i, h := range s {
		parts[i] = h.String()
	}
	return strings.Join(parts, " ")
}

// ParseSet decodes the wire form written by MarshalBinary. It refuses empty
// sets, unknown kinds, more than MaxComponents entries, and entries that are
// out of canonical order or repeated.
func ParseSet(b []byte) (Set, error) {
	if len(b) == 0 || len(b)%EntrySize != 0 {
		return nil, fmt.Errorf("%w: %d bytes is not a whole number of %d-byte entries", ErrMalformed, len(b), EntrySize)
	}
	s := make(Set, len(b)/EntrySize)
	for i := range s {
		e := b[i*EntrySize:]
		s[i].Kind = Kind(e[0])
		copy(s[i].Sum[:], e[1:EntrySize])
	}
	if err := s.validate(); err != nil {
		return nil, err
	}
	return s, nil
}

func (s Set) validate() error {
	if len(s) == 0 {
		return fmt.Errorf("%w: no components", ErrMalformed)
	}
	if len(s) > MaxComponents {
		return fmt.Errorf("%w: %d components, at most %d allowed", ErrMalformed, len(s), MaxComponents)
	}
	for i, h := range s {
		if h.Kind == 0 || h.Kind >= kindLimit {
			return fmt.Errorf("%w: unknown component kind %d", ErrMalformed, h.Kind)
		}
		if i > 0 && !less(s[i-1], h) {
			return fmt.Errorf("%w: components not in canonical order or repeated", ErrMalformed)
		}
	}
	return nil
}

// DefaultThreshold is the match threshold for a set of n components when the
// license policy sets none: all but one must match, so one replaced part (a
// network card, a renamed host) is tolerated and a copy to another machine is
// not. A single-component set must match exactly.
func DefaultThreshold(n int) int {
	if n <= 1 {
		return n
	}
	return n - 1
}

// Match is the outcome of comparing the fingerprint a receipt was issued for
// with the machine's current fingerprint.
type Match struct {
	Threshold int
	Matched   []Hash // components of the receipt found on this machine
	Missing   []Hash // components of the receipt not found on this machine
}

// OK reports whether at least Threshold components matched.
func (m Match) OK() bool { return len(m.Matched) >= m.Threshold }

// ErrMismatch is returned (wrapped in *MismatchError) when too few
// components match.
var ErrMismatch = errors.New("fingerprint does not match this machine")

// MismatchError explains a failed match.
type MismatchError struct{ Match Match }

// Error names how many components matched, how many were needed and the
// kinds of the ones that did not match (never their values).
func (e *MismatchError) Error() string {
	m := e.Match
	n := len(m.Matched) + len(m.Missing)
	if m.Threshold < 1 {
		return fmt.Sprintf("%s: threshold %d is not positive", ErrMismatch, m.Threshold)
	}
	msg := fmt.Sprintf("%s: %d of %d components match, %d needed", ErrMismatch, len(m.Matched), n, m.Threshold)
	if len(m.Missing) > 0 {
		msg += " (changed: " + kindList(m.Missing) + ")"
	}
	return msg
}

// kindList names the kinds of hs, with a count where a kind repeats:
// "machine-id, mac x2, hostname".
func kindList(hs []Hash) string {
	var parts []string
	for i := 0; i < len(hs); {
		j := i
		for j < len(hs) && hs[j].Kind == hs[i].Kind {
			j++
		}
		p := hs[i].Kind.String()
		if j-i > 1 {
			p += fmt.Sprintf(" x%d", j-i)
		}
		parts = append(parts, p)
		i = j
	}
	return strings.Join(parts, ", ")
}

func (e *MismatchError) Unwrap() error { return ErrMismatch }

// Compare matches the components a receipt was issued for (want) against the
// machine's current components (have) at threshold k. It always returns the
// Match; the error is a *MismatchError when fewer than k components match.
func Compare(want, have Set, k int) (Match, error) {
	present := make(map[Hash]bool, len(have))
	for _, h := range have {
		present[h] = true
	}
	m := Match{Threshold: k}
	for _, h := range want {
		if present[h] {
			m.Matched = append(m.Matched, h)
		} else {
			m.Missing = append(m.Missing, h)
		}
	}
	if k < 1 || !m.OK() {
		return m, &MismatchError{Match: m}
	}
	return m, nil
}
