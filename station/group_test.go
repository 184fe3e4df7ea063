package station_test

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/airlock-dev/airlock/request"
	"github.com/airlock-dev/airlock/station"
	"github.com/airlock-dev/airlock/wire"
)

// Group commit: concurrent issuances share one write transaction, each in
// its own savepoint. These tests make the batches deterministic: hold
// keeps the store's write transaction open while the calls queue, so they
// all run in the next one.

// hold keeps the store's write transaction until the returned function is
// called; the Update calls made meanwhile run as one batch after it.
func (f *fixture) hold() (release func()) {
	f.t.Helper()
	running, done := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		assert.NoError(f.t, f.store.Update(ctx, func(station.Tx) error {
			close(running)
			<-done
			return nil
		}))
	})
	<-running
	return func() {
		close(done)
		wg.Wait()
	}
}

// waitQueued waits until n calls wait for the next batch.
func (f *fixture) waitQueued(n int) {
	f.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for f.store.Stats().Queued != n {
		require.True(f.t, time.Now().Before(deadline), "%d calls queued, want %d", f.store.Stats().Queued, n)
		time.Sleep(time.Millisecond)
	}
}

type issued struct {
	res *station.Result
	err error
}

// issueAll issues every request from its own goroutine at now and returns
// the answers in order. With batch, the calls all run in one write
// transaction (in no particular order within it), and the test checks that
// they did; without, they race as they come.
func (f *fixture) issueAll(reqs [][]byte, now time.Time, batch bool) []issued {
	f.t.Helper()
	out := make([]issued, len(reqs))
	var wg sync.WaitGroup
	if !batch {
		start := make(chan struct{})
		for i, req := range reqs {
			wg.Go(func() {
				<-start
				out[i].res, out[i].err = f.st.Issue(ctx, req, now)
			})
		}
		close(start)
		wg.Wait()
		return out
	}
	release := f.hold()
	before := f.store.Stats()
	for i, req := range reqs {
		wg.Go(func() { out[i].res, out[i].err = f.st.Issue(ctx, req, now) })
	}
	f.waitQueued(len(reqs))
	release()
	wg.Wait()
	after := f.store.Stats()
	require.Equal(f.t, uint64(2), after.Commits-before.Commits, "the holder's commit, then one for all %d", len(reqs))
	return out
}

// Twenty machines ask for five seats at once: five receipts, fifteen
// refusals, whether the calls share one transaction or race.
func TestGroupCommitNeverOversells(t *testing.T) {
	f := newFixture(t)
	for round, batch := range []bool{true, false, false, false} {
		lic := f.addLicense(nil) // five seats
		reqs := make([][]byte, 20)
		for i := range reqs {
			reqs[i] = newMachine(fmt.Sprintf("r%d-m%d", round, i), "u", fmt.Sprint("h", i)).activation(t, lic.Key, t0, nil)
		}
		before := f.snapshot()
		var ok, noSeat int
		for i, a := range f.issueAll(reqs, t0, batch) {
			if errors.Is(a.err, station.ErrNoSeat) {
				noSeat++
				assert.EqualError(t, a.err, "no free seat: 5 of 5 in use, the next frees 2026-11-30 10:00 UTC")
				continue
			}
			require.NoError(t, a.err, "request %d", i)
			ok++
			r := f.receipt(a.res.Receipt, t0, wire.ActivationReceipt)
			assert.LessOrEqual(t, a.res.Usage.Active, 5)
			stored := mustReceipt(t, f, r.LedgerSeq)
			assert.Equal(t, a.res.Receipt, stored, "the receipt is the one its ledger entry holds")
		}
		assert.Equal(t, 5, ok, "round %d", round)
		assert.Equal(t, 15, noSeat, "round %d", round)
		after := f.snapshot()
		assert.Equal(t, snapshot{entries: before.entries + 5, leases: before.leases + 5, requests: before.requests + 5, active: before.active + 5}, after)
		u, err := f.st.LicenseUsage(ctx, lic.ID, t0)
		require.NoError(t, err)
		assert.Equal(t, 5, u.Active)
	}
	f.checkDatabase()
}

// The same request from twenty goroutines at once holds one seat, and
// every caller gets the same bytes, whether the copies share one
// transaction (the first activates, the others find its uncommitted
// answer) or race.
func TestGroupCommitSameRequest(t *testing.T) {
	f := newFixture(t)
	lic := f.addLicense(nil)
	for round, batch := range []bool{true, false} {
		m := newMachine(fmt.Sprint("same-", round), "u", "h")
		req := m.activation(t, lic.Key, t0, nil)
		reqs := make([][]byte, 20)
		for i := range reqs {
			reqs[i] = req
		}
		answers := f.issueAll(reqs, t0, batch)
		fresh := 0
		for i, a := range answers {
			require.NoError(t, a.err, "call %d", i)
			assert.Equal(t, answers[0].res.Receipt, a.res.Receipt, "call %d: the same bytes", i)
			if !a.res.Replayed {
				fresh++
			}
		}
		assert.Equal(t, 1, fresh, "one activation, the rest replays")
		r := f.receipt(answers[0].res.Receipt, t0, wire.ActivationReceipt)
		assert.Equal(t, answers[0].res.Receipt, mustReceipt(t, f, r.LedgerSeq))
		assert.Equal(t, 1, f.count("SELECT count(*) FROM leases WHERE device_key = ?", m.key.Public().Bytes()))
		assert.Equal(t, 1, f.count("SELECT count(*) FROM requests WHERE device_key = ?", m.key.Public().Bytes()))

		// Later, the stored answer, byte for byte.
		again, err := f.st.Issue(ctx, req, t0.Add(time.Hour))
		require.NoError(t, err)
		assert.True(t, again.Replayed)
		assert.Equal(t, answers[0].res.Receipt, again.Receipt)
	}
	assert.Equal(t, 2, f.count("SELECT count(*) FROM ledger WHERE kind = ?", station.EventLeaseActivate))
	f.checkDatabase()
}

