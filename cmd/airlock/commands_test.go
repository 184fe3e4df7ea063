package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/airlock-dev/airlock/request"
	"github.com/airlock-dev/airlock/response"
	"github.com/airlock-dev/airlock/wire"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestInitCommand(t *testing.T) {
	s := newSite(t, "ws-lab-042")
	code, out, errOut := s.run(t0, "", "init", "--trust", s.issuer)
	require.Equal(t, 0, code, errOut)
	kid := s.station.Public().ID().String()
	assert.Regexp(t, regexp.MustCompile(`^set up `+regexp.QuoteMeta(s.home)+`
device key:    [0-9a-f]{8}
trusted key:   `+kid+` \(acme\)
product:       issuer-`+kid+`
fingerprint:   [0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}
next: airlock request --license KEY
$`), out)
	assert.Empty(t, errOut)

	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"again", []string{"init", "--trust", s.issuer}, 1,
			"airlock: error: airlock is already initialised in " + s.home + ": refusing to replace its device key and leases\n" +
				"hint: this home already has a device key and leases; give another home with --home DIR for a second installation\n"},
		{"no trust", []string{"init"}, 2,
			"airlock: error: --trust is required\nhint: give the issuer public key file the vendor sent: airlock init --trust ISSUER.pub\n"},
		{"missing key file", []string{"init", "--trust", filepath.Join(s.dir, "nope.pub"), "--home", filepath.Join(s.dir, "h2")}, 1,
			"airlock: error: reading the issuer key: public key file \"" + filepath.Join(s.dir, "nope.pub") + "\" does not exist: file does not exist\n" +
				"hint: --trust takes the issuer's public key, a PEM file beginning '-----BEGIN PUBLIC KEY-----'\n"},
		{"argument", []string{"init", "acme.pub"}, 2,
			"airlock: error: unexpected argument \"acme.pub\"\nhint: give the issuer key with --trust FILE\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := s.run(t0, "", tt.args...)
			assert.Equal(t, tt.wantCode, code)
			assert.Empty(t, out)
			assert.Equal(t, tt.wantErr, errOut)
		})
	}
}

func TestNotInitialisedCommands(t *testing.T) {
	s := newSite(t, "ws-lab-042")
	for _, args := range [][]string{
		{"status"}, {"check", "render"}, {"request", "--license", "7K3QM9XD2HFRW4TB"},
		{"refresh", "--lease", "3f9a"}, {"return", "--lease", "3f9a"}, {"trust", "show"},
	} {
		code, out, errOut := s.run(t0, "", args...)
		assert.Equal(t, 1, code, args)
		assert.Empty(t, out, args)
		assert.Equal(t, "airlock: error: airlock is not initialised in "+s.home+": device.key is missing\n"+
			"hint: run 'airlock init --trust ISSUER.pub' to set up this machine, or give the home with --home DIR or $AIRLOCK_HOME\n", errOut, args)
	}
}

