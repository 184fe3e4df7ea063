package sqlite

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/airlock-dev/airlock/crypto"
	"github.com/airlock-dev/airlock/fingerprint"
	"github.com/airlock-dev/airlock/request"
	"github.com/airlock-dev/airlock/station"
)

var bg = context.Background()

func newStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "s.db"), Options{Create: true})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

// hold keeps the store's write transaction until the returned function is
// called: Update calls made meanwhile queue, and then run as one batch.
func hold(t *testing.T, s *Store) (release func()) {
	t.Helper()
	running, done := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		assert.NoError(t, s.Update(bg, func(station.Tx) error {
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

// waitQueued waits until n Update calls wait for the next batch.
func waitQueued(t *testing.T, s *Store, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for s.Stats().Queued != n {
		require.True(t, time.Now().Before(deadline), "%d calls queued, want %d", s.Stats().Queued, n)
		time.Sleep(time.Millisecond)
	}
}

// batch runs fns as one batch, in order, each from its own goroutine,
// and returns their errors.
func batch(t *testing.T, s *Store, fns ...func(station.Tx) error) []error {
	t.Helper()
	release := hold(t, s)
	before := s.Stats()
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Go(func() { errs[i] = s.Update(bg, fn) })
		waitQueued(t, s, i+1)
	}
	release()
	wg.Wait()
	after := s.Stats()
	t.Logf("%d calls: %d commits", len(fns), after.Commits-before.Commits-1)
	return errs
}

func putSetting(name string) func(station.Tx) error {
	return func(tx station.Tx) error { return tx.PutSetting(name, "1") }
}

func settings(t *testing.T, s *Store) []string {
	t.Helper()
	rows, err := s.DB().Query("SELECT name FROM settings ORDER BY name")
	require.NoError(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		require.NoError(t, rows.Scan(&n))
		out = append(out, n)
	}
	require.NoError(t, rows.Err())
	return out
}

// appendEntry appends a ledger entry after the head the transaction sees.
func appendEntry(tx station.Tx, kind string) error {
	head, err := tx.LedgerHead()
	if err != nil {
		return err
	}
	e := station.Entry{Seq: head.Seq + 1, Time: time.Unix(1e9, 0), Kind: kind, Body: []byte(`{}`), Prev: head.Hash}
	e.Hash = e.ComputeHash()
	return tx.AppendEntry(e)
}

// Calls in one batch see the writes of those before them; a call that
// fails loses its writes, ledger entries included, and only its own, so
// the next call chains its entry to the last one kept.
func TestGroupCommitSavepoints(t *testing.T) {
	s := newStore(t)
	boom := errors.New("boom")
	write := func(name string, fail bool) func(station.Tx) error {
		return func(tx station.Tx) error {
			if err := tx.PutSetting(name, "1"); err != nil {
				return err
			}
			if err := appendEntry(tx, name); err != nil {
				return err
			}
			if fail {
				return fmt.Errorf("%s: %w", name, boom)
			}
			return nil
		}
	}
	before := s.Stats()
	errs := batch(t, s, write("a", false), write("b", true), write("c", false), write("d", true), write("e", true), write("f", false))
	assert.NoError(t, errs[0])
	assert.ErrorIs(t, errs[1], boom)
	assert.NoError(t, errs[2])
	assert.ErrorIs(t, errs[3], boom)
	assert.ErrorIs(t, errs[4], boom)
	assert.NoError(t, errs[5])
	after := s.Stats()
	assert.Equal(t, uint64(2), after.Commits-before.Commits, "the holder's commit and one for the batch")
	assert.Equal(t, uint64(7), after.Updates-before.Updates)

	assert.Equal(t, []string{"a", "c", "f"}, settings(t, s))
	var kinds []string
	var prev station.Entry
	err := s.View(bg, func(tx station.Tx) error {
		return tx.Entries(1, func(e station.Entry) error {
			assert.Equal(t, prev.Seq+1, e.Seq)
			assert.Equal(t, prev.Hash, e.Prev, "entry %d links to the one before", e.Seq)
			assert.Equal(t, e.ComputeHash(), e.Hash)
			kinds, prev = append(kinds, e.Kind), e
			return nil
		})
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "c", "f"}, kinds)
}

// A failing COMMIT answers every call of its batch with its error, and
// none of their writes stays. The failure is real: a foreign key checked
// only at COMMIT (PRAGMA defer_foreign_keys).
func TestGroupCommitFailingCommit(t *testing.T) {
	s := newStore(t)
	violate := func(stx station.Tx) error {
		raw := stx.(*tx).tx
		if _, err := raw.Exec("PRAGMA defer_foreign_keys = ON"); err != nil {
			return err
		}
		_, err := raw.Exec("INSERT INTO product_features (product, feature) VALUES ('no such product', 'x')")
		return err
	}
	before := s.Stats()
	errs := batch(t, s, putSetting("a"), violate, putSetting("b"), putSetting("c"))
	for i, err := range errs {
		assert.ErrorContains(t, err, "committing: ", "call %d", i)
		assert.ErrorContains(t, err, "FOREIGN KEY constraint failed", "call %d", i)
	}
	assert.Equal(t, uint64(1), s.Stats().Commits-before.Commits, "only the holder's")
	assert.Empty(t, settings(t, s))

	// The connection is clean: the next transactions commit.
	require.NoError(t, s.Update(bg, putSetting("d")))
	errs = batch(t, s, putSetting("e"), putSetting("f"))
	assert.Equal(t, []error{nil, nil}, errs)
	assert.Equal(t, []string{"d", "e", "f"}, settings(t, s))
}

// A call that breaks the transaction (here it rolls back everything, so
// its savepoint is gone) gets its error; the others run again in a new
// transaction and commit.
func TestGroupCommitBrokenTransaction(t *testing.T) {
	s := newStore(t)
	var runsA, runsC atomic.Int32
	broke := errors.New("broke")
	errs := batch(t, s,
		func(tx station.Tx) error { runsA.Add(1); return tx.PutSetting("a", "1") },
		func(stx station.Tx) error {
			if err := stx.PutSetting("b", "1"); err != nil {
				return err
			}
			if _, err := stx.(*tx).tx.Exec("ROLLBACK"); err != nil {
				return err
			}
			return broke
		},
		func(tx station.Tx) error { runsC.Add(1); return tx.PutSetting("c", "1") },
	)
	assert.NoError(t, errs[0])
	assert.ErrorIs(t, errs[1], broke)
	assert.NoError(t, errs[2])
	assert.Equal(t, int32(2), runsA.Load(), "run again after the rollback")
	assert.Equal(t, int32(1), runsC.Load())
	assert.Equal(t, []string{"a", "c"}, settings(t, s))
}

// A panic in one call is raised in its caller's goroutine; the others
// commit.
func TestGroupCommitPanic(t *testing.T) {
	s := newStore(t)
	release := hold(t, s)
	var wg sync.WaitGroup
	var errA, errC error
	var recovered any
	wg.Go(func() { errA = s.Update(bg, putSetting("a")) })
	waitQueued(t, s, 1)
	wg.Go(func() {
		defer func() { recovered = recover() }()
		s.Update(bg, func(tx station.Tx) error {
			if err := tx.PutSetting("b", "1"); err != nil {
				return err
			}
			panic("boom")
		})
	})
	waitQueued(t, s, 2)
	wg.Go(func() { errC = s.Update(bg, putSetting("c")) })
	waitQueued(t, s, 3)
	release()
	wg.Wait()
	assert.Equal(t, "boom", recovered)
	assert.NoError(t, errA)
	assert.NoError(t, errC)
	assert.Equal(t, []string{"a", "c"}, settings(t, s))
	require.NoError(t, s.Update(bg, putSetting("d")), "the store goes on")
}

// A call whose context ends while it waits is answered with the context's
// error and never runs.
func TestGroupCommitCanceledWhileQueued(t *testing.T) {
	s := newStore(t)
	release := hold(t, s)
	c, cancel := context.WithCancel(bg)
	var ran atomic.Bool
	var wg sync.WaitGroup
	var errA, errB error
	wg.Go(func() {
		errA = s.Update(c, func(tx station.Tx) error { ran.Store(true); return tx.PutSetting("a", "1") })
	})
	waitQueued(t, s, 1)
	wg.Go(func() { errB = s.Update(bg, putSetting("b")) })
	waitQueued(t, s, 2)
	cancel()
	release()
	wg.Wait()
	assert.ErrorIs(t, errA, context.Canceled)
	assert.False(t, ran.Load())
	assert.NoError(t, errB)
	assert.Equal(t, []string{"b"}, settings(t, s))

	// A batch of withdrawn calls commits nothing.
	release = hold(t, s)
	c, cancel = context.WithCancel(bg)
	wg.Go(func() { errA = s.Update(c, putSetting("c")) })
	waitQueued(t, s, 1)
	cancel()
	before := s.Stats()
	release()
	wg.Wait()
	assert.ErrorIs(t, errA, context.Canceled)
	assert.Equal(t, before.Commits+1, s.Stats().Commits, "the holder's only")
	assert.Equal(t, []string{"b"}, settings(t, s))
}

// A batch carries at most maxBatch calls; calls one after another each
// get their own transaction, as without group commit.
func TestGroupCommitBounds(t *testing.T) {
	s := newStore(t)
	before := s.Stats()
	for i := range 3 {
		require.NoError(t, s.Update(bg, putSetting(fmt.Sprint("seq", i))))
	}
	after := s.Stats()
	assert.Equal(t, Stats{Commits: 3, Updates: 3}, Stats{Commits: after.Commits - before.Commits, Updates: after.Updates - before.Updates})

	n := maxBatch + 6
	fns := make([]func(station.Tx) error, n)
	for i := range fns {
		fns[i] = putSetting(fmt.Sprintf("b%03d", i))
	}
	before = s.Stats()
	for _, err := range batch(t, s, fns...) {
		assert.NoError(t, err)
	}
	after = s.Stats()
	assert.Equal(t, uint64(3), after.Commits-before.Commits, "the holder's, then %d calls and 6", maxBatch)
	assert.Equal(t, uint64(n+1), after.Updates-before.Updates)
	assert.Len(t, settings(t, s), n+3)
}

// Issuances of one batch whose COMMIT fails all get the error, none is
// recorded, and the same requests issue afterwards.
func TestGroupCommitFailingCommitIssuance(t *testing.T) {
	s := newStore(t)
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	issuer := seedKey("issuer")
	require.NoError(t, station.Init(bg, s, station.InitOptions{Key: issuer.Public(), KeyName: "test", KeyFile: "issuer.key"}, now))
	st, err := station.Open(bg, s)
	require.NoError(t, err)
	require.NoError(t, st.UseSigner(bg, issuer))
	lic, err := st.AddLicense(bg, station.License{Customer: "ACME", Product: "cad", Features: []station.Feature{{Name: "model"}},
		Seats: 5, Offline: true, MaxLease: 720 * time.Hour, DefaultLease: 168 * time.Hour}, now)
	require.NoError(t, err)

	reqs := make([][]byte, 8)
	for i := range reqs {
		fp := fingerprint.Set{
			fingerprint.HashComponent([]byte("cad"), fingerprint.KindMachineID, fmt.Sprint("m", i)),
			fingerprint.HashComponent([]byte("cad"), fingerprint.KindHostname, fmt.Sprint("h", i)),
		}.Canonical()
		a := &request.Activation{Header: request.Header{Time: now}, LicenseKey: lic.Key, Fingerprint: fp, User: "u", Host: fmt.Sprint("h", i)}
		reqs[i], err = a.Sign(seedKey(fmt.Sprint("device ", i)))
		require.NoError(t, err)
	}

	release := hold(t, s)
	var wg sync.WaitGroup
	var violateErr error
	wg.Go(func() {
		violateErr = s.Update(bg, func(stx station.Tx) error {
			raw := stx.(*tx).tx
			if _, err := raw.Exec("PRAGMA defer_foreign_keys = ON"); err != nil {
				return err
			}
			_, err := raw.Exec("INSERT INTO product_features (product, feature) VALUES ('no such product', 'x')")
			return err
		})
	})
	waitQueued(t, s, 1)
	errs := make([]error, len(reqs))
	for i, req := range reqs {
		wg.Go(func() { _, errs[i] = st.Issue(bg, req, now) })
	}
	waitQueued(t, s, 1+len(reqs))
	release()
	wg.Wait()
	assert.ErrorContains(t, violateErr, "FOREIGN KEY constraint failed")
	for i, err := range errs {
		assert.ErrorContains(t, err, "FOREIGN KEY constraint failed", "issuance %d", i)
	}
	var leases, requests int
	require.NoError(t, s.DB().QueryRow("SELECT count(*) FROM leases").Scan(&leases))
	require.NoError(t, s.DB().QueryRow("SELECT count(*) FROM requests").Scan(&requests))
	assert.Zero(t, leases)
	assert.Zero(t, requests)

	for i, req := range reqs[:5] {
		res, err := st.Issue(bg, req, now)
		require.NoError(t, err, "issuance %d", i)
		assert.False(t, res.Replayed)
	}
	rep, err := st.Audit(bg)
	require.NoError(t, err)
	assert.True(t, rep.OK(), "%v", rep.Problems)
	assert.Equal(t, 5, rep.Receipts)
}

func seedKey(label string) *crypto.PrivateKey {
	seed := sha256.Sum256([]byte(label))
	k, err := crypto.NewKeyFromSeed(seed[:])
	if err != nil {
		panic(err)
	}
	return k
}
