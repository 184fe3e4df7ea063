package request_test

import (
	"bytes"
	"fmt"
	"time"

	"github.com/airlock-dev/airlock/crypto"
	"github.com/airlock-dev/airlock/fingerprint"
	"github.com/airlock-dev/airlock/request"
)

// The offline machine signs an activation request; the station verifies it
// under the device key it carries.
func Example() {
	device, _ := crypto.NewKeyFromSeed(bytes.Repeat([]byte{1}, crypto.SeedSize))
	salt := []byte("acme-cad")
	a := &request.Activation{
		Header:     request.Header{Time: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)},
		LicenseKey: "7K3QM9XD2HFRW4TB",
		Features:   []string{"export", "model", "render"},
		Lease:      720 * time.Hour,
		Fingerprint: fingerprint.Set{
			fingerprint.HashComponent(salt, fingerprint.KindMachineID, "4c4c4544004a3510"),
			fingerprint.HashComponent(salt, fingerprint.KindHostname, "ws-lab-042"),
		}.Canonical(),
	}
	msg, err := a.Sign(device)
	if err != nil {
		panic(err)
	}

	got, err := request.VerifyActivation(msg)
	if err != nil {
		panic(err)
	}
	fmt.Println(got.LicenseKey, got.Features, got.Lease)
	// Output: 7K3QM9XD2HFRW4TB [export model render] 720h0m0s
}
