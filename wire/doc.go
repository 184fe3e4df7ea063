// Package wire holds what every Airlock message shares on the wire: the
// message types with their versioned labels, the three text and binary forms
// of the same bytes, and the reader that tells them apart.
//
// A message is a COSE_Sign1 structure (doc/SPEC.md). The same bytes travel as
//
//   - binary: the COSE_Sign1 bytes themselves, for files on a USB stick;
//   - armor: "-----BEGIN AIRLOCK <TYPE>-----", base64 lines of at most 64
//     characters, "-----END AIRLOCK <TYPE>-----", for email and copy-paste;
//   - Base45: the prefix "AL1:" and RFC 9285 Base45, for QR codes in
//     alphanumeric mode and for reading aloud.
//
// Read accepts any of them and says which it was given.
package wire
