// Package station is the issuing station: licenses and their policies,
// seats and leases, the hash-chained ledger, and the logic that turns
// requests into signed receipts.
//
// # Issuing
//
// Station.Issue answers an activation, refresh or return request (binary
// form) with a receipt signed by the issuer key. Every refusal is a
// *Refusal wrapping one of the Err values (ErrNoSeat, ErrLeaseTooLong, ...)
// whose message names the rule and the numbers, and whose Hint says what
// would help; a refused request changes nothing. PushRefresh writes a
// refresh receipt without a request; RevokeLicense ends every active lease
// of a license with a revocation receipt each.
//
// Time is always a parameter (now); the package never reads the clock.
// Times are whole seconds, UTC.
//
// # Replays, nonces and the request window
//
// The station keeps every request it answered, by device key and nonce,
// for the life of the database. The same request bytes get the stored
// receipt back, byte for byte, with no new seat and no ledger entry, even
// after the request window has passed; a different request with a nonce the
// device key already used is refused (ErrNonceReused). A new request is
// refused when it was written more than Settings.MaxRequestAge before the
// station's clock (default 30 days, ErrRequestTooOld) or more than
// Settings.MaxRequestAhead after it (default 24 hours,
// ErrRequestFromFuture). The settings are kept in the database.
//
// # Seats
//
// A license's free seats are seats − active leases − low-water. A lease
// holds its seat until it is returned, revoked, or its expires-at passes;
// past expires-at it counts as free at once, and is recorded as expired
// (with a ledger entry) the next time the station touches the license or
// reports status.
//
// # Ledger
//
// Every change (station init, settings, key rotation, license add, update
// and revoke, lease activation, refresh, pushed refresh, return, expiry and
// revocation) appends an Entry in the same transaction as the change. An
// entry's Body is JSON; lease entries carry the lease's whole record after
// the change, the request (if any) and the receipt, so the chain covers
// every receipt issued. Entry.ComputeHash gives the exact hash input.
// A receipt's ledger sequence is the entry that recorded it. Refresh and
// return requests carry the ledger sequence and serial of the newest
// receipt the machine holds; when either is ahead of the database, the
// database was restored from an old backup and the request is refused
// (ErrStaleStation) rather than answered from stale state. Audit checks the
// chain and that the tables match it.
//
// # Storage
//
// The station uses a Store; package station/sqlite is the default. A
// backend (PostgreSQL, say) must provide:
//
//   - Update: one write transaction at a time, serialisable, taking the
//     write lock when it begins (SQLite: BEGIN IMMEDIATE; PostgreSQL:
//     SERIALIZABLE with retries, or a lock on a single row taken first),
//     durable at commit (SQLite: WAL and synchronous=FULL), and all or
//     nothing for each call: an error from fn rolls back fn's writes.
//     Concurrent calls may share a transaction (group commit: SQLite runs
//     the calls queued during one commit together in the next, each in
//     its own SAVEPOINT), so long as each call returns only after a
//     durable commit covering it, a failing fn's savepoint is rolled back
//     without touching the others, and a failed commit fails every call
//     it carried. The issuing logic keeps nothing between calls (the
//     ledger head is read in each), so a rolled-back savepoint leaves
//     nothing stale behind.
//   - View: a consistent read-only snapshot.
//   - Unique lease IDs, license keys and (device key, nonce) pairs,
//     reported as ErrDuplicate without aborting the transaction (PostgreSQL:
//     INSERT ... ON CONFLICT DO NOTHING and a check of the row count).
//   - Usage counting without scanning every lease: the SQLite schema keeps
//     a count of active leases per license with triggers.
//   - Lookups that find nothing return errors wrapping ErrNotFound.
//
// The Tx interface holds no policy: it reads and writes rows.
package station
