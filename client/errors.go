package client

import (
	"errors"
	"fmt"
	"time"

	"github.com/airlock-dev/airlock/crypto"
	"github.com/airlock-dev/airlock/fingerprint"
	"github.com/airlock-dev/airlock/response"
	"github.com/airlock-dev/airlock/wire"
)

// Errors to branch on with errors.Is. Each comes wrapped in a struct that
// names the feature, lease and times involved.
var (
	// ErrNotInitialised: the home has no device key or no state yet
	// (*NotInitialisedError).
	ErrNotInitialised = errors.New("airlock is not initialised here")
	// ErrAlreadyInitialised: Init on a home that has a state.
	ErrAlreadyInitialised = errors.New("airlock is already initialised")
	// ErrStateTampered: the state record's seal does not verify, or its
	// content contradicts itself (*TamperError).
	ErrStateTampered = errors.New("state record tampered with")
	// ErrNotLicensed: no installed lease grants the feature
	// (*NotLicensedError).
	ErrNotLicensed = errors.New("not licensed")
	// ErrExpired: the lease has ended (*ExpiredError). The same value as
	// response.ErrExpired.
	ErrExpired = response.ErrExpired
	// ErrNotYetValid: the lease has not begun (*NotYetValidError). The
	// same value as response.ErrNotYetValid.
	ErrNotYetValid = response.ErrNotYetValid
	// ErrRevoked: the station revoked the lease (*RevokedError).
	ErrRevoked = errors.New("lease revoked")
	// ErrReturned: the lease was returned from this machine and can never
	// come back (*ReturnedError).
	ErrReturned = errors.New("lease returned")
	// ErrClockTampered: the clock is behind the latest time this machine
	// has seen, or behind a receipt's issue time, by more than Tolerance
	// (*ClockError).
	ErrClockTampered = errors.New("clock set back")
	// ErrWrongMachine: the lease or receipt was made for another device key
	// or another machine (*MachineError).
	ErrWrongMachine = errors.New("made for another machine")
	// ErrLimitReached: a consumption limit is used up (*LimitError).
	ErrLimitReached = errors.New("consumption limit reached")
	// ErrNotPending: a receipt answers no request this machine is waiting
	// for (*NotPendingError).
	ErrNotPending = errors.New("answers no pending request of this machine")
	// ErrUnknownLease: no lease of that ID is installed here
	// (*UnknownLeaseError).
	ErrUnknownLease = errors.New("no such lease here")
	// ErrStaleSerial: a receipt is not newer than the one held for its
	// lease (*SerialError).
	ErrStaleSerial = errors.New("receipt is not newer than the one held")
	// ErrNotReturned: a deactivation receipt for a lease this machine has
	// not returned.
	ErrNotReturned = errors.New("lease not returned")
	// ErrBusy: another process holds the home's lock.
	ErrBusy = errors.New("another airlock process is changing the state")
)

// stamp formats an instant for people: minutes, UTC.
func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

// NotInitialisedError is a home without a device key or state.
type NotInitialisedError struct {
	Home    string
	Missing string // the file that is missing
}

func (e *NotInitialisedError) Error() string {
	return fmt.Sprintf("airlock is not initialised in %s: %s is missing", e.Home, e.Missing)
}

func (e *NotInitialisedError) Unwrap() error { return ErrNotInitialised }

// TamperError is a state record that fails its seal or contradicts itself.
type TamperError struct {
	Path   string
	Reason string
	Err    error
}

func (e *TamperError) Error() string {
	return fmt.Sprintf("state record %s was tampered with: %s", e.Path, e.Reason)
}

func (e *TamperError) Unwrap() []error {
	if e.Err != nil {
		return []error{ErrStateTampered, e.Err}
	}
	return []error{ErrStateTampered}
}

// NotLicensedError is a feature no usable lease grants.
type NotLicensedError struct {
	Feature string
	Reason  string
}

