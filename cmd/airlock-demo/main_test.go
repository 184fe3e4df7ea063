package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDemo runs the README's first command end to end: real binaries, a
// real station database, a QR image decoded from pixels.
func TestDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("builds both commands")
	}
	dir := t.TempDir()
	var out, errb bytes.Buffer
	code := run([]string{"--dir", dir}, &out, &errb)
	require.Equal(t, 0, code, "stderr: %s\nstdout: %s", errb.String(), out.String())
	for _, want := range []string{
		"$ airlock-station init", "$ airlock-station license add", "$ airlock init --trust",
		"$ airlock request --license", "$ airlock-station issue transfer/activate.png",
		"$ airlock apply transfer/activation.receipt", "$ airlock check render",
		"$ airlock refresh --lease", "$ airlock return --lease", "$ airlock-station status",
		"▀", // the QR code on the terminal
		"transfer/activate.req", "bytes binary",
	} {
		assert.Contains(t, out.String(), want)
	}
	for _, f := range []string{"transfer/activate.png", "transfer/activation.receipt", "transfer/refresh.receipt",
		"transfer/return.req", "transfer/deactivation.receipt", "station/station.db", "client/state"} {
		_, err := os.Stat(filepath.Join(dir, f))
		assert.NoError(t, err, f)
	}
	assert.False(t, strings.Contains(out.String(), "error:"), "no command failed")
}

func TestDemoBadFlag(t *testing.T) {
	var out, errb bytes.Buffer
	assert.Equal(t, 2, run([]string{"--nope"}, &out, &errb))
}
