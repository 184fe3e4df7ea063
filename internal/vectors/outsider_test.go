package vectors

import (
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// This test plays an outsider who has only doc/SPEC.md, the issuer's PEM
// public key and OpenSSL: it takes a receipt apart by hand (no Airlock code,
// no CBOR library), builds the Sig_structure of SPEC §3.1, and asks OpenSSL
// to verify the signature.

// cborString returns the length of the byte or text string header at b[0]
// and the string's length (major types 2 and 3 only, as used here).
func cborString(t *testing.T, b []byte) (head, n int) {
	t.Helper()
	switch ai := b[0] & 0x1f; {
	case ai < 24:
		return 1, int(ai)
	case ai == 24:
		return 2, int(b[1])
	case ai == 25:
		return 3, int(b[1])<<8 | int(b[2])
	}
	t.Fatalf("unexpected CBOR header %#x", b[0])
	return 0, 0
}

// bstr encodes a CBOR byte string header and body.
func bstr(b []byte) []byte {
	var h []byte
	switch n := len(b); {
	case n < 24:
		h = []byte{0x40 | byte(n)}
	case n < 256:
		h = []byte{0x58, byte(n)}
	default:
		h = []byte{0x59, byte(n >> 8), byte(n)}
	}
	return append(h, b...)
}

func TestOutsiderVerifiesReceiptWithOpenSSL(t *testing.T) {
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl not installed")
	}
	work := t.TempDir()
	checked := 0
	for _, v := range loadAll(t) {
		label := v.Header["verify-as"]
		if v.Expect() != "success" || !strings.Contains(label, "receipt") || strings.Contains(v.Name, "old-key") {
			continue
		}
		msg := v.Message
		// d2 84 | protected bstr | a0 | payload bstr | signature bstr
		require.Equal(t, []byte{0xd2, 0x84}, msg[:2], v.Name)
		rest := msg[2:]
		h, n := cborString(t, rest)
		protected := rest[h : h+n]
		rest = rest[h+n:]
		require.Equal(t, byte(0xa0), rest[0], "empty unprotected header")
		rest = rest[1:]
		h, n = cborString(t, rest)
		payload := rest[h : h+n]
		rest = rest[h+n:]
		h, n = cborString(t, rest)
		require.Equal(t, 64, n)
		sig := rest[h : h+n]

		tbs := append([]byte{0x84, 0x6a}, "Signature1"...)
		tbs = append(tbs, bstr(protected)...)
		tbs = append(tbs, bstr([]byte(label))...)
		tbs = append(tbs, bstr(payload)...)
		assert.Equal(t, v.Header["to-be-signed"], hex.EncodeToString(tbs), "%s: the documented to-be-signed bytes", v.Name)

		tbsPath, sigPath := filepath.Join(work, "tbs"), filepath.Join(work, "sig")
		require.NoError(t, os.WriteFile(tbsPath, tbs, 0o644))
		require.NoError(t, os.WriteFile(sigPath, sig, 0o644))
		out, err := exec.Command(openssl, "pkeyutl", "-verify", "-pubin", "-inkey", filepath.Join(dir, "issuer.pub"),
			"-rawin", "-in", tbsPath, "-sigfile", sigPath).CombinedOutput()
		require.NoError(t, err, "%s: %s", v.Name, out)
		assert.Contains(t, string(out), "Signature Verified Successfully")

		// And a flipped payload bit fails.
		tbs[len(tbs)-1] ^= 1
		require.NoError(t, os.WriteFile(tbsPath, tbs, 0o644))
		out, err = exec.Command(openssl, "pkeyutl", "-verify", "-pubin", "-inkey", filepath.Join(dir, "issuer.pub"),
			"-rawin", "-in", tbsPath, "-sigfile", sigPath).CombinedOutput()
		assert.Error(t, err, "%s: tampered must fail: %s", v.Name, out)
		checked++
	}
	assert.GreaterOrEqual(t, checked, 6)
}

// TestPythonVerifierAgrees runs doc/examples/verify_receipt.py — a
// verifier written from SPEC.md with Python's standard library and the
// openssl command — over the receipt vectors signed for the current issuer
// key, and checks it reaches the same verdict as Airlock.
func TestPythonVerifierAgrees(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed")
	}
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed")
	}
	covered := map[string]string{ // expect → what the script prints
		"success": "", "bad signature": "bad signature", "wrong key": "bad signature",
		"unknown key": "unknown key", "expired": "expired", "not yet valid": "not yet valid",
	}
	checked := 0
	for _, v := range loadAll(t) {
		want, ok := covered[v.Expect()]
		label := v.Header["verify-as"]
		if !ok || !strings.Contains(label, "receipt") || strings.Contains(v.Name, "old-key") || strings.Contains(v.Name, "-as-") {
			continue
		}
		file := filepath.Join(dir, v.Name)
		cmd := exec.Command(python, "../../doc/examples/verify_receipt.py", filepath.Join(dir, "issuer.pub"), "-", "--now", v.Header["now"])
		data, err := os.ReadFile(file)
		require.NoError(t, err)
		_, armored, _ := strings.Cut(string(data), "\n\n")
		cmd.Stdin = strings.NewReader(armored)
		out, err := cmd.CombinedOutput()
		if want == "" {
			assert.NoError(t, err, "%s: %s", v.Name, out)
			assert.Contains(t, string(out), `"lease_id": "3f9a12c07b4e"`, v.Name)
		} else {
			assert.Error(t, err, "%s: %s", v.Name, out)
			assert.Contains(t, string(out), "refused: "+want, v.Name)
		}
		checked++
	}
	assert.GreaterOrEqual(t, checked, 10)
}
