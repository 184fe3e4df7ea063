package station_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/airlock-dev/airlock/station"
	"github.com/airlock-dev/airlock/wire"
)

// churnCounts is what one churning loop did.
type churnCounts struct {
	Issued, Returned, NoSeat int
}

func (c *churnCounts) add(o churnCounts) {
	c.Issued += o.Issued
	c.Returned += o.Returned
	c.NoSeat += o.NoSeat
}

type heldLease struct {
	id          wire.LeaseID
	serial, seq uint64
}

// churn makes calls activate and return requests against a license of
// seats seats, as one machine: return a held lease or ask for a new one,
// at random. It fails if the station ever reports more than seats in use.
func churn(st *station.Station, key, name string, calls, seats int, now time.Time) (churnCounts, error) {
	var c churnCounts
	m := newMachine(name, name, name)
	rng := rand.New(rand.NewPCG(uint64(len(name)), uint64(time.Now().UnixNano())))
	var held []heldLease
	for range calls {
		if len(held) > 0 && rng.IntN(2) == 0 {
			k := rng.IntN(len(held))
			h := held[k]
			req, err := m.signReturn(h.id, h.serial, h.seq, now, nil)
			if err != nil {
				return c, err
			}
			res, err := st.Issue(ctx, req, now)
			if err != nil {
				return c, fmt.Errorf("return: %w", err)
			}
			if res.Type != wire.DeactivationReceipt || res.Replayed {
				return c, fmt.Errorf("return answered with a %s (replayed %v)", res.Type, res.Replayed)
			}
			held = append(held[:k], held[k+1:]...)
			c.Returned++
			continue
		}
		req, err := m.signActivation(key, now, nil)
		if err != nil {
			return c, err
		}
		res, err := st.Issue(ctx, req, now)
		if errors.Is(err, station.ErrNoSeat) {
			c.NoSeat++
			continue
		}
		if err != nil {
			return c, fmt.Errorf("activation: %w", err)
		}
		if res.Usage.Active > seats {
			return c, fmt.Errorf("oversold: %d of %d seats in use after an activation", res.Usage.Active, seats)
		}
		held = append(held, heldLease{res.Lease.ID, res.Lease.Serial, res.Lease.LedgerSeq})
		c.Issued++
	}
	return c, nil
}

func churnWorker(cfg workerConfig, st *station.Station) error {
	var total churnCounts
	var mu sync.Mutex
	var wg sync.WaitGroup
	errs := make(chan error, cfg.Goroutines)
	for g := range cfg.Goroutines {
		wg.Go(func() {
			c, err := churn(st, cfg.LicenseKey, fmt.Sprintf("%s-%d", cfg.Name, g), cfg.Calls/cfg.Goroutines, churnSeats, cfg.Now)
			mu.Lock()
			total.add(c)
			mu.Unlock()
			if err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(total)
}

const churnSeats = 50

// 32 goroutines in this process and 4 station processes make 10,000
// activate and return calls between them on one database, over 50 seats.
// Never are more than 50 in use, and at the end active = issued − returned.
func TestConcurrentIssuance(t *testing.T) {
	const (
		goroutines = 32
		procs      = 4
		perProc    = 2 // goroutines in each process
	)
	total := envInt("AIRLOCK_CONCURRENCY_CALLS", 10_000)
	if testing.Short() {
		total = 2_000
	}
	procCalls := total / 5 / procs // a fifth of the calls from the other processes
	inCalls := (total - procCalls*procs) / goroutines

	f := newFixture(t)
	lic := f.addLicense(func(l *station.License) { l.Seats = churnSeats; l.MaxLease = 720 * time.Hour })

	// A watcher reads the database as the calls go on.
	var maxSeen atomic.Int64
	stop := make(chan struct{})
	var watch sync.WaitGroup
	watch.Go(func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
			n := int64(f.count("SELECT count(*) FROM leases WHERE status = 'active'"))
			if n > maxSeen.Load() {
				maxSeen.Store(n)
			}
		}
	})

	start := time.Now()
	var cmds []*cmdOut
	for p := range procs {
		cmd := workerCommand(t, "churn", workerConfig{DB: f.path, LicenseKey: lic.Key, Name: fmt.Sprintf("proc%d", p),
			Calls: procCalls, Goroutines: perProc, Now: t0})
		co := &cmdOut{cmd: cmd}
		cmd.Stdout, cmd.Stderr = &co.stdout, &co.stderr
		require.NoError(t, cmd.Start())
		cmds = append(cmds, co)
	}

	var mu sync.Mutex
	var counts churnCounts
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			c, err := churn(f.st, lic.Key, fmt.Sprintf("local-%d", g), inCalls, churnSeats, t0)
			assert.NoError(t, err)
			mu.Lock()
			counts.add(c)
			mu.Unlock()
		})
	}
	wg.Wait()
	for _, co := range cmds {
		require.NoError(t, co.cmd.Wait(), "worker: %s", co.stderr.String())
		var c churnCounts
		require.NoError(t, json.Unmarshal(co.stdout.Bytes(), &c), co.stdout.String())
		counts.add(c)
	}
	close(stop)
	watch.Wait()
	t.Logf("%d calls in %s: %d issued, %d returned, %d refused for want of a seat; at most %d active seen",
		counts.Issued+counts.Returned+counts.NoSeat, time.Since(start).Round(time.Millisecond),
		counts.Issued, counts.Returned, counts.NoSeat, maxSeen.Load())

	assert.Equal(t, inCalls*goroutines+procCalls*procs, counts.Issued+counts.Returned+counts.NoSeat)
	assert.LessOrEqual(t, maxSeen.Load(), int64(churnSeats))
	active := f.count("SELECT count(*) FROM leases WHERE status = 'active'")
	assert.Equal(t, counts.Issued-counts.Returned, active, "active = issued - returned")
	assert.Equal(t, counts.Issued, f.count("SELECT count(*) FROM leases"))
	assert.Equal(t, counts.Returned, f.count("SELECT count(*) FROM leases WHERE status = 'returned'"))
	assert.Positive(t, counts.NoSeat, "the seats ran out at times")
	f.checkDatabase()
}

type cmdOut struct {
	cmd            *exec.Cmd
	stdout, stderr bytes.Buffer
}
