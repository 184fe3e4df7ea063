package crypto

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Trust store errors callers branch on.
var (
	// ErrUnknownKey is a message signed by a key the trust store does not
	// hold.
	ErrUnknownKey = errors.New("unknown issuer key")
	// ErrKeyRetired is a message issued by a key after its retirement.
	ErrKeyRetired = errors.New("issuer key retired")
	// ErrMalformedTrustStore is a trust store file that does not parse.
	ErrMalformedTrustStore = errors.New("malformed trust store")
)

// Trust store limits.
const (
	MaxTrustedKeys = 32
	MaxKeyNameLen  = 64
	maxTrustStore  = 8 << 10
)

// TrustedKey is one issuer key the client accepts.
type TrustedKey struct {
	Name      string
	Key       PublicKey
	RetiredAt time.Time // zero: not retired
}

// AcceptsIssuedAt returns ErrKeyRetired (in a *RetiredError) when the key
// was retired before issuedAt.
func (k TrustedKey) AcceptsIssuedAt(issuedAt time.Time) error {
	if !k.RetiredAt.IsZero() && issuedAt.After(k.RetiredAt) {
		return &RetiredError{Key: k, IssuedAt: issuedAt}
	}
	return nil
}

// RetiredError is a message issued by a key after its retirement.
type RetiredError struct {
	Key      TrustedKey
	IssuedAt time.Time
}

func (e *RetiredError) Error() string {
	return fmt.Sprintf("issuer key %s (%q) was retired at %s but signed a message issued at %s",
		e.Key.Key.ID(), e.Key.Name, e.Key.RetiredAt.UTC().Format(time.RFC3339), e.IssuedAt.UTC().Format(time.RFC3339))
}

func (e *RetiredError) Unwrap() error { return ErrKeyRetired }

// TrustStore is the set of issuer keys a client accepts, with the version of
// the last rollover statement applied to it.
type TrustStore struct {
	Version uint64
	Keys    []TrustedKey
}

// NewTrustStore starts a trust store with one key, at version 0.
func NewTrustStore(name string, k PublicKey) (*TrustStore, error) {
	s := &TrustStore{}
	if err := s.add(TrustedKey{Name: name, Key: k}); err != nil {
		return nil, err
	}
	return s, nil
}

// Key returns the trusted key with ID id, or an error wrapping
// ErrUnknownKey.
func (s *TrustStore) Key(id KeyID) (TrustedKey, error) {
	for _, k := range s.Keys {
		if k.Key.ID() == id {
			return k, nil
		}
	}
	return TrustedKey{}, fmt.Errorf("%w %s: it is not in this machine's trust store", ErrUnknownKey, id)
}

func (s *TrustStore) add(k TrustedKey) error {
	if err := checkKeyName(k.Name); err != nil {
		return err
	}
	if k.Key.IsZero() {
		return fmt.Errorf("%w: missing key", ErrInvalidKey)
	}
	if len(s.Keys) >= MaxTrustedKeys {
		return fmt.Errorf("trust store holds %d keys, the most it can", MaxTrustedKeys)
	}
	if _, err := s.Key(k.Key.ID()); err == nil {
		return fmt.Errorf("key %s is already in the trust store", k.Key.ID())
	}
	s.Keys = append(s.Keys, k)
	return nil
}

func checkKeyName(name string) error {
	if name == "" || len(name) > MaxKeyNameLen || !utf8.ValidString(name) || strings.TrimSpace(name) != name {
		return fmt.Errorf("key name %q must be 1 to %d bytes of text without surrounding spaces", name, MaxKeyNameLen)
	}
	for _, r := range name {
		if !unicode.IsPrint(r) {
			return fmt.Errorf("key name %q has a control character", name)
		}
	}
	return nil
}

// trustHeader is the first line of a trust store file.
const trustHeader = "airlock trust store v1"

// Marshal writes the trust store file:
//
//	airlock trust store v1
//	version <rollover version>
//	key <key id hex> <public key, base64> <retired-at unix seconds, or -> <name>
//	...
func (s *TrustStore) Marshal() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\nversion %d\n", trustHeader, s.Version)
	for _, k := range s.Keys {
		retired := "-"
		if !k.RetiredAt.IsZero() {
			retired = strconv.FormatInt(k.RetiredAt.Unix(), 10)
		}
		fmt.Fprintf(&b, "key %s %s %s %s\n", k.Key.ID(), base64.StdEncoding.EncodeToString(k.Key.Bytes()), retired, k.Name)
	}
	return b.Bytes()
}

// ParseTrustStore reads exactly the form Marshal writes.
func ParseTrustStore(data []byte) (*TrustStore, error) {
	s, err := parseTrustStore(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformedTrustStore, err)
	}
	if !bytes.Equal(s.Marshal(), data) {
		return nil, fmt.Errorf("%w: not in canonical form", ErrMalformedTrustStore)
	}
	return s, nil
}

func parseTrustStore(data []byte) (*TrustStore, error) {
	if len(data) > maxTrustStore {
		return nil, fmt.Errorf("%d bytes, larger than any trust store", len(data))
	}
	lines := strings.Split(string(data), "\n")
	if len(lines) < 4 || lines[len(lines)-1] != "" || lines[0] != trustHeader {
		return nil, fmt.Errorf("want %q, a version line and at least one key line", trustHeader)
	}
	v, ok := strings.CutPrefix(lines[1], "version ")
	version, err := strconv.ParseUint(v, 10, 64)
	if !ok || err != nil {
		return nil, fmt.Errorf("line 2 %q is not \"version N\"", lines[1])
	}
	s := &TrustStore{Version: version}
	for i, l := range lines[2 : len(lines)-1] {
		k, err := parseKeyLine(l)
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", i+3, err)
		}
		if err := s.add(k); err != nil {
			return nil, fmt.Errorf("line %d: %v", i+3, err)
		}
	}
	return s, nil
}

func parseKeyLine(l string) (TrustedKey, error) {
	f := strings.SplitN(l, " ", 5)
	if len(f) != 5 || f[0] != "key" {
		return TrustedKey{}, fmt.Errorf("%q is not \"key ID PUBLIC-KEY RETIRED NAME\"", l)
	}
	raw, err := base64.StdEncoding.Strict().DecodeString(f[2])
	if err != nil {
		return TrustedKey{}, fmt.Errorf("public key: %v", err)
	}
	pub, err := ParsePublicKey(raw)
	if err != nil {
		return TrustedKey{}, err
	}
	if pub.ID().String() != f[1] {
		return TrustedKey{}, fmt.Errorf("key id %q does not match the key (%s)", f[1], pub.ID())
	}
	k := TrustedKey{Name: f[4], Key: pub}
	if f[3] != "-" {
		sec, err := strconv.ParseInt(f[3], 10, 64)
		if err != nil || sec <= 0 {
			return TrustedKey{}, fmt.Errorf("retired time %q is not unix seconds", f[3])
		}
		k.RetiredAt = time.Unix(sec, 0).UTC()
	}
	return k, nil
}
