//go:build unix

package client_test

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/airlock-dev/airlock/client"
	"github.com/airlock-dev/airlock/client/clienttest"
	"github.com/airlock-dev/airlock/client/internal/record"
	"github.com/airlock-dev/airlock/crypto"
	"github.com/airlock-dev/airlock/wire"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// workerEnv makes the test binary a worker that applies and returns
// leases in a loop until it is killed.
const workerEnv = "AIRLOCK_CLIENT_KILL_WORKER"

func TestMain(m *testing.M) {
	if dir := os.Getenv(workerEnv); dir != "" {
		if err := killWorker(dir); err != nil {
			fmt.Fprintln(os.Stderr, "worker:", err)
			os.Exit(3)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// killParts is the machine the worker and the test share.
var killParts = clienttest.Machine("ws-kill")

// killWorker runs whole lease lives — request, apply, refresh, apply,
// return, apply the deactivation — one command at a time, as the airlock
// command does, logging the hash of every state it is about to write.
func killWorker(dir string) error {
	log, err := os.OpenFile(filepath.Join(filepath.Dir(dir), "commits.log"), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	client.SetCommitHook(func(data []byte) {
		sum := sha256.Sum256(data)
		log.WriteString(hex.EncodeToString(sum[:]) + "\n")
		log.Sync()
	})
	station := clienttest.NewStation(1)
	station.NewID = wire.NewLeaseID
	opts := []client.Option{client.WithComponents(clienttest.Collector(killParts)), client.WithLockWait(5 * time.Second)}
	do := func(fn func(h *client.Home) error) error {
		h, err := client.OpenHome(dir, opts...)
		if err != nil {
			return err
		}
		defer h.Close()
		return fn(h)
	}
	steps, err := os.OpenFile(filepath.Join(filepath.Dir(dir), "steps.log"), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	step := func(name string, fn func(h *client.Home) error) error {
		steps.WriteString(name + "\n")
		return do(fn)
	}
	os.Stdout.WriteString("ready\n")
	// Leases a killed worker left installed are returned first.
	var left []wire.LeaseID
	if c, err := client.Open(dir, opts...); err == nil {
		st, err := c.Status(time.Now())
		if err != nil {
			return err
		}
		for _, l := range st.Leases {
			if l.Status == client.StatusActive {
				id, _ := wire.ParseLeaseID(l.ID)
				left = append(left, id)
			}
		}
	}
	for _, id := range left {
		if err := step("return", func(h *client.Home) error { _, err := h.Return(id, time.Now()); return err }); err != nil {
			return err
		}
	}
	for {
		now := time.Now()
		var (
			req, receipt []byte
			id           wire.LeaseID
		)
		cycle := []struct {
			name string
			fn   func(h *client.Home) error
		}{
			{"request", func(h *client.Home) (err error) {
				req, err = h.Request(client.Activation{License: "7K3QM9XD2HFRW4TB"}, now)
				return err
			}},
			{"apply", func(h *client.Home) error {
				if receipt, err = station.Activate(req, now); err != nil {
					return err
				}
				res, err := h.Apply(receipt, now)
				if err == nil {
					id = res.Receipt.LeaseID
				}
				return err
			}},
			{"refresh", func(h *client.Home) (err error) {
				req, err = h.Refresh(id, 0, now)
				return err
			}},
			{"apply", func(h *client.Home) error {
				if receipt, err = station.Refresh(req, now); err != nil {
					return err
				}
				_, err := h.Apply(receipt, now)
				return err
			}},
			{"return", func(h *client.Home) error {
				r, err := h.Return(id, now)
				if err != nil {
					return err
				}
				req = r.Proof
				return nil
			}},
			{"apply", func(h *client.Home) error {
				if receipt, err = station.Deactivate(req, now); err != nil {
					return err
				}
				_, err := h.Apply(receipt, now)
				return err
			}},
		}
		for _, s := range cycle {
			if err := step(s.name, s.fn); err != nil {
				return err
			}
		}
	}
}

// TestSIGKILLDuringApplyAndReturn kills a worker 200 times at random
// points of apply and return. After every kill the state must be exactly
// one of the states some process finished writing (never a torn or
// mixed one), open cleanly, and never go back in generation.
func TestSIGKILLDuringApplyAndReturn(t *testing.T) {
	kills := 200
	if testing.Short() {
		kills = 20
	}
	// The worker runs a lease's life (six state changes) in about 80 ms,
	// about three times that under the race detector: kill it anywhere in that.
	window := 100_000 // µs
	if raceEnabled {
		window = 200_000
	}
	root := t.TempDir()
	dir := filepath.Join(root, "home")
	station := clienttest.NewStation(1)
	opts := []client.Option{client.WithComponents(clienttest.Collector(killParts))}
	require.NoError(t, client.Init(dir, station.Public(), "acme", "cad", time.Now(), opts...))
	initial, err := os.ReadFile(filepath.Join(dir, client.StateFile))
	require.NoError(t, err)
	device, err := crypto.ReadDeviceKey(filepath.Join(dir, client.DeviceKeyFile))
	require.NoError(t, err)
	seal, err := record.SealKey(device.Seed())
	require.NoError(t, err)

	var generation uint64
	changed, interrupted := 0, map[string]int{}
	for i := range kills {
		before, err := os.ReadFile(filepath.Join(dir, client.StateFile))
		require.NoError(t, err)
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), workerEnv+"="+dir)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.StdoutPipe()
		require.NoError(t, err)
		require.NoError(t, cmd.Start())
		line, err := bufio.NewReader(out).ReadString('\n')
		if err != nil || line != "ready\n" {
			cmd.Wait()
			t.Fatalf("worker %d did not start: %q %v: %s", i, line, err, stderr.String())
		}
		time.Sleep(time.Duration(rand.IntN(window)) * time.Microsecond)
		require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
		err = cmd.Wait()
		require.Error(t, err, "the worker stopped by itself: %s", stderr.String())
		require.Empty(t, stderr.String())

		data, err := os.ReadFile(filepath.Join(dir, client.StateFile))
		require.NoError(t, err)
		written := committed(t, filepath.Join(root, "commits.log"))
		sum := sha256.Sum256(data)
		require.True(t, bytes.Equal(data, initial) || written[hex.EncodeToString(sum[:])],
			"kill %d left a state no process wrote: torn", i)
		st, err := record.Parse(seal, data)
		require.NoError(t, err, "kill %d", i)
		require.GreaterOrEqual(t, st.Generation, generation, "kill %d: the state went back", i)
		generation = st.Generation
		if !bytes.Equal(before, data) {
			changed++
		}
		interrupted[lastLine(t, filepath.Join(root, "steps.log"))]++
		c, err := client.Open(dir, opts...)
		require.NoError(t, err, "kill %d", i)
		_, err = c.Check("model", time.Now())
		if err != nil {
			assert.ErrorIs(t, err, client.ErrNotLicensed, "kill %d", i)
		}
	}
	t.Logf("%d kills, %d of them after the state changed, generation %d; kills by step: %v", kills, changed, generation, interrupted)
	assert.Positive(t, changed)
	if !testing.Short() {
		assert.GreaterOrEqual(t, interrupted["apply"], 20, "kills during apply")
		assert.GreaterOrEqual(t, interrupted["return"], 10, "kills during return")
	}

	// The home is still fully usable, and the next write sweeps up the
	// temporary files of killed writes.
	m := &machine{t: t, dir: dir, station: station, parts: killParts}
	station.NewID = wire.NewLeaseID
	id, _ := m.activate(time.Now())
	_, err = m.client().Check("model", time.Now().Add(3*time.Hour))
	require.NoError(t, err)
	m.giveBack(id, time.Now().Add(3*time.Hour))
	left, err := filepath.Glob(filepath.Join(dir, ".*tmp*"))
	require.NoError(t, err)
	assert.Empty(t, left)
}

// lastLine is the step the worker was in when it was killed.
func lastLine(t *testing.T, path string) string {
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return "start"
	}
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	return lines[len(lines)-1]
}

// committed reads the hashes the workers logged; a line cut short by a
// kill is ignored.
func committed(t *testing.T, path string) map[string]bool {
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	require.NoError(t, err)
	out := map[string]bool{}
	for _, l := range strings.Split(string(b), "\n") {
		if len(l) == 64 {
			out[l] = true
		}
	}
	return out
}
