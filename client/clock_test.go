package client_test

import (
	"testing"
	"time"

	"github.com/airlock-dev/airlock/client"
	"github.com/airlock-dev/airlock/client/clienttest"
	"github.com/airlock-dev/airlock/request"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestClockSetBack: the lease is applied at t0+2h, so the high-water mark
// is t0+2h; the clock then reads "now" for a Check in a fresh process.
func TestClockSetBack(t *testing.T) {
	hwm := t0.Add(2 * time.Hour)
	tests := []struct {
		name    string
		now     time.Time
		wantErr string // "" when the lease must work
	}{
		{name: "right time", now: hwm.Add(time.Hour)},
		{name: "one hour back", now: hwm.Add(-time.Hour)},
		{name: "23 hours back", now: hwm.Add(-23 * time.Hour)},
		{name: "exactly the tolerance back", now: hwm.Add(-client.Tolerance)},
		{name: "25 hours back", now: hwm.Add(-25 * time.Hour), wantErr: "25h behind the latest time this machine has seen (2026-11-23 12:00 UTC); the tolerance is 24h"},
		{name: "one year back", now: hwm.AddDate(-1, 0, 0), wantErr: "365 days behind the latest time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMachine(t, "ws-lab-042", clienttest.NewStation(1))
			m.activate(t0, "render")
			_, err := m.client().Check("render", tt.now)
			if tt.wantErr == "" {
				assert.NoError(t, err)
				return
			}
			var ce *client.ClockError
			require.ErrorAs(t, err, &ce)
			assert.ErrorIs(t, err, client.ErrClockTampered)
			assert.Equal(t, hwm, ce.HighWater)
			assert.Equal(t, tt.now, ce.Now)
			assert.ErrorContains(t, err, tt.wantErr)
		})
	}
}

// TestClockSetBackStretchesNothing: inside the tolerance the lease is
// judged at the high-water mark, so setting the clock back an hour does
// not buy an hour.
func TestClockSetBackStretchesNothing(t *testing.T) {
	s := clienttest.NewStation(1)
	s.Length = 10 * time.Hour
	m := newMachine(t, "ws-lab-042", s)
	id, _ := m.activate(t0, "render") // issued t0+1h, expires t0+11h
	m.with(func(h *client.Home) { _, err := h.Refresh(id, 0, t0.Add(11*time.Hour)); require.NoError(t, err) })
	_, err := m.client().Check("render", t0.Add(10*time.Hour))
	assert.ErrorIs(t, err, client.ErrExpired, "the clock says 10h, but 11h was seen")
}

func TestClockForwardThenBack(t *testing.T) {
	m := newMachine(t, "ws-lab-042", clienttest.NewStation(1))
	id, _ := m.activate(t0, "render")

	// Forward a little and back: no alarm.
	m.refreshReq(id, t0.Add(20*time.Hour))
	_, err := m.client().Check("render", t0.Add(3*time.Hour))
	assert.NoError(t, err)

	// Forward a year (a request written then raises the mark), then back.
	m.refreshReq(id, t0.AddDate(1, 0, 0))
	_, err = m.client().Check("render", t0.Add(3*time.Hour))
	assert.ErrorIs(t, err, client.ErrClockTampered)
	_, err = m.apply([]byte("irrelevant"), t0.Add(3*time.Hour))
	assert.Error(t, err)

	// A receipt applied while the clock is back is refused too.
	push, err := m.station.Push(id, t0.Add(3*time.Hour))
	require.NoError(t, err)
	before := m.state()
	_, err = m.apply(push, t0.Add(3*time.Hour))
	assert.ErrorIs(t, err, client.ErrClockTampered)
	assert.Equal(t, before, m.state())
}

// TestClockForwardThenBackInProcess: an application that saw a later time
// notices the clock going back, though it never writes the state.
func TestClockForwardThenBackInProcess(t *testing.T) {
	m := newMachine(t, "ws-lab-042", clienttest.NewStation(1))
	m.activate(t0, "render")
	c := m.client()
	_, err := c.Check("render", t0.Add(100*time.Hour))
	require.NoError(t, err)
	_, err = c.Check("render", t0.Add(90*time.Hour))
	assert.NoError(t, err, "inside the tolerance")
	_, err = c.Check("render", t0.Add(50*time.Hour))
	assert.ErrorIs(t, err, client.ErrClockTampered)
	assert.ErrorContains(t, err, "2 days 2h behind the latest time this machine has seen (2026-11-27 14:00 UTC)")

	_, err = m.client().Check("render", t0.Add(50*time.Hour))
	assert.NoError(t, err, "a new process only knows the sealed mark")
}

// TestRequestReportsClockSetBack: requests are still written when the
// clock is behind, and carry the high-water mark for the station.
func TestRequestReportsClockSetBack(t *testing.T) {
	m := newMachine(t, "ws-lab-042", clienttest.NewStation(1))
	m.activate(t0, "render")
	now := t0.Add(-48 * time.Hour)
	req := m.request(now)
	a, err := request.VerifyActivation(req)
	require.NoError(t, err)
	assert.Equal(t, now, a.Time)
	assert.Equal(t, t0.Add(2*time.Hour), a.HighWater)
	assert.Equal(t, 50*time.Hour, a.ClockBehind())

	req = m.request(t0.Add(3 * time.Hour))
	a, err = request.VerifyActivation(req)
	require.NoError(t, err)
	assert.Zero(t, a.ClockBehind())
}

// TestHighWaterFollowsReceipts: a receipt from a station whose clock runs
// ahead raises the mark to its issue time, and applies without alarm.
func TestHighWaterFollowsReceipts(t *testing.T) {
	m := newMachine(t, "ws-lab-042", clienttest.NewStation(1))
	req := m.request(t0)
	receipt, err := m.station.Activate(req, t0.Add(10*time.Hour))
	require.NoError(t, err)
	_, err = m.apply(receipt, t0.Add(time.Hour))
	require.NoError(t, err, "a station ten hours ahead is inside the tolerance")
	h := m.home()
	assert.Equal(t, t0.Add(10*time.Hour), h.HighWater())
	_, err = m.client().Check("render", t0.Add(2*time.Hour))
	assert.NoError(t, err, "valid from its issue time, though the clock is behind it")
}
