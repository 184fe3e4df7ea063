package client

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/airlock-dev/airlock/client/internal/flock"
	"github.com/airlock-dev/airlock/client/internal/record"
	"github.com/airlock-dev/airlock/crypto"
	"github.com/airlock-dev/airlock/internal/atomicfile"
	"github.com/airlock-dev/airlock/wire"
)

const (
	returnedKind = record.Returned
	revokedKind  = record.Revoked
	// maxPending is how many unanswered requests a home keeps; the oldest
	// is forgotten first, and a receipt answering it is then refused.
	maxPending = 64
)

// Home is a home opened for changing it: it holds the home's lock until
// Close. The airlock command uses it; applications use Open and Check.
type Home struct {
	b    *base
	lock *flock.Lock
	snap *snapshot
}

// OpenHome locks the home at dir ("" for DefaultHome) and loads and
// verifies its state.
func OpenHome(dir string, opts ...Option) (*Home, error) {
	if dir == "" {
		var err error
		if dir, err = DefaultHome(); err != nil {
			return nil, err
		}
	}
	b, err := openBase(dir, makeOptions(opts))
	if err != nil {
		return nil, err
	}
	return openHome(b)
}

func openHome(b *base) (*Home, error) {
	l, err := lockHome(b.dir, b.opts.lockWait)
	if err != nil {
		return nil, err
	}
	s, err := b.load()
	if err != nil {
		l.Release()
		return nil, err
	}
	return &Home{b: b, lock: l, snap: s}, nil
}

func lockHome(dir string, wait time.Duration) (*flock.Lock, error) {
	l, err := flock.Acquire(filepath.Join(dir, LockFile), wait)
	if errors.Is(err, flock.ErrBusy) {
		return nil, fmt.Errorf("%w (waited %s for %s)", ErrBusy, wait, filepath.Join(dir, LockFile))
	}
	if err != nil {
		return nil, fmt.Errorf("locking the airlock home: %w", err)
	}
	return l, nil
}

// Close releases the lock.
func (h *Home) Close() error { return h.lock.Release() }

// Dir is the home's directory.
func (h *Home) Dir() string { return h.b.dir }

// DeviceKey is this installation's public device key.
func (h *Home) DeviceKey() crypto.PublicKey { return h.b.device.Public() }

// Product is the name whose salt the fingerprint uses.
func (h *Home) Product() string { return h.snap.st.Product }

// Trust is a copy of the trust store.
func (h *Home) Trust() *crypto.TrustStore {
	t, _ := crypto.ParseTrustStore(h.snap.trust.Marshal())
	return t
}

// HighWater is the latest time this machine has seen.
func (h *Home) HighWater() time.Time { return h.snap.hwm }

// commit writes next as the new state, atomically, raising the high-water
// mark to the latest of its own, now and seen, and reloads.
func (h *Home) commit(next *record.State, now time.Time, seen ...time.Time) error {
	next.Generation = h.snap.st.Generation + 1
	hwm := later(append(seen, unix(next.HighWater), now)...)
	next.HighWater = hwm.Unix()
	data, err := record.Marshal(h.b.seal, next)
	if err != nil {
		return err
	}
	perm := h.snap.info.Mode().Perm() // keep what an administrator set
	if commitHook != nil {
		commitHook(data)
	}
	if err := atomicfile.WriteFile(h.b.statePath(), data, perm); err != nil {
		return fmt.Errorf("writing the state: %w", err)
	}
	h.removeLeftovers()
	s, err := h.b.load()
	if err != nil {
		return err
	}
	h.snap = s
	return nil
}

// commitHook, when set by a test, sees every state file before it is
// written.
var commitHook func(data []byte)

// removeLeftovers deletes the temporary files of writes that were killed
// half-way (one of them may hold a copy of the device key). The lock is
// held, so no write is in progress.
func (h *Home) removeLeftovers() {
	for _, pat := range []string{"." + StateFile + ".tmp*", "." + DeviceKeyFile + ".tmp*"} {
		names, _ := filepath.Glob(filepath.Join(h.b.dir, pat))
		for _, n := range names {
			os.Remove(n)
		}
	}
}

