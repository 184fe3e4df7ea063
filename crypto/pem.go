package crypto

import (
	"bytes"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
)

// ErrNotPEM is wrapped when input is not the PEM form a function expects.
var ErrNotPEM = errors.New("not a pem key")

const (
	pemPublic  = "PUBLIC KEY"
	pemPrivate = "PRIVATE KEY"
)

// MarshalPublicKeyPEM writes k as a PEM SubjectPublicKeyInfo
// ("-----BEGIN PUBLIC KEY-----"), readable by OpenSSL and every crypto
// library.
func MarshalPublicKeyPEM(k PublicKey) []byte {
	der, err := x509.MarshalPKIXPublicKey(ed25519.PublicKey(k.Bytes()))
	if err != nil {
		panic("crypto: marshal ed25519 public key: " + err.Error()) // cannot happen
	}
	return pem.EncodeToMemory(&pem.Block{Type: pemPublic, Bytes: der})
}

// ParsePublicKeyPEM reads exactly the form MarshalPublicKeyPEM writes: one
// PEM block of type PUBLIC KEY holding an Ed25519 SubjectPublicKeyInfo, no
// headers, nothing after it. The key is validated as by ParsePublicKey.
// ReadPublicKeyFile is the lenient entry point for files people have copied
// around (CRLF line ends, surrounding white space).
func ParsePublicKeyPEM(data []byte) (PublicKey, error) {
	der, err := pemBody(data, pemPublic)
	if err != nil {
		return PublicKey{}, err
	}
	pub, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return PublicKey{}, fmt.Errorf("%w: %v", ErrNotPEM, err)
	}
	edPub, ok := pub.(ed25519.PublicKey)
	if !ok {
		return PublicKey{}, fmt.Errorf("%w: a %T key, want Ed25519", ErrNotPEM, pub)
	}
	k, err := ParsePublicKey(edPub)
	if err != nil {
		return PublicKey{}, err
	}
	if !bytes.Equal(MarshalPublicKeyPEM(k), data) {
		return PublicKey{}, fmt.Errorf("%w: not in canonical form", ErrNotPEM)
	}
	return k, nil
}

// marshalPrivateKeyPEM writes k as unencrypted PKCS #8 PEM.
func marshalPrivateKeyPEM(k *PrivateKey) []byte {
	der, err := x509.MarshalPKCS8PrivateKey(k.priv)
	if err != nil {
		panic("crypto: marshal ed25519 private key: " + err.Error()) // cannot happen
	}
	return pem.EncodeToMemory(&pem.Block{Type: pemPrivate, Bytes: der})
}

// parsePrivateKeyPEM reads the form marshalPrivateKeyPEM writes.
func parsePrivateKeyPEM(data []byte) (*PrivateKey, error) {
	der, err := pemBody(data, pemPrivate)
	if err != nil {
		return nil, err
	}
	key, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotPEM, err)
	}
	edKey, ok := key.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%w: a %T, want an Ed25519 key", ErrNotPEM, key)
	}
	k, err := newPrivateKey(edKey)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(marshalPrivateKeyPEM(k), data) {
		return nil, fmt.Errorf("%w: not in canonical form", ErrNotPEM)
	}
	return k, nil
}

func pemBody(data []byte, typ string) ([]byte, error) {
	block, rest := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("%w: no %q block", ErrNotPEM, typ)
	}
	if block.Type != typ {
		return nil, fmt.Errorf("%w: a %q block, want %q", ErrNotPEM, block.Type, typ)
	}
	if len(rest) != 0 || len(block.Headers) != 0 {
		return nil, fmt.Errorf("%w: unexpected data around the %q block", ErrNotPEM, typ)
	}
	return block.Bytes, nil
}
