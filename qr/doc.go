// Package qr moves text through QR codes: PNG, SVG and terminal output on
// one side, robust decoding of photos and screenshots on the other, and a
// multi-part framing for text longer than one code. It knows nothing of
// licenses; Airlock gives it Base45 text behind the "AL1:" prefix.
//
// # Encoding
//
// Text made of the QR alphanumeric characters (0-9 A-Z space $ % * + - . / :)
// is encoded in alphanumeric mode, in the smallest version that holds it,
// at error correction M by default, with a 4-module quiet zone. Split cuts a
// text into the texts of its codes; text that fits one code comes back
// unchanged, so a phone scanner shows exactly what to paste. PNG, SVG and
// Terminal render one code each.
//
// # Decoding
//
// DecodeImage finds every code in one image; Decode reads a message from
// several images given in any order and reassembles its parts; it is what
// commands reading a message from photos call, after IsImage. Both run a
// fallback chain — default, try-harder, the global-histogram binarizer, an
// Otsu threshold (plain and after a blur), sharpening, downscale, upscale,
// a perspective search for codes seen at an angle, inverted — until the
// codes found make a message. Only the decoded characters are used, never
// the raw byte segments. Images are checked against MaxPixels before their
// pixels are decoded. Errors are typed (*DecodeError, *IncompleteError,
// *ImageError, *FrameError) and wrap the exported sentinels; those that
// know what helps have a Hint method.
//
// # Multi-part frames
//
// A part is the text
//
//	ALP:<ID>:<INDEX>/<COUNT>:<CRC>:<CHUNK>
//
// ID is 10 upper-case hex digits, the start of SHA-256 of the whole text:
// a message ID and a whole-text checksum at once. INDEX and COUNT are
// decimal, 1 ≤ INDEX ≤ COUNT ≤ 999, without leading zeros. CRC is the
// CRC-32 (IEEE) of the part without the CRC field and its colon, i.e. of
// "ALP:<ID>:<INDEX>/<COUNT>:" followed by CHUNK, as 8 upper-case hex digits.
// The chunks concatenated in index order are the text. doc/QR.md is the
// normative description.
package qr
