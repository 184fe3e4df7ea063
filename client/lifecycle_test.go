package client_test

import (
	"testing"
	"time"

	"github.com/airlock-dev/airlock/client"
	"github.com/airlock-dev/airlock/client/clienttest"
	"github.com/airlock-dev/airlock/request"
	"github.com/airlock-dev/airlock/wire"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSameReceiptTwiceIsHarmless(t *testing.T) {
	m := newMachine(t, "ws-lab-042", clienttest.NewStation(1))
	id, receipt := m.activate(t0, "model", "render")
	before := m.state()

	res, err := m.apply(receipt, t0.Add(3*time.Hour))
	require.NoError(t, err)
	assert.True(t, res.Already)
	assert.Equal(t, id, res.Receipt.LeaseID)
	assert.Equal(t, before, m.state(), "applying again changes nothing, not even the generation")

	// Still harmless once a refresh replaced it? No: then it is an older
	// receipt, and refused as such.
	push, err := m.station.Push(id, t0.Add(4*time.Hour))
	require.NoError(t, err)
	_, err = m.apply(push, t0.Add(4*time.Hour))
	require.NoError(t, err)
	res, err = m.apply(push, t0.Add(5*time.Hour))
	require.NoError(t, err)
	assert.True(t, res.Already)
	_, err = m.apply(receipt, t0.Add(5*time.Hour))
	assert.ErrorIs(t, err, client.ErrStaleSerial)
	assert.ErrorContains(t, err, "this activation receipt for lease "+id.String()+" has serial 1, but serial 2 is already held")
}

func TestOlderRefreshAfterNewer(t *testing.T) {
	m := newMachine(t, "ws-lab-042", clienttest.NewStation(1))
	id, _ := m.activate(t0)
	req1 := m.refreshReq(id, t0.Add(3*time.Hour))
	req2 := m.refreshReq(id, t0.Add(4*time.Hour))
	r1, err := m.station.Refresh(req1, t0.Add(5*time.Hour))
	require.NoError(t, err)
	m.station.Length = 1000 * time.Hour
	r2, err := m.station.Refresh(req2, t0.Add(6*time.Hour))
	require.NoError(t, err)

	res, err := m.apply(r2, t0.Add(7*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, uint64(3), res.Receipt.Serial)
	assert.Equal(t, uint64(1), res.Replaced)

	before := m.state()
	_, err = m.apply(r1, t0.Add(7*time.Hour))
	var se *client.SerialError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, client.SerialError{Type: wire.RefreshReceipt, Lease: id, Got: 2, Have: 3}, *se)
	assert.ErrorContains(t, err, "has serial 2, but serial 3 is already held")
	assert.Equal(t, before, m.state())

	e, err := m.client().Check("render", t0.Add(900*time.Hour))
	require.NoError(t, err, "the newer refresh's term holds")
	assert.Equal(t, uint64(3), e.Serial)
}

func TestRefreshRequestCarriesSerialLedgerAndMeters(t *testing.T) {
	m := newMachine(t, "ws-lab-042", clienttest.NewStation(1))
	id, receipt := m.activate(t0)
	c := m.client()
	require.NoError(t, c.Record("render", 5, t0.Add(3*time.Hour)))
	require.NoError(t, c.Record("render", 2, t0.Add(3*time.Hour)))
	require.NoError(t, c.Record("export", 1, t0.Add(3*time.Hour)))

	msg := m.refreshReq(id, t0.Add(4*time.Hour))
	r, err := m.station.Last(id)
	require.NoError(t, err)
	got, err := request.VerifyRefresh(msg, r.DeviceKey)
	require.NoError(t, err)
	assert.Equal(t, id, got.LeaseID)
	assert.Equal(t, uint64(1), got.Serial)
	assert.Equal(t, r.LedgerSeq, got.LedgerSeq)
	assert.Equal(t, map[string]uint64{"render": 7, "export": 1}, got.Meters)
	assert.Equal(t, t0.Add(4*time.Hour), got.Time)
	_ = receipt

	// The refresh receipt answers it; meters carry on.
	rr, err := m.station.Refresh(msg, t0.Add(5*time.Hour))
	require.NoError(t, err)
	_, err = m.apply(rr, t0.Add(5*time.Hour))
	require.NoError(t, err)
	e, err := m.client().Check("render", t0.Add(6*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, uint64(7), e.Used)
	assert.Equal(t, uint64(2), e.Serial)
}

func TestRevocation(t *testing.T) {
	m := newMachine(t, "ws-lab-042", clienttest.NewStation(1))
	id, _ := m.activate(t0, "render")
	rev, err := m.station.Revoke(id, t0.Add(5*time.Hour))
	require.NoError(t, err)
	res, err := m.apply(rev, t0.Add(6*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, uint64(1), res.Replaced)

	_, err = m.client().Check("render", t0.Add(7*time.Hour))
	var re *client.RevokedError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, id, re.Lease)
	assert.Equal(t, `feature "render": lease `+id.String()+" was revoked by the station (revocation applied 2026-11-23 16:00 UTC)", err.Error())

	// Twice: harmless. A refresh afterwards: refused.
	again, err := m.apply(rev, t0.Add(7*time.Hour))
	require.NoError(t, err)
	assert.True(t, again.Already)
	push, err := m.station.Push(id, t0.Add(8*time.Hour))
	require.NoError(t, err)
	_, err = m.apply(push, t0.Add(8*time.Hour))
	assert.ErrorIs(t, err, client.ErrRevoked)

	st, err := m.client().Status(t0.Add(9 * time.Hour))
	require.NoError(t, err)
	require.Len(t, st.Leases, 1)
	assert.Equal(t, client.StatusRevoked, st.Leases[0].Status)
	assert.Equal(t, "revocation receipt", st.Leases[0].EvidenceType)
	assert.Contains(t, st.Leases[0].Evidence, "-----BEGIN AIRLOCK REVOCATION RECEIPT-----")
}

func TestReturn(t *testing.T) {
	m := newMachine(t, "ws-lab-042", clienttest.NewStation(1))
	id, _ := m.activate(t0, "render")
	require.NoError(t, m.client().Record("render", 3, t0.Add(3*time.Hour)))

	ret := m.giveBack(id, t0.Add(4*time.Hour))
	assert.False(t, ret.Again)
	info := mustReturn(t, ret.Proof)
	assert.Equal(t, id, info.LeaseID)
	assert.Equal(t, uint64(1), info.Serial)
	last, err := m.station.Last(id)
	require.NoError(t, err)
	proof, err := request.VerifyReturn(ret.Proof, last.DeviceKey)
	require.NoError(t, err, "the proof is signed by the device key")
	assert.Equal(t, map[string]uint64{"render": 3}, proof.Meters, "final meters")

	// The lease is gone before anyone sees the proof.
	_, err = m.client().Check("render", t0.Add(5*time.Hour))
	assert.ErrorIs(t, err, client.ErrNotLicensed)
	assert.ErrorContains(t, err, "lease "+id.String()+", which granted it, was returned at 2026-11-23 14:00 UTC")

	// Returning again writes the same proof, byte for byte.
	again := m.giveBack(id, t0.Add(5*time.Hour))
	assert.True(t, again.Again)
	assert.Equal(t, ret.Proof, again.Proof)

	// The deactivation receipt is kept as evidence; twice is harmless.
	deact, err := m.station.Deactivate(ret.Proof, t0.Add(6*time.Hour))
	require.NoError(t, err)
	res, err := m.apply(deact, t0.Add(7*time.Hour))
	require.NoError(t, err)
	assert.False(t, res.Already)
	res, err = m.apply(deact, t0.Add(8*time.Hour))
	require.NoError(t, err)
	assert.True(t, res.Already)

	st, err := m.client().Status(t0.Add(9 * time.Hour))
	require.NoError(t, err)
	require.Len(t, st.Leases, 1)
	l := st.Leases[0]
	assert.Equal(t, client.StatusReturned, l.Status)
	assert.Equal(t, "deactivation receipt", l.EvidenceType)
	assert.Contains(t, l.Evidence, "-----BEGIN AIRLOCK DEACTIVATION RECEIPT-----")
	assert.Contains(t, l.ReturnProof, "-----BEGIN AIRLOCK RETURN REQUEST-----")
	assert.Equal(t, map[string]uint64{"render": 3}, l.Meters)

	// Neither refresh nor return brings it back.
	m.with(func(h *client.Home) {
		_, err := h.Refresh(id, 0, t0.Add(10*time.Hour))
		assert.ErrorIs(t, err, client.ErrReturned)
	})
}

func TestReturnRevokedLease(t *testing.T) {
	m := newMachine(t, "ws-lab-042", clienttest.NewStation(1))
	id, _ := m.activate(t0)
	rev, err := m.station.Revoke(id, t0.Add(5*time.Hour))
	require.NoError(t, err)
	_, err = m.apply(rev, t0.Add(5*time.Hour))
	require.NoError(t, err)
	m.with(func(h *client.Home) {
		_, err := h.Return(id, t0.Add(6*time.Hour))
		assert.ErrorIs(t, err, client.ErrRevoked)
	})
}

func TestPendingRequests(t *testing.T) {
	m := newMachine(t, "ws-lab-042", clienttest.NewStation(1))
	req := m.request(t0, "render", "model", "render")
	a, err := request.VerifyActivation(req)
	require.NoError(t, err)
	assert.Equal(t, []string{"model", "render"}, a.Features, "sorted, no repeats")
	assert.Equal(t, "7K3QM9XD2HFRW4TB", a.LicenseKey)

	st, err := m.client().Status(t0)
	require.NoError(t, err)
	require.Len(t, st.Pending, 1)
	h := request.Hash(req)
	assert.Equal(t, h.String(), st.Pending[0].Hash)
	assert.Equal(t, []string{"model", "render"}, st.Pending[0].Features)

	// Answered: no longer pending; the same answer again is harmless.
	receipt, err := m.station.Activate(req, t0)
	require.NoError(t, err)
	_, err = m.apply(receipt, t0)
	require.NoError(t, err)
	st, err = m.client().Status(t0)
	require.NoError(t, err)
	assert.Empty(t, st.Pending)

	// Bad input never becomes a pending request.
	m.with(func(h *client.Home) {
		_, err := h.Request(client.Activation{License: "short"}, t0)
		assert.ErrorContains(t, err, `license key "short" has 5 characters`)
		_, err = h.Request(client.Activation{License: "7K3QM9XD2HFRW4TB", Features: []string{"no spaces"}}, t0)
		assert.ErrorIs(t, err, wire.ErrInvalidField)
	})
}

func TestFindLease(t *testing.T) {
	m := newMachine(t, "ws-lab-042", clienttest.NewStation(1))
	id, _ := m.activate(t0)
	h := m.home()
	tests := []struct {
		name    string
		arg     string
		wantErr string
	}{
		{name: "whole", arg: id.String()},
		{name: "upper case", arg: "  " + string([]byte(id.String()[:6])) + " "},
		{name: "prefix", arg: id.String()[:4]},
		{name: "too short", arg: id.String()[:3], wantErr: "is not 12 hex digits, nor a prefix of at least 4"},
		{name: "not hex", arg: "zzzzzz", wantErr: "is not 12 hex digits"},
		{name: "no match", arg: "0000", wantErr: `no lease 0000 is installed here`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := h.FindLease(tt.arg)
			if tt.wantErr != "" {
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, id, got)
		})
	}
}
