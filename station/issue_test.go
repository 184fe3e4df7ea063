package station_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/airlock-dev/airlock/fingerprint"
	"github.com/airlock-dev/airlock/request"
	"github.com/airlock-dev/airlock/station"
	"github.com/airlock-dev/airlock/wire"
)

func TestLeaseLifecycle(t *testing.T) {
	f := newFixture(t)
	lic := f.addLicense(nil)
	m := newMachine("ws1", "alice", "ws-lab-042")

	// Activation: all features, the default lease, limits carried.
	req := m.activation(t, lic.Key, t0, nil)
	res, r := f.issue(req, t0)
	assert.Equal(t, wire.ActivationReceipt, r.Type)
	assert.False(t, res.Replayed)
	assert.Equal(t, []string{"export", "model", "render"}, r.Features)
	assert.Equal(t, map[string]uint64{"export": 100}, r.Limits)
	assert.Equal(t, t0.Add(168*time.Hour), r.ExpiresAt)
	assert.Equal(t, uint64(1), r.Serial)
	assert.Equal(t, lic.ID, r.LicenseID)
	assert.Equal(t, "cad", r.Product)
	assert.Equal(t, 2, r.Threshold, "default threshold tolerates one changed component of three")
	assert.Equal(t, request.Hash(req), *r.RequestHash)
	assert.True(t, r.DeviceKey.Equal(m.key.Public()))
	assert.Equal(t, 1, res.Usage.Active)
	assert.Equal(t, station.StatusActive, res.Lease.Status)

	// The receipt's ledger sequence is the entry that recorded it.
	seq := f.ledgerLen()
	assert.Equal(t, seq, r.LedgerSeq)

	// The same bytes again: the same receipt, no new seat, no new entry.
	again, err := f.st.Issue(ctx, req, t0.Add(time.Hour))
	require.NoError(t, err)
	assert.True(t, again.Replayed)
	assert.Equal(t, res.Receipt, again.Receipt)
	assert.Equal(t, seq, f.ledgerLen())
	assert.Equal(t, 1, f.count("SELECT count(*) FROM leases"))

	// Refresh: a longer lease, meters recorded, serial 2.
	t1 := t0.Add(24 * time.Hour)
	ref := m.refresh(t, r, t1, func(q *request.Refresh) {
		q.Lease = 720 * time.Hour
		q.Meters = map[string]uint64{"export": 7}
	})
	res2, r2 := f.issue(ref, t1)
	assert.Equal(t, wire.RefreshReceipt, r2.Type)
	assert.Equal(t, uint64(2), r2.Serial)
	assert.Equal(t, t1.Add(720*time.Hour), r2.ExpiresAt)
	assert.Equal(t, request.Hash(ref), *r2.RequestHash)
	assert.Equal(t, map[string]uint64{"export": 7}, res2.Lease.Meters)
	assert.Equal(t, seq+1, r2.LedgerSeq)

	// Return: seat freed, final meters, deactivation receipt serial 3.
	t2 := t1.Add(48 * time.Hour)
	ret := m.giveBack(t, r2, t2, func(q *request.Return) { q.Meters = map[string]uint64{"export": 9} })
	res3, r3 := f.issue(ret, t2)
	assert.Equal(t, wire.DeactivationReceipt, r3.Type)
	assert.Equal(t, uint64(3), r3.Serial)
	assert.Equal(t, t2, r3.ExpiresAt)
	assert.Equal(t, t0, r3.NotBefore, "a deactivation covers the lease from its start")
	assert.Equal(t, station.StatusReturned, res3.Lease.Status)
	assert.Equal(t, map[string]uint64{"export": 9}, res3.Lease.Meters)
	assert.Equal(t, 0, res3.Usage.Active)

	// Every stored receipt matches its ledger entry, and every row its record.
	rep, err := f.st.Audit(ctx)
	require.NoError(t, err)
	assert.True(t, rep.OK(), "%v", rep.Problems)
	assert.Equal(t, 3, rep.Receipts)
	assert.Equal(t, 1, rep.Leases)
}

func TestActivationChoices(t *testing.T) {
	f := newFixture(t)
	lic := f.addLicense(func(l *station.License) {
		l.Threshold = 3
		l.TermEnd = t0.Add(100 * time.Hour)
	})
	m := newMachine("ws1", "", "")
	req := m.activation(t, lic.Key, t0, func(a *request.Activation) {
		a.Features = []string{"model"}
		a.Lease = 200 * time.Hour
	})
	_, r := f.issue(req, t0)
	assert.Equal(t, []string{"model"}, r.Features)
	assert.Nil(t, r.Limits)
	assert.Equal(t, 3, r.Threshold, "the license's threshold")
	assert.Equal(t, t0.Add(100*time.Hour), r.ExpiresAt, "capped at the license's term")
}

