package station

import (
	"time"

	"github.com/airlock-dev/airlock/crypto"
	"github.com/airlock-dev/airlock/fingerprint"
	"github.com/airlock-dev/airlock/wire"
)

// Lease length limits of a license's policy: the "1 h to 8760 h".
const (
	MinLease = time.Hour
	MaxLease = 8760 * time.Hour
)

// Feature is one feature a license grants, with an optional consumption
// limit (0: none) that receipts carry to the offline machine.
type Feature struct {
	Name  string `json:"name"`
	Limit uint64 `json:"limit,omitempty"`
}

// Access is a license's access lists, in the spirit of FlexLM and Tekla
// options files (INCLUDE / EXCLUDE, GROUP, HOST_GROUP):
//
//   - Deny wins: a user in DenyUsers, a user in a group of DenyGroups, or a
//     host in DenyHosts is refused whatever the allow lists say.
//   - Users and groups form one allow list: when AllowUsers or AllowGroups
//     is not empty, the user must be in AllowUsers or in a group of
//     AllowGroups. Hosts form another: when AllowHosts is not empty, the
//     host must be in it. An empty allow list allows everyone.
//   - Groups are defined per license (Groups: group name → user names).
//   - Names compare without regard to case. A request that names no user
//     (or host) passes deny lists but not a non-empty allow list.
//
// User and host names are what the offline machine says; they are records
// and policy, not authentication.
type Access struct {
	AllowUsers  []string            `json:"allow_users,omitempty"`
	DenyUsers   []string            `json:"deny_users,omitempty"`
	AllowGroups []string            `json:"allow_groups,omitempty"`
	DenyGroups  []string            `json:"deny_groups,omitempty"`
	AllowHosts  []string            `json:"allow_hosts,omitempty"`
	DenyHosts   []string            `json:"deny_hosts,omitempty"`
	Groups      map[string][]string `json:"groups,omitempty"`
}

// License is an entitlement: a number of seats of a product's features,
// with the policy for borrowing them offline.
type License struct {
	ID       uint64    // assigned by the store, from 1
	Key      string    // normalised license key (request.NormalizeLicenseKey)
	Customer string    // who holds it
	Product  string    // product name (wire.CheckName rules)
	Features []Feature // sorted by name, 1 to wire.MaxFeatures
	Seats    int       // seats in the pool, at least 1
	// TermEnd is when the license ends; zero means it does not. Leases are
	// never issued past it.
	TermEnd time.Time
	// Offline is whether seats may be borrowed offline at all.
	Offline bool
	// MaxLease is the longest lease (MinLease to MaxLease); DefaultLease the
	// length when a request asks for none (MinLease to MaxLease).
	MaxLease, DefaultLease time.Duration
	// LowWater seats can never be borrowed: they stay for the online pool.
	LowWater int
	// EarlyReturn is whether a lease may be returned before it ends.
	EarlyReturn bool
	// Threshold is how many fingerprint components must match on the
	// machine; 0 means fingerprint.DefaultThreshold of the request's count.
	Threshold int
	Access    Access
	Created   time.Time
	Updated   time.Time
	// Revoked is when the license was revoked; zero if it was not.
	Revoked time.Time
}

// FeatureNames returns the names of the license's features, sorted.
func (l *License) FeatureNames() []string {
	out := make([]string, len(l.Features))
	for i, f := range l.Features {
		out[i] = f.Name
	}
	return out
}

// Feature returns the named feature.
func (l *License) Feature(name string) (Feature, bool) {
	for _, f := range l.Features {
		if f.Name == name {
			return f, true
		}
	}
	return Feature{}, false
}

// Status is where a lease is in its life.
type Status string

// Lease statuses. A lease whose expires-at has passed counts as ended at
// that instant even while its stored status is still StatusActive; the
// station records StatusExpired the next time it touches it.
const (
	StatusActive   Status = "active"
	StatusReturned Status = "returned"
	StatusExpired  Status = "expired"
	StatusRevoked  Status = "revoked"
)

// Valid reports whether s is one of the four statuses.
func (s Status) Valid() bool {
	switch s {
	case StatusActive, StatusReturned, StatusExpired, StatusRevoked:
		return true
	}
	return false
}

// Lease is one seat borrowed by one offline machine.
type Lease struct {
	ID          wire.LeaseID
	LicenseID   uint64
	DeviceKey   crypto.PublicKey
	Fingerprint fingerprint.Set
	Threshold   int
	User, Host  string
	Features    []string          // granted, sorted
	Limits      map[string]uint64 // limits of granted features that have one
	Issued      time.Time         // when the activation receipt was issued
	Expires     time.Time         // end of the lease (of its newest receipt)
	// Serial and LedgerSeq are those of the newest receipt for the lease.
	Serial    uint64
	LedgerSeq uint64
	Status    Status
	// Ended is when the lease stopped holding its seat (returned, revoked,
	// or its expiry); zero while active.
	Ended time.Time
	// Meters are the consumption meters the machine last reported.
	Meters map[string]uint64
	// RequestHash is the hash of the activation request.
	RequestHash wire.RequestHash
}

// ActiveAt reports whether the lease holds a seat at now.
func (l *Lease) ActiveAt(now time.Time) bool {
	return l.Status == StatusActive && now.Before(l.Expires)
}

// StatusAt is the lease's status at now: StatusExpired for an active lease
// past its end even if that is not recorded yet.
func (l *Lease) StatusAt(now time.Time) Status {
	if l.Status == StatusActive && !now.Before(l.Expires) {
		return StatusExpired
	}
	return l.Status
}

// IssuerKey is a signing key the station has used.
type IssuerKey struct {
	Key  crypto.PublicKey
	Name string // its name in trust stores
	// File is the encrypted private key file, relative to the database's
	// directory unless absolute.
	File    string
	Created time.Time
	Retired time.Time // zero while it signs
	Current bool
	// Version is the trust store version of the rollover statement that
	// introduced it; 0 for the first key.
	Version uint64
}

// Settings are station-wide rules, kept in the database.
type Settings struct {
	// MaxRequestAge refuses a request written more than this long before
	// the station's clock (unless the same bytes were answered before).
	MaxRequestAge time.Duration
	// MaxRequestAhead refuses a request written more than this long after
	// the station's clock: the offline machine's clock is wrong.
	MaxRequestAhead time.Duration
}

// DefaultSettings are the settings of a new station: requests up to 30 days
// old, and up to 24 hours ahead of the station's clock.
func DefaultSettings() Settings {
	return Settings{MaxRequestAge: 30 * 24 * time.Hour, MaxRequestAhead: 24 * time.Hour}
}

// StoredRequest is a request the station answered, kept so the same bytes
// get the same receipt and a device key never uses a nonce twice. The
// request and receipt bytes are in the ledger entry LedgerSeq.
type StoredRequest struct {
	DeviceKey []byte // the key that signed it
	Nonce     [8]byte
	Hash      wire.RequestHash
	Type      wire.Type
	Time      time.Time // the machine's clock when it wrote the request
	Received  time.Time // the station's clock when it answered
	LeaseID   wire.LeaseID
	Serial    uint64 // the serial of the receipt that answered it
	LedgerSeq uint64 // the ledger entry that recorded the answer
}

// Usage is how many seats of a license are held at an instant.
type Usage struct {
	Active   int       // leases holding a seat
	NextFree time.Time // the earliest end among them; zero when none
	Overdue  int       // leases still recorded active though past their end
}
