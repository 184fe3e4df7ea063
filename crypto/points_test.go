package crypto

import "filippo.io/edwards25519"

// addPoints adds two encoded points (for building test keys).
func addPoints(a, b []byte) ([]byte, error) {
	p, err := new(edwards25519.Point).SetBytes(a)
	if err != nil {
		return nil, err
	}
	q, err := new(edwards25519.Point).SetBytes(b)
	if err != nil {
		return nil, err
	}
	return new(edwards25519.Point).Add(p, q).Bytes(), nil
}