// TestLeaseLife walks a lease through every command: request, apply,
// check, status, refresh, return, and the deactivation receipt.
func TestLeaseLife(t *testing.T) {
	s := initSite(t, "ws-lab-042")

	// request: armor on stdout, notes on stderr, recorded as pending.
	code, reqOut, errOut := s.run(t0, "", "request", "--license", "7k3q-m9xd-2hfr-w4tb", "--features", "render,model", "--lease", "720h", "--user", "ana", "--host", "")
	require.Equal(t, 0, code, errOut)
	assert.True(t, strings.HasPrefix(reqOut, "-----BEGIN AIRLOCK ACTIVATION REQUEST-----\n"))
	assert.Equal(t, "next: take it to the issuing station, then apply its receipt here with 'airlock apply FILE'\n", errOut)
	req := message(t, reqOut)
	a, err := request.VerifyActivation(req)
	require.NoError(t, err)
	assert.Equal(t, []string{"model", "render"}, a.Features)
	assert.Equal(t, 720*time.Hour, a.Lease)
	assert.Equal(t, "ana", a.User)
	assert.Empty(t, a.Host)
	assert.Equal(t, components("ws-lab-042", "cad"), a.Fingerprint, "salted with the home's product")

	// apply from stdin.
	receipt, err := s.station.Activate(req, t0.Add(time.Hour))
	require.NoError(t, err)
	armored, err := wire.MarshalArmor(wire.ActivationReceipt, receipt)
	require.NoError(t, err)
	code, out, errOut := s.run(t0.Add(2*time.Hour), armored, "apply", "-")
	require.Equal(t, 0, code, errOut)
	r, err := s.station.Last(mustLease(t, receipt))
	require.NoError(t, err)
	id := r.LeaseID
	assert.Equal(t, "installed lease "+id.String()+": model, render, valid until 2026-12-23 11:00 UTC (license 17, serial 1)\n", out)
	assert.Equal(t, "read armor from stdin\n", errOut)

	// Again: harmless.
	out = s.ok(t0.Add(2*time.Hour), armored, "apply", "-")
	assert.Equal(t, "already applied: this activation receipt for lease "+id.String()+" (serial 1) is installed; nothing changed\n", out)

	// check: silent success, --verbose, --json.
	code, out, errOut = s.run(t0.Add(3*time.Hour), "", "check", "render")
	assert.Equal(t, 0, code)
	assert.Empty(t, out)
	assert.Empty(t, errOut)
	out = s.ok(t0.Add(3*time.Hour), "", "check", "render", "--verbose")
	assert.Equal(t, "render: licensed by lease "+id.String()+" until 2026-12-23 11:00 UTC (29d 22h left)\n", out)
	var cj map[string]any
	require.NoError(t, json.Unmarshal([]byte(s.ok(t0.Add(3*time.Hour), "", "check", "--json", "render")), &cj))
	assert.Equal(t, map[string]any{
		"feature": "render", "licensed": true, "lease": id.String(), "expires": "2026-12-23T11:00:00Z", "remaining_seconds": float64(718 * 3600),
	}, cj)

	// status --json.
	var st struct {
		Leases []struct {
			ID       string   `json:"id"`
			Features []string `json:"features"`
			Expires  string   `json:"expires"`
			Status   string   `json:"status"`
			Serial   uint64   `json:"serial"`
			Receipt  string   `json:"receipt"`
		} `json:"leases"`
		Clock struct {
			OK        bool   `json:"ok"`
			HighWater string `json:"high_water"`
		} `json:"clock"`
		DeviceKeyID string `json:"device_key_id"`
		Pending     []any  `json:"pending"`
	}
	require.NoError(t, json.Unmarshal([]byte(s.ok(t0.Add(3*time.Hour), "", "status", "--json")), &st))
	require.Len(t, st.Leases, 1)
	assert.Equal(t, id.String(), st.Leases[0].ID)
	assert.Equal(t, []string{"model", "render"}, st.Leases[0].Features)
	assert.Equal(t, "2026-12-23T11:00:00Z", st.Leases[0].Expires)
	assert.Equal(t, "active", st.Leases[0].Status)
	assert.Equal(t, uint64(1), st.Leases[0].Serial)
	assert.Equal(t, receipt, message(t, st.Leases[0].Receipt))
	assert.True(t, st.Clock.OK)
	assert.Equal(t, "2026-11-23T12:00:00Z", st.Clock.HighWater)
	assert.Equal(t, a.DeviceKey.ID().String(), st.DeviceKeyID)
	assert.Empty(t, st.Pending)

	// status text.
	out = s.ok(t0.Add(3*time.Hour), "", "status")
	assert.Contains(t, out, "device key:   "+a.DeviceKey.ID().String()+"\n")
	assert.Contains(t, out, "product:      cad\n")
	assert.Contains(t, out, "clock:        ok\n")
	assert.Regexp(t, id.String()+` +active +model,render +2026-12-23 11:00 UTC \(29d 22h left\) +1\n`, out)
	assert.Contains(t, out, "trusted issuer keys (trust store version 0):\n  "+s.station.Public().ID().String()+"  acme\n")

	// refresh by prefix, to a file, as base45.
	path := filepath.Join(s.dir, "refresh.txt")
	code, out, errOut = s.run(t0.Add(4*time.Hour), "", "refresh", "--lease", id.String()[:5], "-o", path, "--format", "base45")
	require.Equal(t, 0, code, errOut)
	assert.Empty(t, out)
	assert.Contains(t, errOut, "--lease "+id.String()[:5]+" matched lease "+id.String()+"\n")
	assert.Contains(t, errOut, "wrote refresh request, base45 to "+path)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(data), wire.Base45Prefix))
	refreshed, err := s.station.Refresh(message(t, string(data)), t0.Add(5*time.Hour))
	require.NoError(t, err)
	out = s.ok(t0.Add(5*time.Hour), "", "apply", s.write("refresh.bin", refreshed))
	assert.Equal(t, "refreshed lease "+id.String()+": model, render, valid until 2026-12-23 15:00 UTC (serial 2 replaces 1)\n", out)

	// return: the lease goes first, then the proof; again gives the same.
	code, proofOut, errOut := s.run(t0.Add(6*time.Hour), "", "return", "--lease", id.String())
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "lease "+id.String()+" is removed from this machine\n"+
		"next: take the return proof to the issuing station, then apply its deactivation receipt here with 'airlock apply FILE' as evidence\n", errOut)
	code, again, errOut := s.run(t0.Add(7*time.Hour), "", "return", "--lease", id.String())
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, proofOut, again)
	assert.Contains(t, errOut, "was already removed from this machine; writing its return proof again")
	code, _, errOut = s.run(t0.Add(7*time.Hour), "", "check", "render")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "airlock: error: feature \"render\" is not licensed here: lease "+id.String()+", which granted it, was returned at 2026-11-23 16:00 UTC\n")

	deact, err := s.station.Deactivate(message(t, proofOut), t0.Add(8*time.Hour))
	require.NoError(t, err)
	out = s.ok(t0.Add(8*time.Hour), "", "apply", s.write("deact.bin", deact))
	assert.Equal(t, "the station confirmed the return of lease "+id.String()+" at 2026-11-23 18:00 UTC; the deactivation receipt is kept as evidence (see 'airlock status')\n", out)
	out = s.ok(t0.Add(9*time.Hour), "", "status")
	assert.Regexp(t, id.String()+` +returned +model,render`, out)
	assert.Contains(t, out, "  "+id.String()+": returned at 2026-11-23 16:00 UTC; evidence: deactivation receipt (airlock status --json)\n")
}

