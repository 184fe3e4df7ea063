package request

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/airlock-dev/airlock/crypto"
	"github.com/airlock-dev/airlock/fingerprint"
	"github.com/airlock-dev/airlock/internal/envelope"
	"github.com/airlock-dev/airlock/internal/vectors"
	"github.com/airlock-dev/airlock/wire"
)

var t0 = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

func key(t testing.TB, b byte) *crypto.PrivateKey {
	k, err := crypto.NewKeyFromSeed(bytes.Repeat([]byte{b}, crypto.SeedSize))
	require.NoError(t, err)
	return k
}

func fp() fingerprint.Set {
	return fingerprint.Set{
		fingerprint.HashComponent([]byte("p"), fingerprint.KindMachineID, "m"),
		fingerprint.HashComponent([]byte("p"), fingerprint.KindHostname, "h"),
	}.Canonical()
}

func activation() *Activation {
	return &Activation{Header: Header{Time: t0, HighWater: t0}, LicenseKey: "7K3QM9XD2HFRW4TB",
		Features: []string{"export", "model"}, Lease: 48 * time.Hour, Fingerprint: fp(), User: "ana", Host: "ws-1"}
}

func TestActivationRoundTrip(t *testing.T) {
	a := activation()
	a.HighWater = t0.Add(3 * time.Hour)
	msg, err := a.Sign(key(t, 1))
	require.NoError(t, err)
	got, err := VerifyActivation(msg)
	require.NoError(t, err)
	assert.Equal(t, a.LicenseKey, got.LicenseKey)
	assert.Equal(t, a.Features, got.Features)
	assert.Equal(t, a.Lease, got.Lease)
	assert.Equal(t, a.Fingerprint, got.Fingerprint)
	assert.True(t, got.DeviceKey.Equal(key(t, 1).Public()))
	assert.Equal(t, "ana", got.User)
	assert.Equal(t, t0, got.Time)
	assert.Equal(t, 3*time.Hour, got.ClockBehind())
	assert.NotEqual(t, [NonceSize]byte{}, got.Nonce, "Sign draws a nonce")

	again, err := a.Sign(key(t, 1))
	require.NoError(t, err)
	assert.Equal(t, msg, again, "same nonce, same bytes: Ed25519 is deterministic")
	a.Nonce = [NonceSize]byte{}
	other, err := a.Sign(key(t, 1))
	require.NoError(t, err)
	assert.NotEqual(t, Hash(msg), Hash(other), "a fresh nonce makes a new request")
}

func TestActivationSignErrors(t *testing.T) {
	tests := []struct {
		name   string
		modify func(a *Activation)
	}{
		{"no time", func(a *Activation) { a.Time = time.Time{} }},
		{"unnormalised key", func(a *Activation) { a.LicenseKey = "7k3q-m9xd-2hfr-w4tb" }},
		{"unsorted features", func(a *Activation) { a.Features = []string{"model", "export"} }},
		{"negative lease", func(a *Activation) { a.Lease = -time.Hour }},
		{"fractional lease", func(a *Activation) { a.Lease = time.Hour + time.Millisecond }},
		{"lease too long", func(a *Activation) { a.Lease = MaxLease + time.Hour }},
		{"empty fingerprint", func(a *Activation) { a.Fingerprint = nil }},
		{"control character in host", func(a *Activation) { a.Host = "ws\n1" }},
		{"user too long", func(a *Activation) { a.User = strings.Repeat("u", MaxTextLen+1) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := activation()
			tc.modify(a)
			msg, err := a.Sign(key(t, 1))
			assert.ErrorIs(t, err, wire.ErrInvalidField)
			assert.Nil(t, msg)
		})
	}
}