// Init makes a new home at dir: a device key (mode 0600) and a state
// trusting issuer under name. The fingerprint salt is product's; an empty
// product means "issuer-" and the issuer key's ID, a default per vendor.
// A home with a state is never touched (ErrAlreadyInitialised); a home
// with a device key but no state (an init that was interrupted) is
// completed with that key.
func Init(dir string, issuer crypto.PublicKey, name, product string, now time.Time, opts ...Option) error {
	if product == "" {
		product = "issuer-" + issuer.ID().String()
	}
	if err := wire.CheckName("product", product); err != nil {
		return err
	}
	trust, err := crypto.NewTrustStore(name, issuer)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("making the airlock home: %w", err)
	}
	l, err := lockHome(dir, makeOptions(opts).lockWait)
	if err != nil {
		return err
	}
	defer l.Release()
	statePath := filepath.Join(dir, StateFile)
	if _, err := os.Lstat(statePath); err == nil {
		return fmt.Errorf("%w in %s: refusing to replace its device key and leases", ErrAlreadyInitialised, dir)
	}
	keyPath := filepath.Join(dir, DeviceKeyFile)
	device, err := crypto.ReadDeviceKey(keyPath)
	if errors.Is(err, fs.ErrNotExist) {
		if device, err = crypto.GenerateKey(nil); err != nil {
			return err
		}
		err = crypto.WriteDeviceKey(keyPath, device)
	}
	if err != nil {
		return err
	}
	seal, err := record.SealKey(device.Seed())
	if err != nil {
		return err
	}
	st := &record.State{
		Version: record.Version, Generation: 1, Product: product,
		Created: now.Unix(), HighWater: now.Unix(), Trust: string(trust.Marshal()),
	}
	data, err := record.Marshal(seal, st)
	if err != nil {
		return err
	}
	if err := atomicfile.CreateNew(statePath, data, 0o600); err != nil {
		return fmt.Errorf("writing the state: %w", err)
	}
	return nil
}

// FindLease finds the lease s names: its 12 hex digits, or a prefix of at
// least 4 that begins exactly one lease installed or ended here.
func (h *Home) FindLease(s string) (wire.LeaseID, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if id, err := wire.ParseLeaseID(s); err == nil {
		return id, nil
	}
	if len(s) < 4 || len(s) > 2*wire.LeaseIDSize || strings.Trim(s, "0123456789abcdef") != "" {
		return wire.LeaseID{}, fmt.Errorf("lease %q is not 12 hex digits, nor a prefix of at least 4", s)
	}
	var matches []wire.LeaseID
	add := func(id wire.LeaseID) {
		if strings.HasPrefix(id.String(), s) {
			matches = append(matches, id)
		}
	}
	for _, l := range h.snap.leases {
		add(l.r.LeaseID)
	}
	for _, t := range h.snap.tombs {
		if id, err := wire.ParseLeaseID(t.rec.ID); err == nil {
			add(id)
		}
	}
	if len(matches) != 1 {
		return wire.LeaseID{}, &UnknownLeaseError{ID: s, Matches: matches}
	}
	return matches[0], nil
}

// installed returns the installed lease id, or nil.
func (s *snapshot) installed(id wire.LeaseID) *lease {
	for _, l := range s.leases {
		if l.r.LeaseID == id {
			return l
		}
	}
	return nil
}

// ended returns the tombstone of lease id, or nil.
func (s *snapshot) ended(id wire.LeaseID) *tomb {
	for _, t := range s.tombs {
		if t.rec.ID == id.String() {
			return t
		}
	}
	return nil
}

// endedError says that lease id ended here.
func (t *tomb) endedError(id wire.LeaseID) error {
	if t.rec.Kind == revokedKind {
		return &RevokedError{Lease: id, At: unix(t.rec.At)}
	}
	return &ReturnedError{Lease: id, At: unix(t.rec.At)}
}

// Record adds n to feature's meter on the lease that grants it at now.
func (h *Home) Record(feature string, n uint64, now time.Time) error {
	s := h.snap
	e, err := s.check(feature, now, s.hwm)
	if err != nil {
		return err
	}
	if n == 0 {
		return nil
	}
	if e.Limited && (n > e.Limit || e.Used > e.Limit-n) {
		return &LimitError{Feature: feature, Lease: e.Lease, Limit: e.Limit, Used: e.Used, Want: n}
	}
	if e.Used+n < e.Used {
		return fmt.Errorf("feature %q: meter would overflow", feature)
	}
	next := s.st.Clone()
	for i := range next.Leases {
		l := &next.Leases[i]
		if l.ID == e.Lease.String() {
			if l.Meters == nil {
				l.Meters = map[string]uint64{}
			}
			l.Meters[feature] += n
		}
	}
	return h.commit(next, now)
}