func (e *NotLicensedError) Error() string {
	return fmt.Sprintf("feature %q is not licensed here: %s", e.Feature, e.Reason)
}

func (e *NotLicensedError) Unwrap() error { return ErrNotLicensed }

// ExpiredError is a lease used after it ended.
type ExpiredError struct {
	Feature   string // empty when applying a receipt
	Lease     wire.LeaseID
	ExpiresAt time.Time
	Now       time.Time
}

func (e *ExpiredError) Error() string {
	return fmt.Sprintf("%slease %s expired at %s, it is now %s", featurePrefix(e.Feature), e.Lease, stamp(e.ExpiresAt), stamp(e.Now))
}

func (e *ExpiredError) Unwrap() error { return ErrExpired }

// NotYetValidError is a lease used before it began.
type NotYetValidError struct {
	Feature   string
	Lease     wire.LeaseID
	NotBefore time.Time
	Now       time.Time
}

func (e *NotYetValidError) Error() string {
	return fmt.Sprintf("%slease %s is valid from %s, it is now %s", featurePrefix(e.Feature), e.Lease, stamp(e.NotBefore), stamp(e.Now))
}

func (e *NotYetValidError) Unwrap() error { return ErrNotYetValid }

func featurePrefix(f string) string {
	if f == "" {
		return ""
	}
	return fmt.Sprintf("feature %q: ", f)
}

// RevokedError is a lease the station revoked.
type RevokedError struct {
	Feature string
	Lease   wire.LeaseID
	At      time.Time // when the revocation was applied here
}

func (e *RevokedError) Error() string {
	return fmt.Sprintf("%slease %s was revoked by the station (revocation applied %s)", featurePrefix(e.Feature), e.Lease, stamp(e.At))
}

func (e *RevokedError) Unwrap() error { return ErrRevoked }

// ReturnedError is a receipt for a lease this machine returned.
type ReturnedError struct {
	Lease wire.LeaseID
	At    time.Time
}

func (e *ReturnedError) Error() string {
	return fmt.Sprintf("lease %s was returned from this machine at %s; a returned lease can never come back", e.Lease, stamp(e.At))
}

func (e *ReturnedError) Unwrap() error { return ErrReturned }

// ClockError is a clock set back further than Tolerance: behind the
// latest time this machine has seen (HighWater), or behind the issue time
// of a receipt (IssuedAt, with Lease).
type ClockError struct {
	Now       time.Time
	HighWater time.Time // zero when the issue time is the reason
	IssuedAt  time.Time // zero when the high-water mark is the reason
	Lease     wire.LeaseID
	Tolerance time.Duration
}

func (e *ClockError) Error() string {
	if !e.IssuedAt.IsZero() {
		return fmt.Sprintf("the clock is set back: it reads %s, %s before lease %s's receipt was issued (%s); the tolerance is %s",
			stamp(e.Now), roundDur(e.IssuedAt.Sub(e.Now)), e.Lease, stamp(e.IssuedAt), roundDur(e.Tolerance))
	}
	return fmt.Sprintf("the clock is set back: it reads %s, %s behind the latest time this machine has seen (%s); the tolerance is %s",
		stamp(e.Now), roundDur(e.HighWater.Sub(e.Now)), stamp(e.HighWater), roundDur(e.Tolerance))
}

func (e *ClockError) Unwrap() error { return ErrClockTampered }

// roundDur prints a duration to the minute, for people: "45m", "25h",
// "1h30m", "365 days".
func roundDur(d time.Duration) string {
	d = d.Round(time.Minute)
	days, h, m := d/(24*time.Hour), d%(24*time.Hour)/time.Hour, d%time.Hour/time.Minute
	switch {
	case d >= 48*time.Hour && h == 0:
		return fmt.Sprintf("%d days", days)
	case d >= 48*time.Hour:
		return fmt.Sprintf("%d days %dh", days, h)
	case m == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d < time.Hour:
		return fmt.Sprintf("%dm", m)
	}
	return fmt.Sprintf("%dh%dm", d/time.Hour, m)
}

