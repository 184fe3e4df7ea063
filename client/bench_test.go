package client_test

import (
	"bytes"
	"crypto/ed25519"
	"testing"
	"time"

	"github.com/airlock-dev/airlock/client"
	"github.com/airlock-dev/airlock/client/clienttest"
)

// BenchmarkCheck is Check on an installed lease, as an application calls
// it; compare with BenchmarkEd25519Verify from the same run:
//
//	go test ./client -run '^$' -bench 'Check|Ed25519Verify' -benchmem
func BenchmarkCheck(b *testing.B) {
	c, now := benchClient(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Check("render", now); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEd25519Verify is one raw Ed25519 verification of a 64-byte
// signature over a typical receipt (the yardstick for Check).
func BenchmarkEd25519Verify(b *testing.B) {
	pub, msg, sig := benchSignature(b)
	b.ReportAllocs()
	for b.Loop() {
		if !ed25519.Verify(pub, msg, sig) {
			b.Fatal("signature does not verify")
		}
	}
}

func benchClient(tb testing.TB) (*client.Client, time.Time) {
	m := newMachine(tb, "ws-lab-042", clienttest.NewStation(1))
	m.activate(t0, "export", "model", "render")
	return m.client(), t0.Add(3 * time.Hour)
}

func benchSignature(tb testing.TB) (ed25519.PublicKey, []byte, []byte) {
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, ed25519.SeedSize))
	msg := bytes.Repeat([]byte{0xa5}, 238) // an activation receipt with three features is 238 bytes
	return priv.Public().(ed25519.PublicKey), msg, ed25519.Sign(priv, msg)
}
