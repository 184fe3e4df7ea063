package client_test

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/airlock-dev/airlock/client"
	"github.com/airlock-dev/airlock/client/clienttest"
	"github.com/airlock-dev/airlock/client/internal/record"
	"github.com/airlock-dev/airlock/crypto"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// reseal edits the state as someone holding the device key could, and
// seals it again.
func (m *machine) reseal(edit func(st *record.State)) {
	m.t.Helper()
	device, err := crypto.ReadDeviceKey(filepath.Join(m.dir, client.DeviceKeyFile))
	require.NoError(m.t, err)
	key, err := record.SealKey(device.Seed())
	require.NoError(m.t, err)
	st, err := record.Parse(key, m.state())
	require.NoError(m.t, err)
	edit(st)
	data, err := record.Marshal(key, st)
	require.NoError(m.t, err)
	require.NoError(m.t, os.WriteFile(filepath.Join(m.dir, client.StateFile), data, 0o600))
}

// TestStateContradictions: a state that is sealed but contradicts itself
// or its receipts is refused as tampered.
func TestStateContradictions(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(st *record.State)
		wantMsg string
	}{
		{"lease listed twice", func(st *record.State) { st.Leases = append(st.Leases, st.Leases[0]) }, "is listed twice"},
		{"serial raised", func(st *record.State) { st.Leases[0].Serial = 5 }, "the record does not match its receipt"},
		{"installed and ended", func(st *record.State) {
			st.Tombstones = append(st.Tombstones, record.Tombstone{ID: st.Leases[0].ID, Kind: record.Returned})
		}, "is both installed and ended"},
		{"receipt garbage", func(st *record.State) { st.Leases[0].Receipt = []byte("x") }, "malformed"},
		{"bad product", func(st *record.State) { st.Product = "" }, "product"},
		{"bad trust store", func(st *record.State) { st.Trust = "trust me\n" }, "malformed trust store"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMachine(t, "ws-lab-042", clienttest.NewStation(1))
			m.activate(t0)
			m.reseal(tt.edit)
			_, err := client.Open(m.dir, m.opts()...)
			assert.ErrorIs(t, err, client.ErrStateTampered)
			assert.ErrorContains(t, err, tt.wantMsg)
		})
	}
}

// TestReceiptNoLongerVerifies: a lease whose receipt does not verify
// against the trust store is listed, and refused with the reason.
func TestReceiptNoLongerVerifies(t *testing.T) {
	m := newMachine(t, "ws-lab-042", clienttest.NewStation(1))
	id, _ := m.activate(t0, "render")
	r, err := m.station.Last(id)
	require.NoError(t, err)
	forged, err := r.Sign(clienttest.NewStation(9).Key)
	require.NoError(t, err)
	m.reseal(func(st *record.State) { st.Leases[0].Receipt = forged })

	c := m.client()
	_, err = c.Check("render", t0.Add(3*time.Hour))
	assert.ErrorIs(t, err, crypto.ErrUnknownKey)
	assert.ErrorContains(t, err, `feature "render": lease `+id.String()+": its receipt no longer verifies: unknown issuer key")
	st, err := c.Status(t0.Add(3 * time.Hour))
	require.NoError(t, err)
	assert.Equal(t, client.StatusInvalid, st.Leases[0].Status)
}

// TestCheckNotYetValid: a lease whose start is still ahead (apply refuses
// those, so it is planted here) is refused until it begins.
func TestCheckNotYetValid(t *testing.T) {
	m := newMachine(t, "ws-lab-042", clienttest.NewStation(1))
	id, _ := m.activate(t0, "render")
	r, err := m.station.Last(id)
	require.NoError(t, err)
	r.NotBefore = t0.Add(48 * time.Hour)
	r.ExpiresAt = t0.Add(100 * time.Hour)
	later, err := r.Sign(m.station.Key)
	require.NoError(t, err)
	m.reseal(func(st *record.State) { st.Leases[0].Receipt = later })

	_, err = m.client().Check("render", t0.Add(3*time.Hour))
	var ne *client.NotYetValidError
	require.ErrorAs(t, err, &ne)
	assert.Equal(t, client.NotYetValidError{Feature: "render", Lease: id, NotBefore: t0.Add(48 * time.Hour), Now: t0.Add(3 * time.Hour)}, *ne)
	_, err = m.client().Check("render", t0.Add(49*time.Hour))
	assert.NoError(t, err)
}

// TestConcurrentCheck: many goroutines Check while another process
// refreshes the lease; each answer is from one whole state.
func TestConcurrentCheck(t *testing.T) {
	m := newMachine(t, "ws-lab-042", clienttest.NewStation(1))
	id, _ := m.activate(t0, "render")
	c := m.client()
	now := t0.Add(3 * time.Hour)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var last uint64
			for {
				select {
				case <-stop:
					return
				default:
				}
				e, err := c.Check("render", now)
				if !assert.NoError(t, err) {
					return
				}
				assert.GreaterOrEqual(t, e.Serial, last)
				last = e.Serial
			}
		}()
	}
	for range 10 {
		push, err := m.station.Push(id, now)
		require.NoError(t, err)
		_, err = m.apply(push, now)
		require.NoError(t, err)
	}
	close(stop)
	wg.Wait()
	e, err := c.Check("render", now)
	require.NoError(t, err)
	assert.Equal(t, uint64(11), e.Serial)
}
