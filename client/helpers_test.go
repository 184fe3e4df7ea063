package client_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/airlock-dev/airlock/client"
	"github.com/airlock-dev/airlock/client/clienttest"
	"github.com/airlock-dev/airlock/fingerprint"
	"github.com/airlock-dev/airlock/request"
	"github.com/airlock-dev/airlock/wire"
	"github.com/stretchr/testify/require"
)

// t0 is when every test's machine is set up.
var t0 = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// machine is one offline machine: a home, its hardware, and the station
// that answers it.
type machine struct {
	t       testing.TB
	dir     string
	station *clienttest.Station
	parts   []fingerprint.Component
}

// newMachine sets up a home on a made-up machine called name, trusting
// station, at t0.
func newMachine(t testing.TB, name string, station *clienttest.Station) *machine {
	t.Helper()
	m := &machine{t: t, dir: filepath.Join(t.TempDir(), "home"), station: station, parts: clienttest.Machine(name)}
	require.NoError(t, client.Init(m.dir, station.Public(), "acme", "cad", t0, m.opts()...))
	return m
}

func (m *machine) opts() []client.Option {
	return []client.Option{client.WithComponents(clienttest.Collector(m.parts)), client.WithLockWait(time.Second)}
}

// home opens the home for changes; closed when the test ends.
func (m *machine) home() *client.Home {
	m.t.Helper()
	h, err := client.OpenHome(m.dir, m.opts()...)
	require.NoError(m.t, err)
	m.t.Cleanup(func() { h.Close() })
	return h
}

// with runs fn with the home open and closes it.
func (m *machine) with(fn func(h *client.Home)) {
	m.t.Helper()
	h, err := client.OpenHome(m.dir, m.opts()...)
	require.NoError(m.t, err)
	defer h.Close()
	fn(h)
}

func (m *machine) client() *client.Client {
	m.t.Helper()
	c, err := client.Open(m.dir, m.opts()...)
	require.NoError(m.t, err)
	return c
}

// request writes an activation request at now.
func (m *machine) request(now time.Time, features ...string) []byte {
	m.t.Helper()
	var msg []byte
	m.with(func(h *client.Home) {
		var err error
		msg, err = h.Request(client.Activation{License: "7K3Q-M9XD-2HFR-W4TB", Features: features}, now)
		require.NoError(m.t, err)
	})
	return msg
}

// apply applies a receipt at now.
func (m *machine) apply(receipt []byte, now time.Time) (*client.Applied, error) {
	m.t.Helper()
	var (
		res *client.Applied
		err error
	)
	m.with(func(h *client.Home) { res, err = h.Apply(receipt, now) })
	return res, err
}

// activate requests, has the station answer an hour later, applies the
// receipt two hours after now, and returns the lease and receipt.
func (m *machine) activate(now time.Time, features ...string) (wire.LeaseID, []byte) {
	m.t.Helper()
	req := m.request(now, features...)
	receipt, err := m.station.Activate(req, now.Add(time.Hour))
	require.NoError(m.t, err)
	res, err := m.apply(receipt, now.Add(2*time.Hour))
	require.NoError(m.t, err)
	return res.Receipt.LeaseID, receipt
}

// refreshReq writes a refresh request at now.
func (m *machine) refreshReq(id wire.LeaseID, now time.Time) []byte {
	m.t.Helper()
	var msg []byte
	m.with(func(h *client.Home) {
		var err error
		msg, err = h.Refresh(id, 0, now)
		require.NoError(m.t, err)
	})
	return msg
}

// giveBack returns the lease at now.
func (m *machine) giveBack(id wire.LeaseID, now time.Time) *client.Returned {
	m.t.Helper()
	var r *client.Returned
	m.with(func(h *client.Home) {
		var err error
		r, err = h.Return(id, now)
		require.NoError(m.t, err)
	})
	return r
}

func (m *machine) state() []byte {
	m.t.Helper()
	b, err := os.ReadFile(filepath.Join(m.dir, client.StateFile))
	require.NoError(m.t, err)
	return b
}

func mustReturn(t *testing.T, proof []byte) *request.Info {
	t.Helper()
	info, err := request.Peek(proof)
	require.NoError(t, err)
	require.Equal(t, wire.ReturnRequest, info.Type)
	return info
}
