package station_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/airlock-dev/airlock/request"
	"github.com/airlock-dev/airlock/response"
	"github.com/airlock-dev/airlock/station"
	"github.com/airlock-dev/airlock/station/sqlite"
	"github.com/airlock-dev/airlock/wire"
)

// A station restored from an old backup refuses requests that show it is
// behind, instead of handing the seat out again.
func TestRestoredBackupIsDetected(t *testing.T) {
	f := newFixture(t)
	lic := f.addLicense(func(l *station.License) { l.Seats = 1 })
	_, r1 := f.issue(alice.activation(t, lic.Key, t0, nil), t0)

	backup := filepath.Join(t.TempDir(), "backup.db")
	_, err := f.store.DB().Exec("VACUUM INTO ?", backup)
	require.NoError(t, err)

	// After the backup: a refresh (serial 2), and bob's activation on another license.
	t1 := t0.Add(time.Hour)
	_, r2 := f.issue(alice.refresh(t, r1, t1, nil), t1)
	lic2 := f.addLicense(nil)
	bob := newMachine("bob-ws", "bob", "ws-bob")
	_, rb := f.issue(bob.activation(t, lic2.Key, t1, nil), t1)

	// The station is restored from the backup.
	store, err := sqlite.Open(backup, sqlite.Options{})
	require.NoError(t, err)
	defer store.Close()
	old, err := station.Open(ctx, store)
	require.NoError(t, err)
	require.NoError(t, old.UseSigner(ctx, f.issuer))

	t2 := t1.Add(time.Hour)
	for name, req := range map[string][]byte{
		"refresh from serial 2":     alice.refresh(t, r2, t2, nil),
		"return from serial 2":      alice.giveBack(t, r2, t2, nil),
		"lease issued after backup": bob.giveBack(t, rb, t2, nil),
	} {
		_, err := old.Issue(ctx, req, t2)
		assert.ErrorIs(t, err, station.ErrStaleStation, name)
		assert.Contains(t, err.Error(), "restored from an old backup", name)
	}
	// The seat alice holds is not handed out again by the old database.
	_, err = old.Issue(ctx, bob.activation(t, lic.Key, t2, nil), t2)
	assert.ErrorIs(t, err, station.ErrNoSeat)
}

func TestAuditFindsTampering(t *testing.T) {
	tests := []struct {
		name   string
		tamper string
		want   string
		broken bool
	}{
		{name: "entry body", tamper: "UPDATE ledger SET body = replace(body, '\"seats\":5', '\"seats\":50') WHERE seq = 2",
			want: "ledger check failed: entry 2: its hash does not match its contents (license.add)", broken: true},
		{name: "entry removed", tamper: "DELETE FROM ledger WHERE seq = 3",
			want: "ledger check failed: entry 4: follows entry 2: entries 3 to 3 are missing", broken: true},
		{name: "lease row", tamper: "UPDATE leases SET expires_at = expires_at + 86400",
			want: "lease %s in the database differs from this entry, the last that changed it"},
		{name: "license row", tamper: "UPDATE licenses SET seats = 50",
			want: "ledger check failed: entry 2: license 1 in the database differs from this entry, the last that changed it"},
		{name: "answered request forgotten", tamper: "DELETE FROM requests WHERE type = 2",
			want: "ledger check failed: entry 4: holds request"},
		{name: "answered request moved", tamper: "UPDATE requests SET ledger_seq = 4 WHERE type = 1",
			want: "ledger check failed: entry 3: request"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			lic := f.addLicense(nil)
			res, r := f.issue(alice.activation(t, lic.Key, t0, nil), t0)
			f.issue(alice.refresh(t, r, t0.Add(time.Hour), nil), t0.Add(time.Hour))
			_, err := f.store.DB().Exec(tc.tamper)
			require.NoError(t, err)

			rep, err := f.st.Audit(ctx)
			require.NoError(t, err)
			require.False(t, rep.OK())
			assert.ErrorIs(t, rep.Err(), station.ErrLedgerBroken)
			want := tc.want
			if tc.name == "lease row" {
				want = "ledger check failed: entry 4: " + sprintf(want, res.Lease.ID)
			}
			assert.Contains(t, rep.Err().Error(), want)
			if tc.broken {
				assert.NotZero(t, rep.FirstBroken)
			} else {
				assert.Zero(t, rep.FirstBroken)
			}
		})
	}
}