func TestExpiredLeaseFreesItsSeat(t *testing.T) {
	f := newFixture(t)
	lic := f.addLicense(func(l *station.License) { l.Seats = 1 })
	a, b := newMachine("a", "alice", "a"), newMachine("b", "bob", "b")
	_, r := f.issue(a.activation(t, lic.Key, t0, func(q *request.Activation) { q.Lease = 2 * time.Hour }), t0)

	// At the instant the lease ends its seat is free, though not yet swept.
	end := r.ExpiresAt
	res, _ := f.issue(b.activation(t, lic.Key, end, nil), end)
	assert.Equal(t, 1, res.Expired, "the expired lease was recorded on the way")
	assert.Equal(t, 1, f.count("SELECT count(*) FROM leases WHERE status = 'expired'"))
	f.ledgerLen() // audit passes

	// Refreshing or returning the expired lease is refused.
	_, err := f.st.Issue(ctx, a.refresh(t, r, end, nil), end)
	assert.ErrorIs(t, err, station.ErrLeaseEnded)
	assert.EqualError(t, err, "lease ended: lease "+r.LeaseID.String()+" was expired 2026-11-23 12:00 UTC")
}

func TestPushRefresh(t *testing.T) {
	f := newFixture(t)
	lic := f.addLicense(nil)
	m := newMachine("ws1", "alice", "h")
	_, r := f.issue(m.activation(t, lic.Key, t0, nil), t0)

	res, err := f.st.PushRefresh(ctx, r.LeaseID, station.Push{Extend: 24 * time.Hour, Features: []string{"model", "render"}}, t0.Add(time.Hour))
	require.NoError(t, err)
	p := f.receipt(res.Receipt, t0.Add(time.Hour), wire.RefreshReceipt)
	assert.Nil(t, p.RequestHash, "a pushed refresh answers no request")
	assert.Equal(t, uint64(2), p.Serial)
	assert.Equal(t, r.ExpiresAt.Add(24*time.Hour), p.ExpiresAt)
	assert.Equal(t, []string{"model", "render"}, p.Features)

	// The machine still holds serial 1: its refresh is refused until it applies serial 2.
	_, err = f.st.Issue(ctx, m.refresh(t, r, t0.Add(2*time.Hour), nil), t0.Add(2*time.Hour))
	assert.ErrorIs(t, err, station.ErrSerialMismatch)
	// A return is accepted from an older serial: the machine removed the lease.
	res, err = f.st.Issue(ctx, m.giveBack(t, r, t0.Add(2*time.Hour), nil), t0.Add(2*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, uint64(3), f.receipt(res.Receipt, t0, wire.DeactivationReceipt).Serial)

	_, err = f.st.PushRefresh(ctx, r.LeaseID, station.Push{}, t0.Add(3*time.Hour))
	assert.ErrorIs(t, err, station.ErrLeaseEnded)
	f.ledgerLen()
}

func TestRevokeLicense(t *testing.T) {
	f := newFixture(t)
	lic := f.addLicense(nil)
	m1, m2, m3 := newMachine("1", "a", "h1"), newMachine("2", "b", "h2"), newMachine("3", "c", "h3")
	_, r1 := f.issue(m1.activation(t, lic.Key, t0, nil), t0)
	_, r2 := f.issue(m2.activation(t, lic.Key, t0, nil), t0)
	_, r3 := f.issue(m3.activation(t, lic.Key, t0, nil), t0)
	t1 := t0.Add(time.Hour)
	_, err := f.st.Issue(ctx, m3.giveBack(t, r3, t1, nil), t1)
	require.NoError(t, err)

	t2 := t0.Add(2 * time.Hour)
	rev, err := f.st.RevokeLicense(ctx, lic.ID, t2)
	require.NoError(t, err)
	require.Len(t, rev.Receipts, 2, "one revocation per active lease")
	got := map[wire.LeaseID]bool{}
	for _, res := range rev.Receipts {
		r := f.receipt(res.Receipt, t2, wire.RevocationReceipt)
		assert.Equal(t, uint64(2), r.Serial)
		assert.Equal(t, t2, r.ExpiresAt)
		assert.Nil(t, r.RequestHash)
		got[r.LeaseID] = true
	}
	assert.Equal(t, map[wire.LeaseID]bool{r1.LeaseID: true, r2.LeaseID: true}, got)

	// Nothing more on a revoked license.
	_, err = f.st.Issue(ctx, newMachine("4", "d", "h4").activation(t, lic.Key, t2, nil), t2)
	assert.ErrorIs(t, err, station.ErrLicenseRevoked)
	_, err = f.st.RevokeLicense(ctx, lic.ID, t2)
	assert.ErrorIs(t, err, station.ErrLicenseRevoked)
	_, err = f.st.UpdateLicense(ctx, lic.ID, func(l *station.License) error { l.Seats = 9; return nil }, t2)
	assert.ErrorIs(t, err, station.ErrLicenseRevoked)
	f.ledgerLen()
}

func TestFingerprintSingleComponent(t *testing.T) {
	f := newFixture(t)
	lic := f.addLicense(nil)
	m := newMachine("x", "", "")
	m.fp = m.fp[:1]
	_, r := f.issue(m.activation(t, lic.Key, t0, nil), t0)
	assert.Equal(t, fingerprint.DefaultThreshold(1), r.Threshold)
}
