package client

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"time"

	"github.com/airlock-dev/airlock/client/internal/record"
	"github.com/airlock-dev/airlock/crypto"
	"github.com/airlock-dev/airlock/fingerprint"
	"github.com/airlock-dev/airlock/response"
	"github.com/airlock-dev/airlock/wire"
)

// Files in a home.
const (
	DeviceKeyFile = "device.key"
	StateFile     = "state"
	LockFile      = "lock"
)

// EnvHome is the environment variable that names the home when none is
// given.
const EnvHome = "AIRLOCK_HOME"

// DefaultHome is the home used when none is given: $AIRLOCK_HOME, else
// "airlock" in the user's configuration directory (os.UserConfigDir:
// ~/.config/airlock on Linux, ~/Library/Application Support/airlock on
// macOS, %AppData%\airlock on Windows).
func DefaultHome() (string, error) {
	if h := os.Getenv(EnvHome); h != "" {
		return h, nil
	}
	return UserHome()
}

// UserHome is the per-user home: "airlock" in os.UserConfigDir.
func UserHome() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("finding the per-user airlock home: %w", err)
	}
	return filepath.Join(dir, "airlock"), nil
}

// SystemHome is the documented system-wide home for machines shared by
// several users: /var/lib/airlock on Linux and other Unix systems,
// /Library/Application Support/airlock on macOS, %ProgramData%\airlock on
// Windows. Airlock never picks it by itself; give it with --home or
// AIRLOCK_HOME.
func SystemHome() string {
	switch runtime.GOOS {
	case "windows":
		pd := os.Getenv("ProgramData")
		if pd == "" {
			pd = `C:\ProgramData`
		}
		return filepath.Join(pd, "airlock")
	case "darwin":
		return "/Library/Application Support/airlock"
	}
	return "/var/lib/airlock"
}

// Option adjusts Open, OpenHome and Init.
type Option func(*options)

type options struct {
	components func() ([]fingerprint.Component, error)
	lockWait   time.Duration
}

func makeOptions(opts []Option) options {
	o := options{components: fingerprint.Collect, lockWait: 10 * time.Second}
	for _, f := range opts {
		f(&o)
	}
	return o
}

// WithComponents replaces the machine's fingerprint collector
// (fingerprint.Collect): for tests that play another machine, and for
// platforms the fingerprint package does not cover.
func WithComponents(collect func() ([]fingerprint.Component, error)) Option {
	return func(o *options) { o.components = collect }
}

// WithLockWait sets how long a state-changing call waits for another
// process that holds the home's lock (10 s by default).
func WithLockWait(d time.Duration) Option {
	return func(o *options) { o.lockWait = d }
}

// base is what stays the same for one home while a process runs: the
// device key, the seal key, and the machine's fingerprint (collected once:
// it is slow).
type base struct {
	dir    string
	device *crypto.PrivateKey
	seal   []byte
	opts   options

	once    sync.Once
	machine fingerprint.Set
	machErr error
}

func openBase(dir string, opts options) (*base, error) {
	if dir == "" {
		return nil, errors.New("no airlock home given")
	}
	for _, f := range []string{DeviceKeyFile, StateFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); errors.Is(err, fs.ErrNotExist) {
			return nil, &NotInitialisedError{Home: dir, Missing: f}
		}
	}
	device, err := crypto.ReadDeviceKey(filepath.Join(dir, DeviceKeyFile))
	if err != nil {
		return nil, fmt.Errorf("reading the device key: %w", err)
	}
	seal, err := record.SealKey(device.Seed())
	if err != nil {
		return nil, err
	}
	return &base{dir: dir, device: device, seal: seal, opts: opts}, nil
}

func (b *base) statePath() string { return filepath.Join(b.dir, StateFile) }

// fingerprint returns this machine's component hashes under the product's
// salt, collecting them on first use.
func (b *base) fingerprint(product string) (fingerprint.Set, error) {
	b.once.Do(func() {
		cs, err := b.opts.components()
		if err != nil {
			b.machErr = fmt.Errorf("reading this machine's fingerprint: %w", err)
			return
		}
		b.machine = fingerprint.Hashes(fingerprint.ProductSalt(product), cs)
		if len(b.machine) == 0 {
			b.machErr = fmt.Errorf("reading this machine's fingerprint: %w", fingerprint.ErrNoComponents)
		}
	})
	return b.machine, b.machErr
}

// snapshot is one verified state: the record and what was derived from it.
type snapshot struct {
	st       *record.State
	info     os.FileInfo // of the file it was read from
	trust    *crypto.TrustStore
	hwm      time.Time
	leases   []*lease
	features map[string][]*lease // installed leases per feature, latest expiry first
	tombs    []*tomb
}

// lease is an installed lease with its verified receipt.
type lease struct {
	rec *record.Lease
	r   *response.Receipt
	err error // why it cannot be used on this machine, if it cannot
}

// tomb is a lease that ended here.
type tomb struct {
	rec *record.Tombstone
	r   *response.Receipt // the last receipt held, decoded for its features; nil if it does not decode
}

// maxStateFile bounds what load reads.
const maxStateFile = record.MaxSize

