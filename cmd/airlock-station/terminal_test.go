package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/airlock-dev/airlock/internal/cli"
)

// termBuffer is a buffer that says it is a terminal.
type termBuffer struct{ bytes.Buffer }

func (*termBuffer) IsTerminal() bool { return true }

// TestNeverBinaryOrPNGToTerminal: with stdout on a terminal, binary
// receipts and PNG codes are refused before anything changes; text forms
// go through.
func TestNeverBinaryOrPNGToTerminal(t *testing.T) {
	s := initSite(t)
	key := s.addLicense(t)
	req := armor(t, newMachine("m", "ana", "ws").activation(t, key, t0, nil))
	runTerm := func(args ...string) (int, string, string) {
		var out termBuffer
		var errb bytes.Buffer
		env := &cli.Env{Stdin: strings.NewReader(req), Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return s.env[k] }}
		return runAt(t0, args, env), out.String(), errb.String()
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"binary receipt", []string{"issue", "-", "--format", "binary"}, "refusing to write a binary message to the terminal"},
		{"png receipt", []string{"issue", "-", "--qr", "-"}, "refusing to write a PNG image to the terminal"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runTerm(tc.args...)
			assert.Equal(t, cli.ExitError, code)
			assert.Empty(t, out)
			assert.Contains(t, errOut, tc.want)
			assert.Contains(t, errOut, "\nhint: ")
		})
	}
	// Armor and Base45 are text: fine on a terminal, and the request now
	// gets its (first and only) receipt.
	code, out, errOut := runTerm("issue", "-", "--format", "base45")
	require.Equal(t, 0, code, errOut)
	assert.True(t, strings.HasPrefix(out, "AL1:"), out)
	status, _ := s.mustRun(t, t0, "", "status", "--json")
	assert.Equal(t, 1, strings.Count(status, `"status": "active"`), "one lease: the refused attempts held no seat")
}
