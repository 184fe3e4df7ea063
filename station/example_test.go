package station_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/airlock-dev/airlock/crypto"
	"github.com/airlock-dev/airlock/fingerprint"
	"github.com/airlock-dev/airlock/request"
	"github.com/airlock-dev/airlock/response"
	"github.com/airlock-dev/airlock/station"
	"github.com/airlock-dev/airlock/station/sqlite"
)

// A station in a temporary directory adds a license and answers one
// activation request; the offline machine verifies the receipt.
func Example() {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	dir, _ := os.MkdirTemp("", "station")
	defer os.RemoveAll(dir)

	store, err := sqlite.Open(filepath.Join(dir, "station.db"), sqlite.Options{Create: true})
	if err != nil {
		panic(err)
	}
	defer store.Close()
	issuer, _ := crypto.GenerateKey(nil)
	if err := station.Init(ctx, store, station.InitOptions{Key: issuer.Public(), KeyName: "example", KeyFile: "issuer.key"}, now); err != nil {
		panic(err)
	}
	st, _ := station.Open(ctx, store)
	if err := st.UseSigner(ctx, issuer); err != nil {
		panic(err)
	}
	lic, err := st.AddLicense(ctx, station.License{
		Customer: "ACME", Product: "cad", Features: []station.Feature{{Name: "model"}, {Name: "render"}},
		Seats: 5, Offline: true, MaxLease: 720 * time.Hour, DefaultLease: 168 * time.Hour,
	}, now)
	if err != nil {
		panic(err)
	}

	// The offline machine asks for a lease.
	device, _ := crypto.GenerateKey(nil)
	salt := []byte("cad")
	req, _ := (&request.Activation{
		Header: request.Header{Time: now}, LicenseKey: lic.Key, Lease: 72 * time.Hour,
		Fingerprint: fingerprint.Set{
			fingerprint.HashComponent(salt, fingerprint.KindMachineID, "4c4c4544004a3510"),
			fingerprint.HashComponent(salt, fingerprint.KindHostname, "ws-lab-042"),
		}.Canonical(),
	}).Sign(device)

	res, err := st.Issue(ctx, req, now)
	if err != nil {
		panic(err)
	}
	trust, _ := crypto.NewTrustStore("example", issuer.Public())
	r, err := response.Verify(res.Receipt, trust, now)
	if err != nil {
		panic(err)
	}
	fmt.Println(r.Type, r.Features, "serial", r.Serial, "until", station.Stamp(r.ExpiresAt))
	fmt.Println(res.Usage.Active, "of", lic.Seats, "seats in use")
	// Output:
	// activation receipt [model render] serial 1 until 2026-11-26 10:00 UTC
	// 1 of 5 seats in use
}
