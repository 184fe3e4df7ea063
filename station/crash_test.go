package station_test

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/airlock-dev/airlock/request"
	"github.com/airlock-dev/airlock/response"
	"github.com/airlock-dev/airlock/station"
	"github.com/airlock-dev/airlock/wire"
)

// crashSeats is the license's pool in the crash test.
const crashSeats = 10

// crashWorker issues without end: activations (one-hour leases), refreshes
// and returns at random, at cfg.Now. It writes each receipt to stdout, one
// base64 line in one write, only after Issue returned (the transaction
// committed). The test kills it at a random point.
func crashWorker(cfg workerConfig, st *station.Station) error {
	m := newMachine(cfg.Name, cfg.Name, cfg.Name)
	rng := rand.New(rand.NewPCG(uint64(cfg.Now.Unix()), uint64(time.Now().UnixNano())))
	var held []heldLease
	out := os.Stdout
	for i := 0; i < 10_000; i++ {
		var req []byte
		var err error
		k := -1
		switch op := rng.IntN(3); {
		case len(held) > 0 && op == 0:
			k = rng.IntN(len(held))
			h := held[k]
			req, err = m.signReturn(h.id, h.serial, h.seq, cfg.Now, nil)
		case len(held) > 0 && op == 1:
			k = rng.IntN(len(held))
			h := held[k]
			q := &request.Refresh{Header: request.Header{Time: cfg.Now}, LeaseID: h.id, Serial: h.serial, LedgerSeq: h.seq, Lease: time.Hour}
			req, err = q.Sign(m.key)
		default:
			req, err = m.signActivation(cfg.LicenseKey, cfg.Now, func(a *request.Activation) { a.Lease = time.Hour })
		}
		if err != nil {
			return err
		}
		res, err := st.Issue(ctx, req, cfg.Now)
		if errors.Is(err, station.ErrNoSeat) {
			continue
		}
		if err != nil {
			return err
		}
		if res.Usage.Active > crashSeats {
			return fmt.Errorf("oversold: %d in use", res.Usage.Active)
		}
		if _, err := io.WriteString(out, base64.StdEncoding.EncodeToString(res.Receipt)+"\n"); err != nil {
			return err
		}
		switch {
		case res.Type == wire.DeactivationReceipt:
			held = append(held[:k], held[k+1:]...)
		case k >= 0:
			held[k] = heldLease{res.Lease.ID, res.Lease.Serial, res.Lease.LedgerSeq}
		default:
			held = append(held, heldLease{res.Lease.ID, res.Lease.Serial, res.Lease.LedgerSeq})
		}
	}
	return nil
}

// An issuing process is killed with SIGKILL at a random point, again and
// again (200 times; AIRLOCK_CRASH_RUNS for a longer run). After every kill
// no seat is oversold and every receipt the process wrote out is in the
// database; every 25 kills and at the end the file passes PRAGMA
// integrity_check and the ledger audit.
func TestCrashRecovery(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("needs SIGKILL")
	}
	runs := envInt("AIRLOCK_CRASH_RUNS", 200)
	if testing.Short() {
		runs = 40
	}
	f := newFixture(t)
	lic := f.addLicense(func(l *station.License) { l.Seats = crashSeats })
	rng := rand.New(rand.NewPCG(1, uint64(time.Now().UnixNano())))
	start := time.Now()
	var receipts, midway int
	for run := range runs {
		// Each run is two hours after the one before, so the one-hour
		// leases of a killed run have ended when the next begins.
		now := t0.Add(time.Duration(run) * 2 * time.Hour)
		cmd := workerCommand(t, "crash", workerConfig{DB: f.path, LicenseKey: lic.Key, Name: fmt.Sprintf("run-%d", run), Now: now})
		stdout, err := cmd.StdoutPipe()
		require.NoError(t, err)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		require.NoError(t, cmd.Start())

		lines := make(chan []byte, 1024)
		var read sync.WaitGroup
		read.Go(func() {
			defer close(lines)
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				lines <- bytes.Clone(sc.Bytes())
			}
		})
		// Kill at a random point: a quarter of the runs at a random
		// instant from the start (opening, recovering the WAL), the rest
		// after a random number of receipts and a random pause.
		var got [][]byte
		if rng.IntN(4) == 0 {
			time.Sleep(time.Duration(rng.IntN(150)) * time.Millisecond)
		} else {
			want := rng.IntN(30)
			for len(got) < want {
				l, ok := <-lines
				if !ok {
					break
				}
				got = append(got, l)
			}
			time.Sleep(time.Duration(rng.IntN(3000)) * time.Microsecond)
		}
		require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
		for l := range lines {
			got = append(got, l)
		}
		read.Wait()
		err = cmd.Wait()
		var exit interface{ ExitCode() int }
		if !errors.As(err, &exit) || exit.ExitCode() != -1 {
			t.Fatalf("run %d: the worker was not killed but ended: %v\n%s", run, err, stderr.String())
		}
		if len(got) > 0 {
			midway++
		}
		receipts += len(got)
		f.checkReceipts(run, got)
		u, err := f.st.LicenseUsage(ctx, lic.ID, now)
		require.NoError(t, err)
		require.LessOrEqual(t, u.Active, crashSeats, "run %d oversold", run)
		if run%25 == 24 || run == runs-1 {
			f.checkDatabase()
		}
	}
	t.Logf("%d kills in %s; %d receipts written out before the kill, all in the database; %d kills after the first receipt",
		runs, time.Since(start).Round(time.Millisecond), receipts, midway)
}

