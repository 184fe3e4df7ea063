package client_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/airlock-dev/airlock/client"
	"github.com/airlock-dev/airlock/client/clienttest"
	"github.com/airlock-dev/airlock/fingerprint"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckLicensed(t *testing.T) {
	s := clienttest.NewStation(1)
	s.Limits = map[string]uint64{"export": 10}
	m := newMachine(t, "ws-lab-042", s)
	id, _ := m.activate(t0)
	c := m.client()

	e, err := c.Check("render", t0.Add(3*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, client.Entitlement{
		Feature: "render", Lease: id, LicenseID: 17, Product: "cad", Serial: 1,
		NotBefore: t0.Add(time.Hour), ExpiresAt: t0.Add(721 * time.Hour), Remaining: 718 * time.Hour,
	}, *e)

	e, err = c.Check("export", t0.Add(3*time.Hour))
	require.NoError(t, err)
	assert.True(t, e.Limited)
	assert.Equal(t, uint64(10), e.Limit)
	assert.Equal(t, uint64(0), e.Used)

	es, err := c.Entitlements(t0.Add(3 * time.Hour))
	require.NoError(t, err)
	var names []string
	for _, e := range es {
		names = append(names, e.Feature)
	}
	assert.Equal(t, []string{"export", "model", "render"}, names)
}

// TestCheckRefusals plays every way Check says no, with its message.
func TestCheckRefusals(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(t *testing.T, m *machine) (*client.Client, string, time.Time)
		wantErr error
		wantMsg string
	}{
		{
			name: "nothing installed",
			setup: func(t *testing.T, m *machine) (*client.Client, string, time.Time) {
				return m.client(), "render", t0
			},
			wantErr: client.ErrNotLicensed,
			wantMsg: `feature "render" is not licensed here: no lease is installed`,
		},
		{
			name: "feature not granted",
			setup: func(t *testing.T, m *machine) (*client.Client, string, time.Time) {
				m.activate(t0, "model")
				return m.client(), "render", t0.Add(3 * time.Hour)
			},
			wantErr: client.ErrNotLicensed,
			wantMsg: `feature "render" is not licensed here: no installed lease grants it`,
		},
		{
			name: "expired",
			setup: func(t *testing.T, m *machine) (*client.Client, string, time.Time) {
				m.activate(t0, "render")
				return m.client(), "render", t0.Add(721 * time.Hour)
			},
			wantErr: client.ErrExpired,
			wantMsg: `feature "render": lease 8f130979fc08 expired at 2026-12-23 11:00 UTC, it is now 2026-12-23 11:00 UTC`,
		},
		{
			name: "revoked",
			setup: func(t *testing.T, m *machine) (*client.Client, string, time.Time) {
				id, _ := m.activate(t0, "render")
				rev, err := m.station.Revoke(id, t0.Add(3*time.Hour))
				require.NoError(t, err)
				_, err = m.apply(rev, t0.Add(3*time.Hour))
				require.NoError(t, err)
				return m.client(), "render", t0.Add(4 * time.Hour)
			},
			wantErr: client.ErrRevoked,
			wantMsg: "was revoked by the station",
		},
		{
			name: "clock set back",
			setup: func(t *testing.T, m *machine) (*client.Client, string, time.Time) {
				m.activate(t0, "render")
				return m.client(), "render", t0.Add(-23 * time.Hour)
			},
			wantErr: client.ErrClockTampered,
			wantMsg: "the clock is set back: it reads 2026-11-22 11:00 UTC, 25h behind the latest time this machine has seen (2026-11-23 12:00 UTC); the tolerance is 24h",
		},
		{
			name: "limit used up",
			setup: func(t *testing.T, m *machine) (*client.Client, string, time.Time) {
				m.station.Limits = map[string]uint64{"render": 2}
				m.activate(t0, "render")
				c := m.client()
				require.NoError(t, c.Record("render", 2, t0.Add(3*time.Hour)))
				return c, "render", t0.Add(3 * time.Hour)
			},
			wantErr: client.ErrLimitReached,
			wantMsg: `feature "render": the limit of lease 8f130979fc08 is used up: 2 of 2`,
		},
		{
			name: "home copied to another machine",
			setup: func(t *testing.T, m *machine) (*client.Client, string, time.Time) {
				m.activate(t0, "render")
				c, err := client.Open(m.dir, client.WithComponents(clienttest.Collector(clienttest.Machine("elsewhere"))))
				require.NoError(t, err)
				return c, "render", t0.Add(3 * time.Hour)
			},
			wantErr: fingerprint.ErrMismatch,
			wantMsg: `feature "render": lease 8f130979fc08 was made for another machine: fingerprint does not match this machine: 1 of 7 components match, 6 needed (changed: machine-id, product-uuid, board-serial, mac, disk-serial, hostname)`,
		},
		{
			name: "state edited after open",
			setup: func(t *testing.T, m *machine) (*client.Client, string, time.Time) {
				m.activate(t0, "render")
				c := m.client()
				path := filepath.Join(m.dir, client.StateFile)
				data := m.state()
				data[len(data)-3] ^= 1
				require.NoError(t, os.WriteFile(path, data, 0o600))
				return c, "render", t0.Add(3 * time.Hour)
			},
			wantErr: client.ErrStateTampered,
			wantMsg: "was tampered with: its seal does not verify",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMachine(t, "ws-lab-042", clienttest.NewStation(1))
			c, feature, now := tt.setup(t, m)
			e, err := c.Check(feature, now)
			assert.Nil(t, e)
			assert.ErrorIs(t, err, tt.wantErr)
			assert.ErrorContains(t, err, tt.wantMsg)
		})
	}
}

