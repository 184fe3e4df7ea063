package client

import (
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/airlock-dev/airlock/wire"
)

// Client answers whether features are licensed on this machine. It opens
// the home read-only: it needs to read the device key and the state, not
// to write them. It is safe for concurrent use.
type Client struct {
	b    *base
	mu   sync.Mutex // serialises reloads
	snap atomic.Pointer[snapshot]
	seen atomic.Int64 // latest time given to Check, Unix seconds
}

// Open opens the home at dir ("" for DefaultHome) for Check: it verifies
// the state record's seal, every installed receipt's signature, and each
// lease's device key and fingerprint against this machine, once. Check
// then answers from memory, and reloads when another process changes the
// state.
func Open(dir string, opts ...Option) (*Client, error) {
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
	s, err := b.load()
	if err != nil {
		return nil, err
	}
	_, _ = b.fingerprint(s.st.Product) // collect now, not in a later Check
	c := &Client{b: b}
	c.snap.Store(s)
	return c, nil
}

// Home is the directory the client reads.
func (c *Client) Home() string { return c.b.dir }

// Product is the product name whose salt the home's fingerprint uses.
func (c *Client) Product() string { return c.snap.Load().st.Product }

// Entitlement is a feature licensed here and now.
type Entitlement struct {
	Feature   string
	Lease     wire.LeaseID
	LicenseID uint64
	Product   string
	Serial    uint64
	NotBefore time.Time
	ExpiresAt time.Time
	Remaining time.Duration // until ExpiresAt
	// Limited says the feature has a consumption limit: Limit, of which
	// Used is recorded on this machine (see Record).
	Limited bool
	Limit   uint64
	Used    uint64
}

// Check returns the entitlement for feature at now, or an error saying
// why the feature cannot be used: ErrNotLicensed, ErrExpired,
// ErrNotYetValid, ErrRevoked, ErrClockTampered, ErrWrongMachine,
// ErrLimitReached, ErrStateTampered, ErrNotInitialised (each in a struct
// with the details). When several leases grant the feature, the one that
// works and ends last is used.
//
// Check costs a map lookup, the clock rules and one os.Stat of the state
// file to notice another process's change, in which case it verifies the
// new state first.
func (c *Client) Check(feature string, now time.Time) (*Entitlement, error) {
	s, err := c.current()
	if err != nil {
		return nil, err
	}
	hwm := later(s.hwm, c.note(now))
	return s.check(feature, now, hwm)
}

// Entitlements lists every feature usable at now, one entitlement each.
func (c *Client) Entitlements(now time.Time) ([]Entitlement, error) {
	s, err := c.current()
	if err != nil {
		return nil, err
	}
	hwm := later(s.hwm, c.note(now))
	if err := checkClock(now, hwm); err != nil {
		return nil, err
	}
	var out []Entitlement
	for _, f := range s.featureNames() {
		if e, err := s.check(f, now, hwm); err == nil {
			out = append(out, *e)
		}
	}
	return out, nil
}

// Record adds n to the consumption meter of feature, on the lease that
// grants it at now; the next refresh request or return proof reports the
// meter to the station. It refuses (ErrLimitReached) when n would pass the
// feature's limit, and fails like Check when the feature is not usable.
// Unlike Check it writes the state, so it needs write access to the home;
// the meter is on disk when it returns.
func (c *Client) Record(feature string, n uint64, now time.Time) error {
	c.note(now)
	h, err := openHome(c.b)
	if err != nil {
		return err
	}
	defer h.Close()
	return h.Record(feature, n, now)
}

// note records now as seen and returns the latest time seen before it.
func (c *Client) note(now time.Time) time.Time {
	t := now.Unix()
	for {
		old := c.seen.Load()
		if t <= old || c.seen.CompareAndSwap(old, t) {
			if old == 0 {
				return time.Time{}
			}
			return unix(old)
		}
	}
}

