package wire

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

const (
	armorBegin   = "-----BEGIN AIRLOCK "
	armorEnd     = "-----END AIRLOCK "
	armorDashes  = "-----"
	armorLineLen = 64
)

// ErrArmor is wrapped by every armor decoding error.
var ErrArmor = errors.New("malformed armor")

// MarshalArmor writes msg in armored form under the type's armor name:
//
//	-----BEGIN AIRLOCK ACTIVATION RECEIPT-----
//	<standard base64 with padding, 64 characters per line>
//	-----END AIRLOCK ACTIVATION RECEIPT-----
//
// Every line ends in "\n".
func MarshalArmor(t Type, msg []byte) (string, error) {
	if !t.Valid() {
		return "", fmt.Errorf("cannot armor %s", t)
	}
	enc := base64.StdEncoding.EncodeToString(msg)
	var sb strings.Builder
	sb.WriteString(armorBegin + t.ArmorName() + armorDashes + "\n")
	for len(enc) > armorLineLen {
		sb.WriteString(enc[:armorLineLen] + "\n")
		enc = enc[armorLineLen:]
	}
	if enc != "" {
		sb.WriteString(enc + "\n")
	}
	sb.WriteString(armorEnd + t.ArmorName() + armorDashes + "\n")
	return sb.String(), nil
}

// UnmarshalArmor reads exactly the form MarshalArmor writes and nothing
// else: no headers, no blank lines, no trailing text, no line longer than 64
// characters, every line but the last full, "\n" line ends. Read is the
// lenient entry point: it also accepts CRLF line ends and surrounding white
// space before calling this.
func UnmarshalArmor(s string) (Type, []byte, error) {
	if len(s) > MaxMessageSize*2 {
		return 0, nil, fmt.Errorf("%w: %d bytes is more than any message", ErrArmor, len(s))
	}
	lines := strings.Split(s, "\n")
	if len(lines) < 3 || lines[len(lines)-1] != "" {
		return 0, nil, fmt.Errorf("%w: want a BEGIN line, base64 lines and an END line, each ending in a newline", ErrArmor)
	}
	lines = lines[:len(lines)-1]
	name, ok := strings.CutPrefix(lines[0], armorBegin)
	if ok {
		name, ok = strings.CutSuffix(name, armorDashes)
	}
	if !ok {
		return 0, nil, fmt.Errorf("%w: first line %q is not %q", ErrArmor, lines[0], armorBegin+"<TYPE>"+armorDashes)
	}
	t, ok := typeFromArmorName(name)
	if !ok {
		return 0, nil, fmt.Errorf("%w: unknown message type %q", ErrArmor, name)
	}
	if end := armorEnd + name + armorDashes; lines[len(lines)-1] != end {
		return 0, nil, fmt.Errorf("%w: last line %q is not %q", ErrArmor, lines[len(lines)-1], end)
	}
	body := lines[1 : len(lines)-1]
	if len(body) == 0 {
		return 0, nil, fmt.Errorf("%w: no base64 lines", ErrArmor)
	}
	var enc bytes.Buffer
	for i, l := range body {
		if len(l) > armorLineLen || (i < len(body)-1 && len(l) != armorLineLen) || l == "" {
			return 0, nil, fmt.Errorf("%w: line %d has %d characters, want %d on every line but the last",
				ErrArmor, i+2, len(l), armorLineLen)
		}
		enc.WriteString(l)
	}
	msg, err := base64.StdEncoding.Strict().DecodeString(enc.String())
	if err != nil {
		return 0, nil, fmt.Errorf("%w: %v", ErrArmor, err)
	}
	return t, msg, nil
}
