// Package crypto holds Airlock's keys: Ed25519 issuer and device keys, their
// key IDs, strict signature verification, key files (the issuer's private key
// encrypted at rest with a passphrase), and the client's trust store of
// issuer keys with its rollover statements.
//
// Verification is strict where crypto/ed25519 is lenient. A PublicKey can
// only be made by ParsePublicKey, which refuses non-canonical encodings,
// small-order points and points outside the prime-order subgroup; so the
// identity key, under which crypto/ed25519 accepts one signature for every
// message, can never be used. Verify then requires a 64-byte signature with
// S < L and a canonical R, and checks the cofactorless equation. The policy
// for every edge case is written in doc/SPEC.md.
package crypto