func TestKeyRotation(t *testing.T) {
	f := newFixture(t)
	lic := f.addLicense(nil)
	other := f.reopen() // another process, holding the old key
	_, r := f.issue(alice.activation(t, lic.Key, t0, nil), t0)

	t1 := t0.Add(24 * time.Hour)
	next := seedKey("issuer 2")
	stmt, err := f.st.RotateKey(ctx, next, "issuer 2", "issuer-2.key", t1)
	require.NoError(t, err)

	// Clients apply the rollover with the key they trust.
	ro, err := f.trust.ApplyRollover(stmt)
	require.NoError(t, err)
	assert.Equal(t, uint64(1), ro.Version)
	assert.Equal(t, t1, ro.RetireSignerAt)

	// New receipts are signed by the new key and verify; the old receipt still does.
	res, err := f.st.Issue(ctx, alice.refresh(t, r, t1, nil), t1)
	require.NoError(t, err)
	r2 := f.receipt(res.Receipt, t1, wire.RefreshReceipt)
	assert.Equal(t, next.Public().ID(), r2.KeyID)
	_, err = response.Verify(mustReceipt(t, f, r.LedgerSeq), f.trust, t1, wire.ActivationReceipt)
	assert.NoError(t, err)

	// The other process still holds the old key: it is told, and signs nothing.
	_, err = other.Issue(ctx, newMachine("b", "bob", "b").activation(t, lic.Key, t1, nil), t1)
	assert.ErrorIs(t, err, station.ErrKeyChanged)

	keys, err := f.st.Keys(ctx)
	require.NoError(t, err)
	require.Len(t, keys, 2)
	assert.False(t, keys[0].Current)
	assert.Equal(t, t1, keys[0].Retired)
	assert.True(t, keys[1].Current)
	assert.Equal(t, uint64(1), keys[1].Version)

	// A second rotation goes to version 2.
	stmt, err = f.st.RotateKey(ctx, seedKey("issuer 3"), "issuer 3", "issuer-3.key", t1.Add(time.Hour))
	require.NoError(t, err)
	ro, err = f.trust.ApplyRollover(stmt)
	require.NoError(t, err)
	assert.Equal(t, uint64(2), ro.Version)
	f.ledgerLen()
}

// mustReceipt reads the receipt ledger entry seq recorded.
func mustReceipt(t *testing.T, f *fixture, seq uint64) []byte {
	t.Helper()
	var data []byte
	require.NoError(t, f.store.View(ctx, func(tx station.Tx) error {
		e, err := tx.Entry(seq)
		if err == nil {
			data, _, _, err = station.EntryReceipt(e)
		}
		return err
	}))
	return data
}

func TestUseSignerRefusesAnotherKey(t *testing.T) {
	f := newFixture(t)
	err := f.st.UseSigner(ctx, seedKey("stranger"))
	assert.ErrorIs(t, err, station.ErrKeyChanged)

	// A station opened without its key answers replays but signs nothing new.
	st, err := station.Open(ctx, f.store)
	require.NoError(t, err)
	lic := f.addLicense(nil)
	_, err = st.Issue(ctx, alice.activation(t, lic.Key, t0, nil), t0)
	assert.ErrorIs(t, err, station.ErrNoSigner)
}

func TestOpenRefusesEmptyDatabase(t *testing.T) {
	store, err := sqlite.Open(filepath.Join(t.TempDir(), "x.db"), sqlite.Options{Create: true})
	require.NoError(t, err)
	defer store.Close()
	_, err = station.Open(ctx, store)
	assert.ErrorIs(t, err, station.ErrNotInitialised)

	k := seedKey("k")
	require.NoError(t, station.Init(ctx, store, station.InitOptions{Key: k.Public(), KeyName: "k", KeyFile: "k.key"}, t0))
	err = station.Init(ctx, store, station.InitOptions{Key: k.Public(), KeyName: "k", KeyFile: "k.key"}, t0)
	assert.ErrorIs(t, err, station.ErrInitialised)
}

func TestRequestWindowSetting(t *testing.T) {
	f := newFixture(t)
	lic := f.addLicense(nil)
	require.NoError(t, f.st.UpdateSettings(ctx, station.Settings{MaxRequestAge: 2 * time.Hour, MaxRequestAhead: 0}, t0))
	_, err := f.st.Issue(ctx, alice.activation(t, lic.Key, t0.Add(-3*time.Hour), nil), t0)
	assert.ErrorIs(t, err, station.ErrRequestTooOld)
	_, err = f.st.Issue(ctx, alice.activation(t, lic.Key, t0.Add(time.Second), nil), t0)
	assert.ErrorIs(t, err, station.ErrRequestFromFuture)

	// The setting is in the database: another process sees it.
	assert.Equal(t, 2*time.Hour, f.reopen().Settings().MaxRequestAge)
	assert.Error(t, f.st.UpdateSettings(ctx, station.Settings{MaxRequestAge: time.Minute}, t0))
}

// A request whose clock was set back reports it; the station records and
// tells, it does not refuse.
func TestClockBehindIsReported(t *testing.T) {
	f := newFixture(t)
	lic := f.addLicense(nil)
	req := alice.activation(t, lic.Key, t0, func(a *request.Activation) { a.HighWater = t0.Add(3 * time.Hour) })
	res, _ := f.issue(req, t0)
	assert.Equal(t, 3*time.Hour, res.ClockBehind)
}
