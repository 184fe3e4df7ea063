package crypto

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"filippo.io/edwards25519"
)

// Sizes of keys and signatures in bytes.
const (
	PublicKeySize = ed25519.PublicKeySize
	SignatureSize = ed25519.SignatureSize
	SeedSize      = ed25519.SeedSize
	KeyIDSize     = 4
)

// Errors callers branch on.
var (
	// ErrInvalidKey is wrapped by every refusal of a public key.
	ErrInvalidKey = errors.New("invalid public key")
	// ErrSmallOrderKey is a public key of small order (such as the identity),
	// under which signatures can be forged. It wraps ErrInvalidKey.
	ErrSmallOrderKey = fmt.Errorf("%w: small-order point", ErrInvalidKey)
	// ErrBadSignature is a signature that does not verify.
	ErrBadSignature = errors.New("bad signature")
)

// PublicKey is a validated Ed25519 public key. The zero value is not a key:
// it verifies nothing.
type PublicKey struct {
	b  [PublicKeySize]byte
	ok bool
}

// ParsePublicKey validates a 32-byte Ed25519 public key. It refuses any
// other length, a non-canonical encoding (y ≥ p, or x = 0 with the sign bit
// set), a point of small order, and a point with a small-order component
// (outside the prime-order subgroup).
func ParsePublicKey(b []byte) (PublicKey, error) {
	if len(b) != PublicKeySize {
		return PublicKey{}, fmt.Errorf("%w: %d bytes, want %d", ErrInvalidKey, len(b), PublicKeySize)
	}
	p, err := new(edwards25519.Point).SetBytes(b)
	if err != nil {
		return PublicKey{}, fmt.Errorf("%w: not a point on the curve", ErrInvalidKey)
	}
	if string(p.Bytes()) != string(b) {
		return PublicKey{}, fmt.Errorf("%w: non-canonical encoding", ErrInvalidKey)
	}
	identity := edwards25519.NewIdentityPoint()
	if new(edwards25519.Point).MultByCofactor(p).Equal(identity) == 1 {
		return PublicKey{}, ErrSmallOrderKey
	}
	// [L]P = [L-1]P + P is the identity exactly when P has no small-order
	// component. The key is public, so a variable-time multiplication is
	// safe here.
	lp := new(edwards25519.Point).VarTimeDoubleScalarBaseMult(lMinusOne, p, edwards25519.NewScalar())
	if lp.Add(lp, p).Equal(identity) != 1 {
		return PublicKey{}, fmt.Errorf("%w: point has a small-order component", ErrInvalidKey)
	}
	var k PublicKey
	copy(k.b[:], b)
	k.ok = true
	return k, nil
}

// lMinusOne is L-1, L = 2^252 + 27742317777372353535851937790883648493, the
// order of the prime-order subgroup, as a canonical little-endian scalar.
var lMinusOne = func() *edwards25519.Scalar {
	b, _ := hex.DecodeString("ecd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010")
	s, err := edwards25519.NewScalar().SetCanonicalBytes(b)
	if err != nil {
		panic(err)
	}
	return s
}()

// IsZero reports whether k is the zero value rather than a parsed key.
func (k PublicKey) IsZero() bool { return !k.ok }

// Bytes returns the 32-byte encoding of the key.
func (k PublicKey) Bytes() []byte { return append([]byte(nil), k.b[:]...) }

// Equal reports whether two keys are the same key.
func (k PublicKey) Equal(o PublicKey) bool { return k.ok == o.ok && k.b == o.b }

// String is the key in hex, for logs and reports.
func (k PublicKey) String() string { return hex.EncodeToString(k.b[:]) }

// ID returns the key's ID.
func (k PublicKey) ID() KeyID { return keyID(k.b[:]) }

// Verify checks sig over msg under k. It refuses signatures that are not
// exactly 64 bytes, whose S is not reduced modulo L, or whose R is not the
// canonical encoding of the point the cofactorless equation
// [S]B = R + [SHA-512(R || A || msg)]A gives. It never panics.
func (k PublicKey) Verify(msg, sig []byte) error {
	if !k.ok {
		return fmt.Errorf("%w: no key", ErrBadSignature)
	}
	if len(sig) != SignatureSize {
		return fmt.Errorf("%w: %d bytes, want %d", ErrBadSignature, len(sig), SignatureSize)
	}
	if _, err := edwards25519.NewScalar().SetCanonicalBytes(sig[32:]); err != nil {
		return fmt.Errorf("%w: s is not reduced modulo the group order", ErrBadSignature)
	}
	if !ed25519.Verify(k.b[:], msg, sig) {
		return ErrBadSignature
	}
	return nil
}

// KeyID is a short hash of a key's algorithm and public key: the first 8
// bytes of SHA-256("Ed25519" || public key). It is a lookup hint to find
// the right key quickly, not a security property: two keys may share an ID,
// and a message is trusted only when its signature verifies.
type KeyID [KeyIDSize]byte

func keyID(pub []byte) KeyID {
	h := sha256.New()
	h.Write([]byte("Ed25519"))
	h.Write(pub)
	var id KeyID
	copy(id[:], h.Sum(nil))
	return id
}

// String is the ID as 8 lowercase hex digits.
func (id KeyID) String() string { return hex.EncodeToString(id[:]) }

// ParseKeyID reads an ID written as 8 hex digits.
func ParseKeyID(s string) (KeyID, error) {
	var id KeyID
	if len(s) != 2*KeyIDSize {
		return id, fmt.Errorf("key id %q is not %d hex digits", s, 2*KeyIDSize)
	}
	if _, err := hex.Decode(id[:], []byte(s)); err != nil {
		return id, fmt.Errorf("key id %q is not %d hex digits", s, 2*KeyIDSize)
	}
	return id, nil
}

// PrivateKey is an Ed25519 signing key.
type PrivateKey struct {
	priv ed25519.PrivateKey
	pub  PublicKey
}

// GenerateKey makes a new key from rand (crypto/rand.Reader when nil).
func GenerateKey(rand io.Reader) (*PrivateKey, error) {
	_, priv, err := ed25519.GenerateKey(rand)
	if err != nil {
		return nil, fmt.Errorf("generating key: %w", err)
	}
	return newPrivateKey(priv)
}

// NewKeyFromSeed derives a key from a 32-byte seed, as in RFC 8032.
func NewKeyFromSeed(seed []byte) (*PrivateKey, error) {
	if len(seed) != SeedSize {
		return nil, fmt.Errorf("seed is %d bytes, want %d", len(seed), SeedSize)
	}
	return newPrivateKey(ed25519.NewKeyFromSeed(seed))
}

func newPrivateKey(priv ed25519.PrivateKey) (*PrivateKey, error) {
	pub, err := ParsePublicKey(priv.Public().(ed25519.PublicKey))
	if err != nil {
		return nil, err // unreachable for keys made by ed25519
	}
	return &PrivateKey{priv: priv, pub: pub}, nil
}

// Public returns the public half.
func (k *PrivateKey) Public() PublicKey { return k.pub }

// Seed returns the 32-byte seed the key derives from. Handle with care.
func (k *PrivateKey) Seed() []byte { return k.priv.Seed() }

// Sign signs msg (pure Ed25519, no prehash).
func (k *PrivateKey) Sign(msg []byte) []byte { return ed25519.Sign(k.priv, msg) }

// String never shows key material.
func (k *PrivateKey) String() string { return "ed25519 private key " + k.pub.ID().String() }

// GoString never shows key material either.
func (k *PrivateKey) GoString() string { return k.String() }