func TestRefreshAndReturn(t *testing.T) {
	dev, other := key(t, 1), key(t, 2)
	id := wire.LeaseID{1, 2, 3, 4, 5, 6}
	r := &Refresh{Header: Header{Time: t0}, LeaseID: id, Serial: 3, LedgerSeq: 40, Meters: map[string]uint64{"render": 7}, Lease: time.Hour}
	msg, err := r.Sign(dev)
	require.NoError(t, err)
	info, err := Peek(msg)
	require.NoError(t, err)
	assert.Equal(t, wire.RefreshRequest, info.Type)
	assert.Equal(t, id, info.LeaseID)
	assert.Equal(t, Hash(msg), info.Hash)
	assert.Equal(t, uint64(3), info.Serial)
	assert.Equal(t, uint64(40), info.LedgerSeq)
	got, err := VerifyRefresh(msg, dev.Public())
	require.NoError(t, err)
	assert.Equal(t, uint64(3), got.Serial)
	assert.Equal(t, map[string]uint64{"render": 7}, got.Meters)
	_, err = VerifyRefresh(msg, other.Public())
	assert.ErrorIs(t, err, crypto.ErrBadSignature)
	_, err = VerifyReturn(msg, dev.Public())
	assert.ErrorIs(t, err, wire.ErrWrongType)

	ret := &Return{Header: Header{Time: t0}, LeaseID: id, Serial: 4, LedgerSeq: 41, Meters: map[string]uint64{"render": 9}}
	rmsg, err := ret.Sign(dev)
	require.NoError(t, err)
	gotRet, err := VerifyReturn(rmsg, dev.Public())
	require.NoError(t, err)
	assert.Equal(t, uint64(9), gotRet.Meters["render"])

	_, err = (&Refresh{Header: Header{Time: t0}, LeaseID: id, LedgerSeq: 1}).Sign(dev)
	assert.ErrorIs(t, err, wire.ErrInvalidField, "serial 0")
	_, err = (&Refresh{Header: Header{Time: t0}, LeaseID: id, Serial: 1}).Sign(dev)
	assert.ErrorIs(t, err, wire.ErrInvalidField, "ledger sequence 0")
	_, err = (&Return{Header: Header{Time: t0}, LeaseID: id, Serial: 1, LedgerSeq: 1, Meters: map[string]uint64{"bad name": 1}}).Sign(dev)
	assert.ErrorIs(t, err, wire.ErrInvalidField)
}

func TestPeekActivation(t *testing.T) {
	msg, err := activation().Sign(key(t, 1))
	require.NoError(t, err)
	info, err := Peek(msg)
	require.NoError(t, err)
	assert.Equal(t, wire.ActivationRequest, info.Type)
	assert.Equal(t, key(t, 1).Public().Bytes(), info.DeviceKey)
}

func TestNormalizeLicenseKey(t *testing.T) {
	tests := []struct {
		name, in, want string
		wantErr        bool
	}{
		{"grouped", "7K3Q-M9XD-2HFR-W4TB", "7K3QM9XD2HFRW4TB", false},
		{"lower case and spaces", "7k3q m9xd 2hfr w4tb", "7K3QM9XD2HFRW4TB", false},
		{"confusable letters", "OIL0-0000", "01100000", false},
		{"too short", "ABC", "", true},
		{"bad character", "7K3Q-M9XD-2HFR-W4T!", "", true},
		{"U is not used", "UUUUUUUU", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := NormalizeLicenseKey(tc.in)
			if tc.wantErr {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func FuzzRequest(f *testing.F) {
	for _, m := range vectors.Seeds("../testdata/vectors") {
		f.Add(m)
	}
	dev := key(f, 5)
	f.Fuzz(func(t *testing.T, in []byte) {
		info, err := Peek(in)
		if err != nil {
			if info != nil {
				t.Fatal("error with a result")
			}
		} else {
			m, err := envelope.Parse(in)
			if err != nil || !bytes.Equal(m.Marshal(), in) {
				t.Fatal("round trip differs")
			}
		}
		if a, err := VerifyActivation(in); err != nil && a != nil {
			t.Fatal("error with a result")
		}
		if r, err := VerifyRefresh(in, dev.Public()); err != nil && r != nil {
			t.Fatal("error with a result")
		}
		if r, err := VerifyReturn(in, dev.Public()); err != nil && r != nil {
			t.Fatal("error with a result")
		}
	})
}
