package station_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/airlock-dev/airlock/crypto"
	"github.com/airlock-dev/airlock/fingerprint"
	"github.com/airlock-dev/airlock/request"
	"github.com/airlock-dev/airlock/response"
	"github.com/airlock-dev/airlock/station"
	"github.com/airlock-dev/airlock/station/sqlite"
	"github.com/airlock-dev/airlock/wire"
)

// t0 is the station's clock in most tests.
var t0 = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

var ctx = context.Background()

// seedKey derives a deterministic key from a label, so tests are repeatable.
func seedKey(label string) *crypto.PrivateKey {
	seed := sha256.Sum256([]byte(label))
	k, err := crypto.NewKeyFromSeed(seed[:])
	if err != nil {
		panic(err)
	}
	return k
}

// fixture is a station on a real database in a temporary directory.
type fixture struct {
	t      testing.TB
	path   string
	store  *sqlite.Store
	st     *station.Station
	issuer *crypto.PrivateKey
	trust  *crypto.TrustStore
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	path := filepath.Join(t.TempDir(), "station.db")
	issuer := seedKey("issuer")
	store, err := sqlite.Open(path, sqlite.Options{Create: true})
	require.NoError(t, err)
	t.Cleanup(func() { store.Close() })
	require.NoError(t, station.Init(ctx, store, station.InitOptions{Key: issuer.Public(), KeyName: "test issuer", KeyFile: "issuer.key"}, t0))
	st, err := station.Open(ctx, store)
	require.NoError(t, err)
	require.NoError(t, st.UseSigner(ctx, issuer))
	trust, err := crypto.NewTrustStore("test issuer", issuer.Public())
	require.NoError(t, err)
	return &fixture{t: t, path: path, store: store, st: st, issuer: issuer, trust: trust}
}

// reopen opens a second Station on the same file, as another process would.
func (f *fixture) reopen() *station.Station {
	f.t.Helper()
	store, err := sqlite.Open(f.path, sqlite.Options{})
	require.NoError(f.t, err)
	f.t.Cleanup(func() { store.Close() })
	st, err := station.Open(ctx, store)
	require.NoError(f.t, err)
	require.NoError(f.t, st.UseSigner(ctx, f.issuer))
	return st
}

// baseLicense is a license for cad with three features and five seats.
func baseLicense() station.License {
	return station.License{
		Customer: "ACME Engineering", Product: "cad",
		Features: []station.Feature{{Name: "export", Limit: 100}, {Name: "model"}, {Name: "render"}},
		Seats:    5, Offline: true, MaxLease: 720 * time.Hour, DefaultLease: 168 * time.Hour, EarlyReturn: true,
	}
}

func (f *fixture) addLicense(change func(*station.License)) *station.License {
	f.t.Helper()
	l := baseLicense()
	if change != nil {
		change(&l)
	}
	out, err := f.st.AddLicense(ctx, l, t0)
	require.NoError(f.t, err)
	return out
}

// machine is an offline machine: a device key and a fingerprint.
type machine struct {
	key        *crypto.PrivateKey
	fp         fingerprint.Set
	user, host string
}

func newMachine(label, user, host string) *machine {
	salt := []byte("cad")
	fp := fingerprint.Set{
		fingerprint.HashComponent(salt, fingerprint.KindMachineID, label+"-id"),
		fingerprint.HashComponent(salt, fingerprint.KindProductUUID, label+"-uuid"),
		fingerprint.HashComponent(salt, fingerprint.KindHostname, host),
	}.Canonical()
	return &machine{key: seedKey("device " + label), fp: fp, user: user, host: host}
}

// activation writes an activation request at time at.
func (m *machine) activation(t testing.TB, key string, at time.Time, change func(*request.Activation)) []byte {
	t.Helper()
	b, err := m.signActivation(key, at, change)
	require.NoError(t, err)
	return b
}

func (m *machine) signActivation(key string, at time.Time, change func(*request.Activation)) ([]byte, error) {
	a := &request.Activation{Header: request.Header{Time: at}, LicenseKey: key, Fingerprint: m.fp, User: m.user, Host: m.host}
	if change != nil {
		change(a)
	}
	return a.Sign(m.key)
}

func (m *machine) refresh(t testing.TB, r *response.Receipt, at time.Time, change func(*request.Refresh)) []byte {
	t.Helper()
	q := &request.Refresh{Header: request.Header{Time: at}, LeaseID: r.LeaseID, Serial: r.Serial, LedgerSeq: r.LedgerSeq}
	if change != nil {
		change(q)
	}
	b, err := q.Sign(m.key)
	require.NoError(t, err)
	return b
}

func (m *machine) giveBack(t testing.TB, r *response.Receipt, at time.Time, change func(*request.Return)) []byte {
	t.Helper()
	b, err := m.signReturn(r.LeaseID, r.Serial, r.LedgerSeq, at, change)
	require.NoError(t, err)
	return b
}

func (m *machine) signReturn(id wire.LeaseID, serial, seq uint64, at time.Time, change func(*request.Return)) ([]byte, error) {
	q := &request.Return{Header: request.Header{Time: at}, LeaseID: id, Serial: serial, LedgerSeq: seq}
	if change != nil {
		change(q)
	}
	return q.Sign(m.key)
}

// receipt verifies a receipt the way a client would, at time now.
func (f *fixture) receipt(data []byte, now time.Time, want wire.Type) *response.Receipt {
	f.t.Helper()
	r, err := response.Verify(data, f.trust, now, want)
	require.NoError(f.t, err)
	return r
}

// issue issues req at now and verifies the receipt.
func (f *fixture) issue(req []byte, now time.Time) (*station.Result, *response.Receipt) {
	f.t.Helper()
	res, err := f.st.Issue(ctx, req, now)
	require.NoError(f.t, err)
	return res, f.receipt(res.Receipt, now, res.Type)
}

// ledgerLen is the number of ledger entries.
func (f *fixture) ledgerLen() uint64 {
	f.t.Helper()
	rep, err := f.st.Audit(ctx)
	require.NoError(f.t, err)
	require.True(f.t, rep.OK(), "%v", rep.Problems)
	return rep.Entries
}

// count runs a counting query on the database.
func (f *fixture) count(query string, args ...any) int {
	f.t.Helper()
	var n int
	require.NoError(f.t, f.store.DB().QueryRow(query, args...).Scan(&n))
	return n
}

type responseReceipt = response.Receipt

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

// checkDatabase checks the file's integrity, the kept seat counts and the
// ledger.
func (f *fixture) checkDatabase() {
	f.t.Helper()
	ok, err := f.store.IntegrityCheck(ctx)
	require.NoError(f.t, err)
	require.Equal(f.t, "ok", ok)
	bad, err := f.store.CheckCounts(ctx)
	require.NoError(f.t, err)
	require.Empty(f.t, bad)
	f.ledgerLen()
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return fmt.Sprintf("%x", s)
}
