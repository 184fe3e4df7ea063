package crypto

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testWorkFactor keeps scrypt fast in tests.
const testWorkFactor = 10

func seededKey(t testing.TB, b byte) *PrivateKey {
	t.Helper()
	k, err := NewKeyFromSeed(bytes.Repeat([]byte{b}, SeedSize))
	require.NoError(t, err)
	return k
}

func TestParsePublicKey(t *testing.T) {
	good := seededKey(t, 1).Public().Bytes()
	identity := append([]byte{1}, make([]byte, 31)...)
	nonCanonicalIdentity := mustHex(t, "0100000000000000000000000000000000000000000000000000000000000080")
	order8 := mustHex(t, "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05")
	// y = p + 1 encodes the same point as y = 1 non-canonically.
	nonCanonicalY := mustHex(t, "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")
	notOnCurve := mustHex(t, "0200000000000000000000000000000000000000000000000000000000000000")
	tests := []struct {
		name    string
		in      []byte
		wantErr error
	}{
		{"good", good, nil},
		{"empty", nil, ErrInvalidKey},
		{"short", good[:31], ErrInvalidKey},
		{"long", append(good, 0), ErrInvalidKey},
		{"identity", identity, ErrSmallOrderKey},
		{"identity non-canonical x=0 sign bit", nonCanonicalIdentity, ErrInvalidKey},
		{"order 8 point", order8, ErrSmallOrderKey},
		{"y above p", nonCanonicalY, ErrInvalidKey},
		{"not on curve", notOnCurve, ErrInvalidKey},
		{"mixed order", mixedOrder(t, good, order8), ErrInvalidKey},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k, err := ParsePublicKey(tc.in)
			if tc.wantErr != nil {
				assert.ErrorIs(t, err, tc.wantErr)
				assert.True(t, k.IsZero())
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.in, k.Bytes())
		})
	}
}

// mixedOrder adds a small-order point to a good key, making a point outside
// the prime-order subgroup.
func mixedOrder(t *testing.T, good, small []byte) []byte {
	t.Helper()
	sum, err := addPoints(good, small)
	require.NoError(t, err)
	return sum
}

func TestIdentityKeyForgeryRefused(t *testing.T) {
	// crypto/ed25519 accepts this signature for every message under the
	// identity key; Airlock refuses the key itself.
	identity := append([]byte{1}, make([]byte, 31)...)
	sig := append(append([]byte{1}, make([]byte, 31)...), make([]byte, 32)...)
	for _, msg := range []string{"", "any message", "grant 1000 seats"} {
		require.True(t, ed25519.Verify(identity, []byte(msg), sig), "precondition: stdlib accepts")
		assert.ErrorIs(t, verifyRaw(identity, []byte(msg), sig), ErrSmallOrderKey)
	}
}

func TestVerify(t *testing.T) {
	k := seededKey(t, 2)
	msg := []byte("airlock")
	sig := k.Sign(msg)
	flipped := append([]byte(nil), sig...)
	flipped[10] ^= 1
	// S + L is the same signature made malleable.
	malleable := append([]byte(nil), sig...)
	addL(malleable[32:])
	tests := []struct {
		name    string
		key     PublicKey
		msg     []byte
		sig     []byte
		wantErr error
	}{
		{"good", k.Public(), msg, sig, nil},
		{"other message", k.Public(), []byte("airlocK"), sig, ErrBadSignature},
		{"flipped bit", k.Public(), msg, flipped, ErrBadSignature},
		{"other key", seededKey(t, 3).Public(), msg, sig, ErrBadSignature},
		{"zero key", PublicKey{}, msg, sig, ErrBadSignature},
		{"S plus L", k.Public(), msg, malleable, ErrBadSignature},
		{"empty signature", k.Public(), msg, nil, ErrBadSignature},
		{"short signature", k.Public(), msg, sig[:63], ErrBadSignature},
		{"long signature", k.Public(), msg, append(sig, 0), ErrBadSignature},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.key.Verify(tc.msg, tc.sig)
			if tc.wantErr != nil {
				assert.ErrorIs(t, err, tc.wantErr)
			} else {
				assert.NoError(t, err)
			}
		})
	}
}

