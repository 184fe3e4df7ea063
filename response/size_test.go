package response_test

import (
	"bytes"
	"testing"
	"time"

	qrcode "github.com/skip2/go-qrcode"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/airlock-dev/airlock/crypto"
	"github.com/airlock-dev/airlock/fingerprint"
	"github.com/airlock-dev/airlock/request"
	"github.com/airlock-dev/airlock/response"
	"github.com/airlock-dev/airlock/wire"
)

// SizeBudget is the format's promise: a typical activation request and its
// receipt each fit one QR code.
const SizeBudget = 250

// typicalFingerprint is six components, what a Linux workstation yields.
func typicalFingerprint() fingerprint.Set {
	salt := []byte("acme-cad")
	var fp fingerprint.Set
	for _, c := range []struct {
		k fingerprint.Kind
		v string
	}{{fingerprint.KindMachineID, "4c4c4544004a3510804ab4c04f4e3232"}, {fingerprint.KindProductUUID, "4c4c4544-004a-3510"},
		{fingerprint.KindMAC, "3c:ec:ef:12:34:56"}, {fingerprint.KindDiskSerial, "S4EVNF0M123456"},
		{fingerprint.KindCPU, "Intel(R) Xeon(R) W-2245"}, {fingerprint.KindHostname, "ws-lab-042"}} {
		fp = append(fp, fingerprint.HashComponent(salt, c.k, c.v))
	}
	return fp.Canonical()
}

// typicalMessages makes the activation request and receipt the size budget
// is about.
func typicalMessages(t testing.TB) (req, rec []byte) {
	device, err := crypto.GenerateKey(nil)
	require.NoError(t, err)
	issuer, err := crypto.GenerateKey(nil)
	require.NoError(t, err)
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	a := &request.Activation{
		Header:     request.Header{Time: now, HighWater: now},
		LicenseKey: "7K3QM9XD2HFRW4TB", Features: []string{"export", "model", "render"},
		Lease: 720 * time.Hour, Fingerprint: typicalFingerprint(), User: "operator", Host: "ws-lab-042",
	}
	req, err = a.Sign(device)
	require.NoError(t, err)
	h := request.Hash(req)
	r := &response.Receipt{
		Type: wire.ActivationReceipt, LeaseID: wire.NewLeaseID(), LicenseID: 1234, Product: "acme-cad",
		Features: a.Features, DeviceKey: device.Public(), Fingerprint: a.Fingerprint, Threshold: 5,
		RequestHash: &h, Serial: 1, LedgerSeq: 123456, IssuedAt: now, ExpiresAt: now.Add(a.Lease),
	}
	rec, err = r.Sign(issuer)
	require.NoError(t, err)
	return req, rec
}

func TestSizeBudget(t *testing.T) {
	req, rec := typicalMessages(t)
	for _, m := range []struct {
		name string
		msg  []byte
	}{{"activation request", req}, {"activation receipt", rec}} {
		text := wire.MarshalBase45(m.msg)
		code, err := qrcode.New(text, qrcode.Medium)
		require.NoError(t, err)
		t.Logf("%s: %d bytes binary, %d chars Base45, QR version %d at EC M", m.name, len(m.msg), len(text), code.VersionNumber)
		assert.LessOrEqual(t, len(m.msg), SizeBudget, m.name)
		assert.LessOrEqual(t, code.VersionNumber, 11, m.name)
	}
}

// TestSizeWithManyFeatures: the budget is not a cliff for slightly bigger inputs.
func TestSizeWithManyFeatures(t *testing.T) {
	device, err := crypto.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32))
	require.NoError(t, err)
	fs := []string{"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa"}
	a := &request.Activation{Header: request.Header{Time: time.Unix(1800000000, 0)}, LicenseKey: "7K3QM9XD2HFRW4TB",
		Features: wire.SortFeatures(fs), Fingerprint: typicalFingerprint()}
	req, err := a.Sign(device)
	require.NoError(t, err)
	t.Logf("activation request with 10 features: %d bytes", len(req))
	assert.Less(t, len(req), 400)
}

// BenchmarkMessageSizes reports the sizes of the typical activation request
// and receipt as metrics (bench/run prints them); the time is signing both.
func BenchmarkMessageSizes(b *testing.B) {
	var req, rec []byte
	for b.Loop() {
		req, rec = typicalMessages(b)
	}
	b.ReportMetric(float64(len(req)), "request_bytes")
	b.ReportMetric(float64(len(rec)), "receipt_bytes")
}
