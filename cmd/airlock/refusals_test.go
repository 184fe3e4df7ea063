package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/airlock-dev/airlock/client"
	"github.com/airlock-dev/airlock/client/clienttest"
	"github.com/airlock-dev/airlock/crypto"
	"github.com/airlock-dev/airlock/wire"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func armorOf(t *testing.T, typ wire.Type, msg []byte) string {
	t.Helper()
	s, err := wire.MarshalArmor(typ, msg)
	require.NoError(t, err)
	return s
}

func TestApplyRefusalsCommand(t *testing.T) {
	s := initSite(t, "ws-lab-042")
	other := initSite(t, "ws-other")
	otherReq := message(t, other.ok(t0, "", "request", "--license", "7K3QM9XD2HFRW4TB"))
	foreign, err := s.station.Activate(otherReq, t0)
	require.NoError(t, err)
	s.station.Length = time.Hour
	expired, err := s.station.Activate(message(t, s.ok(t0, "", "request", "--license", "7K3QM9XD2HFRW4TB")), t0)
	require.NoError(t, err)
	stmt, err := (&crypto.Rollover{NewKey: clienttest.NewStation(2).Public(), Name: "acme-2", Version: 1, IssuedAt: t0}).Sign(s.station.Key)
	require.NoError(t, err)
	lying := strings.Replace(armorOf(t, wire.ActivationReceipt, foreign), "ACTIVATION RECEIPT", "REFRESH RECEIPT", 2)

	tests := []struct {
		name     string
		now      time.Time
		stdin    string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"another machine's receipt", t0, armorOf(t, wire.ActivationReceipt, foreign), []string{"-"}, 1,
			"airlock: error: refusing the receipt from stdin: this activation receipt answers no pending request of this machine (request " +
				"XXXX)\nhint: apply a receipt on the machine that wrote its request; if it was this one, the request was forgotten: make a new one with 'airlock request'\n"},
		{"expired", t0.Add(2 * time.Hour), armorOf(t, wire.ActivationReceipt, expired), []string{"-"}, 1,
			"airlock: error: refusing the receipt from stdin: lease 00 expired at 2026-11-23 11:00 UTC, it is now 2026-11-23 12:00 UTC\n" +
				"hint: ask the station for a new receipt: 'airlock refresh --lease ID' makes the request\n"},
		{"a request", t0, armorOf(t, wire.ActivationRequest, otherReq), []string{"-"}, 1,
			"airlock: error: stdin holds an activation request, not a receipt: wrong message type: got activation request, want activation receipt or refresh receipt or deactivation receipt or revocation receipt\n" +
				"hint: this is a request: take it to the issuing station, and apply the receipt it gives back\n"},
		{"a rollover statement", t0, armorOf(t, wire.KeyRollover, stmt), []string{"-"}, 1,
			"hint: this is a key rollover statement: apply it with 'airlock trust update FILE'\n"},
		{"armor names another type", t0, lying, []string{"-"}, 1,
			"airlock: error: stdin says \"REFRESH RECEIPT\" in its armor lines but holds a activation receipt\n"},
		{"not a message", t0, "hello\n", []string{"-"}, 1, "airlock: error: reading stdin: "},
		{"no such file", t0, "", []string{"nope.txt"}, 1, "airlock: error: input file \"nope.txt\" does not exist\n"},
		{"no input", t0, "", nil, 2, "airlock: error: no input: give a file, - for stdin, or QR images\n"},
		{"clock set back", t0.Add(-30 * time.Hour), armorOf(t, wire.ActivationReceipt, expired), []string{"-"}, 1,
			"hint: set the clock to the correct time and try again\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, err := os.ReadFile(filepath.Join(s.home, client.StateFile))
			require.NoError(t, err)
			code, out, errOut := s.run(tt.now, tt.stdin, append([]string{"apply"}, tt.args...)...)
			assert.Equal(t, tt.wantCode, code)
			assert.Empty(t, out)
			want := tt.wantErr
			if i := strings.Index(want, "XXXX"); i >= 0 {
				assert.Contains(t, errOut, want[:i])
				assert.Contains(t, errOut, want[i+4:])
			} else if i := strings.Index(want, "lease 00 "); i >= 0 {
				assert.Contains(t, errOut, want[:i])
				assert.Contains(t, errOut, want[i+len("lease 00 ")+10:])
			} else {
				assert.Contains(t, errOut, want)
			}
			after, err := os.ReadFile(filepath.Join(s.home, client.StateFile))
			require.NoError(t, err)
			assert.Equal(t, before, after, "a refusal changes nothing")
		})
	}
}

