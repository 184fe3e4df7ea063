package client_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/airlock-dev/airlock/client"
	"github.com/airlock-dev/airlock/client/clienttest"
	"github.com/airlock-dev/airlock/crypto"
	"github.com/airlock-dev/airlock/fingerprint"
	"github.com/airlock-dev/airlock/request"
	"github.com/airlock-dev/airlock/response"
	"github.com/airlock-dev/airlock/wire"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// craft re-signs the newest receipt of lease id after edit changes it.
func craft(t *testing.T, s *clienttest.Station, id wire.LeaseID, edit func(r *response.Receipt)) []byte {
	t.Helper()
	r, err := s.Last(id)
	require.NoError(t, err)
	edit(r)
	msg, err := s.Sign(r)
	require.NoError(t, err)
	return msg
}

// TestApplyRefusals plays every way apply refuses a receipt, in the order
// of the rules, and checks that each says which rule and changes nothing.
func TestApplyRefusals(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(t *testing.T, m *machine) ([]byte, time.Time)
		wantErr error
		wantMsg string
	}{
		{
			name: "not a message",
			setup: func(t *testing.T, m *machine) ([]byte, time.Time) {
				return []byte("hello"), t0
			},
			wantErr: wire.ErrMalformed,
			wantMsg: "malformed message",
		},
		{
			name: "issuer key not trusted",
			setup: func(t *testing.T, m *machine) ([]byte, time.Time) {
				receipt, err := clienttest.NewStation(9).Activate(m.request(t0), t0)
				require.NoError(t, err)
				return receipt, t0
			},
			wantErr: crypto.ErrUnknownKey,
			wantMsg: "not in this machine's trust store",
		},
		{
			name: "signature broken",
			setup: func(t *testing.T, m *machine) ([]byte, time.Time) {
				receipt, err := m.station.Activate(m.request(t0), t0)
				require.NoError(t, err)
				receipt[len(receipt)-1] ^= 1
				return receipt, t0
			},
			wantErr: crypto.ErrBadSignature,
			wantMsg: "bad signature",
		},
		{
			name: "a request, not a receipt",
			setup: func(t *testing.T, m *machine) ([]byte, time.Time) {
				return m.request(t0), t0
			},
			wantErr: wire.ErrWrongType,
			wantMsg: "got activation request",
		},
		{
			name: "activation for a request this machine did not write",
			setup: func(t *testing.T, m *machine) ([]byte, time.Time) {
				other := newMachine(t, "ws-other", m.station)
				receipt, err := m.station.Activate(other.request(t0), t0)
				require.NoError(t, err)
				return receipt, t0
			},
			wantErr: client.ErrNotPending,
			wantMsg: "this activation receipt answers no pending request of this machine (request ",
		},
		{
			name: "refresh for a lease not installed here",
			setup: func(t *testing.T, m *machine) ([]byte, time.Time) {
				other := newMachine(t, "ws-other", m.station)
				id, _ := other.activate(t0)
				push, err := m.station.Push(id, t0.Add(3*time.Hour))
				require.NoError(t, err)
				return push, t0.Add(3 * time.Hour)
			},
			wantErr: client.ErrUnknownLease,
			wantMsg: "is installed here",
		},
		{
			name: "revocation for a lease not installed here",
			setup: func(t *testing.T, m *machine) ([]byte, time.Time) {
				other := newMachine(t, "ws-other", m.station)
				id, _ := other.activate(t0)
				rev, err := m.station.Revoke(id, t0.Add(3*time.Hour))
				require.NoError(t, err)
				return rev, t0.Add(3 * time.Hour)
			},
			wantErr: client.ErrUnknownLease,
			wantMsg: "no lease 8f130979fc08 is installed here",
		},
		{
			name: "refresh older than the one installed",
			setup: func(t *testing.T, m *machine) ([]byte, time.Time) {
				id, _ := m.activate(t0)
				older, err := m.station.Push(id, t0.Add(3*time.Hour))
				require.NoError(t, err)
				newer, err := m.station.Push(id, t0.Add(4*time.Hour))
				require.NoError(t, err)
				_, err = m.apply(newer, t0.Add(5*time.Hour))
				require.NoError(t, err)
				return older, t0.Add(5 * time.Hour)
			},
			wantErr: client.ErrStaleSerial,
			wantMsg: "has serial 2, but serial 3 is already held",
		},
		{
			name: "deactivation for a lease still installed",
			setup: func(t *testing.T, m *machine) ([]byte, time.Time) {
				id, _ := m.activate(t0)
				return craft(t, m.station, id, func(r *response.Receipt) {
					r.Type, r.RequestHash, r.Serial = wire.DeactivationReceipt, &wire.RequestHash{1}, r.Serial+1
				}), t0.Add(3 * time.Hour)
			},
			wantErr: client.ErrNotReturned,
			wantMsg: "which is still installed here",
		},
		{
			name: "deactivation answering another return proof",
			setup: func(t *testing.T, m *machine) ([]byte, time.Time) {
				id, _ := m.activate(t0)
				m.giveBack(id, t0.Add(3*time.Hour))
				return craft(t, m.station, id, func(r *response.Receipt) {
					r.Type, r.RequestHash, r.Serial = wire.DeactivationReceipt, &wire.RequestHash{1}, r.Serial+1
				}), t0.Add(4 * time.Hour)
			},
			wantErr: client.ErrNotPending,
			wantMsg: "answers a return proof this machine did not write",
		},
		{
			name: "device key of another machine",
			setup: func(t *testing.T, m *machine) ([]byte, time.Time) {
				other, err := crypto.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32))
				require.NoError(t, err)
				h := request.Hash(m.request(t0))
				o := newMachine(t, "ws-other", m.station)
				lid, _ := o.activate(t0)
				return craft(t, m.station, lid, func(r *response.Receipt) {
					r.RequestHash, r.DeviceKey = &h, other.Public()
				}), t0.Add(3 * time.Hour)
			},
			wantErr: client.ErrWrongMachine,
			wantMsg: "was made for another machine: it names device key ",
		},
		{
			name: "fingerprint of another machine",
			setup: func(t *testing.T, m *machine) ([]byte, time.Time) {
				req := m.request(t0)
				a, err := request.VerifyActivation(req)
				require.NoError(t, err)
				h := request.Hash(req)
				o := newMachine(t, "ws-other", m.station)
				lid, _ := o.activate(t0)
				return craft(t, m.station, lid, func(r *response.Receipt) {
					r.RequestHash, r.DeviceKey = &h, a.DeviceKey
				}), t0.Add(3 * time.Hour)
			},
			wantErr: fingerprint.ErrMismatch,
			wantMsg: "was made for another machine: fingerprint does not match this machine: 1 of 7 components match, 6 needed",
		},
		{
			name: "clock set back past the high-water mark",
			setup: func(t *testing.T, m *machine) ([]byte, time.Time) {
				receipt, err := m.station.Activate(m.request(t0.Add(30*time.Hour)), t0.Add(30*time.Hour))
				require.NoError(t, err)
				return receipt, t0.Add(5 * time.Hour)
			},
			wantErr: client.ErrClockTampered,
			wantMsg: "25h behind the latest time this machine has seen",
		},
		{
			name: "clock behind the receipt's issue time",
			setup: func(t *testing.T, m *machine) ([]byte, time.Time) {
				receipt, err := m.station.Activate(m.request(t0), t0.Add(30*time.Hour))
				require.NoError(t, err)
				return receipt, t0.Add(time.Hour)
			},
			wantErr: client.ErrClockTampered,
			wantMsg: "29h before lease ",
		},
		{
			name: "expired",
			setup: func(t *testing.T, m *machine) ([]byte, time.Time) {
				m.station.Length = time.Hour
				receipt, err := m.station.Activate(m.request(t0), t0)
				require.NoError(t, err)
				return receipt, t0.Add(2 * time.Hour)
			},
			wantErr: client.ErrExpired,
			wantMsg: "expired at 2026-11-23 11:00 UTC, it is now 2026-11-23 12:00 UTC",
		},
		{
			name: "not yet valid",
			setup: func(t *testing.T, m *machine) ([]byte, time.Time) {
				m.station.Delay = 48 * time.Hour
				receipt, err := m.station.Activate(m.request(t0), t0)
				require.NoError(t, err)
				return receipt, t0.Add(time.Hour)
			},
			wantErr: client.ErrNotYetValid,
			wantMsg: "is valid from 2026-11-25 10:00 UTC",
		},
		{
			name: "a returned lease coming back",
			setup: func(t *testing.T, m *machine) ([]byte, time.Time) {
				id, _ := m.activate(t0)
				m.giveBack(id, t0.Add(3*time.Hour))
				push, err := m.station.Push(id, t0.Add(4*time.Hour))
				require.NoError(t, err)
				return push, t0.Add(4 * time.Hour)
			},
			wantErr: client.ErrReturned,
			wantMsg: "a returned lease can never come back",
		},
		{
			name: "signed after its key was retired",
			setup: func(t *testing.T, m *machine) ([]byte, time.Time) {
				next := clienttest.NewStation(2)
				stmt, err := (&crypto.Rollover{NewKey: next.Public(), Name: "acme-2", Version: 1, IssuedAt: t0, RetireSignerAt: t0.Add(time.Hour)}).Sign(m.station.Key)
				require.NoError(t, err)
				m.with(func(h *client.Home) { _, err := h.UpdateTrust(stmt, t0); require.NoError(t, err) })
				receipt, err := m.station.Activate(m.request(t0.Add(2*time.Hour)), t0.Add(2*time.Hour))
				require.NoError(t, err)
				return receipt, t0.Add(2 * time.Hour)
			},
			wantErr: crypto.ErrKeyRetired,
			wantMsg: `("acme") was retired at 2026-11-23T11:00:00Z but signed a message issued at 2026-11-23T12:00:00Z`,
		},
		{
			name: "a returned lease coming back as a new activation",
			setup: func(t *testing.T, m *machine) ([]byte, time.Time) {
				id, _ := m.activate(t0)
				m.giveBack(id, t0.Add(3*time.Hour))
				h := request.Hash(m.request(t0.Add(4 * time.Hour)))
				return craft(t, m.station, id, func(r *response.Receipt) {
					r.Type, r.RequestHash, r.Serial = wire.ActivationReceipt, &h, 9
					r.IssuedAt, r.NotBefore, r.ExpiresAt = t0.Add(4*time.Hour), t0.Add(4*time.Hour), t0.Add(400*time.Hour)
				}), t0.Add(5 * time.Hour)
			},
			wantErr: client.ErrReturned,
			wantMsg: "lease 8f130979fc08 was returned from this machine at 2026-11-23 13:00 UTC; a returned lease can never come back",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMachine(t, "ws-lab-042", clienttest.NewStation(1))
			receipt, now := tt.setup(t, m)
			before := m.state()
			_, err := m.apply(receipt, now)
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.wantErr)
			assert.Contains(t, err.Error(), tt.wantMsg)
			assert.Equal(t, before, m.state(), "a refused receipt must change nothing")
		})
	}
}
