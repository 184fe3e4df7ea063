package client_test

import (
	"bytes"
	"crypto/ed25519"
	"testing"
	"time"

	"github.com/airlock-dev/airlock/client"
	"github.com/airlock-dev/airlock/client/clienttest"
	"github.com/stretchr/testify/require"
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

// TestCheckCostsLessThanAVerify holds Check to its budget: at most 1.25
// times one Ed25519 verification, measured in the same process.
func TestCheckCostsLessThanAVerify(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("timing; not under -short or -race")
	}
	m := newMachine(t, "ws-lab-042", clienttest.NewStation(1))
	m.activate(t0, "export", "model", "render")
	c, now := m.client(), t0.Add(3*time.Hour)
	pub, msg, sig := benchSignature(t)
	check := testing.Benchmark(func(b *testing.B) {
		for b.Loop() {
			if _, err := c.Check("render", now); err != nil {
				b.Fatal(err)
			}
		}
	})
	verify := testing.Benchmark(func(b *testing.B) {
		for b.Loop() {
			ed25519.Verify(pub, msg, sig)
		}
	})
	ratio := float64(check.NsPerOp()) / float64(verify.NsPerOp())
	t.Logf("Check %d ns/op, Ed25519 verify %d ns/op: %.3f×", check.NsPerOp(), verify.NsPerOp(), ratio)
	require.LessOrEqual(t, ratio, 1.25)
}