// One batch mixing every kind of call: activations, an in-batch replay,
// a refresh, a return, refusals, and a call that writes ledger entries
// (it records an overdue lease as expired) and then fails. The failed
// call's entries are rolled back with its savepoint, the next call chains
// to the entry before them and records the expiry itself, and the whole
// ledger audits.
func TestGroupCommitMixedBatch(t *testing.T) {
	f := newFixture(t)
	lic := f.addLicense(nil)
	lic2 := f.addLicense(nil)
	m1, m2, m3 := newMachine("m1", "u1", "h1"), newMachine("m2", "u2", "h2"), newMachine("m3", "u3", "h3")
	_, r1 := f.issue(m1.activation(t, lic2.Key, t0, func(a *request.Activation) { a.Lease = time.Hour }), t0)
	_, r2 := f.issue(m2.activation(t, lic.Key, t0, nil), t0)
	_, r3 := f.issue(m3.activation(t, lic.Key, t0, nil), t0)

	// A second station on the same store, whose lease IDs all clash with
	// m1's: its activation records m1's lease as expired, then fails.
	clash, err := station.Open(ctx, f.store)
	require.NoError(t, err)
	require.NoError(t, clash.UseSigner(ctx, f.issuer))
	clash.SetLeaseIDs(func() wire.LeaseID { return r1.LeaseID })

	now := t0.Add(2 * time.Hour) // m1's lease is past its end, not yet recorded
	nonce := [8]byte{1, 2, 3, 4, 5, 6, 7, 8}
	m4, m5, m6 := newMachine("m4", "u4", "h4"), newMachine("m5", "u5", "h5"), newMachine("m6", "u6", "h6")
	req4 := m4.activation(t, lic.Key, now, func(a *request.Activation) { a.Nonce = nonce })
	unknown, err := station.NewLicenseKey(nil)
	require.NoError(t, err)
	calls := []struct {
		st  *station.Station
		req []byte
	}{
		{f.st, req4},
		{clash, m5.activation(t, lic2.Key, now, nil)},
		{f.st, req4},
		{f.st, m2.refresh(t, r2, now, nil)},
		{f.st, m4.activation(t, lic.Key, now, func(a *request.Activation) { a.Nonce = nonce; a.Features = []string{"model"} })},
		{f.st, m6.activation(t, lic2.Key, now, nil)},
		{f.st, m3.giveBack(t, r3, now, nil)},
		{f.st, m6.activation(t, unknown, now, nil)},
	}

	head := f.ledgerLen()
	release := f.hold()
	before := f.store.Stats()
	out := make([]issued, len(calls))
	var wg sync.WaitGroup
	for i, c := range calls {
		wg.Go(func() { out[i].res, out[i].err = c.st.Issue(ctx, c.req, now) })
		f.waitQueued(i + 1) // in this order
	}
	release()
	wg.Wait()
	assert.Equal(t, uint64(2), f.store.Stats().Commits-before.Commits, "one commit for the batch")

	require.NoError(t, out[0].err)
	assert.False(t, out[0].res.Replayed)
	assert.EqualError(t, out[1].err, "could not draw an unused lease id in 8 tries")
	require.NoError(t, out[2].err)
	assert.True(t, out[2].res.Replayed, "the same bytes, answered earlier in the batch")
	assert.Equal(t, out[0].res.Receipt, out[2].res.Receipt)
	require.NoError(t, out[3].err)
	assert.Equal(t, wire.RefreshReceipt, out[3].res.Type)
	assert.ErrorIs(t, out[4].err, station.ErrNonceReused)
	require.NoError(t, out[5].err)
	assert.Equal(t, 1, out[5].res.Expired, "the failed call's expiry was rolled back; this one records it")
	require.NoError(t, out[6].err)
	assert.Equal(t, wire.DeactivationReceipt, out[6].res.Type)
	assert.ErrorIs(t, out[7].err, station.ErrUnknownLicense)

	rows, err := f.store.DB().Query("SELECT seq, kind FROM ledger WHERE seq > ? ORDER BY seq", head)
	require.NoError(t, err)
	var kinds []string
	for rows.Next() {
		var seq uint64
		var kind string
		require.NoError(t, rows.Scan(&seq, &kind))
		kinds = append(kinds, kind)
	}
	require.NoError(t, rows.Err())
	rows.Close()
	assert.Equal(t, []string{station.EventLeaseActivate, station.EventLeaseRefresh, station.EventLeaseExpire, station.EventLeaseActivate, station.EventLeaseReturn}, kinds)
	for _, i := range []int{0, 3, 5, 6} {
		r := f.receipt(out[i].res.Receipt, now, out[i].res.Type)
		assert.True(t, bytes.Equal(out[i].res.Receipt, mustReceipt(t, f, r.LedgerSeq)), "call %d: its receipt is in its ledger entry", i)
	}
	assert.Equal(t, 1, f.count("SELECT count(*) FROM leases WHERE status = 'expired'"))
	assert.Equal(t, 1, f.count("SELECT count(*) FROM leases WHERE status = 'returned'"))
	f.checkDatabase()
}
