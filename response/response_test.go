package response_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/airlock-dev/airlock/crypto"
	"github.com/airlock-dev/airlock/fingerprint"
	"github.com/airlock-dev/airlock/internal/envelope"
	"github.com/airlock-dev/airlock/internal/vectors"
	"github.com/airlock-dev/airlock/response"
	"github.com/airlock-dev/airlock/wire"
)

var t0 = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

func key(t testing.TB, b byte) *crypto.PrivateKey {
	k, err := crypto.NewKeyFromSeed(bytes.Repeat([]byte{b}, crypto.SeedSize))
	require.NoError(t, err)
	return k
}

func receipt(t testing.TB) *response.Receipt {
	fp := typicalFingerprint()
	h := wire.RequestHash{1, 2, 3}
	return &response.Receipt{
		Type: wire.ActivationReceipt, LeaseID: wire.LeaseID{9, 8, 7, 6, 5, 4}, LicenseID: 17, Product: "cad",
		Features: []string{"export", "model"}, Limits: map[string]uint64{"export": 10}, DeviceKey: key(t, 2).Public(),
		Fingerprint: fp, Threshold: fingerprint.DefaultThreshold(len(fp)), RequestHash: &h, Serial: 1, LedgerSeq: 5,
		IssuedAt: t0, ExpiresAt: t0.Add(24 * time.Hour),
	}
}

func trust(t testing.TB, keys ...*crypto.PrivateKey) *crypto.TrustStore {
	s, err := crypto.NewTrustStore("issuer", keys[0].Public())
	require.NoError(t, err)
	for i, k := range keys[1:] {
		s.Keys = append(s.Keys, crypto.TrustedKey{Name: "issuer " + string(rune('b'+i)), Key: k.Public()})
	}
	return s
}

func TestSignVerifyRoundTrip(t *testing.T) {
	issuer := key(t, 1)
	r := receipt(t)
	msg, err := r.Sign(issuer)
	require.NoError(t, err)
	got, err := response.Verify(msg, trust(t, issuer), t0.Add(time.Hour), wire.ActivationReceipt)
	require.NoError(t, err)
	assert.Equal(t, issuer.Public().ID(), got.KeyID)
	assert.Equal(t, r.LeaseID, got.LeaseID)
	assert.Equal(t, r.Features, got.Features)
	assert.Equal(t, r.Limits, got.Limits)
	assert.True(t, got.DeviceKey.Equal(r.DeviceKey))
	assert.Equal(t, r.Fingerprint, got.Fingerprint)
	assert.Equal(t, *r.RequestHash, *got.RequestHash)
	assert.Equal(t, t0, got.NotBefore, "not-before defaults to issued-at")
	assert.Equal(t, r.ExpiresAt, got.ExpiresAt)

	unverified, err := response.ParseUnverified(msg)
	require.NoError(t, err)
	assert.Equal(t, got.LeaseID, unverified.LeaseID)
}

func TestVerifyRefusals(t *testing.T) {
	issuer, other := key(t, 1), key(t, 3)
	msg, err := receipt(t).Sign(issuer)
	require.NoError(t, err)
	retired := trust(t, issuer)
	retired.Keys[0].RetiredAt = t0.Add(-time.Second)
	tests := []struct {
		name    string
		trust   *crypto.TrustStore
		now     time.Time
		want    []wire.Type
		wantErr error
	}{
		{"unknown key", trust(t, other), t0, nil, crypto.ErrUnknownKey},
		{"retired key", retired, t0, nil, crypto.ErrKeyRetired},
		{"wrong type", trust(t, issuer), t0, []wire.Type{wire.RefreshReceipt}, wire.ErrWrongType},
		{"expired at expires-at", trust(t, issuer), t0.Add(24 * time.Hour), nil, response.ErrExpired},
		{"not yet valid", trust(t, issuer), t0.Add(-time.Second), nil, response.ErrNotYetValid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := response.Verify(msg, tc.trust, tc.now, tc.want...)
			assert.ErrorIs(t, err, tc.wantErr)
			assert.Nil(t, got)
		})
	}
	_, err = response.Verify(msg, trust(t, other, issuer), t0.Add(24*time.Hour-time.Second))
	assert.NoError(t, err, "last second of the window; any key in the store")
}

