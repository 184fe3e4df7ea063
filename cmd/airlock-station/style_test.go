package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/airlock-dev/airlock/internal/cli"
)

// TestHelpStyle: every command follows the help style both programs
// share, and its help renders with examples.
func TestHelpStyle(t *testing.T) {
	p := program()
	assert.Empty(t, p.Lint())
	var walk func(path []string, cmds []*cli.Command)
	walk = func(path []string, cmds []*cli.Command) {
		for _, c := range cmds {
			args := append(append([]string(nil), path...), c.Name)
			walk(args, c.Sub)
			if c.Run == nil {
				continue
			}
			var out, errb bytes.Buffer
			code := run(append(args, "--help"), strings.NewReader(""), &out, &errb)
			require.Equal(t, 0, code, "%v --help: %s", args, errb.String())
			assert.Contains(t, out.String(), "Usage:\n  "+p.Name+" "+strings.Join(args, " "), args)
			assert.Contains(t, out.String(), "Examples:\n  "+p.Name, args)
		}
	}
	walk(nil, p.Commands)
}

func TestVersionAndCompletion(t *testing.T) {
	var out, errb bytes.Buffer
	require.Equal(t, 0, run([]string{"--version"}, strings.NewReader(""), &out, &errb))
	assert.Equal(t, "airlock-station "+cli.Version+"\n", out.String())
	for _, shell := range []string{"bash", "zsh", "fish"} {
		out.Reset()
		require.Equal(t, 0, run([]string{"completion", shell}, strings.NewReader(""), &out, &errb), shell)
		for _, c := range program().Commands {
			assert.Contains(t, out.String(), c.Name, shell)
		}
	}
}

func TestUsageErrorsExitTwo(t *testing.T) {
	for _, args := range [][]string{{"no-such-command"}, {program().Commands[0].Name, "--no-such-flag"}} {
		var out, errb bytes.Buffer
		assert.Equal(t, cli.ExitUsage, run(args, strings.NewReader(""), &out, &errb), "%v", args)
		assert.True(t, strings.HasPrefix(errb.String(), "airlock-station: error: "), errb.String())
		assert.Contains(t, errb.String(), "\nhint: ")
	}
}
