// Package clitest checks, from a command's tests, that the command follows
// the help style, version and completion conventions both Airlock commands
// share.
package clitest

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/airlock-dev/airlock/internal/cli"
)

// Run is a command's run function.
type Run func(args []string, stdin io.Reader, stdout, stderr io.Writer) int

// CheckConventions asserts, for program p driven through run: Lint is
// clean; every runnable command's --help renders its usage and examples;
// --version prints the name and version; completion scripts for bash, zsh
// and fish name every command; usage mistakes exit 2 with an error and a
// hint.
func CheckConventions(t *testing.T, p *cli.Program, run Run) {
	t.Helper()
	assert.Empty(t, p.Lint())
	call := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := run(args, strings.NewReader(""), &out, &errb)
		return code, out.String(), errb.String()
	}
	var walk func(path []string, cmds []*cli.Command)
	walk = func(path []string, cmds []*cli.Command) {
		for _, c := range cmds {
			args := append(append([]string(nil), path...), c.Name)
			walk(args, c.Sub)
			if c.Run == nil {
				continue
			}
			code, out, errOut := call(append(args, "--help")...)
			require.Equal(t, 0, code, "%v --help: %s", args, errOut)
			assert.Contains(t, out, "Usage:\n  "+p.Name+" "+strings.Join(args, " "), args)
			assert.Contains(t, out, "Examples:\n  ", args)
		}
	}
	walk(nil, p.Commands)

	code, out, _ := call("--version")
	require.Equal(t, 0, code)
	assert.Equal(t, p.Name+" "+cli.Version+"\n", out)
	for _, shell := range []string{"bash", "zsh", "fish"} {
		code, out, _ := call("completion", shell)
		require.Equal(t, 0, code, shell)
		for _, c := range p.Commands {
			assert.Contains(t, out, c.Name, shell)
		}
	}
	for _, args := range [][]string{{"no-such-command"}, {p.Commands[0].Name, "--no-such-flag"}} {
		code, _, errOut := call(args...)
		assert.Equal(t, cli.ExitUsage, code, "%v", args)
		assert.True(t, strings.HasPrefix(errOut, p.Name+": error: "), errOut)
		assert.Contains(t, errOut, "\nhint: ")
	}
}