func TestValidityErrorMessages(t *testing.T) {
	r := receipt(t)
	err := r.ValidAt(t0.Add(48 * time.Hour))
	assert.EqualError(t, err, "receipt expired at 2026-11-24 10:00 UTC, it is now 2026-11-25 10:00 UTC")
	err = r.ValidAt(t0.Add(-time.Hour))
	assert.EqualError(t, err, "receipt not yet valid: valid from 2026-11-23 10:00 UTC, it is now 2026-11-23 09:00 UTC")
}

func TestEvidenceReceiptsDoNotExpire(t *testing.T) {
	issuer := key(t, 1)
	for _, typ := range []wire.Type{wire.DeactivationReceipt, wire.RevocationReceipt} {
		r := receipt(t)
		r.Type = typ
		if typ == wire.RevocationReceipt {
			r.RequestHash = nil
		}
		msg, err := r.Sign(issuer)
		require.NoError(t, err)
		_, err = response.Verify(msg, trust(t, issuer), t0.Add(365*24*time.Hour), typ)
		assert.NoError(t, err, "%s", typ)
	}
}

func TestSignRefusesBadReceipts(t *testing.T) {
	tests := []struct {
		name   string
		modify func(r *response.Receipt)
	}{
		{"no license", func(r *response.Receipt) { r.LicenseID = 0 }},
		{"no features", func(r *response.Receipt) { r.Features = nil }},
		{"unsorted features", func(r *response.Receipt) { r.Features = []string{"model", "export"} }},
		{"limit on ungranted feature", func(r *response.Receipt) { r.Limits = map[string]uint64{"render": 1} }},
		{"no device key", func(r *response.Receipt) { r.DeviceKey = crypto.PublicKey{} }},
		{"threshold 0", func(r *response.Receipt) { r.Threshold = 0 }},
		{"threshold above components", func(r *response.Receipt) { r.Threshold = 99 }},
		{"serial 0", func(r *response.Receipt) { r.Serial = 0 }},
		{"ledger 0", func(r *response.Receipt) { r.LedgerSeq = 0 }},
		{"expires before start", func(r *response.Receipt) { r.ExpiresAt = r.IssuedAt }},
		{"fractional seconds", func(r *response.Receipt) { r.ExpiresAt = r.ExpiresAt.Add(time.Millisecond) }},
		{"activation without request hash", func(r *response.Receipt) { r.RequestHash = nil }},
		{"revocation with request hash", func(r *response.Receipt) { r.Type = wire.RevocationReceipt }},
		{"bad product", func(r *response.Receipt) { r.Product = "my product" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := receipt(t)
			tc.modify(r)
			msg, err := r.Sign(key(t, 1))
			assert.ErrorIs(t, err, wire.ErrInvalidField)
			assert.Nil(t, msg)
		})
	}
	r := receipt(t)
	r.Type = wire.ActivationRequest
	_, err := r.Sign(key(t, 1))
	assert.Error(t, err)
}

func FuzzReceipt(f *testing.F) {
	for _, m := range vectors.Seeds("../testdata/vectors") {
		f.Add(m)
	}
	issuer := key(f, 1)
	store := trust(f, issuer)
	f.Fuzz(func(t *testing.T, in []byte) {
		r, err := response.ParseUnverified(in)
		if err != nil {
			if r != nil {
				t.Fatal("error with a result")
			}
		} else {
			m, err := envelope.Parse(in)
			if err != nil || !bytes.Equal(m.Marshal(), in) {
				t.Fatal("round trip differs")
			}
		}
		if v, err := response.Verify(in, store, t0); err != nil && v != nil {
			t.Fatal("error with a result")
		}
	})
}
