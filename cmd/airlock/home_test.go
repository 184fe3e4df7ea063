package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/airlock-dev/airlock/client/clienttest"
	"github.com/airlock-dev/airlock/fingerprint"
	"github.com/airlock-dev/airlock/internal/cli"
	"github.com/airlock-dev/airlock/response"
	"github.com/airlock-dev/airlock/wire"
	"github.com/stretchr/testify/require"
)

// TestMain keeps every test away from the real per-user home.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "airlock-cmd-test")
	if err != nil {
		panic(err)
	}
	os.Setenv("AIRLOCK_HOME", filepath.Join(dir, "no-home"))
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// t0 is the clock when each test's machine is set up.
var t0 = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// site is one offline machine driven through the command, with a fake
// station beside it.
type site struct {
	t       *testing.T
	home    string
	dir     string // scratch files
	station *clienttest.Station
	issuer  string // the issuer public key file
}

// newSite makes a machine called name (not yet initialised): the
// command's fingerprint collector is replaced for the test.
func newSite(t *testing.T, name string) *site {
	t.Helper()
	saved := fingerprintCollect
	fingerprintCollect = clienttest.Collector(clienttest.Machine(name))
	t.Cleanup(func() { fingerprintCollect = saved })
	dir := t.TempDir()
	s := &site{t: t, home: filepath.Join(dir, "home"), dir: dir, station: clienttest.NewStation(1), issuer: filepath.Join(dir, "acme.pub")}
	require.NoError(t, s.station.WriteIssuerKey(s.issuer))
	return s
}

// initSite is newSite, initialised at t0.
func initSite(t *testing.T, name string) *site {
	s := newSite(t, name)
	s.ok(t0, "", "init", "--trust", s.issuer, "--product", "cad")
	return s
}

// run runs the command at now with AIRLOCK_HOME set to the site's home.
func (s *site) run(now time.Time, stdin string, args ...string) (int, string, string) {
	s.t.Helper()
	var stdout, stderr bytes.Buffer
	code := runAt(now, args, &cli.Env{
		Stdin: strings.NewReader(stdin), Stdout: &stdout, Stderr: &stderr,
		Getenv: func(k string) string {
			if k == "AIRLOCK_HOME" {
				return s.home
			}
			return ""
		},
	})
	return code, stdout.String(), stderr.String()
}

// ok runs the command and requires exit 0; it returns stdout.
func (s *site) ok(now time.Time, stdin string, args ...string) string {
	s.t.Helper()
	code, out, errOut := s.run(now, stdin, args...)
	require.Equal(s.t, 0, code, "airlock %s: %s", strings.Join(args, " "), errOut)
	return out
}

// write puts data in a scratch file and returns its path.
func (s *site) write(name string, data []byte) string {
	s.t.Helper()
	p := filepath.Join(s.dir, name)
	require.NoError(s.t, os.WriteFile(p, data, 0o644))
	return p
}

// message reads an armored message the command wrote.
func message(t *testing.T, armored string) []byte {
	t.Helper()
	msg, _, _, err := wire.Read([]byte(armored))
	require.NoError(t, err)
	return msg
}

// activate runs request, has the station answer, and applies the receipt
// from a file; it returns the lease ID.
func (s *site) activate(now time.Time, args ...string) wire.LeaseID {
	s.t.Helper()
	req := message(s.t, s.ok(now, "", append([]string{"request", "--license", "7K3Q-M9XD-2HFR-W4TB"}, args...)...))
	receipt, err := s.station.Activate(req, now)
	require.NoError(s.t, err)
	armored, err := wire.MarshalArmor(wire.ActivationReceipt, receipt)
	require.NoError(s.t, err)
	s.ok(now, "", "apply", s.write("receipt.txt", []byte(armored)))
	r, err := response.ParseUnverified(receipt)
	require.NoError(s.t, err)
	return r.LeaseID
}

// components is the made-up machine's fingerprint under product.
func components(name, product string) fingerprint.Set {
	return fingerprint.Hashes(fingerprint.ProductSalt(product), clienttest.Machine(name))
}

// termBuffer is a buffer that says it is a terminal.
type termBuffer struct{ bytes.Buffer }

func (*termBuffer) IsTerminal() bool { return true }

// runTerminal runs the command with stdout on a "terminal".
func (s *site) runTerminal(now time.Time, args ...string) (int, string, string) {
	s.t.Helper()
	var stdout termBuffer
	var stderr bytes.Buffer
	code := runAt(now, args, &cli.Env{
		Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr,
		Getenv: func(k string) string {
			if k == "AIRLOCK_HOME" {
				return s.home
			}
			return ""
		},
	})
	return code, stdout.String(), stderr.String()
}