// TestCopiedHome: the whole home copied to another machine is refused by
// its fingerprint.
func TestCopiedHome(t *testing.T) {
	s := initSite(t, "ws-lab-042")
	id := s.activate(t0, "--features", "render")
	copyDir(t, s.home, filepath.Join(s.dir, "copy"))
	fingerprintCollect = clienttest.Collector(clienttest.Machine("elsewhere"))
	code, _, errOut := s.run(t0.Add(time.Hour), "", "check", "render", "--home", filepath.Join(s.dir, "copy"))
	assert.Equal(t, 1, code)
	assert.Equal(t, "airlock: error: feature \"render\": lease "+id.String()+" was made for another machine: fingerprint does not match this machine: 1 of 7 components match, 6 needed (changed: machine-id, product-uuid, board-serial, mac, disk-serial, hostname)\n"+
		"hint: the lease is bound to another machine's hardware; if this machine's parts changed, ask the station to issue the lease again\n", errOut)
	out := s.ok(t0.Add(time.Hour), "", "status", "--home", filepath.Join(s.dir, "copy"))
	assert.Contains(t, out, id.String()+"  wrong-machine")
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(to, 0o700))
	entries, err := os.ReadDir(from)
	require.NoError(t, err)
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(from, e.Name()))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(to, e.Name()), b, 0o600))
	}
}

func TestLeaseFlagErrors(t *testing.T) {
	s := initSite(t, "ws-lab-042")
	s.activate(t0)
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"refresh without lease", []string{"refresh"}, 2, "airlock: error: --lease is required\nhint: run 'airlock status' to list the leases on this machine\n"},
		{"return without lease", []string{"return"}, 2, "airlock: error: --lease is required\n"},
		{"refresh unknown lease", []string{"refresh", "--lease", "000000000000"}, 1,
			"airlock: error: writing the refresh request: no lease 000000000000 is installed here\nhint: run 'airlock status' to list the leases on this machine\n"},
		{"unknown prefix", []string{"return", "--lease", "0000"}, 1, "airlock: error: no lease 0000 is installed here\n"},
		{"short prefix", []string{"return", "--lease", "8f1"}, 1, "airlock: error: lease \"8f1\" is not 12 hex digits, nor a prefix of at least 4\n"},
		{"refresh argument", []string{"refresh", "8f13"}, 2, "airlock: error: unexpected argument \"8f13\"\nhint: name the lease with --lease ID: airlock refresh --lease ID\n"},
		{"bad length", []string{"refresh", "--lease", "8f13", "--length", "1.5s"}, 2, "airlock: error: --length 1.5s must be whole seconds up to 87600h0m0s\n"},
		{"bad format", []string{"return", "--lease", "8f13", "--format", "pdf"}, 2, "airlock: error: "},
		{"request without license", []string{"request"}, 2, "airlock: error: --license is required\n"},
		{"request bad license", []string{"request", "--license", "abc"}, 2, "airlock: error: license key \"abc\" has 3 characters, want 8 to 32\n"},
		{"request bad feature", []string{"request", "--license", "7K3QM9XD2HFRW4TB", "--features", "a b"}, 2, "airlock: error: --features: invalid field features: name \"a b\" may hold only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := s.run(t0.Add(3*time.Hour), "", tt.args...)
			assert.Equal(t, tt.wantCode, code, errOut)
			assert.Empty(t, out)
			assert.Contains(t, errOut, tt.wantErr)
		})
	}
}

// TestNeverBinaryToTerminal: a binary message is never written to a
// terminal, and the refusal comes before anything changes.
func TestNeverBinaryToTerminal(t *testing.T) {
	s := initSite(t, "ws-lab-042")
	id := s.activate(t0)
	before, err := os.ReadFile(filepath.Join(s.home, client.StateFile))
	require.NoError(t, err)
	for _, args := range [][]string{
		{"request", "--license", "7K3QM9XD2HFRW4TB", "--format", "binary"},
		{"refresh", "--lease", id.String(), "--format", "binary"},
		{"return", "--lease", id.String(), "--format", "binary"},
		{"return", "--lease", id.String(), "--qr", "-"},
	} {
		code, out, errOut := s.runTerminal(t0.Add(time.Hour), args...)
		assert.Equal(t, 1, code, args)
		assert.Empty(t, out, args)
		assert.Contains(t, errOut, "airlock: error: refusing to write a", args)
	}
	after, err := os.ReadFile(filepath.Join(s.home, client.StateFile))
	require.NoError(t, err)
	assert.Equal(t, before, after, "no request recorded, no lease removed")

	// Armor and base45 are fine on a terminal; binary to a pipe too.
	code, out, _ := s.runTerminal(t0.Add(time.Hour), "request", "--license", "7K3QM9XD2HFRW4TB")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "-----BEGIN AIRLOCK ACTIVATION REQUEST-----")
	out = s.ok(t0.Add(time.Hour), "", "request", "--license", "7K3QM9XD2HFRW4TB", "--format", "binary")
	assert.True(t, strings.HasPrefix(out, "\xd2\x84"))
}

func TestRequestQRFile(t *testing.T) {
	s := initSite(t, "ws-lab-042")
	png := filepath.Join(s.dir, "request.png")
	code, out, errOut := s.run(t0, "", "request", "--license", "7K3QM9XD2HFRW4TB", "--qr", png, "-o", filepath.Join(s.dir, "request.txt"))
	require.Equal(t, 0, code, errOut)
	assert.Empty(t, out)
	assert.Contains(t, errOut, "wrote activation request as a QR code to "+png)
	b, err := os.ReadFile(png)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(b), "\x89PNG"))
}
