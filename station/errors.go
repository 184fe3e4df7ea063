package station

import (
	"errors"
	"fmt"
	"time"
)

// Rules a request, or an administrator's change, can fail. Every refusal is
// a *Refusal wrapping one of these, so callers branch with errors.Is and
// show Error() and Hint() to people. A refused request changes nothing.
var (
	// ErrBadRequest is input that is not a valid request: malformed, of a
	// receipt type, or with a signature that does not verify.
	ErrBadRequest = errors.New("invalid request")
	// ErrSmallOrderKey is an activation request whose device key is a
	// small-order point, under which signatures can be forged.
	ErrSmallOrderKey = errors.New("small-order device key")
	// ErrRequestTooOld is a request written longer ago than the station's
	// MaxRequestAge.
	ErrRequestTooOld = errors.New("request too old")
	// ErrRequestFromFuture is a request dated further ahead of the
	// station's clock than MaxRequestAhead.
	ErrRequestFromFuture = errors.New("request from the future")
	// ErrNonceReused is a different request with a nonce already used by
	// the same device key.
	ErrNonceReused = errors.New("nonce already used")
	// ErrUnknownLicense is a license key or ID the station does not hold.
	ErrUnknownLicense = errors.New("unknown license")
	// ErrLicenseRevoked is a license that was revoked.
	ErrLicenseRevoked = errors.New("license revoked")
	// ErrLicenseEnded is a license past its term.
	ErrLicenseEnded = errors.New("license term ended")
	// ErrOfflineNotAllowed is a license that does not allow offline use.
	ErrOfflineNotAllowed = errors.New("offline use not allowed")
	// ErrLeaseTooLong is a lease longer than the license's maximum.
	ErrLeaseTooLong = errors.New("lease too long")
	// ErrFeatureNotLicensed is a feature the license does not grant.
	ErrFeatureNotLicensed = errors.New("feature not licensed")
	// ErrAccessDenied is a user, group or host the access lists refuse.
	ErrAccessDenied = errors.New("access denied")
	// ErrFingerprint is a fingerprint with fewer components than the
	// license's threshold.
	ErrFingerprint = errors.New("fingerprint too small")
	// ErrNoSeat is a license with no free seat.
	ErrNoSeat = errors.New("no free seat")
	// ErrUnknownLease is a lease ID the station does not hold.
	ErrUnknownLease = errors.New("unknown lease")
	// ErrLeaseEnded is a lease that no longer holds a seat (returned,
	// expired or revoked).
	ErrLeaseEnded = errors.New("lease ended")
	// ErrSerialMismatch is a refresh request that names an older receipt
	// than the lease's newest.
	ErrSerialMismatch = errors.New("serial mismatch")
	// ErrEarlyReturn is a return the license does not allow before the
	// lease ends.
	ErrEarlyReturn = errors.New("early return not allowed")
	// ErrStaleStation is a request that refers to a receipt newer than the
	// station's ledger: the database was probably restored from an old
	// backup, and answering from it could hand out seats twice.
	ErrStaleStation = errors.New("station database older than the request")
	// ErrKeyChanged means the issuer key this process holds is no longer
	// the station's current key (another process rotated it).
	ErrKeyChanged = errors.New("issuer key changed")
	// ErrNoSigner is an operation that signs, on a station opened without
	// its issuer key.
	ErrNoSigner = errors.New("no issuer key loaded")
	// ErrInvalidLicense is a license whose fields break the rules.
	ErrInvalidLicense = errors.New("invalid license")
	// ErrNotInitialised is a database with no station in it.
	ErrNotInitialised = errors.New("station not initialised")
	// ErrInitialised is Init on a database that already holds a station.
	ErrInitialised = errors.New("station already initialised")
)

// Refusal is the error for a rule that failed: Error says what, with the
// numbers; Hint says what would help.
type Refusal struct {
	Rule   error  // one of the Err values above
	Reason string // the whole message, starting with what failed
	Help   string // what would help; may be empty
	Cause  error  // the underlying error, if any
}

func (e *Refusal) Error() string { return e.Reason }

// Hint is the advice internal/cli prints after the error.
func (e *Refusal) Hint() string { return e.Help }

// Unwrap gives the rule and the cause.
func (e *Refusal) Unwrap() []error {
	if e.Cause != nil {
		return []error{e.Rule, e.Cause}
	}
	return []error{e.Rule}
}

func refuse(rule error, help, format string, args ...any) *Refusal {
	return &Refusal{Rule: rule, Reason: fmt.Sprintf(format, args...), Help: help}
}

// Stamp formats a time for messages: "2026-12-01 10:00 UTC".
func Stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

// HumanDuration writes d in whole days and hours ("30d", "12h", "2d 3h"),
// or minutes below an hour.
func HumanDuration(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	}
	days, hours := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour)
	switch {
	case days == 0:
		return fmt.Sprintf("%dh", hours)
	case hours == 0:
		return fmt.Sprintf("%dd", days)
	}
	return fmt.Sprintf("%dd %dh", days, hours)
}
