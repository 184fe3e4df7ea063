package response_test

import (
	"bytes"
	"fmt"
	"time"

	"github.com/airlock-dev/airlock/crypto"
	"github.com/airlock-dev/airlock/fingerprint"
	"github.com/airlock-dev/airlock/response"
	"github.com/airlock-dev/airlock/wire"
)

// The station signs an activation receipt; the offline machine verifies it
// against its trust store at its own clock.
func Example() {
	issuer, _ := crypto.NewKeyFromSeed(bytes.Repeat([]byte{1}, crypto.SeedSize))
	device, _ := crypto.NewKeyFromSeed(bytes.Repeat([]byte{2}, crypto.SeedSize))
	fp := fingerprint.Set{fingerprint.HashComponent([]byte("cad"), fingerprint.KindMachineID, "4c4c4544")}
	issued := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	hash := wire.RequestHash{0x5e, 0x1f}
	r := &response.Receipt{
		Type: wire.ActivationReceipt, LeaseID: wire.LeaseID{0x3f, 0x9a, 0x12, 0xc0, 0x7b, 0x4e},
		LicenseID: 17, Product: "cad", Features: []string{"model", "render"},
		DeviceKey: device.Public(), Fingerprint: fp, Threshold: 1, RequestHash: &hash,
		Serial: 1, LedgerSeq: 42, IssuedAt: issued, ExpiresAt: issued.Add(720 * time.Hour),
	}
	msg, err := r.Sign(issuer)
	if err != nil {
		panic(err)
	}

	trust, _ := crypto.NewTrustStore("acme", issuer.Public())
	got, err := response.Verify(msg, trust, issued.Add(time.Hour), wire.ActivationReceipt)
	if err != nil {
		panic(err)
	}
	fmt.Println(got.LeaseID, got.Features, got.ExpiresAt.Format(time.DateOnly))

	_, err = response.Verify(msg, trust, issued.Add(721*time.Hour), wire.ActivationReceipt)
	fmt.Println(err)
	// Output:
	// 3f9a12c07b4e [model render] 2026-12-23
	// receipt expired at 2026-12-23 10:00 UTC, it is now 2026-12-23 11:00 UTC
}
