package cli

import (
	"io"
	"os"

	"golang.org/x/term"
)

// IsTerminal reports whether w is an interactive terminal. Commands refuse
// to write binary or PNG data to one.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// TerminalOverride lets tests make a writer count as a terminal.
type TerminalOverride interface{ IsTerminal() bool }

// Terminal reports whether w is a terminal, honouring TerminalOverride.
func Terminal(w io.Writer) bool {
	if t, ok := w.(TerminalOverride); ok {
		return t.IsTerminal()
	}
	return IsTerminal(w)
}