// load reads, unseals and verifies the state file.
func (b *base) load() (*snapshot, error) {
	path := b.statePath()
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &NotInitialisedError{Home: b.dir, Missing: StateFile}
	}
	if err != nil {
		return nil, fmt.Errorf("reading the state: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("reading the state: %w", err)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxStateFile+1))
	if err != nil {
		return nil, fmt.Errorf("reading the state: %w", err)
	}
	st, err := record.Parse(b.seal, data)
	switch {
	case errors.Is(err, record.ErrBadSeal):
		return nil, &TamperError{Path: path, Reason: "its seal does not verify: it was edited, or it belongs with another device key", Err: err}
	case err != nil:
		return nil, &TamperError{Path: path, Reason: err.Error(), Err: err}
	}
	s, err := b.derive(st)
	if err != nil {
		return nil, &TamperError{Path: path, Reason: err.Error(), Err: err}
	}
	s.info = info
	return s, nil
}

// derive checks a record's content and verifies its receipts.
func (b *base) derive(st *record.State) (*snapshot, error) {
	if err := wire.CheckName("product", st.Product); err != nil {
		return nil, err
	}
	trust, err := crypto.ParseTrustStore([]byte(st.Trust))
	if err != nil {
		return nil, err
	}
	s := &snapshot{st: st, trust: trust, hwm: unix(st.HighWater), features: map[string][]*lease{}}
	seen := map[wire.LeaseID]bool{}
	for i := range st.Leases {
		l, err := b.verifyLease(&st.Leases[i], trust, st.Product)
		if err != nil {
			return nil, err
		}
		if seen[l.r.LeaseID] {
			return nil, fmt.Errorf("lease %s is listed twice", l.r.LeaseID)
		}
		seen[l.r.LeaseID] = true
		s.leases = append(s.leases, l)
		for _, f := range l.r.Features {
			s.features[f] = append(s.features[f], l)
		}
	}
	for _, ls := range s.features {
		sort.SliceStable(ls, func(i, j int) bool { return ls[i].r.ExpiresAt.After(ls[j].r.ExpiresAt) })
	}
	for i := range st.Tombstones {
		t := &tomb{rec: &st.Tombstones[i]}
		id, err := wire.ParseLeaseID(t.rec.ID)
		if err != nil {
			return nil, err
		}
		if seen[id] {
			return nil, fmt.Errorf("lease %s is both installed and ended", id)
		}
		seen[id] = true
		t.r, _ = response.ParseUnverified(t.rec.Receipt)
		s.tombs = append(s.tombs, t)
	}
	return s, nil
}

// verifyLease verifies an installed lease's receipt. A receipt that no
// longer verifies (its key was retired by a rollover) or is bound to
// another machine stays listed, with the reason in err.
func (b *base) verifyLease(rec *record.Lease, trust *crypto.TrustStore, product string) (*lease, error) {
	u, err := response.ParseUnverified(rec.Receipt)
	if err != nil {
		return nil, fmt.Errorf("lease %s: %w", rec.ID, err)
	}
	if u.LeaseID.String() != rec.ID || u.Serial != rec.Serial || u.LedgerSeq != rec.LedgerSeq {
		return nil, fmt.Errorf("lease %s: the record does not match its receipt", rec.ID)
	}
	l := &lease{rec: rec, r: u}
	if r, err := verifyReceipt(rec.Receipt, trust); err != nil {
		l.err = fmt.Errorf("lease %s: its receipt no longer verifies: %w", rec.ID, err)
	} else {
		l.r = r
		l.err = b.matchMachine(r, product)
	}
	return l, nil
}

// matchMachine checks that a receipt is bound to this device key and, at
// its threshold, to this machine's fingerprint.
func (b *base) matchMachine(r *response.Receipt, product string) error {
	if have := b.device.Public(); !r.DeviceKey.Equal(have) {
		return &MachineError{Lease: r.LeaseID, Want: r.DeviceKey.ID(), Have: have.ID()}
	}
	set, err := b.fingerprint(product)
	if err != nil {
		return &MachineError{Lease: r.LeaseID, Err: err}
	}
	if _, err := fingerprint.Compare(r.Fingerprint, set, r.Threshold); err != nil {
		var me *fingerprint.MismatchError
		if !errors.As(err, &me) {
			return &MachineError{Lease: r.LeaseID, Err: err}
		}
		return &MachineError{Lease: r.LeaseID, Mismatch: me}
	}
	return nil
}

// verifyReceipt checks a receipt's signature, fields and issuer key
// (doc/SPEC.md §5.1 steps 1–7) but not its validity window, which the
// caller judges with the clock rules.
func verifyReceipt(data []byte, trust *crypto.TrustStore) (*response.Receipt, error) {
	u, err := response.ParseUnverified(data)
	if err != nil {
		// Verify reports the same failure, or an earlier one in the
		// format's order (type, then key).
		if _, verr := response.Verify(data, trust, time.Unix(1, 0)); verr != nil {
			return nil, verr
		}
		return nil, err
	}
	return response.Verify(data, trust, u.NotBefore)
}

func unix(s int64) time.Time { return time.Unix(s, 0).UTC() }