func TestCheckMachineRules(t *testing.T) {
	m := newMachine(t, "ws-lab-042", clienttest.NewStation(1))
	m.activate(t0, "render")
	now := t0.Add(3 * time.Hour)

	// One changed part (a new network card) is tolerated.
	parts := clienttest.Machine("ws-lab-042")
	for i := range parts {
		if parts[i].Kind == fingerprint.KindMAC {
			parts[i].Value = "00:1a:2b:3c:aa:aa"
		}
	}
	c, err := client.Open(m.dir, client.WithComponents(clienttest.Collector(parts)))
	require.NoError(t, err)
	_, err = c.Check("render", now)
	assert.NoError(t, err)

	// Two are not.
	for i := range parts {
		if parts[i].Kind == fingerprint.KindHostname {
			parts[i].Value = "renamed"
		}
	}
	c, err = client.Open(m.dir, client.WithComponents(clienttest.Collector(parts)))
	require.NoError(t, err)
	_, err = c.Check("render", now)
	var me *client.MachineError
	require.ErrorAs(t, err, &me)
	require.NotNil(t, me.Mismatch)
	assert.Len(t, me.Mismatch.Match.Missing, 2)

	// No readable component at all.
	c, err = client.Open(m.dir, client.WithComponents(func() ([]fingerprint.Component, error) {
		return nil, fingerprint.ErrNoComponents
	}))
	require.NoError(t, err)
	_, err = c.Check("render", now)
	assert.ErrorIs(t, err, client.ErrWrongMachine)
	assert.ErrorIs(t, err, fingerprint.ErrNoComponents)
	assert.ErrorContains(t, err, "cannot be matched to this machine: reading this machine's fingerprint")
}

// TestCheckSeesOtherProcessChanges: an application's Client notices a
// receipt applied by "airlock apply" without being reopened.
func TestCheckSeesOtherProcessChanges(t *testing.T) {
	m := newMachine(t, "ws-lab-042", clienttest.NewStation(1))
	c := m.client()
	_, err := c.Check("render", t0)
	require.ErrorIs(t, err, client.ErrNotLicensed)

	id, _ := m.activate(t0, "render")
	e, err := c.Check("render", t0.Add(3*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, id, e.Lease)

	m.giveBack(id, t0.Add(4*time.Hour))
	_, err = c.Check("render", t0.Add(5*time.Hour))
	assert.ErrorIs(t, err, client.ErrNotLicensed)
}

func TestNotInitialised(t *testing.T) {
	dir := t.TempDir()
	_, err := client.Open(dir)
	var ne *client.NotInitialisedError
	require.ErrorAs(t, err, &ne)
	assert.ErrorIs(t, err, client.ErrNotInitialised)
	assert.Equal(t, "airlock is not initialised in "+dir+": device.key is missing", err.Error())
	_, err = client.OpenHome(filepath.Join(dir, "nowhere"))
	assert.ErrorIs(t, err, client.ErrNotInitialised)
}

func TestRecord(t *testing.T) {
	s := clienttest.NewStation(1)
	s.Limits = map[string]uint64{"render": 10}
	m := newMachine(t, "ws-lab-042", s)
	id, _ := m.activate(t0, "render", "model")
	c := m.client()
	now := t0.Add(3 * time.Hour)

	require.NoError(t, c.Record("render", 4, now))
	require.NoError(t, c.Record("render", 0, now))
	require.NoError(t, c.Record("model", 100, now), "no limit on model")
	err := c.Record("render", 7, now)
	var le *client.LimitError
	require.ErrorAs(t, err, &le)
	assert.Equal(t, client.LimitError{Feature: "render", Lease: id, Limit: 10, Used: 4, Want: 7}, *le)
	assert.EqualError(t, err, `feature "render": recording 7 would pass the limit of lease `+id.String()+": 4 of 10 used")
	require.NoError(t, c.Record("render", 6, now))

	e, err := c.Check("model", now)
	require.NoError(t, err)
	assert.Equal(t, uint64(100), e.Used)
	assert.ErrorIs(t, c.Record("export", 1, now), client.ErrNotLicensed)
	assert.ErrorIs(t, c.Record("model", 1, t0.Add(2000*time.Hour)), client.ErrExpired)
}
