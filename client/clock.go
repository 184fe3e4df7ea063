package client

import (
	"time"

	"github.com/airlock-dev/airlock/response"
)

// Tolerance is how far the clock may run behind the latest time this
// machine has seen, or behind the issue time of a receipt, before leases
// are refused with ErrClockTampered. A day covers time-zone and daylight
// saving mistakes, a drifting clock on a machine that never syncs, and a
// station whose clock runs a little ahead; a clock set back further than
// that to stretch a lease is refused.
//
// The rules, for Check and for every command that changes the state:
//
//   - The high-water mark is the latest time the client has seen: the
//     clock at every state change (init, request, refresh, return, apply,
//     trust update, Record) and the issue time of every receipt applied.
//     It is sealed in the state record, so it only goes up. Check, which
//     opens the home read-only, does not write it; a Client keeps its own
//     in-memory mark of the times it was given, so a clock set back while
//     an application runs is noticed too.
//   - A clock more than Tolerance behind the high-water mark is refused:
//     set back an hour, nothing happens; set back 25 hours or a year, or
//     set forward and then back by more than a day, every lease is refused
//     until the clock is right again.
//   - A clock more than Tolerance behind a lease's issue time is refused
//     for that lease.
//   - Inside the tolerance, leases are judged at the later of the clock and
//     the high-water mark, so setting the clock back a little never
//     stretches a lease; a receipt from a station whose clock runs ahead
//     counts from its issue time.
const Tolerance = 24 * time.Hour

// checkClock refuses a clock more than Tolerance behind hwm.
func checkClock(now, hwm time.Time) error {
	if now.Before(hwm.Add(-Tolerance)) {
		return &ClockError{Now: now, HighWater: hwm, Tolerance: Tolerance}
	}
	return nil
}

// checkIssued refuses a clock more than Tolerance behind a receipt's issue
// time.
func checkIssued(now time.Time, r *response.Receipt) error {
	if now.Before(r.IssuedAt.Add(-Tolerance)) {
		return &ClockError{Now: now, IssuedAt: r.IssuedAt, Lease: r.LeaseID, Tolerance: Tolerance}
	}
	return nil
}

// later returns the latest of ts.
func later(ts ...time.Time) time.Time {
	var m time.Time
	for _, t := range ts {
		if t.After(m) {
			m = t
		}
	}
	return m
}
