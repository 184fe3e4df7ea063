package main

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/airlock-dev/airlock/client/clienttest"
	"github.com/airlock-dev/airlock/crypto"
	"github.com/airlock-dev/airlock/internal/cli"
	"github.com/airlock-dev/airlock/wire"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTrustCommands(t *testing.T) {
	s := initSite(t, "ws-lab-042")
	next := clienttest.NewStation(2)
	retire := t0.Add(240 * time.Hour)
	stmt, err := (&crypto.Rollover{NewKey: next.Public(), Name: "acme-2027", Version: 1, IssuedAt: t0, RetireSignerAt: retire}).Sign(s.station.Key)
	require.NoError(t, err)
	path := s.write("rollover.txt", []byte(armorOf(t, wire.KeyRollover, stmt)))
	oldID, newID := s.station.Public().ID().String(), next.Public().ID().String()

	out := s.ok(t0.Add(time.Hour), "", "trust", "update", path)
	assert.Equal(t, "now trusting key "+newID+" (acme-2027), introduced by key "+oldID+"; trust store version 1\n"+
		"key "+oldID+" (acme) is retired at 2026-12-03 10:00 UTC: receipts it issues after that are refused\n", out)
	out = s.ok(t0.Add(time.Hour), "", "trust", "update", path)
	assert.Equal(t, "already up to date: key "+newID+" (acme-2027) is trusted (trust store version 1)\n", out)
	out = s.ok(t0.Add(time.Hour), "", "trust", "show")
	assert.Equal(t, "trust store version 1\n"+oldID+"  acme  retired 2026-12-03 10:00 UTC\n"+newID+"  acme-2027\n", out)

	// An older statement that was never applied is refused.
	stale, err := (&crypto.Rollover{NewKey: clienttest.NewStation(3).Public(), Name: "acme-x", Version: 1, IssuedAt: t0}).Sign(s.station.Key)
	require.NoError(t, err)
	code, out, errOut := s.run(t0.Add(time.Hour), "", "trust", "update", s.write("stale.bin", stale))
	assert.Equal(t, 1, code)
	assert.Empty(t, out)
	assert.Contains(t, errOut, "rollover statement is not newer than the trust store: statement version 1, trust store version 1\n"+
		"hint: this statement is older than the trust store; ask the vendor for their latest rollover statement\n")

	// Not a rollover statement.
	code, _, errOut = s.run(t0.Add(time.Hour), armorOf(t, wire.ActivationRequest, message(t, s.ok(t0, "", "request", "--license", "7K3QM9XD2HFRW4TB"))), "trust", "update", "-")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "airlock: error: stdin: wrong message type: got activation request, want key rollover statement\n")

	// The new key's receipts now apply.
	s.station = next
	s.activate(t0.Add(2 * time.Hour))

	var st struct {
		TrustVersion uint64 `json:"trust_version"`
		Trust        []struct {
			ID      string `json:"id"`
			Name    string `json:"name"`
			Retired string `json:"retired"`
		} `json:"trust"`
	}
	require.NoError(t, json.Unmarshal([]byte(s.ok(t0.Add(3*time.Hour), "", "status", "--json")), &st))
	assert.Equal(t, uint64(1), st.TrustVersion)
	require.Len(t, st.Trust, 2)
	assert.Equal(t, "2026-12-03T10:00:00Z", st.Trust[0].Retired)
	assert.Empty(t, st.Trust[1].Retired)
}

func TestFingerprintUsesHomeProduct(t *testing.T) {
	s := initSite(t, "ws-lab-042")
	var r struct {
		Product string `json:"product"`
		Summary string `json:"summary"`
	}
	require.NoError(t, json.Unmarshal([]byte(s.ok(t0, "", "fingerprint", "--json")), &r))
	assert.Equal(t, "cad", r.Product)
	assert.Equal(t, components("ws-lab-042", "cad").Summary(), r.Summary)
	assert.Contains(t, s.ok(t0, "", "status"), "fingerprint:  "+r.Summary+"\n", "the summary status shows")

	require.NoError(t, json.Unmarshal([]byte(s.ok(t0, "", "fingerprint", "--json", "--product", "other")), &r))
	assert.Equal(t, "other", r.Product)
	assert.Equal(t, components("ws-lab-042", "other").Summary(), r.Summary)
}

func TestHelpNamesTheHomes(t *testing.T) {
	for _, cmd := range []string{"init", "request", "refresh", "return", "apply", "status", "check"} {
		var stdout, stderr bytes.Buffer
		require.Equal(t, 0, runAt(t0, []string{"help", cmd}, &cli.Env{Stdout: &stdout, Stderr: &stderr}), cmd)
		assert.Contains(t, stdout.String(), "--home DIR", cmd)
		assert.Contains(t, stdout.String(), "$AIRLOCK_HOME", cmd)
		assert.Contains(t, stdout.String(), "system-wide home", cmd)
	}
	var stdout bytes.Buffer
	require.Equal(t, 0, runAt(t0, []string{"help"}, &cli.Env{Stdout: &stdout, Stderr: &stdout}))
	for _, cmd := range []string{"init", "request", "refresh", "return", "apply", "status", "check", "trust", "fingerprint"} {
		assert.Contains(t, stdout.String(), "\n  "+cmd+" ", cmd)
	}
}
