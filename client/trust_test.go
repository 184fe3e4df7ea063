package client_test

import (
	"testing"
	"time"

	"github.com/airlock-dev/airlock/client"
	"github.com/airlock-dev/airlock/client/clienttest"
	"github.com/airlock-dev/airlock/crypto"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func rollover(t *testing.T, signer, next *clienttest.Station, version uint64, retire time.Time) []byte {
	t.Helper()
	r := &crypto.Rollover{NewKey: next.Public(), Name: "acme-2027", Version: version, IssuedAt: t0, RetireSignerAt: retire}
	msg, err := r.Sign(signer.Key)
	require.NoError(t, err)
	return msg
}

func TestTrustUpdate(t *testing.T) {
	old, next := clienttest.NewStation(1), clienttest.NewStation(2)
	m := newMachine(t, "ws-lab-042", old)
	id, _ := m.activate(t0, "render")
	retire := t0.Add(10 * 24 * time.Hour)

	// Before the rollover, the new key's receipts are refused.
	receipt, err := next.Activate(m.request(t0.Add(3*time.Hour)), t0.Add(3*time.Hour))
	require.NoError(t, err)
	_, err = m.apply(receipt, t0.Add(3*time.Hour))
	assert.ErrorIs(t, err, crypto.ErrUnknownKey)

	stmt := rollover(t, old, next, 1, retire)
	m.with(func(h *client.Home) {
		u, err := h.UpdateTrust(stmt, t0.Add(4*time.Hour))
		require.NoError(t, err)
		assert.False(t, u.Already)
		assert.Equal(t, next.Public(), u.Rollover.NewKey)
		require.NotNil(t, u.Retired)
		assert.Equal(t, "acme", u.Retired.Name)
		assert.Equal(t, uint64(1), h.Trust().Version)
		assert.Len(t, h.Trust().Keys, 2)
	})

	// Now they apply; the same statement again is harmless.
	_, err = m.apply(receipt, t0.Add(5*time.Hour))
	require.NoError(t, err)
	before := m.state()
	m.with(func(h *client.Home) {
		u, err := h.UpdateTrust(stmt, t0.Add(6*time.Hour))
		require.NoError(t, err)
		assert.True(t, u.Already)
	})
	assert.Equal(t, before, m.state())

	// A different statement of a version already reached is refused.
	third := clienttest.NewStation(3)
	m.with(func(h *client.Home) {
		_, err := h.UpdateTrust(rollover(t, old, third, 1, time.Time{}), t0.Add(6*time.Hour))
		assert.ErrorIs(t, err, crypto.ErrStaleRollover)
		_, err = h.UpdateTrust(rollover(t, third, third, 2, time.Time{}), t0.Add(6*time.Hour))
		assert.ErrorIs(t, err, crypto.ErrUnknownKey, "only a trusted key can introduce one")
	})
	assert.Equal(t, before, m.state())

	// The old key's lease, issued before its retirement, still works; a
	// receipt it issues after the retirement is refused.
	_, err = m.client().Check("render", t0.Add(6*time.Hour))
	assert.NoError(t, err)
	late, err := old.Push(id, retire.Add(time.Hour))
	require.NoError(t, err)
	_, err = m.apply(late, retire.Add(time.Hour))
	assert.ErrorIs(t, err, crypto.ErrKeyRetired)
}