// checkReceipts checks that every receipt a killed process wrote out is
// the one the ledger entry it names recorded, for the lease and serial it
// names.
func (f *fixture) checkReceipts(run int, lines [][]byte) {
	f.t.Helper()
	for _, l := range lines {
		data, err := base64.StdEncoding.DecodeString(string(l))
		require.NoError(f.t, err, "run %d", run)
		r, err := response.ParseUnverified(data)
		require.NoError(f.t, err, "run %d", run)
		stored := mustReceipt(f.t.(*testing.T), f, r.LedgerSeq)
		require.Equal(f.t, data, stored, "run %d: receipt for lease %s serial %d is not in the database", run, r.LeaseID, r.Serial)
	}
}

// resubmitWorker submits one request cfg.Calls times from cfg.Goroutines
// goroutines and writes the SHA-256 of each answer, one per line.
func resubmitWorker(cfg workerConfig, st *station.Station) error {
	var mu sync.Mutex
	var wg sync.WaitGroup
	var firstErr error
	for range cfg.Goroutines {
		wg.Go(func() {
			for range cfg.Calls / cfg.Goroutines {
				res, err := st.Issue(ctx, cfg.Request, cfg.Now)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				if err == nil {
					fmt.Fprintf(os.Stdout, "%s\n", sha256Hex(res.Receipt))
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return firstErr
}

// The same activation request submitted 1,000 times, from 20 station
// processes one after another (restarts) with 5 goroutines each, holds
// exactly one seat and gets the same receipt every time.
func TestResubmissionAcrossRestarts(t *testing.T) {
	restarts, perRun := 20, 50
	if testing.Short() {
		restarts = 4
	}
	f := newFixture(t)
	lic := f.addLicense(nil)
	req := alice.activation(t, lic.Key, t0, nil)
	answers := map[string]int{}
	for run := range restarts {
		now := t0.Add(time.Duration(run) * time.Minute)
		cmd := workerCommand(t, "resubmit", workerConfig{DB: f.path, Request: req, Calls: perRun, Goroutines: 5, Now: now})
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		require.NoError(t, cmd.Run(), stderr.String())
		for _, l := range bytes.Fields(stdout.Bytes()) {
			answers[string(l)]++
		}
	}
	require.Len(t, answers, 1, "one receipt, byte for byte")
	for _, n := range answers {
		assert.Equal(t, restarts*perRun, n)
	}
	assert.Equal(t, 1, f.count("SELECT count(*) FROM leases"))
	assert.Equal(t, 1, f.count("SELECT count(*) FROM leases WHERE status = 'active'"))
	assert.Equal(t, 1, f.count("SELECT count(*) FROM requests"))
	assert.Equal(t, 1, f.count("SELECT count(*) FROM ledger WHERE kind = ?", station.EventLeaseActivate))
	f.checkDatabase()
}
