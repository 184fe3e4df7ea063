package qr

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Sentinel errors; the typed errors below wrap them, so errors.Is works.
var (
	// ErrEmpty: there is no text to encode.
	ErrEmpty = errors.New("empty text")
	// ErrTooLong: the text does not fit in one QR code (Split it).
	ErrTooLong = errors.New("text too long for one qr code")
	// ErrNoCode: no acceptable QR code was found in an image (*DecodeError).
	ErrNoCode = errors.New("no readable qr code found")
	// ErrImage: the image could not be read (*ImageError).
	ErrImage = errors.New("unreadable image")
	// ErrImageTooLarge: the image has more than MaxPixels pixels.
	ErrImageTooLarge = errors.New("image too large")
	// ErrBadFrame: a code starting with FramePrefix is malformed (*FrameError).
	ErrBadFrame = errors.New("malformed multi-part frame")
	// ErrIncomplete: some parts of a multi-part message are missing (*IncompleteError).
	ErrIncomplete = errors.New("incomplete multi-part message")
	// ErrMixed: the codes belong to more than one message.
	ErrMixed = errors.New("codes of different messages")
	// ErrConflict: two parts claim the same place with different contents.
	ErrConflict = errors.New("conflicting parts")
	// ErrChecksum: reassembled text does not match its message ID.
	ErrChecksum = errors.New("checksum mismatch")
	// ErrNotAccepted: the decoded text is not what the caller accepts.
	ErrNotAccepted = errors.New("not an accepted payload")
)

// FrameError says why a frame is malformed.
type FrameError struct {
	Reason   string
	Checksum bool // the part's CRC did not match
}

func (e *FrameError) Error() string { return "malformed multi-part frame: " + e.Reason }

// Is makes errors.Is(err, ErrBadFrame) true, and ErrChecksum for a CRC mismatch.
func (e *FrameError) Is(target error) bool {
	return target == ErrBadFrame || (e.Checksum && target == ErrChecksum)
}

// IncompleteError lists the parts a multi-part message still lacks.
type IncompleteError struct {
	ID         string // message ID
	Count      int    // parts in the message
	Have       []int  // part numbers present, ascending
	Unreadable []int  // 1-based numbers of images where no code was found
}

// Missing returns the missing part numbers, ascending.
func (e *IncompleteError) Missing() []int {
	have := make(map[int]bool, len(e.Have))
	for _, i := range e.Have {
		have[i] = true
	}
	var out []int
	for i := 1; i <= e.Count; i++ {
		if !have[i] {
			out = append(out, i)
		}
	}
	return out
}

func (e *IncompleteError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "incomplete multi-part message %s: ", e.ID)
	if len(e.Have) == 0 {
		fmt.Fprintf(&b, "have no parts of %d", e.Count)
	} else {
		fmt.Fprintf(&b, "have %s %s of %d", plural(len(e.Have), "part", "parts"), joinInts(e.Have), e.Count)
	}
	fmt.Fprintf(&b, "; missing %s", joinInts(e.Missing()))
	if len(e.Unreadable) > 0 {
		fmt.Fprintf(&b, "; no code found in %s %s", plural(len(e.Unreadable), "image", "images"), joinInts(e.Unreadable))
	}
	return b.String()
}

func (e *IncompleteError) Unwrap() error { return ErrIncomplete }

// Hint says what usually helps.
func (e *IncompleteError) Hint() string {
	if len(e.Unreadable) > 0 {
		return "retake the unreadable images closer and sharper, and add images of the missing parts; order does not matter"
	}
	return "add images of the missing parts (all images at once, in any order)"
}

// DecodeError says that no acceptable code was found, and what was tried.
type DecodeError struct {
	Images   int      // number of images searched
	Tried    []string // fallback steps, in order
	Rejected []string // codes found but not accepted
}

func (e *DecodeError) Error() string {
	where := "in the image"
	if e.Images > 1 {
		where = fmt.Sprintf("in any of the %d images", e.Images)
	}
	if len(e.Rejected) > 0 {
		return fmt.Sprintf("%s %s: found %s %q, not an accepted payload (tried %s)",
			ErrNoCode, where, plural(len(e.Rejected), "code", "codes"), truncate(e.Rejected[0], 60), strings.Join(e.Tried, ", "))
	}
	return fmt.Sprintf("%s %s (tried %s)", ErrNoCode, where, strings.Join(e.Tried, ", "))
}

func (e *DecodeError) Unwrap() error { return ErrNoCode }

// Hint says what usually helps.
func (e *DecodeError) Hint() string {
	if len(e.Rejected) > 0 {
		return "that code holds something else; photograph the code airlock displayed or printed"
	}
	return "hold the camera closer so the code fills most of the picture, keep it sharp and still, " +
		"avoid glare and reflections, light it evenly, and keep the white border around it; a screenshot beats a photo of a screen"
}

// ImageError reports an image that could not be read at all.
type ImageError struct {
	Index int // 1-based position among the images given
	Err   error
}

func (e *ImageError) Error() string { return fmt.Sprintf("image %d: %v", e.Index, e.Err) }
func (e *ImageError) Unwrap() error { return e.Err }

func joinInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ", ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
