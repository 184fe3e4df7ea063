package qr

import (
	"fmt"
	"sort"
	"strings"
)

// Assembler collects the codes of one message, in any order, and gives the
// text back when all parts are there. Duplicates are harmless; codes of a
// different message or parts that contradict each other are errors. The
// zero value is ready to use.
type Assembler struct {
	single string         // a complete unframed text
	id     string         // message ID of the frames
	count  int            // part count of the frames
	parts  map[int]string // index -> chunk
}

// Add adds the text of one code: a frame, or a complete unframed message.
func (a *Assembler) Add(code string) error {
	if code == "" {
		return ErrEmpty
	}
	if !strings.HasPrefix(code, FramePrefix) {
		switch {
		case a.id != "":
			return fmt.Errorf("%w: a complete message and parts of message %s", ErrMixed, a.id)
		case a.single != "" && a.single != code:
			return fmt.Errorf("%w: two different complete messages (%q and %q)", ErrMixed, truncate(a.single, 24), truncate(code, 24))
		}
		a.single = code
		return nil
	}
	f, err := ParseFrame(code)
	if err != nil {
		return err
	}
	switch {
	case a.single != "":
		return fmt.Errorf("%w: a complete message and parts of message %s", ErrMixed, f.ID)
	case a.id != "" && a.id != f.ID:
		return fmt.Errorf("%w: parts of messages %s and %s", ErrMixed, a.id, f.ID)
	case a.id != "" && a.count != f.Count:
		return fmt.Errorf("%w: message %s split into %d and into %d parts", ErrConflict, f.ID, a.count, f.Count)
	}
	if old, ok := a.parts[f.Index]; ok {
		if old != f.Chunk {
			return fmt.Errorf("%w: two different versions of part %d of message %s", ErrConflict, f.Index, f.ID)
		}
		return nil
	}
	if a.parts == nil {
		a.parts = make(map[int]string, f.Count)
	}
	a.id, a.count = f.ID, f.Count
	a.parts[f.Index] = f.Chunk
	return nil
}

// Done reports whether the message is complete.
func (a *Assembler) Done() bool {
	return a.single != "" || (a.count > 0 && len(a.parts) == a.count)
}

// Count returns the number of parts of the message (1 for an unframed
// message, 0 before the first Add).
func (a *Assembler) Count() int {
	if a.single != "" {
		return 1
	}
	return a.count
}

// Have returns the part numbers present, ascending.
func (a *Assembler) Have() []int {
	if a.single != "" {
		return []int{1}
	}
	have := make([]int, 0, len(a.parts))
	for i := range a.parts {
		have = append(have, i)
	}
	sort.Ints(have)
	return have
}

// Missing returns the part numbers still missing, ascending.
func (a *Assembler) Missing() []int {
	return (&IncompleteError{Count: a.count, Have: a.Have()}).Missing()
}

// Text returns the reassembled text. It fails with ErrNoCode before the
// first Add, with an *IncompleteError while parts are missing, and with
// ErrChecksum if the parts do not add up to the text their ID names.
func (a *Assembler) Text() (string, error) {
	if a.single != "" {
		return a.single, nil
	}
	if a.count == 0 {
		return "", ErrNoCode
	}
	if len(a.parts) < a.count {
		return "", &IncompleteError{ID: a.id, Count: a.count, Have: a.Have()}
	}
	var b strings.Builder
	for i := 1; i <= a.count; i++ {
		b.WriteString(a.parts[i])
	}
	text := b.String()
	if id := MessageID(text); id != a.id {
		return "", fmt.Errorf("%w: reassembled text of message %s hashes to %s", ErrChecksum, a.id, id)
	}
	return text, nil
}
