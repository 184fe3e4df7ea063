package wire

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
)

// Encoding names the form a message arrived in.
type Encoding int

// Encodings.
const (
	Binary Encoding = iota + 1
	Armor
	Base45
)

func (e Encoding) String() string {
	switch e {
	case Binary:
		return "binary"
	case Armor:
		return "armor"
	case Base45:
		return "base45"
	}
	return fmt.Sprintf("encoding(%d)", int(e))
}

// ParseEncoding reads an encoding name as given to --format.
func ParseEncoding(s string) (Encoding, error) {
	switch s {
	case "binary":
		return Binary, nil
	case "armor":
		return Armor, nil
	case "base45":
		return Base45, nil
	}
	return 0, fmt.Errorf("unknown format %q (want armor, binary or base45)", s)
}

// Marshal writes msg, a message of type t, in encoding e. Text encodings end
// in a newline.
func Marshal(e Encoding, t Type, msg []byte) ([]byte, error) {
	switch e {
	case Binary:
		return msg, nil
	case Armor:
		s, err := MarshalArmor(t, msg)
		return []byte(s), err
	case Base45:
		return []byte(MarshalBase45(msg) + "\n"), nil
	}
	return nil, fmt.Errorf("unknown encoding %d", int(e))
}

// ErrImage is returned by Read for PNG or JPEG input: the caller decodes the
// QR codes in it and calls Read on the text.
var ErrImage = errors.New("input is an image")

// ErrUnrecognized is returned by Read for input that is none of the forms.
var ErrUnrecognized = errors.New("not an airlock message")

// cborSign1Prefix is the first two bytes of every binary message: CBOR tag
// 18 (COSE_Sign1) and an array of four.
var cborSign1Prefix = []byte{0xd2, 0x84}

// Read tells which form in holds and returns the message bytes. For armor it
// also returns the type the armor lines name (the caller checks it against
// the message); for the other forms the type is 0. Surrounding white space
// and CRLF line ends in text forms are tolerated. An image gives ErrImage.
func Read(in []byte) (msg []byte, enc Encoding, armorType Type, err error) {
	switch {
	case bytes.HasPrefix(in, cborSign1Prefix):
		if len(in) > MaxMessageSize {
			return nil, Binary, 0, fmt.Errorf("message is %d bytes, larger than the %d-byte limit", len(in), MaxMessageSize)
		}
		return in, Binary, 0, nil
	case bytes.HasPrefix(in, []byte("\x89PNG\r\n\x1a\n")):
		return nil, 0, 0, fmt.Errorf("%w (png)", ErrImage)
	case bytes.HasPrefix(in, []byte{0xff, 0xd8, 0xff}):
		return nil, 0, 0, fmt.Errorf("%w (jpeg)", ErrImage)
	}
	if len(in) > MaxMessageSize*2 {
		return nil, 0, 0, fmt.Errorf("%w: %d bytes is larger than any message", ErrUnrecognized, len(in))
	}
	text := strings.TrimSpace(strings.ReplaceAll(string(in), "\r\n", "\n"))
	switch {
	case strings.HasPrefix(text, armorBegin):
		t, msg, err := UnmarshalArmor(text + "\n")
		return msg, Armor, t, err
	case strings.HasPrefix(text, Base45Prefix):
		msg, err := UnmarshalBase45(text)
		return msg, Base45, 0, err
	}
	return nil, 0, 0, fmt.Errorf("%w: want a binary message, armored text (-----BEGIN AIRLOCK ...) or Base45 text (%s...)",
		ErrUnrecognized, Base45Prefix)
}
