package main

import (
	"bytes"
	"crypto/sha256"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/airlock-dev/airlock/crypto"
	"github.com/airlock-dev/airlock/fingerprint"
	"github.com/airlock-dev/airlock/internal/cli"
	"github.com/airlock-dev/airlock/request"
	"github.com/airlock-dev/airlock/response"
	"github.com/airlock-dev/airlock/wire"
)

var t0 = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// site is a station in a temporary directory, run through runAt with its
// own environment.
type site struct {
	dir, db, pub string
	env          map[string]string
}

func newSite(t *testing.T) *site {
	dir := t.TempDir()
	s := &site{dir: dir, db: filepath.Join(dir, "data", "station.db"), pub: filepath.Join(dir, "issuer.pub")}
	s.env = map[string]string{envPassphrase: "correct horse", envDB: s.db, "HOME": dir}
	return s
}

// initSite is a site after init, with a low scrypt work factor.
func initSite(t *testing.T) *site {
	s := newSite(t)
	s.mustRun(t, t0, "", "init", "--kdf-work-factor", "10", "--pub-out", s.pub)
	return s
}

func (s *site) run(t *testing.T, now time.Time, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	env := &cli.Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut, Getenv: func(k string) string { return s.env[k] }}
	code := runAt(now, args, env)
	return code, out.String(), errOut.String()
}

func (s *site) mustRun(t *testing.T, now time.Time, stdin string, args ...string) (string, string) {
	t.Helper()
	code, out, errOut := s.run(t, now, stdin, args...)
	require.Equal(t, 0, code, "%v: %s", args, errOut)
	return out, errOut
}

// addLicense adds a license and returns its key as printed.
func (s *site) addLicense(t *testing.T, extra ...string) string {
	t.Helper()
	out, _ := s.mustRun(t, t0, "", append([]string{"license", "add", "--customer", "ACME Engineering", "--product", "cad",
		"--features", "model,render,export=100", "--seats", "2"}, extra...)...)
	return strings.TrimSpace(out)
}

// trust is the site's trust store, from the public key init wrote.
func (s *site) trust(t *testing.T) *crypto.TrustStore {
	t.Helper()
	k, err := crypto.ReadPublicKeyFile(s.pub)
	require.NoError(t, err)
	ts, err := crypto.NewTrustStore("station", k)
	require.NoError(t, err)
	return ts
}

// machine is an offline machine making requests.
type machine struct {
	key        *crypto.PrivateKey
	fp         fingerprint.Set
	user, host string
}

func newMachine(label, user, host string) *machine {
	seed := sha256.Sum256([]byte(label))
	k, err := crypto.NewKeyFromSeed(seed[:])
	if err != nil {
		panic(err)
	}
	salt := []byte("cad")
	fp := fingerprint.Set{
		fingerprint.HashComponent(salt, fingerprint.KindMachineID, label+"-id"),
		fingerprint.HashComponent(salt, fingerprint.KindProductUUID, label+"-uuid"),
		fingerprint.HashComponent(salt, fingerprint.KindHostname, host),
	}.Canonical()
	return &machine{key: k, fp: fp, user: user, host: host}
}

func (m *machine) activation(t *testing.T, key string, at time.Time, change func(*request.Activation)) []byte {
	t.Helper()
	norm, err := request.NormalizeLicenseKey(key)
	require.NoError(t, err)
	a := &request.Activation{Header: request.Header{Time: at}, LicenseKey: norm, Fingerprint: m.fp, User: m.user, Host: m.host}
	if change != nil {
		change(a)
	}
	b, err := a.Sign(m.key)
	require.NoError(t, err)
	return b
}

func (m *machine) refresh(t *testing.T, r *response.Receipt, at time.Time) []byte {
	t.Helper()
	b, err := (&request.Refresh{Header: request.Header{Time: at}, LeaseID: r.LeaseID, Serial: r.Serial, LedgerSeq: r.LedgerSeq}).Sign(m.key)
	require.NoError(t, err)
	return b
}

func (m *machine) giveBack(t *testing.T, r *response.Receipt, at time.Time) []byte {
	t.Helper()
	b, err := (&request.Return{Header: request.Header{Time: at}, LeaseID: r.LeaseID, Serial: r.Serial, LedgerSeq: r.LedgerSeq}).Sign(m.key)
	require.NoError(t, err)
	return b
}

// armor writes a request as armored text.
func armor(t *testing.T, msg []byte) string {
	t.Helper()
	typ, err := request.Peek(msg)
	require.NoError(t, err)
	s, err := wire.MarshalArmor(typ.Type, msg)
	require.NoError(t, err)
	return s
}

// writeFile writes data into the site's directory and returns the path.
func (s *site) writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(s.dir, name)
	require.NoError(t, os.WriteFile(p, data, 0o644))
	return p
}

// receipt reads a receipt from text output and verifies it.
func (s *site) receipt(t *testing.T, text string, now time.Time) *response.Receipt {
	t.Helper()
	msg, _, _, err := wire.Read([]byte(text))
	require.NoError(t, err)
	r, err := response.Verify(msg, s.trust(t), now)
	require.NoError(t, err)
	return r
}

// issue issues a request given on stdin and returns the verified receipt.
func (s *site) issue(t *testing.T, req []byte, now time.Time) (*response.Receipt, string) {
	t.Helper()
	out, errOut := s.mustRun(t, now, armor(t, req), "issue", "-")
	return s.receipt(t, out, now), errOut
}