// addL adds the group order L to a little-endian 32-byte scalar in place.
func addL(s []byte) {
	l, _ := hex.DecodeString("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010")
	carry := 0
	for i := range s {
		v := int(s[i]) + int(l[i]) + carry
		s[i], carry = byte(v), v>>8
	}
}

func TestVerifyNeverPanics(t *testing.T) {
	k := seededKey(t, 4).Public()
	for n := 0; n <= 130; n++ {
		assert.NotPanics(t, func() { _ = k.Verify([]byte("m"), make([]byte, n)) })
		assert.NotPanics(t, func() { _, _ = ParsePublicKey(make([]byte, n)) })
	}
}

func TestKeyID(t *testing.T) {
	k := seededKey(t, 1).Public()
	id := k.ID()
	assert.Len(t, id.String(), 8)
	parsed, err := ParseKeyID(id.String())
	require.NoError(t, err)
	assert.Equal(t, id, parsed)
	assert.NotEqual(t, id, seededKey(t, 2).Public().ID())
	for _, bad := range []string{"", "abc", "zzzzzzzz", id.String() + "00"} {
		_, err := ParseKeyID(bad)
		assert.Error(t, err, "%q", bad)
	}
}

func TestPublicKeyPEMInteroperates(t *testing.T) {
	k := seededKey(t, 5)
	pemBytes := MarshalPublicKeyPEM(k.Public())
	assert.True(t, bytes.HasPrefix(pemBytes, []byte("-----BEGIN PUBLIC KEY-----\n")))
	back, err := ParsePublicKeyPEM(pemBytes)
	require.NoError(t, err)
	assert.True(t, back.Equal(k.Public()))

	// OpenSSL reads it and verifies a signature made by Airlock.
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl not installed")
	}
	dir := t.TempDir()
	pubPath, msgPath, sigPath := filepath.Join(dir, "k.pub"), filepath.Join(dir, "m"), filepath.Join(dir, "s")
	require.NoError(t, os.WriteFile(pubPath, pemBytes, 0o644))
	require.NoError(t, os.WriteFile(msgPath, []byte("hello"), 0o644))
	require.NoError(t, os.WriteFile(sigPath, k.Sign([]byte("hello")), 0o644))
	out, err := exec.Command(openssl, "pkeyutl", "-verify", "-pubin", "-inkey", pubPath, "-rawin", "-in", msgPath, "-sigfile", sigPath).CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Contains(t, string(out), "Signature Verified Successfully")
}

func TestParsePublicKeyPEMErrors(t *testing.T) {
	k := seededKey(t, 5)
	good := MarshalPublicKeyPEM(k.Public())
	tests := []struct {
		name    string
		in      []byte
		wantErr error
	}{
		{"empty", nil, ErrNotPEM},
		{"garbage", []byte("hello"), ErrNotPEM},
		{"private key", MarshalDeviceKey(k), ErrNotPEM},
		{"trailing text", append(append([]byte(nil), good...), "x"...), ErrNotPEM},
		{"crlf", bytes.ReplaceAll(good, []byte("\n"), []byte("\r\n")), ErrNotPEM},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParsePublicKeyPEM(tc.in)
			assert.ErrorIs(t, err, tc.wantErr)
		})
	}
	// The lenient reader takes what email does to a file.
	got, err := ParsePublicKeyText(append([]byte("\r\n  "), bytes.ReplaceAll(good, []byte("\n"), []byte("\r\n"))...))
	require.NoError(t, err)
	assert.True(t, got.Equal(k.Public()))
}