func mustLease(t *testing.T, receipt []byte) wire.LeaseID {
	t.Helper()
	r, err := response.ParseUnverified(receipt)
	require.NoError(t, err)
	return r.LeaseID
}

func TestCheckCommand(t *testing.T) {
	s := initSite(t, "ws-lab-042")
	s.activate(t0, "--features", "render")
	tests := []struct {
		name     string
		now      time.Time
		args     []string
		wantCode int
		wantErr  string
		wantOut  string
	}{
		{name: "licensed", now: t0.Add(time.Hour), args: []string{"render"}},
		{name: "not licensed", now: t0.Add(time.Hour), args: []string{"export"}, wantCode: 1,
			wantErr: "airlock: error: feature \"export\" is not licensed here: no installed lease grants it\n" +
				"hint: run 'airlock status' for the leases on this machine; 'airlock request --license KEY' asks the station for one\n"},
		{name: "expired", now: t0.Add(800 * time.Hour), args: []string{"render"}, wantCode: 1,
			wantErr: "hint: ask the station for a new receipt: 'airlock refresh --lease ID' makes the request\n"},
		{name: "clock set back", now: t0.Add(-25 * time.Hour), args: []string{"render"}, wantCode: 1,
			wantErr: "airlock: error: the clock is set back: it reads 2026-11-22 09:00 UTC, 25h behind the latest time this machine has seen (2026-11-23 10:00 UTC); the tolerance is 24h\n" +
				"hint: set the clock to the correct time and try again\n"},
		{name: "clock an hour back", now: t0.Add(-time.Hour), args: []string{"render"}},
		{name: "json says no", now: t0.Add(time.Hour), args: []string{"export", "--json"}, wantCode: 1,
			wantOut: "{\n  \"feature\": \"export\",\n  \"licensed\": false,\n  \"reason\": \"feature \\\"export\\\" is not licensed here: no installed lease grants it\",\n  \"error\": \"not-licensed\"\n}\n",
			wantErr: "airlock: error: feature \"export\" is not licensed here"},
		{name: "no feature", now: t0, args: nil, wantCode: 2, wantErr: "airlock: error: want one FEATURE, got 0 arguments\nhint: airlock check FEATURE\n"},
		{name: "two features", now: t0, args: []string{"a", "b"}, wantCode: 2, wantErr: "want one FEATURE, got 2 arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := s.run(tt.now, "", append([]string{"check"}, tt.args...)...)
			assert.Equal(t, tt.wantCode, code, errOut)
			assert.Equal(t, tt.wantOut, out)
			if tt.wantErr == "" {
				assert.Empty(t, errOut)
			} else {
				assert.Contains(t, errOut, tt.wantErr)
			}
		})
	}
}
