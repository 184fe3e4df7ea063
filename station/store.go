package station

import (
	"context"
	"errors"
	"time"

	"github.com/airlock-dev/airlock/wire"
)

// Errors a Store reports.
var (
	// ErrNotFound is a lookup that found nothing.
	ErrNotFound = errors.New("not found")
	// ErrDuplicate is an insert that clashed with a unique key (a lease ID,
	// a license key). It must not abort the transaction.
	ErrDuplicate = errors.New("already exists")
)

// Store is the station's database. The issuing logic talks to it only
// through this interface and Tx, so another backend (PostgreSQL) can follow
// without touching it. See the package documentation for what a backend
// must guarantee.
type Store interface {
	// Update runs fn in a write transaction and returns once the commit
	// covering fn's writes is durable; when fn returns an error, every
	// write fn made is rolled back and nothing else. Writes are
	// serialised: fn sees every earlier commit and the writes of every fn
	// before it, and the write lock is held before fn reads. Concurrent
	// calls may share one transaction and one commit (group commit), each
	// fn in a savepoint of its own; when that commit fails, every call in
	// it returns the error. Update may run fn again after a conflict that
	// was not fn's fault, so fn must have no effect outside tx.
	Update(ctx context.Context, fn func(Tx) error) error
	// View runs fn in a read-only transaction that sees one consistent
	// snapshot.
	View(ctx context.Context, fn func(Tx) error) error
	Close() error
}

// Tx is one transaction: plain reads and writes of rows, no policy.
// Lookups that find nothing return an error wrapping ErrNotFound.
type Tx interface {
	Setting(name string) (string, error)
	PutSetting(name, value string) error

	IssuerKeys() ([]IssuerKey, error)
	// CurrentKey returns the key marked current, with the ledger head, in
	// one read: the two things every issuance checks.
	CurrentKey() (IssuerKey, Entry, error)
	AddIssuerKey(k IssuerKey) error
	UpdateIssuerKey(k IssuerKey) error

	// AddProduct records a product and its features, adding to what is
	// there.
	AddProduct(name string, features []string, now time.Time) error
	Products() (map[string][]string, error)

	// AddLicense inserts l and sets l.ID; ErrDuplicate when the key exists.
	AddLicense(l *License) error
	UpdateLicense(l *License) error
	License(id uint64) (*License, error)
	LicenseByKey(key string) (*License, error)
	Licenses() ([]*License, error)

	// AddLease inserts a lease; ErrDuplicate when the ID exists.
	AddLease(l *Lease) error
	UpdateLease(l *Lease) error
	Lease(id wire.LeaseID) (*Lease, error)
	// Usage counts the leases of a license that hold a seat at now
	// (status active, expires after now) and those recorded active but
	// past their end.
	Usage(licenseID uint64, now time.Time) (Usage, error)
	// OverdueLeases returns the leases recorded active whose end is at or
	// before now, of one license or (licenseID 0) of all.
	OverdueLeases(licenseID uint64, now time.Time) ([]*Lease, error)
	// ActiveLeases returns the leases of a license holding a seat at now.
	ActiveLeases(licenseID uint64, now time.Time) ([]*Lease, error)
	// Leases calls fn for every lease that is active or ended at or after
	// since (every lease when since is zero), oldest first; fn must not use
	// the transaction.
	Leases(since time.Time, fn func(*Lease) error) error

	// Request finds the answered request a device key made with a nonce.
	Request(deviceKey []byte, nonce [8]byte) (*StoredRequest, error)
	// AddRequest records an answered request; ErrDuplicate when the
	// device key and nonce are already recorded.
	AddRequest(r *StoredRequest) error
	// Requests calls fn for every answered request; fn must not use the
	// transaction.
	Requests(fn func(*StoredRequest) error) error

	// LedgerHead is the newest entry (Seq, Time, Kind and Hash; the Body
	// may be left out); the zero Entry when the ledger is empty.
	LedgerHead() (Entry, error)
	// Entry returns one whole entry.
	Entry(seq uint64) (Entry, error)
	AppendEntry(e Entry) error
	// Entries calls fn for every entry from seq from on, in order; fn
	// must not use the transaction.
	Entries(from uint64, fn func(Entry) error) error
}
