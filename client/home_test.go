package client_test

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/airlock-dev/airlock/client"
	"github.com/airlock-dev/airlock/client/clienttest"
	"github.com/airlock-dev/airlock/crypto"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestInit(t *testing.T) {
	s := clienttest.NewStation(1)
	dir := filepath.Join(t.TempDir(), "a", "home")
	opts := client.WithComponents(clienttest.Collector(clienttest.Machine("ws")))
	require.NoError(t, client.Init(dir, s.Public(), "acme", "", t0, opts))

	c, err := client.Open(dir, opts)
	require.NoError(t, err)
	assert.Equal(t, "issuer-"+s.Public().ID().String(), c.Product(), "a salt per vendor by default")
	st, err := c.Status(t0)
	require.NoError(t, err)
	assert.Equal(t, []client.TrustStatus{{ID: s.Public().ID().String(), Name: "acme"}}, st.Trust)
	assert.Equal(t, t0, st.Clock.HighWater)
	if runtime.GOOS != "windows" {
		for _, f := range []string{client.DeviceKeyFile, client.StateFile} {
			fi, err := os.Stat(filepath.Join(dir, f))
			require.NoError(t, err)
			assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), f)
		}
	}

	key, err := os.ReadFile(filepath.Join(dir, client.DeviceKeyFile))
	require.NoError(t, err)
	err = client.Init(dir, s.Public(), "acme", "", t0, opts)
	assert.ErrorIs(t, err, client.ErrAlreadyInitialised)
	assert.ErrorContains(t, err, "refusing to replace its device key and leases")
	again, err := os.ReadFile(filepath.Join(dir, client.DeviceKeyFile))
	require.NoError(t, err)
	assert.Equal(t, key, again, "the device key is never overwritten")

	// An init interrupted after the device key is completed with that key.
	require.NoError(t, os.Remove(filepath.Join(dir, client.StateFile)))
	_, err = client.Open(dir, opts)
	assert.ErrorContains(t, err, "state is missing")
	require.NoError(t, client.Init(dir, s.Public(), "acme", "cad", t0, opts))
	again, err = os.ReadFile(filepath.Join(dir, client.DeviceKeyFile))
	require.NoError(t, err)
	assert.Equal(t, key, again)

	assert.ErrorContains(t, client.Init(t.TempDir(), s.Public(), "acme", "no spaces", t0), `name "no spaces" may hold only`)
	assert.ErrorContains(t, client.Init(t.TempDir(), s.Public(), "", "cad", t0), "key name")
}

// TestTampered: any edit of the state, of the trust store inside it, or
// a device key that is not the one that sealed it, is refused.
func TestTampered(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(t *testing.T, m *machine, state []byte) []byte
		wantMsg string
	}{
		{
			name: "high-water mark lowered",
			edit: func(t *testing.T, m *machine, state []byte) []byte {
				return bytes.Replace(state, []byte(`"high_water":17954`), []byte(`"high_water":17953`), 1)
			},
			wantMsg: "its seal does not verify: it was edited, or it belongs with another device key",
		},
		{
			name: "tombstone removed",
			edit: func(t *testing.T, m *machine, state []byte) []byte {
				i := bytes.Index(state, []byte(`"tombstones":[`))
				require.Positive(t, i)
				return append(append([]byte{}, state[:i]...), []byte(`"tombstones":null}`+"\n")...)
			},
			wantMsg: "its seal does not verify",
		},
		{
			name: "trust store given another key",
			edit: func(t *testing.T, m *machine, state []byte) []byte {
				other := clienttest.NewStation(9).Public()
				trust, err := crypto.NewTrustStore("acme", other)
				require.NoError(t, err)
				line := strings.SplitN(string(trust.Marshal()), "\n", 4)[2]
				mine := strings.SplitN(string(mustTrust(t, m).Marshal()), "\n", 4)[2]
				return bytes.Replace(state, []byte(mine), []byte(line), 1)
			},
			wantMsg: "its seal does not verify",
		},
		{
			name: "device key replaced",
			edit: func(t *testing.T, m *machine, state []byte) []byte {
				path := filepath.Join(m.dir, client.DeviceKeyFile)
				require.NoError(t, os.Remove(path))
				k, err := crypto.GenerateKey(nil)
				require.NoError(t, err)
				require.NoError(t, crypto.WriteDeviceKey(path, k))
				return state
			},
			wantMsg: "its seal does not verify",
		},
		{
			name: "another home's state",
			edit: func(t *testing.T, m *machine, state []byte) []byte {
				return newMachine(t, "ws-lab-042", m.station).state()
			},
			wantMsg: "its seal does not verify",
		},
		{
			name: "header line damaged",
			edit: func(t *testing.T, m *machine, state []byte) []byte {
				return append([]byte("airlock state v2"), state[len("airlock state v1"):]...)
			},
			wantMsg: `malformed state record: the first line is not "airlock state v1 hmac-sha256=<mac>"`,
		},
		{
			name: "truncated",
			edit: func(t *testing.T, m *machine, state []byte) []byte {
				return state[:len(state)/2]
			},
			wantMsg: "its seal does not verify",
		},
		{
			name: "empty",
			edit: func(t *testing.T, m *machine, state []byte) []byte {
				return nil
			},
			wantMsg: "malformed state record",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMachine(t, "ws-lab-042", clienttest.NewStation(1))
			id, _ := m.activate(t0)
			m.activate(t0)
			m.giveBack(id, t0.Add(3*time.Hour))
			path := filepath.Join(m.dir, client.StateFile)
			require.NoError(t, os.WriteFile(path, tt.edit(t, m, m.state()), 0o600))

			_, err := client.Open(m.dir, m.opts()...)
			var te *client.TamperError
			require.ErrorAs(t, err, &te)
			assert.Equal(t, path, te.Path)
			assert.ErrorIs(t, err, client.ErrStateTampered)
			assert.ErrorContains(t, err, "state record "+path+" was tampered with: "+tt.wantMsg)
			_, err = client.OpenHome(m.dir, m.opts()...)
			assert.ErrorIs(t, err, client.ErrStateTampered, "nothing can change a tampered state")
		})
	}
}

