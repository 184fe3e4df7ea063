package crypto

import (
	"bytes"
	"os"
	"testing"

	"github.com/airlock-dev/airlock/internal/vectors"
)

func FuzzParseTrustStore(f *testing.F) {
	if data, err := os.ReadFile("../testdata/vectors/trust.txt"); err == nil {
		f.Add(data)
	}
	f.Add([]byte("airlock trust store v1\nversion 0\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		s, err := ParseTrustStore(in)
		if err != nil {
			if s != nil {
				t.Fatal("error with a result")
			}
			return
		}
		if !bytes.Equal(s.Marshal(), in) {
			t.Fatalf("round trip differs")
		}
	})
}

func FuzzParsePublicKeyPEM(f *testing.F) {
	if data, err := os.ReadFile("../testdata/vectors/issuer.pub"); err == nil {
		f.Add(data)
	}
	f.Add([]byte("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n-----END PUBLIC KEY-----\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		k, err := ParsePublicKeyPEM(in)
		if err != nil {
			if !k.IsZero() {
				t.Fatal("error with a result")
			}
			return
		}
		if !bytes.Equal(MarshalPublicKeyPEM(k), in) {
			t.Fatal("round trip differs")
		}
	})
}

func FuzzParseDeviceKey(f *testing.F) {
	k, _ := NewKeyFromSeed(bytes.Repeat([]byte{1}, SeedSize))
	f.Add(MarshalDeviceKey(k))
	f.Add([]byte("-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		k, err := ParseDeviceKey(in)
		if err != nil {
			if k != nil {
				t.Fatal("error with a result")
			}
			return
		}
		if !bytes.Equal(MarshalDeviceKey(k), in) {
			t.Fatal("round trip differs")
		}
	})
}

func FuzzParseIssuerKey(f *testing.F) {
	maxWorkFactor = 4 // keep every input cheap to try
	k, _ := NewKeyFromSeed(bytes.Repeat([]byte{2}, SeedSize))
	enc, err := MarshalIssuerKey(k, "pw", 2)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(enc, "pw")
	f.Add(enc, "wrong")
	f.Add([]byte("age-encryption.org/v1\n-> scrypt AAAA 30\n"), "pw")
	f.Fuzz(func(t *testing.T, in []byte, pass string) {
		k, err := ParseIssuerKey(in, pass)
		if err != nil && k != nil {
			t.Fatal("error with a result")
		}
	})
}

func FuzzApplyRollover(f *testing.F) {
	for _, m := range vectors.Seeds("../testdata/vectors") {
		f.Add(m)
	}
	data, err := os.ReadFile("../testdata/vectors/trust.txt")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		s, err := ParseTrustStore(data)
		if err != nil {
			t.Fatal(err)
		}
		r, err := s.ApplyRollover(in)
		if err != nil {
			if r != nil {
				t.Fatal("error with a result")
			}
			if !bytes.Equal(s.Marshal(), data) {
				t.Fatal("a refused statement changed the store")
			}
		}
	})
}
