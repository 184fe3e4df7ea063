// Package response is the station's side of the conversation: the four
// receipts an issuing station signs — activation, refresh, deactivation and
// revocation — their encoding, signing with the issuer key, and strict
// verification against a client's trust store.
//
// Every receipt binds the issuer key ID, lease ID, license ID, product,
// features and their limits, the device public key, the fingerprint
// component hashes and match threshold, the hash of the request it answers,
// a serial that only goes up, the station's ledger sequence, and its
// issued-at, not-before and expires-at times. doc/SPEC.md gives the exact
// bytes; Verify gives back a Receipt only when every check passes.
package response
