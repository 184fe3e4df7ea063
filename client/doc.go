// Package client is the offline machine's side of Airlock: the state
// directory ("home") that holds the device key, the trust store, pending
// requests and installed leases, and the answer to the question
// applications ask — is this feature licensed here, now?
//
// # For applications
//
// Open the home once, read-only, and Check as often as needed:
//
//	c, err := client.Open("")           // "" means $AIRLOCK_HOME or the per-user home
//	e, err := c.Check("render", time.Now())
//	if errors.Is(err, client.ErrExpired) { ... }
//
// Open verifies everything once: the state record's seal, every installed
// receipt's signature against the trust store, and each lease's device key
// and fingerprint against this machine (collecting the fingerprint is
// slow, so it happens here). Check then answers from memory with the clock
// rules below, at a cost well under one Ed25519 verification (see
// BenchmarkCheck); it notices with one os.Stat when another process (an
// "airlock apply") changed the state, and verifies the new state before
// using it. Errors are typed: errors.Is against ErrNotLicensed, ErrExpired,
// ErrNotYetValid, ErrRevoked, ErrClockTampered, ErrWrongMachine,
// ErrLimitReached, ErrStateTampered and ErrNotInitialised; errors.As with
// the matching *...Error struct gives the feature, lease and times. Record
// adds to a feature's consumption meter, which the next refresh request or
// return proof reports to the station.
//
// Time is always a parameter: the package never reads the clock, so tests
// can drive it and applications decide where the time comes from.
//
// # Homes
//
// A home is a directory: --home, else $AIRLOCK_HOME, else "airlock" in the
// user's configuration directory (UserHome: ~/.config/airlock on Linux,
// ~/Library/Application Support/airlock on macOS, %AppData%\airlock on
// Windows). Machines shared by several users use the system-wide home
// (SystemHome: /var/lib/airlock on Linux, /Library/Application
// Support/airlock on macOS, %ProgramData%\airlock on Windows), given
// explicitly with --home or AIRLOCK_HOME; the administrator runs the
// airlock commands, and applications that call Check need read access to
// the device key and the state (Check never writes; make the files
// group-readable — airlock keeps the mode of the state file it replaces).
//
//	device.key   the device key: PKCS #8 PEM, mode 0600, never overwritten
//	state        the sealed state record
//	lock         empty; locked (flock, LockFileEx) by every command that
//	             changes the state, so two never interleave
//
// Everything that changes lives in the one state file, so every change —
// installing a receipt, removing a lease and writing its tombstone — is a
// single atomic replacement (temporary file, fsync, rename, fsync of the
// directory): a crash at any instant leaves the old state or the new one,
// never a mix, and readers never need the lock.
//
// # The state record
//
// The state file is a header line with an HMAC-SHA-256 and one line of
// JSON:
//
//	airlock state v1 hmac-sha256=<64 hex digits>
//	{"version":1,"generation":7,"product":"cad","created":...,"high_water":...,
//	 "trust":"airlock trust store v1\n...","pending":[...],"leases":[...],"tombstones":[...]}
//
// The MAC key is HKDF-SHA-256 of the device key's seed with the info
// "airlock state seal v1"; the MAC covers "airlock state v1", a zero byte
// and the JSON line. Only the exact encoding Go's encoding/json writes is
// accepted. A file whose MAC does not verify — edited by hand, or copied
// next to another device key — is refused with ErrStateTampered. The
// fields:
//
//   - generation: one more on every write;
//   - product: the fingerprint salt is fingerprint.ProductSalt(product),
//     "issuer-<key id>" unless init named a product;
//   - high_water: the clock high-water mark, Unix seconds;
//   - trust: the trust store, in the text form of doc/SPEC.md §6.3;
//   - pending: requests written and not yet answered — hash, nonce, type,
//     what was asked, when, and the request itself (at most 64, the oldest
//     forgotten first);
//   - leases: installed leases — id, serial and ledger sequence of the
//     newest receipt, when it was applied, consumption meters, and the
//     receipt itself;
//   - tombstones: leases that ended here and can never come back —
//     "returned" (with the signed return proof, written out again byte for
//     byte if "return" runs again, and the station's deactivation receipt
//     once applied, the operator's evidence) or "revoked" (with the
//     revocation receipt) — and their final meters and last receipt.
//
// # Clock
//
// See Tolerance for the rules: a clock more than a day behind the latest
// time this machine has seen, or behind a lease's issue time, is refused
// with ErrClockTampered; inside the tolerance nothing is refused and leases
// are judged at the later of the clock and the high-water mark.
//
// # Honest limits
//
// The seal stops hand edits, not an attacker who can read the device key:
// whoever controls the machine can recompute it, and restoring a copy of
// an old home (device key and state together) brings back a lease that was
// since returned until it expires. The station knows the lease was
// returned, and refuses to refresh it. A fully compromised machine can lie
// about its clock, state and fingerprint; what it cannot do is forge a
// receipt, and a lease copied to another machine fails its fingerprint.
package client