func mustTrust(t *testing.T, m *machine) *crypto.TrustStore {
	t.Helper()
	var trust *crypto.TrustStore
	m.with(func(h *client.Home) { trust = h.Trust() })
	return trust
}

func TestLock(t *testing.T) {
	m := newMachine(t, "ws-lab-042", clienttest.NewStation(1))
	h, err := client.OpenHome(m.dir, m.opts()...)
	require.NoError(t, err)
	_, err = client.OpenHome(m.dir, append(m.opts(), client.WithLockWait(50*time.Millisecond))...)
	assert.ErrorIs(t, err, client.ErrBusy)
	assert.ErrorContains(t, err, "another airlock process is changing the state (waited 50ms")

	// Readers never need the lock.
	_, err = m.client().Check("render", t0)
	assert.ErrorIs(t, err, client.ErrNotLicensed)

	require.NoError(t, h.Close())
	h, err = client.OpenHome(m.dir, m.opts()...)
	require.NoError(t, err)
	require.NoError(t, h.Close())
}

// TestReadOnlyHome: an application that may only read the home can
// Check; it cannot Record.
func TestReadOnlyHome(t *testing.T) {
	if runtime.GOOS == "windows" || os.Geteuid() == 0 {
		t.Skip("needs Unix permissions that bind (not root)")
	}
	m := newMachine(t, "ws-lab-042", clienttest.NewStation(1))
	m.activate(t0, "render")
	require.NoError(t, os.Chmod(m.dir, 0o500))
	t.Cleanup(func() { os.Chmod(m.dir, 0o700) })
	require.NoError(t, os.Remove(filepath.Join(m.dir, client.LockFile)))

	c := m.client()
	_, err := c.Check("render", t0.Add(3*time.Hour))
	assert.NoError(t, err)
	assert.ErrorIs(t, c.Record("render", 1, t0.Add(3*time.Hour)), os.ErrPermission)
}

func TestDefaultHomes(t *testing.T) {
	t.Setenv(client.EnvHome, "/srv/airlock")
	h, err := client.DefaultHome()
	require.NoError(t, err)
	assert.Equal(t, "/srv/airlock", h)

	t.Setenv(client.EnvHome, "")
	h, err = client.DefaultHome()
	if err == nil {
		assert.Equal(t, "airlock", filepath.Base(h))
	}
	switch runtime.GOOS {
	case "linux":
		assert.Equal(t, "/var/lib/airlock", client.SystemHome())
	case "darwin":
		assert.Equal(t, "/Library/Application Support/airlock", client.SystemHome())
	}
}