// current returns the snapshot, reloading it if the state file changed.
func (c *Client) current() (*snapshot, error) {
	s := c.snap.Load()
	info, err := os.Stat(c.b.statePath())
	if err == nil && sameVersion(s.info, info) {
		return s, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if s = c.snap.Load(); err == nil && sameVersion(s.info, info) {
		return s, nil
	}
	ns, err := c.b.load()
	if err != nil {
		return nil, err
	}
	c.snap.Store(ns)
	return ns, nil
}

// sameVersion reports whether two stats are of the same state file
// version. Every write replaces the file by rename, so a new version is a
// new file.
func sameVersion(a, b os.FileInfo) bool {
	return os.SameFile(a, b) && a.Size() == b.Size() && a.ModTime().Equal(b.ModTime())
}

// check applies the rules for one feature.
func (s *snapshot) check(feature string, now, hwm time.Time) (*Entitlement, error) {
	if err := checkClock(now, hwm); err != nil {
		return nil, err
	}
	ls := s.features[feature]
	if len(ls) == 0 {
		return nil, s.notLicensed(feature)
	}
	var first error
	for _, l := range ls {
		e, err := l.entitle(feature, now, hwm)
		if err == nil {
			return e, nil
		}
		if first == nil {
			first = err
		}
	}
	return nil, first
}

// entitle judges one lease for one feature.
func (l *lease) entitle(feature string, now, hwm time.Time) (*Entitlement, error) {
	if l.err != nil {
		if me, ok := l.err.(*MachineError); ok {
			c := *me
			c.Feature = feature
			return nil, &c
		}
		return nil, fmt.Errorf("feature %q: %w", feature, l.err)
	}
	r := l.r
	if err := checkIssued(now, r); err != nil {
		return nil, err
	}
	eff := later(now, hwm)
	if eff.Before(r.NotBefore) {
		return nil, &NotYetValidError{Feature: feature, Lease: r.LeaseID, NotBefore: r.NotBefore, Now: eff}
	}
	if !eff.Before(r.ExpiresAt) {
		return nil, &ExpiredError{Feature: feature, Lease: r.LeaseID, ExpiresAt: r.ExpiresAt, Now: eff}
	}
	e := &Entitlement{
		Feature: feature, Lease: r.LeaseID, LicenseID: r.LicenseID, Product: r.Product, Serial: r.Serial,
		NotBefore: r.NotBefore, ExpiresAt: r.ExpiresAt, Remaining: r.ExpiresAt.Sub(eff),
		Used: l.rec.Meters[feature],
	}
	e.Limit, e.Limited = r.Limits[feature]
	if e.Limited && e.Used >= e.Limit {
		return nil, &LimitError{Feature: feature, Lease: r.LeaseID, Limit: e.Limit, Used: e.Used}
	}
	return e, nil
}

// notLicensed says why no installed lease grants feature.
func (s *snapshot) notLicensed(feature string) error {
	for i := len(s.tombs) - 1; i >= 0; i-- {
		t := s.tombs[i]
		if t.r == nil || !contains(t.r.Features, feature) {
			continue
		}
		id := t.r.LeaseID
		if t.rec.Kind == revokedKind {
			return &RevokedError{Feature: feature, Lease: id, At: unix(t.rec.At)}
		}
		return &NotLicensedError{Feature: feature, Reason: fmt.Sprintf("lease %s, which granted it, was returned at %s", id, stamp(unix(t.rec.At)))}
	}
	if len(s.leases) == 0 {
		return &NotLicensedError{Feature: feature, Reason: "no lease is installed"}
	}
	return &NotLicensedError{Feature: feature, Reason: "no installed lease grants it"}
}

func (s *snapshot) featureNames() []string {
	var out []string
	for _, l := range s.leases {
		for _, f := range l.r.Features {
			if !contains(out, f) {
				out = append(out, f)
			}
		}
	}
	return out
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
