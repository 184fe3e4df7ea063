package qr

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Frame format constants; doc/QR.md is the normative description.
const (
	// FramePrefix starts every part of a multi-part message. A single-part
	// message is never framed unless its own text starts with FramePrefix.
	FramePrefix = "ALP:"

	// DefaultPartSize is the longest code text Split puts in one QR code:
	// 366 alphanumeric characters is the capacity of a version 11 symbol at
	// error correction M, about 240 message bytes of Base45.
	DefaultPartSize = 366

	// MinPartSize is the smallest part size Split accepts.
	MinPartSize = 64

	// MaxParts is the largest part count a frame may carry.
	MaxParts = 999

	// MaxCodeLen bounds the text of one code (a version 40 symbol holds at
	// most 7089 characters); longer frames are refused before parsing.
	MaxCodeLen = 7089

	idLen  = 10 // hex digits of SHA-256(text) used as message ID
	crcLen = 8  // hex digits of the per-part CRC-32
)

// Frame is one parsed part of a multi-part message.
type Frame struct {
	ID    string // 10 upper-case hex digits: SHA-256 of the whole text, truncated
	Index int    // 1-based part number
	Count int    // number of parts
	Chunk string // this part's slice of the text
}

// String returns the frame's code text: "ALP:" ID ":" INDEX "/" COUNT ":"
// CRC ":" CHUNK, where CRC covers everything but itself and its colon.
func (f Frame) String() string {
	head := f.head()
	return head + partCRC(head+f.Chunk) + ":" + f.Chunk
}

func (f Frame) head() string {
	return FramePrefix + f.ID + ":" + strconv.Itoa(f.Index) + "/" + strconv.Itoa(f.Count) + ":"
}

func partCRC(s string) string {
	return fmt.Sprintf("%08X", crc32.ChecksumIEEE([]byte(s)))
}

// MessageID returns the ID frames of text carry: the first 5 bytes of its
// SHA-256 in upper-case hex. It doubles as the whole-text checksum.
func MessageID(text string) string {
	sum := sha256.Sum256([]byte(text))
	return strings.ToUpper(hex.EncodeToString(sum[:idLen/2]))
}

// IsFrame reports whether code is a well-formed frame of a multi-part message.
func IsFrame(code string) bool {
	_, err := ParseFrame(code)
	return err == nil
}

// ParseFrame parses one part's code text. It checks the syntax and the
// part's CRC; the whole-text checksum is checked on reassembly.
func ParseFrame(code string) (*Frame, error) {
	bad := func(why string) error { return &FrameError{Reason: why} }
	if len(code) > MaxCodeLen {
		return nil, bad(fmt.Sprintf("longer than %d characters", MaxCodeLen))
	}
	rest, ok := strings.CutPrefix(code, FramePrefix)
	if !ok {
		return nil, bad("missing " + FramePrefix + " prefix")
	}
	fields := strings.SplitN(rest, ":", 4)
	if len(fields) != 4 {
		return nil, bad("want ID:INDEX/COUNT:CRC:CHUNK")
	}
	id, pos, crc, chunk := fields[0], fields[1], fields[2], fields[3]
	if len(id) != idLen || !isUpperHex(id) {
		return nil, bad(fmt.Sprintf("message id %q is not %d upper-case hex digits", id, idLen))
	}
	is, cs, ok := strings.Cut(pos, "/")
	if !ok {
		return nil, bad(fmt.Sprintf("part position %q is not INDEX/COUNT", pos))
	}
	index, err1 := parseCount(is)
	count, err2 := parseCount(cs)
	if err1 != nil || err2 != nil || index > count {
		return nil, bad(fmt.Sprintf("part position %q is not INDEX/COUNT with 1 <= INDEX <= COUNT <= %d", pos, MaxParts))
	}
	if len(crc) != crcLen || !isUpperHex(crc) {
		return nil, bad(fmt.Sprintf("checksum %q is not %d upper-case hex digits", crc, crcLen))
	}
	if chunk == "" {
		return nil, bad("empty chunk")
	}
	f := &Frame{ID: id, Index: index, Count: count, Chunk: chunk}
	if got := partCRC(f.head() + chunk); got != crc {
		return nil, &FrameError{Reason: fmt.Sprintf("part %d checksum mismatch (have %s, computed %s)", index, crc, got), Checksum: true}
	}
	return f, nil
}

// parseCount parses a decimal 1..MaxParts without sign or leading zeros.
func parseCount(s string) (int, error) {
	if s == "" || len(s) > 3 || s[0] == '0' {
		return 0, fmt.Errorf("bad number %q", s)
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("bad number %q", s)
		}
	}
	return strconv.Atoi(s)
}

func isUpperHex(s string) bool {
	for _, c := range []byte(s) {
		if (c < '0' || c > '9') && (c < 'A' || c > 'F') {
			return false
		}
	}
	return true
}

// Split cuts text into the code texts of its QR codes, each at most
// partSize characters (bytes) long; partSize 0 means DefaultPartSize. Text
// that fits and does not itself start with FramePrefix comes back unchanged
// as the only element, so a phone scanner shows it as it is. Longer text
// becomes frames of nearly equal size; see doc/QR.md for their format.
func Split(text string, partSize int) ([]string, error) {
	if partSize == 0 {
		partSize = DefaultPartSize
	}
	if partSize < MinPartSize {
		return nil, fmt.Errorf("part size %d is too small (minimum %d)", partSize, MinPartSize)
	}
	if text == "" {
		return nil, ErrEmpty
	}
	if len(text) <= partSize && !strings.HasPrefix(text, FramePrefix) {
		return []string{text}, nil
	}
	id := MessageID(text)
	for n := 1; n <= MaxParts; n++ {
		// The header of part i is "ALP:" ID ":" i "/" n ":" CRC ":".
		digits := len(strconv.Itoa(n))
		room := partSize - (len(FramePrefix) + idLen + 1 + digits + 1 + digits + 1 + crcLen + 1)
		if room*n < len(text) {
			continue
		}
		chunks := cut(text, n, room)
		if chunks == nil {
			continue
		}
		out := make([]string, len(chunks))
		for i, c := range chunks {
			out[i] = Frame{ID: id, Index: i + 1, Count: len(chunks), Chunk: c}.String()
		}
		return out, nil
	}
	return nil, fmt.Errorf("text of %d characters needs more than %d parts of %d characters", len(text), MaxParts, partSize)
}

// cut splits text into exactly n non-empty chunks of at most room bytes,
// as equal as it can, not inside a valid UTF-8 sequence; nil if it cannot.
func cut(text string, n, room int) []string {
	chunks := make([]string, 0, n)
	for i := 0; i < n; i++ {
		left := n - i
		size := min((len(text)+left-1)/left, room)
		// Back off to the start of a UTF-8 sequence (at most 3 bytes).
		for k := 0; k < utf8.UTFMax-1 && size > 1 && size < len(text) && !utf8.RuneStart(text[size]); k++ {
			size--
		}
		chunks = append(chunks, text[:size])
		text = text[size:]
	}
	if text != "" {
		return nil
	}
	return chunks
}