func TestIssuerKeyFile(t *testing.T) {
	dir := t.TempDir()
	k := seededKey(t, 6)
	path := filepath.Join(dir, "issuer.key")
	require.NoError(t, WriteIssuerKey(path, k, "correct horse", testWorkFactor))

	if runtime.GOOS != "windows" {
		fi, err := os.Stat(path)
		require.NoError(t, err)
		assert.Equal(t, fs.FileMode(0o600), fi.Mode().Perm())
	}
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.True(t, bytes.HasPrefix(data, []byte("-----BEGIN AGE ENCRYPTED FILE-----")))
	assert.NotContains(t, string(data), "PRIVATE KEY")
	assert.NotContains(t, string(data), hex.EncodeToString(k.Seed()))

	got, err := ReadIssuerKey(path, "correct horse")
	require.NoError(t, err)
	assert.True(t, got.Public().Equal(k.Public()))

	t.Run("refuses to overwrite", func(t *testing.T) {
		err := WriteIssuerKey(path, seededKey(t, 7), "x", testWorkFactor)
		assert.ErrorIs(t, err, fs.ErrExist)
		again, err := ReadIssuerKey(path, "correct horse")
		require.NoError(t, err)
		assert.True(t, again.Public().Equal(k.Public()), "existing key must be untouched")
	})
	pubPath := filepath.Join(dir, "issuer.pub")
	require.NoError(t, WritePublicKey(pubPath, k.Public()))
	devPath := filepath.Join(dir, "device.key")
	require.NoError(t, WriteDeviceKey(devPath, k))
	junkPath := filepath.Join(dir, "junk")
	require.NoError(t, os.WriteFile(junkPath, []byte("hello\n"), 0o600))

	tests := []struct {
		name       string
		path       string
		passphrase string
		wantErr    error
		wantMsg    string
	}{
		{"wrong passphrase", path, "wrong", ErrWrongPassphrase, "wrong passphrase"},
		{"empty passphrase", path, "", ErrEmptyPassphrase, "empty passphrase"},
		{"missing file", filepath.Join(dir, "nope"), "x", fs.ErrNotExist, "does not exist"},
		{"public key given", pubPath, "x", ErrWrongKind, "is a PEM public key, not an encrypted issuer private key"},
		{"unencrypted key given", devPath, "x", ErrWrongKind, "is an unencrypted private key"},
		{"junk", junkPath, "x", ErrWrongKind, "not a key file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadIssuerKey(tc.path, tc.passphrase)
			assert.ErrorIs(t, err, tc.wantErr)
			assert.Contains(t, err.Error(), tc.wantMsg)
		})
	}
}

func TestDeviceKeyFile(t *testing.T) {
	dir := t.TempDir()
	k := seededKey(t, 8)
	path := filepath.Join(dir, "device.key")
	require.NoError(t, WriteDeviceKey(path, k))
	got, err := ReadDeviceKey(path)
	require.NoError(t, err)
	assert.True(t, got.Public().Equal(k.Public()))
	assert.ErrorIs(t, WriteDeviceKey(path, k), fs.ErrExist)

	issuerPath := filepath.Join(dir, "issuer.key")
	require.NoError(t, WriteIssuerKey(issuerPath, k, "pw", testWorkFactor))
	_, err = ReadDeviceKey(issuerPath)
	assert.ErrorIs(t, err, ErrWrongKind)
	_, err = ReadDeviceKey(filepath.Join(dir, "missing"))
	assert.True(t, errors.Is(err, fs.ErrNotExist))
}

func TestPrivateKeyNeverPrinted(t *testing.T) {
	k := seededKey(t, 9)
	s := k.String()
	assert.NotContains(t, s, hex.EncodeToString(k.Seed()))
	assert.Contains(t, s, k.Public().ID().String())
}

func BenchmarkParsePublicKey(b *testing.B) {
	pub := seededKey(b, 1).Public().Bytes()
	for b.Loop() {
		if _, err := ParsePublicKey(pub); err != nil {
			b.Fatal(err)
		}
	}
}