// MachineError is a lease or receipt bound to another device key or
// another machine's fingerprint.
type MachineError struct {
	Feature string
	Lease   wire.LeaseID
	// Want is the device key the receipt names and Have this machine's,
	// when they differ.
	Want, Have crypto.KeyID
	// Mismatch says which fingerprint components changed, when the device
	// key matches but too few components do.
	Mismatch *fingerprint.MismatchError
	// Err is why this machine's fingerprint could not be read.
	Err error
}

func (e *MachineError) Error() string {
	p := featurePrefix(e.Feature) + fmt.Sprintf("lease %s ", e.Lease)
	switch {
	case e.Err != nil:
		return p + "cannot be matched to this machine: " + e.Err.Error()
	case e.Mismatch != nil:
		return p + "was made for another machine: " + e.Mismatch.Error()
	}
	return p + fmt.Sprintf("was made for another machine: it names device key %s, this machine's is %s", e.Want, e.Have)
}

func (e *MachineError) Unwrap() []error {
	out := []error{ErrWrongMachine}
	if e.Mismatch != nil {
		out = append(out, e.Mismatch)
	}
	if e.Err != nil {
		out = append(out, e.Err)
	}
	return out
}

// LimitError is a consumption limit that is used up, or would be.
type LimitError struct {
	Feature string
	Lease   wire.LeaseID
	Limit   uint64
	Used    uint64
	Want    uint64 // the amount Record was asked for; 0 from Check
}

func (e *LimitError) Error() string {
	if e.Want > 0 {
		return fmt.Sprintf("feature %q: recording %d would pass the limit of lease %s: %d of %d used", e.Feature, e.Want, e.Lease, e.Used, e.Limit)
	}
	return fmt.Sprintf("feature %q: the limit of lease %s is used up: %d of %d", e.Feature, e.Lease, e.Used, e.Limit)
}

func (e *LimitError) Unwrap() error { return ErrLimitReached }

// NotPendingError is a receipt that answers no request this machine
// wrote and is waiting for.
type NotPendingError struct {
	Type wire.Type
	Hash wire.RequestHash
}

func (e *NotPendingError) Error() string {
	if e.Type == wire.DeactivationReceipt {
		return fmt.Sprintf("this deactivation receipt answers a return proof this machine did not write (request %s)", e.Hash)
	}
	return fmt.Sprintf("this %s answers no pending request of this machine (request %s)", e.Type, e.Hash)
}

func (e *NotPendingError) Unwrap() error { return ErrNotPending }

// UnknownLeaseError is a lease ID, or a prefix of one, that names no lease
// here.
type UnknownLeaseError struct {
	ID      string
	Matches []wire.LeaseID // more than one when a prefix is ambiguous
}

func (e *UnknownLeaseError) Error() string {
	if len(e.Matches) > 1 {
		return fmt.Sprintf("lease %q is ambiguous: it begins %d leases (%s)", e.ID, len(e.Matches), leaseList(e.Matches))
	}
	return fmt.Sprintf("no lease %s is installed here", e.ID)
}

func (e *UnknownLeaseError) Unwrap() error { return ErrUnknownLease }

func leaseList(ids []wire.LeaseID) string {
	s := ""
	for i, id := range ids {
		if i > 0 {
			s += ", "
		}
		s += id.String()
	}
	return s
}

// SerialError is a receipt whose serial is not above the one held.
type SerialError struct {
	Type  wire.Type
	Lease wire.LeaseID
	Got   uint64 // the receipt's serial
	Have  uint64 // the serial held
}

func (e *SerialError) Error() string {
	return fmt.Sprintf("this %s for lease %s has serial %d, but serial %d is already held; serials only go up, so an older receipt can never replace a newer one",
		e.Type, e.Lease, e.Got, e.Have)
}

func (e *SerialError) Unwrap() error { return ErrStaleSerial }
