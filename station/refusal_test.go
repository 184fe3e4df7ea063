package station_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/airlock-dev/airlock/request"
	"github.com/airlock-dev/airlock/station"
	"github.com/airlock-dev/airlock/wire"
)

// snapshot is what a refused request must leave unchanged.
type snapshot struct {
	entries, leases, requests, active int
}

func (f *fixture) snapshot() snapshot {
	return snapshot{
		entries: f.count("SELECT count(*) FROM ledger"), leases: f.count("SELECT count(*) FROM leases"),
		requests: f.count("SELECT count(*) FROM requests"),
		active:   f.count("SELECT count(*) FROM leases WHERE status = 'active'"),
	}
}

// refusalCase sets up a station and returns the request to refuse and the
// message it must get.
type refusalCase struct {
	name    string
	license func(*station.License)
	setup   func(t *testing.T, f *fixture, lic *station.License) (req []byte, now time.Time, msg string)
	wantErr error
}

var alice = newMachine("alice-ws", "alice", "ws-alice")

func activateAt(t *testing.T, f *fixture, lic *station.License, m *machine, at time.Time) *fixtureLease {
	res, r := f.issue(m.activation(t, lic.Key, at, nil), at)
	return &fixtureLease{res: res, r: r}
}

func refusalCases() []refusalCase {
	plain := func(msg string) func(*testing.T, *fixture, *station.License) ([]byte, time.Time, string) {
		return func(t *testing.T, f *fixture, lic *station.License) ([]byte, time.Time, string) {
			return alice.activation(t, lic.Key, t0, nil), t0, msg
		}
	}
	return []refusalCase{
		{
			name: "garbage", wantErr: station.ErrBadRequest,
			setup: func(t *testing.T, f *fixture, lic *station.License) ([]byte, time.Time, string) {
				return []byte("not a request"), t0, "invalid request: malformed message: not a COSE_Sign1 message (tag 18)"
			},
		},
		{
			name: "receipt given as request", wantErr: station.ErrBadRequest,
			setup: func(t *testing.T, f *fixture, lic *station.License) ([]byte, time.Time, string) {
				l := activateAt(t, f, lic, alice, t0)
				return l.res.Receipt, t0, "invalid request: this is an activation receipt, not a request"
			},
		},
		{
			name: "tampered activation", wantErr: station.ErrBadRequest,
			setup: func(t *testing.T, f *fixture, lic *station.License) ([]byte, time.Time, string) {
				req := alice.activation(t, lic.Key, t0, nil)
				req[len(req)-1] ^= 1
				return req, t0, "invalid request: bad signature"
			},
		},
		{
			name: "refresh signed by another device", wantErr: station.ErrBadRequest,
			setup: func(t *testing.T, f *fixture, lic *station.License) ([]byte, time.Time, string) {
				l := activateAt(t, f, lic, alice, t0)
				thief := newMachine("thief", "mallory", "x")
				return thief.refresh(t, l.r, t0, nil), t0,
					fmt.Sprintf("invalid request: the refresh request is not signed by the device key of lease %s", l.r.LeaseID)
			},
		},
		{
			name: "small-order device key", wantErr: station.ErrSmallOrderKey,
			setup: func(t *testing.T, f *fixture, lic *station.License) ([]byte, time.Time, string) {
				return vectorMessage(t, "009-activation-request-small-order-key.txt"), t0,
					"small-order device key: the request's device key is a point of small order, under which anyone can forge signatures"
			},
		},
		{
			name: "too old", wantErr: station.ErrRequestTooOld,
			setup: func(t *testing.T, f *fixture, lic *station.License) ([]byte, time.Time, string) {
				at := t0.Add(-31 * 24 * time.Hour)
				return alice.activation(t, lic.Key, at, nil), t0,
					"request too old: written 2026-10-23 10:00 UTC, 31d before the station's clock (at most 30d is accepted)"
			},
		},
		{
			name: "from the future", wantErr: station.ErrRequestFromFuture,
			setup: func(t *testing.T, f *fixture, lic *station.License) ([]byte, time.Time, string) {
				at := t0.Add(50 * time.Hour)
				return alice.activation(t, lic.Key, at, nil), t0,
					"request from the future: written 2026-11-25 12:00 UTC, 2d 2h ahead of the station's clock (at most 1d is accepted)"
			},
		},
		{
			name: "nonce reused", wantErr: station.ErrNonceReused,
			setup: func(t *testing.T, f *fixture, lic *station.License) ([]byte, time.Time, string) {
				nonce := [8]byte{1, 2, 3, 4, 5, 6, 7, 8}
				res, _ := f.issue(alice.activation(t, lic.Key, t0, func(a *request.Activation) { a.Nonce = nonce }), t0)
				again := alice.activation(t, lic.Key, t0, func(a *request.Activation) { a.Nonce = nonce; a.Features = []string{"model"} })
				return again, t0, fmt.Sprintf("nonce already used: this device key used nonce 0102030405060708 for another request, answered 2026-11-23 10:00 UTC (lease %s)", res.Lease.ID)
			},
		},
		{
			name: "unknown license", wantErr: station.ErrUnknownLicense,
			setup: func(t *testing.T, f *fixture, lic *station.License) ([]byte, time.Time, string) {
				return alice.activation(t, "7K3QM9XD2HFRW4TB", t0, nil), t0, "unknown license: no license here has the key 7K3Q-M9XD-2HFR-W4TB"
			},
		},
		{
			name: "revoked license", wantErr: station.ErrLicenseRevoked,
			setup: func(t *testing.T, f *fixture, lic *station.License) ([]byte, time.Time, string) {
				_, err := f.st.RevokeLicense(ctx, lic.ID, t0.Add(-time.Hour))
				require.NoError(t, err)
				return alice.activation(t, lic.Key, t0, nil), t0, "license revoked: license 1 (ACME Engineering, cad) was revoked 2026-11-23 09:00 UTC"
			},
		},
		{
			name: "term ended", wantErr: station.ErrLicenseEnded,
			license: func(l *station.License) { l.TermEnd = t0.Add(-24 * time.Hour) },
			setup:   plain("license term ended: license 1 (ACME Engineering, cad) ended 2026-11-22 10:00 UTC"),
		},
		{
			name: "offline not allowed", wantErr: station.ErrOfflineNotAllowed,
			license: func(l *station.License) { l.Offline = false },
			setup:   plain("offline use not allowed: license 1 (ACME Engineering, cad) does not allow seats to be borrowed offline"),
		},
		{
			name: "lease too long", wantErr: station.ErrLeaseTooLong,
			setup: func(t *testing.T, f *fixture, lic *station.License) ([]byte, time.Time, string) {
				return alice.activation(t, lic.Key, t0, func(a *request.Activation) { a.Lease = 1000 * time.Hour }), t0,
					"lease too long: 41d 16h asked, license 1 allows at most 30d"
			},
		},
		{
			name: "refresh too long", wantErr: station.ErrLeaseTooLong,
			setup: func(t *testing.T, f *fixture, lic *station.License) ([]byte, time.Time, string) {
				l := activateAt(t, f, lic, alice, t0)
				return alice.refresh(t, l.r, t0, func(q *request.Refresh) { q.Lease = 721 * time.Hour }), t0,
					"lease too long: 30d 1h asked, license 1 allows at most 30d"
			},
		},
		{
			name: "feature not licensed", wantErr: station.ErrFeatureNotLicensed,
			setup: func(t *testing.T, f *fixture, lic *station.License) ([]byte, time.Time, string) {
				return alice.activation(t, lic.Key, t0, func(a *request.Activation) { a.Features = []string{"model", "simulate"} }), t0,
					`feature not licensed: license 1 (cad) has no feature "simulate"; it grants export, model, render`
			},
		},
		{
			name: "user denied", wantErr: station.ErrAccessDenied,
			license: func(l *station.License) { l.Access.DenyUsers = []string{"ALICE"} },
			setup:   plain(`access denied: user "alice" is on the deny list of license 1`),
		},
		{
			name: "user not allowed", wantErr: station.ErrAccessDenied,
			license: func(l *station.License) {
				l.Access.AllowUsers = []string{"bob"}
				l.Access.Groups = map[string][]string{"eng": {"carol"}}
				l.Access.AllowGroups = []string{"eng"}
			},
			setup: plain(`access denied: user "alice" is not on the allow list of license 1 (users bob; groups eng)`),
		},
		{
			name: "group denied", wantErr: station.ErrAccessDenied,
			license: func(l *station.License) {
				l.Access.Groups = map[string][]string{"contractors": {"alice"}}
				l.Access.DenyGroups = []string{"contractors"}
				l.Access.AllowUsers = []string{"alice"}
			},
			setup: plain(`access denied: user "alice" is in group "contractors", which license 1 denies`),
		},
		{
			name: "host denied", wantErr: station.ErrAccessDenied,
			license: func(l *station.License) { l.Access.DenyHosts = []string{"ws-alice"} },
			setup:   plain(`access denied: host "ws-alice" is on the deny list of license 1`),
		},
		{
			name: "host not allowed", wantErr: station.ErrAccessDenied,
			license: func(l *station.License) { l.Access.AllowHosts = []string{"ws-1", "ws-2"} },
			setup:   plain(`access denied: host "ws-alice" is not on the allow list of license 1 (ws-1, ws-2)`),
		},
		{
			name: "no user against an allow list", wantErr: station.ErrAccessDenied,
			license: func(l *station.License) { l.Access.AllowUsers = []string{"alice"} },
			setup: func(t *testing.T, f *fixture, lic *station.License) ([]byte, time.Time, string) {
				return newMachine("anon", "", "").activation(t, lic.Key, t0, nil), t0,
					"access denied: the request names no user, and license 1 allows only listed users and groups"
			},
		},
		{
			name: "fingerprint too small", wantErr: station.ErrFingerprint,
			license: func(l *station.License) { l.Threshold = 4 },
			setup:   plain("fingerprint too small: the request has 3 components, and license 1 needs 4 of them to match"),
		},
		{
			name: "no free seat", wantErr: station.ErrNoSeat,
			license: func(l *station.License) { l.Seats = 2 },
			setup: func(t *testing.T, f *fixture, lic *station.License) ([]byte, time.Time, string) {
				activateAt(t, f, lic, newMachine("1", "u1", "h1"), t0)
				activateAt(t, f, lic, newMachine("2", "u2", "h2"), t0.Add(time.Hour))
				return alice.activation(t, lic.Key, t0.Add(2*time.Hour), nil), t0.Add(2 * time.Hour),
					"no free seat: 2 of 2 in use, the next frees 2026-11-30 10:00 UTC"
			},
		},
		{
			name: "low-water", wantErr: station.ErrNoSeat,
			license: func(l *station.License) { l.Seats, l.LowWater = 3, 2 },
			setup: func(t *testing.T, f *fixture, lic *station.License) ([]byte, time.Time, string) {
				activateAt(t, f, lic, newMachine("1", "u1", "h1"), t0)
				return alice.activation(t, lic.Key, t0, nil), t0,
					"no free seat: 1 of 3 in use and 2 kept back as low-water, the next frees 2026-11-30 10:00 UTC"
			},
		},
		{
			name: "unknown lease", wantErr: station.ErrUnknownLease,
			setup: func(t *testing.T, f *fixture, lic *station.License) ([]byte, time.Time, string) {
				l := activateAt(t, f, lic, alice, t0)
				r := *l.r
				r.LeaseID = wire.LeaseID{1, 2, 3, 4, 5, 6}
				return alice.refresh(t, &r, t0, nil), t0, "unknown lease: this station has no lease 010203040506"
			},
		},
		{
			name: "returned lease", wantErr: station.ErrLeaseEnded,
			setup: func(t *testing.T, f *fixture, lic *station.License) ([]byte, time.Time, string) {
				l := activateAt(t, f, lic, alice, t0)
				f.issue(alice.giveBack(t, l.r, t0.Add(time.Hour), nil), t0.Add(time.Hour))
				return alice.refresh(t, l.r, t0.Add(2*time.Hour), nil), t0.Add(2 * time.Hour),
					fmt.Sprintf("lease ended: lease %s was returned 2026-11-23 11:00 UTC", l.r.LeaseID)
			},
		},
		{
			name: "serial mismatch", wantErr: station.ErrSerialMismatch,
			setup: func(t *testing.T, f *fixture, lic *station.License) ([]byte, time.Time, string) {
				l := activateAt(t, f, lic, alice, t0)
				f.issue(alice.refresh(t, l.r, t0.Add(time.Hour), nil), t0.Add(time.Hour))
				return alice.refresh(t, l.r, t0.Add(2*time.Hour), nil), t0.Add(2 * time.Hour),
					fmt.Sprintf("serial mismatch: the request is based on receipt serial 1 of lease %s, but the station has issued serial 2 since", l.r.LeaseID)
			},
		},
		{
			name: "early return", wantErr: station.ErrEarlyReturn,
			license: func(l *station.License) { l.EarlyReturn = false },
			setup: func(t *testing.T, f *fixture, lic *station.License) ([]byte, time.Time, string) {
				l := activateAt(t, f, lic, alice, t0)
				return alice.giveBack(t, l.r, t0, nil), t0,
					fmt.Sprintf("early return not allowed: license 1 does not allow returning a lease before it ends; lease %s frees its seat 2026-11-30 10:00 UTC", l.r.LeaseID)
			},
		},
		{
			name: "ledger newer than the station", wantErr: station.ErrStaleStation,
			setup: func(t *testing.T, f *fixture, lic *station.License) ([]byte, time.Time, string) {
				l := activateAt(t, f, lic, alice, t0)
				r := *l.r
				r.LedgerSeq += 10
				return alice.refresh(t, &r, t0, nil), t0, fmt.Sprintf("station database older than the request: the machine's newest receipt for lease %s "+
					"was recorded at ledger entry %d, but this station's ledger ends at entry %d; the database was probably restored from an old backup, "+
					"and answering could hand out seats twice", r.LeaseID, r.LedgerSeq, l.r.LedgerSeq)
			},
		},
		{
			name: "serial newer than the station", wantErr: station.ErrStaleStation,
			setup: func(t *testing.T, f *fixture, lic *station.License) ([]byte, time.Time, string) {
				l := activateAt(t, f, lic, alice, t0)
				r := *l.r
				r.Serial = 5
				return alice.giveBack(t, &r, t0, nil), t0, fmt.Sprintf("station database older than the request: the machine holds receipt serial 5 "+
					"for lease %s, but this station's newest for it is serial 1; the database was probably restored from an old backup, "+
					"and answering could hand out seats twice", r.LeaseID)
			},
		},
	}
}

type fixtureLease struct {
	res *station.Result
	r   *responseReceipt
}

func TestRefusals(t *testing.T) {
	for _, tc := range refusalCases() {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			lic := f.addLicense(tc.license)
			req, now, msg := tc.setup(t, f, lic)
			before := f.snapshot()
			_, err := f.st.Issue(ctx, req, now)
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.wantErr)
			assert.Equal(t, msg, err.Error())
			var ref *station.Refusal
			require.ErrorAs(t, err, &ref)
			assert.NotEmpty(t, ref.Hint(), "every refusal says what would help")
			assert.Equal(t, before, f.snapshot(), "a refused request changes nothing")
			f.ledgerLen()
		})
	}
}

// vectorMessage reads a message from the shared test vectors.
func vectorMessage(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", "vectors", name))
	require.NoError(t, err)
	i := bytes.Index(data, []byte("-----BEGIN"))
	require.GreaterOrEqual(t, i, 0)
	msg, _, _, err := wire.Read(data[i:])
	require.NoError(t, err)
	return msg
}
