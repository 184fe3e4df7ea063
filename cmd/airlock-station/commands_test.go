package main

import (
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/airlock-dev/airlock/crypto"
	"github.com/airlock-dev/airlock/request"
	"github.com/airlock-dev/airlock/response"
	"github.com/airlock-dev/airlock/station/sqlite"
	"github.com/airlock-dev/airlock/wire"
)

func TestInit(t *testing.T) {
	s := newSite(t)
	code, out, errOut := s.run(t, t0, "", "init", "--kdf-work-factor", "10", "--pub-out", s.pub)
	require.Equal(t, 0, code, errOut)
	assert.Empty(t, errOut)
	kid := regexp.MustCompile(`issuer key:  ([0-9a-f]{8}) `).FindStringSubmatch(out)
	require.NotNil(t, kid, out)
	assert.Equal(t, "created station database "+s.db+"\n"+
		"issuer key:  "+kid[1]+" (airlock-station "+kid[1]+"), encrypted in "+filepath.Join(s.dir, "data", "issuer-"+kid[1]+".key")+"\n"+
		"public key:  "+s.pub+" (give it to every offline machine: airlock init --trust issuer.pub)\n"+
		"requests:    accepted up to 30d old and 1d ahead\n"+
		"next: airlock-station license add --customer NAME --product P --features a,b --seats N\n", out)

	pub, err := crypto.ReadPublicKeyFile(s.pub)
	require.NoError(t, err)
	assert.Equal(t, kid[1], pub.ID().String())
	keyFile := filepath.Join(s.dir, "data", "issuer-"+kid[1]+".key")
	if runtime.GOOS != "windows" {
		fi, err := os.Stat(keyFile)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	}
	k, err := crypto.ReadIssuerKey(keyFile, "correct horse")
	require.NoError(t, err)
	assert.True(t, k.Public().Equal(pub))

	tests := []struct {
		name     string
		env      map[string]string
		args     []string
		wantCode int
		wantErr  string
	}{
		{name: "again", args: []string{"init", "--kdf-work-factor", "10", "--pub-out", filepath.Join(s.dir, "other.pub")}, wantCode: 1,
			wantErr: "airlock-station: error: " + s.db + " already holds a station\nhint: use it as it is, or give another database with --db FILE\n"},
		{name: "public key exists", args: []string{"init", "--db", filepath.Join(s.dir, "b.db"), "--pub-out", s.pub}, wantCode: 1,
			wantErr: "airlock-station: error: " + s.pub + " already exists\nhint: give another file with --pub-out FILE, or --force to replace it\n"},
		{name: "work factor", args: []string{"init", "--kdf-work-factor", "30"}, wantCode: 2,
			wantErr: "airlock-station: error: --kdf-work-factor 30 must be from 1 to 20\n"},
		{name: "no passphrase", env: map[string]string{envPassphrase: ""}, args: []string{"init", "--db", filepath.Join(s.dir, "c.db"), "--pub-out", filepath.Join(s.dir, "c.pub")}, wantCode: 1,
			wantErr: "airlock-station: error: no passphrase for the issuer key: $AIRLOCK_STATION_PASSPHRASE is not set and there is no terminal to ask on\n" +
				"hint: set AIRLOCK_STATION_PASSPHRASE in the environment, or run the command in a terminal\n"},
		{name: "postgres", args: []string{"init", "--db", "postgres://db/station"}, wantCode: 1,
			wantErr: "airlock-station: error: database \"postgres://db/station\": PostgreSQL is not supported yet\nhint: give an SQLite database file with --db FILE\n"},
		{name: "argument", args: []string{"init", "x"}, wantCode: 2,
			wantErr: "airlock-station: error: unexpected argument \"x\"\nhint: give the database with --db FILE\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				old := s.env[k]
				s.env[k] = v
				defer func() { s.env[k] = old }()
			}
			code, out, errOut := s.run(t, t0, "", tt.args...)
			assert.Equal(t, tt.wantCode, code)
			assert.Empty(t, out)
			assert.Equal(t, tt.wantErr, errOut)
		})
	}

	// --force replaces the public key file.
	code, _, errOut = s.run(t, t0, "", "init", "--kdf-work-factor", "10", "--db", filepath.Join(s.dir, "d.db"), "--pub-out", s.pub, "--force")
	require.Equal(t, 0, code, errOut)
	pub2, err := crypto.ReadPublicKeyFile(s.pub)
	require.NoError(t, err)
	assert.False(t, pub2.Equal(pub))
}

func TestDefaultDatabase(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("checks the Linux data directory")
	}
	s := newSite(t)
	delete(s.env, envDB)
	s.mustRun(t, t0, "", "init", "--kdf-work-factor", "10", "--pub-out", s.pub)
	assert.FileExists(t, filepath.Join(s.dir, ".local", "share", "airlock-station", "station.db"))

	s.env["XDG_DATA_HOME"] = filepath.Join(s.dir, "xdg")
	code, _, errOut := s.run(t, t0, "", "status")
	assert.Equal(t, 1, code)
	assert.Equal(t, "airlock-station: error: no station database at "+filepath.Join(s.dir, "xdg", "airlock-station", "station.db")+"\n"+
		"hint: run 'airlock-station init' to create one, or give the database with --db FILE or $AIRLOCK_STATION_DB\n", errOut)
}

func TestNotInitialised(t *testing.T) {
	s := newSite(t)
	for _, args := range [][]string{
		{"status"}, {"license", "list"}, {"license", "add", "--customer", "a", "--product", "p", "--features", "f", "--seats", "1"},
		{"issue", "-"}, {"audit", "verify"}, {"key", "list"}, {"settings"}, {"push-refresh", "--lease", "3f9a12c07b4e"},
	} {
		stdin := ""
		if args[0] == "issue" {
			stdin = armor(t, newMachine("m", "u", "h").activation(t, "7K3QM9XD2HFRW4TB", t0, nil))
		}
		code, out, errOut := s.run(t, t0, stdin, args...)
		assert.Equal(t, 1, code, args)
		assert.Empty(t, out, args)
		assert.Equal(t, "airlock-station: error: no station database at "+s.db+"\n"+
			"hint: run 'airlock-station init' to create one, or give the database with --db FILE or $AIRLOCK_STATION_DB\n", errOut, args)
	}
}

func TestLicenseCommands(t *testing.T) {
	s := initSite(t)
	key := s.addLicense(t)
	assert.Regexp(t, regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$`), key)

	// --json gives id and key.
	out, errOut := s.mustRun(t, t0, "", "license", "add", "--customer", "Beta", "--product", "cad", "--features", "model", "--seats", "3",
		"--max-lease", "30d", "--default-lease", "7d", "--term-end", "2027-12-31", "--low-water", "1", "--group", "eng=ana,ben",
		"--allow-groups", "eng", "--deny-hosts", "kiosk", "--json")
	assert.Equal(t, "added license 2: Beta, cad (model), 3 seats (1 low-water), leases up to 30d, until 2028-01-01 00:00 UTC\n", errOut)
	var added struct {
		ID      uint64 `json:"id"`
		Key     string `json:"key"`
		License struct {
			Seats        int   `json:"seats"`
			MaxLease     int64 `json:"max_lease_seconds"`
			DefaultLease int64 `json:"default_lease_seconds"`
			Access       struct {
				AllowGroups []string            `json:"allow_groups"`
				DenyHosts   []string            `json:"deny_hosts"`
				Groups      map[string][]string `json:"groups"`
			} `json:"access"`
		} `json:"license"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &added))
	assert.Equal(t, uint64(2), added.ID)
	assert.Regexp(t, `^[0-9A-Z]{4}-`, added.Key)
	assert.Equal(t, int64(720*3600), added.License.MaxLease)
	assert.Equal(t, int64(168*3600), added.License.DefaultLease)
	assert.Equal(t, map[string][]string{"eng": {"ana", "ben"}}, added.License.Access.Groups)

	// list, text and JSON.
	out, _ = s.mustRun(t, t0, "", "license", "list")
	assert.Equal(t, "ID  KEY                  CUSTOMER          PRODUCT  SEATS  IN USE  FREE  STATE\n"+
		"1   "+key+"  ACME Engineering  cad      2      0       2     active\n"+
		"2   "+added.Key+"  Beta              cad      3      0       2     until 2028-01-01 00:00 UTC\n", out)
	out, _ = s.mustRun(t, t0, "", "license", "list", "--json")
	var list []map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &list))
	require.Len(t, list, 2)
	assert.Equal(t, float64(2), list[0]["free"])

	// show, by ID and by key typed loosely.
	out, _ = s.mustRun(t, t0, "", "license", "show", strings.ToLower(key))
	assert.Contains(t, out, "features:     export (limit 100), model, render\n")
	assert.Contains(t, out, "seats:        2, 0 in use, 2 free, 0 low-water\n")
	out, _ = s.mustRun(t, t0, "", "license", "show", "2", "--json")
	var shown licenseJSON
	require.NoError(t, json.Unmarshal([]byte(out), &shown))
	assert.Equal(t, 3, shown.Seats)
	assert.Equal(t, []string{"kiosk"}, shown.Access.DenyHosts)

	// update changes what is given.
	_, errOut = s.mustRun(t, t0.Add(time.Hour), "", "license", "update", "1", "--seats", "4", "--offline=false")
	assert.Equal(t, "updated license 1: ACME Engineering, cad (export, model, render), 4 seats, leases up to 30d, no offline use\n", errOut)
	code, _, errOut := s.run(t, t0, armor(t, newMachine("m", "ana", "ws").activation(t, key, t0, nil)), "issue", "-")
	assert.Equal(t, 1, code)
	assert.Equal(t, "airlock-station: error: offline use not allowed: license 1 (ACME Engineering, cad) does not allow seats to be borrowed offline\n"+
		"hint: allow offline use with 'airlock-station license update --offline'\n", errOut)

	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"add without seats", []string{"license", "add", "--customer", "a", "--product", "p", "--features", "f"}, 2,
			"airlock-station: error: --seats is required and must be at least 1\nhint: airlock-station license add --customer NAME --product P --features a,b --seats N\n"},
		{"add without customer", []string{"license", "add", "--product", "p", "--features", "f", "--seats", "1"}, 2,
			"airlock-station: error: --customer is required\nhint: airlock-station license add --customer NAME --product P --features a,b --seats N\n"},
		{"bad feature", []string{"license", "add", "--customer", "a", "--product", "p", "--features", "a b", "--seats", "1"}, 2,
			"airlock-station: error: --features: invalid field feature: name \"a b\" may hold only letters, digits, '.', '_' and '-'\n"},
		{"max lease too long", []string{"license", "add", "--customer", "a", "--product", "p", "--features", "f", "--seats", "1", "--max-lease", "400d"}, 1,
			"airlock-station: error: maximum lease 9600h0m0s must be whole seconds from 1h0m0s to 8760h0m0s\n"},
		{"bad duration", []string{"license", "add", "--customer", "a", "--product", "p", "--features", "f", "--seats", "1", "--max-lease", "soon"}, 2,
			"airlock-station: error: invalid value \"soon\" for flag -max-lease: duration \"soon\" is not like 720h, 30d or 1d12h\nhint: run 'airlock-station help license add' for usage\n"},
		{"show unknown", []string{"license", "show", "9"}, 1,
			"airlock-station: error: unknown license: no license 9\nhint: list the licenses with 'airlock-station license list'\n"},
		{"update nothing", []string{"license", "update", "1"}, 2,
			"airlock-station: error: nothing to change\nhint: give the flags to change, e.g. --seats N; 'airlock-station help license update' lists them\n"},
		{"update invalid", []string{"license", "update", "1", "--low-water", "9"}, 1,
			"airlock-station: error: low-water 9 must be at least 0 and below the 4 seats\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := s.run(t, t0, "", tt.args...)
			assert.Equal(t, tt.wantCode, code)
			assert.Empty(t, out)
			assert.Equal(t, tt.wantErr, errOut)
		})
	}
}

func TestIssueCommand(t *testing.T) {
	s := initSite(t)
	key := s.addLicense(t, "--default-lease", "7d")
	ana := newMachine("ana-ws", "ana", "ws-ana")
	req := ana.activation(t, key, t0, nil)

	// Activation: armor on stdout, the summary on stderr.
	code, out, errOut := s.run(t, t0, armor(t, req), "issue", "-")
	require.Equal(t, 0, code, errOut)
	assert.True(t, strings.HasPrefix(out, "-----BEGIN AIRLOCK ACTIVATION RECEIPT-----\n"), out)
	r := s.receipt(t, out, t0)
	assert.Equal(t, "issued activation receipt for lease "+r.LeaseID.String()+": 3 features, expires 2026-11-30 10:00 UTC (license 1: 1 of 2 seats in use)\n", errOut)

	// The same request again, from a binary file: the same receipt.
	in := s.writeFile(t, "request.bin", req)
	code, out2, errOut := s.run(t, t0.Add(time.Hour), "", "issue", in)
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, out, out2)
	assert.Equal(t, "answered again with the activation receipt issued before for lease "+r.LeaseID.String()+" (the same request; no new seat)\n", errOut)

	// Refresh, to a file in Base45 with a QR code.
	t1 := t0.Add(24 * time.Hour)
	recFile, qrFile := filepath.Join(s.dir, "refresh.b45"), filepath.Join(s.dir, "refresh.png")
	code, out, errOut = s.run(t, t1, armor(t, ana.refresh(t, r, t1)), "issue", "-", "-o", recFile, "--format", "base45", "--qr", qrFile)
	require.Equal(t, 0, code, errOut)
	assert.Empty(t, out)
	assert.Contains(t, errOut, "wrote refresh receipt, base45 to "+recFile)
	assert.Contains(t, errOut, "issued refresh receipt for lease "+r.LeaseID.String()+" (serial 2): 3 features, expires 2026-12-01 10:00 UTC\n")
	assert.FileExists(t, qrFile)
	data, err := os.ReadFile(recFile)
	require.NoError(t, err)
	r2 := s.receipt(t, string(data), t1)
	assert.Equal(t, uint64(2), r2.Serial)

	// Return.
	_, errOut = s.issue(t, ana.giveBack(t, r2, t1), t1)
	assert.Equal(t, "issued deactivation receipt for lease "+r.LeaseID.String()+" (serial 3): seat freed (license 1: 0 of 2 seats in use)\n", errOut)

	// The receipt command writes the newest receipt again.
	out, _ = s.mustRun(t, t1, "", "receipt", "--lease", r.LeaseID.String())
	assert.Equal(t, wire.DeactivationReceipt, s.receipt(t, out, t1).Type)
}

func TestIssueRefusals(t *testing.T) {
	s := initSite(t)
	key := s.addLicense(t, "--seats", "1", "--default-lease", "7d")
	s.issue(t, newMachine("a", "ana", "a").activation(t, key, t0, nil), t0)
	tests := []struct {
		name    string
		stdin   string
		args    []string
		wantErr string
	}{
		{"no free seat", armor(t, newMachine("b", "ben", "b").activation(t, key, t0, nil)), []string{"issue", "-"},
			"airlock-station: error: no free seat: 1 of 1 in use, the next frees 2026-11-30 10:00 UTC\n" +
				"hint: try again after a lease ends or is returned, or add seats (airlock-station license update 1 --seats N)\n"},
		{"lease too long", armor(t, newMachine("b", "ben", "b").activation(t, key, t0, func(a *request.Activation) { a.Lease = 1000 * time.Hour })), []string{"issue", "-"},
			"airlock-station: error: lease too long: 41d 16h asked, license 1 allows at most 30d\n" +
				"hint: ask for at most 30d (airlock request --lease 720h)\n"},
		{"receipt given", "", nil, "airlock-station: error: invalid request: this is an activation receipt, not a request\n" +
			"hint: give issue the request file the offline machine wrote (airlock request, refresh or return)\n"},
		{"wrong armor", "", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			switch tt.name {
			case "receipt given":
				out, _ := s.mustRun(t, t0, "", "receipt", "--lease", leaseOf(t, s))
				tt.stdin, tt.args = out, []string{"issue", "-"}
			case "wrong armor":
				req := newMachine("c", "c", "c").activation(t, key, t0, nil)
				text, err := wire.MarshalArmor(wire.RefreshRequest, req)
				require.NoError(t, err)
				tt.stdin, tt.args = text, []string{"issue", "-"}
				tt.wantErr = "airlock-station: error: stdin says \"REFRESH REQUEST\" in its armor lines but holds a activation request\n"
			}
			code, out, errOut := s.run(t, t0, tt.stdin, tt.args...)
			assert.Equal(t, 1, code)
			assert.Empty(t, out)
			assert.Equal(t, tt.wantErr, errOut)
		})
	}
}

// leaseOf returns the ID of the site's first lease.
func leaseOf(t *testing.T, s *site) string {
	t.Helper()
	out, _ := s.mustRun(t, t0, "", "status", "--json")
	var st statusOut
	require.NoError(t, json.Unmarshal([]byte(out), &st))
	require.NotEmpty(t, st.Leases)
	return st.Leases[0].ID
}

func TestPushRefreshCommand(t *testing.T) {
	s := initSite(t)
	key := s.addLicense(t, "--default-lease", "7d")
	r, _ := s.issue(t, newMachine("a", "ana", "a").activation(t, key, t0, nil), t0)
	t1 := t0.Add(time.Hour)
	out, errOut := s.mustRun(t, t1, "", "push-refresh", "--lease", r.LeaseID.String(), "--extend", "2d", "--features", "render,model")
	p := s.receipt(t, out, t1)
	assert.Nil(t, p.RequestHash)
	assert.Equal(t, uint64(2), p.Serial)
	assert.Equal(t, []string{"model", "render"}, p.Features)
	assert.Equal(t, "pushed refresh receipt for lease "+r.LeaseID.String()+" (serial 2): model, render, expires 2026-12-02 10:00 UTC\n"+
		"next: apply it on the machine with 'airlock apply FILE'\n", errOut)

	code, _, errOut := s.run(t, t1, "", "push-refresh", "--lease", "nothex")
	assert.Equal(t, 2, code)
	assert.Equal(t, "airlock-station: error: lease id \"nothex\" is not 12 hex digits\nhint: lease IDs are 12 hex digits; 'airlock-station status' lists them\n", errOut)
	code, _, errOut = s.run(t, t1, "", "push-refresh", "--lease", "010203040506")
	assert.Equal(t, 1, code)
	assert.Equal(t, "airlock-station: error: unknown lease: this station has no lease 010203040506\nhint: list the leases with 'airlock-station status'\n", errOut)
	code, _, errOut = s.run(t, t1, "", "push-refresh", "--lease", r.LeaseID.String(), "--features", "simulate")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, `feature not licensed: license 1 (cad) has no feature "simulate"`)
}

func TestRevokeCommand(t *testing.T) {
	s := initSite(t)
	key := s.addLicense(t, "--seats", "3")
	ra, _ := s.issue(t, newMachine("a", "ana", "ws-a").activation(t, key, t0, nil), t0)
	rb, _ := s.issue(t, newMachine("b", "ben", "ws-b").activation(t, key, t0, nil), t0)
	dir := filepath.Join(s.dir, "revocations")
	t1 := t0.Add(time.Hour)
	out, errOut := s.mustRun(t, t1, "", "license", "revoke", "1", "--out-dir", dir)
	files := strings.Fields(out)
	require.Len(t, files, 2)
	assert.ElementsMatch(t, []string{filepath.Join(dir, "revocation-"+ra.LeaseID.String()+".txt"), filepath.Join(dir, "revocation-"+rb.LeaseID.String()+".txt")}, files)
	assert.Contains(t, errOut, "revoked license 1 (ACME Engineering, cad): 2 active leases ended\n")
	assert.Contains(t, errOut, "lease "+ra.LeaseID.String()+" (user ana, host ws-a): ")
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		r := s.receipt(t, string(data), t1)
		assert.Equal(t, wire.RevocationReceipt, r.Type)
		assert.Equal(t, t1, r.ExpiresAt)
	}
	code, _, errOut := s.run(t, t1, "", "license", "revoke", "1", "--json")
	assert.Equal(t, 1, code)
	assert.Equal(t, "airlock-station: error: license revoked: license 1 was already revoked 2026-11-23 11:00 UTC\n", errOut)

	// --json, binary files.
	key2 := s.addLicense(t)
	s.issue(t, newMachine("c", "cy", "ws-c").activation(t, key2, t1, nil), t1)
	out, _ = s.mustRun(t, t1, "", "license", "revoke", key2, "--out-dir", dir, "--format", "binary", "--json")
	var rev struct {
		License  uint64    `json:"license"`
		Revoked  time.Time `json:"revoked"`
		Receipts []struct {
			Lease, File, User, Host string
		} `json:"receipts"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &rev))
	assert.Equal(t, uint64(2), rev.License)
	require.Len(t, rev.Receipts, 1)
	assert.True(t, strings.HasSuffix(rev.Receipts[0].File, ".bin"))
	assert.Equal(t, "cy", rev.Receipts[0].User)
}

func TestStatusCommand(t *testing.T) {
	s := initSite(t)
	key := s.addLicense(t, "--seats", "4", "--low-water", "1", "--default-lease", "7d")
	ra, _ := s.issue(t, newMachine("a1", "ana", "ws-a1").activation(t, key, t0, nil), t0)
	s.issue(t, newMachine("a2", "ana", "ws-a2").activation(t, key, t0, nil), t0)
	s.issue(t, newMachine("b", "ben", "ws-b").activation(t, key, t0, func(a *request.Activation) { a.Lease = 2 * time.Hour }), t0)
	now := t0.Add(3 * time.Hour)

	out, errOut := s.mustRun(t, now, "", "status", "--json")
	assert.Empty(t, errOut)
	var st struct {
		Licenses []struct {
			ID                            uint64
			Seats, Active, Free, LowWater int
		} `json:"licenses"`
		Leases []struct {
			ID       string `json:"id"`
			Status   string `json:"status"`
			User     string `json:"user"`
			Host     string `json:"host"`
			TimeLeft int64  `json:"time_left_seconds"`
			Overdue  bool   `json:"overdue"`
		} `json:"leases"`
		Warnings []struct {
			User     string   `json:"user"`
			Machines int      `json:"machines"`
			Hosts    []string `json:"hosts"`
		} `json:"warnings"`
		Expired int `json:"recorded_expired"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &st))
	require.Len(t, st.Licenses, 1)
	assert.Equal(t, 4, st.Licenses[0].Seats)
	assert.Equal(t, 2, st.Licenses[0].Active)
	assert.Equal(t, 1, st.Licenses[0].Free)
	require.Len(t, st.Leases, 3)
	statuses := map[string]string{}
	for _, l := range st.Leases {
		statuses[l.User+"@"+l.Host] = l.Status
		if l.ID == ra.LeaseID.String() {
			assert.Equal(t, int64(7*24*3600-3*3600), l.TimeLeft)
		}
		if l.Status == "expired" {
			assert.True(t, l.Overdue)
		}
	}
	assert.Equal(t, map[string]string{"ana@ws-a1": "active", "ana@ws-a2": "active", "ben@ws-b": "expired"}, statuses)
	require.Len(t, st.Warnings, 1)
	assert.Equal(t, "ana", st.Warnings[0].User)
	assert.Equal(t, []string{"ws-a1", "ws-a2"}, st.Warnings[0].Hosts)
	assert.Equal(t, 1, st.Expired)

	out, _ = s.mustRun(t, now, "", "status")
	assert.Contains(t, out, "LICENSE  CUSTOMER          PRODUCT  SEATS  IN USE  FREE  LOW-WATER  NEXT FREES\n"+
		"1        ACME Engineering  cad      4      2       1     1          2026-11-30 10:00 UTC\n")
	assert.Contains(t, out, "overdue 1h")
	assert.Contains(t, out, "6d 21h")
	assert.Contains(t, out, "warning: user \"ana\" holds 2 leases on 2 machines (ws-a1, ws-a2)")
}

func TestAuditCommand(t *testing.T) {
	s := initSite(t)
	key := s.addLicense(t)
	s.issue(t, newMachine("a", "ana", "a").activation(t, key, t0, nil), t0)
	out, _ := s.mustRun(t, t0, "", "audit", "verify")
	assert.Regexp(t, regexp.MustCompile(`^ledger ok: 3 entries, head 3 [0-9a-f]{16}\nchecked 1 licenses, 1 leases and 1 receipts against it\n$`), out)

	// Someone edits the license in the database behind the station's back.
	db, err := sql.Open("sqlite", sqlite.DSN(s.db, 0))
	require.NoError(t, err)
	_, err = db.Exec("UPDATE ledger SET body = replace(body, '\"seats\":2', '\"seats\":20') WHERE seq = 2")
	require.NoError(t, err)
	require.NoError(t, db.Close())

	code, out, errOut := s.run(t, t0, "", "audit", "verify")
	assert.Equal(t, 1, code)
	assert.Empty(t, out)
	assert.Equal(t, "problem: entry 2: license 1 in the database differs from this entry, the last that changed it\n"+
		"airlock-station: error: ledger check failed: entry 2: its hash does not match its contents (license.add) (and 1 more)\n"+
		"hint: the database was changed outside airlock-station or damaged; restore the newest good backup\n", errOut)
	code, out, _ = s.run(t, t0, "", "audit", "verify", "--json")
	assert.Equal(t, 1, code)
	var rep struct {
		OK          bool   `json:"ok"`
		FirstBroken uint64 `json:"first_broken"`
		Problems    []struct {
			Seq uint64 `json:"seq"`
		} `json:"problems"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	assert.False(t, rep.OK)
	assert.Equal(t, uint64(2), rep.FirstBroken)
}

func TestKeyCommands(t *testing.T) {
	s := initSite(t)
	key := s.addLicense(t)
	trust := s.trust(t)
	old, err := crypto.ReadPublicKeyFile(s.pub)
	require.NoError(t, err)

	t1 := t0.Add(time.Hour)
	newPub := filepath.Join(s.dir, "new.pub")
	out, errOut := s.mustRun(t, t1, "", "key", "rotate", "--kdf-work-factor", "10", "--pub-out", newPub)
	msg, _, _, err := wire.Read([]byte(out))
	require.NoError(t, err)
	ro, err := trust.ApplyRollover(msg)
	require.NoError(t, err)
	assert.Equal(t, uint64(1), ro.Version)
	pub, err := crypto.ReadPublicKeyFile(newPub)
	require.NoError(t, err)
	assert.True(t, ro.NewKey.Equal(pub))
	assert.Contains(t, errOut, "rotated the issuer key: "+old.ID().String()+" retired, "+pub.ID().String())

	// Receipts are signed by the new key from now on.
	code, out, errOut := s.run(t, t1, armor(t, newMachine("a", "ana", "a").activation(t, key, t1, nil)), "issue", "-")
	require.Equal(t, 0, code, errOut)
	m, _, _, err := wire.Read([]byte(out))
	require.NoError(t, err)
	r, err := response.Verify(m, trust, t1)
	require.NoError(t, err)
	assert.Equal(t, pub.ID(), r.KeyID)

	out, _ = s.mustRun(t, t1, "", "key", "list")
	assert.Contains(t, out, old.ID().String()+"  airlock-station "+old.ID().String()+"  0        2026-11-23 10:00 UTC  2026-11-23 11:00 UTC")
	assert.Contains(t, out, pub.ID().String()+"  airlock-station "+pub.ID().String()+"  1        2026-11-23 11:00 UTC  current")
	out, _ = s.mustRun(t, t1, "", "key", "list", "--json")
	var keys []map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &keys))
	assert.Len(t, keys, 2)
	out, _ = s.mustRun(t, t1, "", "key", "export")
	assert.Equal(t, string(crypto.MarshalPublicKeyPEM(pub)), out)
}

func TestSettingsCommand(t *testing.T) {
	s := initSite(t)
	out, _ := s.mustRun(t, t0, "", "settings")
	assert.Equal(t, "request-max-age:   30d\nrequest-max-ahead: 1d\n", out)
	out, errOut := s.mustRun(t, t0, "", "settings", "--request-max-age", "60d", "--json")
	assert.Equal(t, "updated the settings\n", errOut)
	assert.JSONEq(t, `{"request_max_age_seconds": 5184000, "request_max_ahead_seconds": 86400}`, out)
	code, _, errOut := s.run(t, t0, "", "settings", "--request-max-age", "1m")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "the maximum age must be at least 1h")
}

func TestHelp(t *testing.T) {
	var vout, verr strings.Builder
	assert.Equal(t, 0, run([]string{"version"}, strings.NewReader(""), &vout, &verr))
	assert.True(t, strings.HasPrefix(vout.String(), "airlock-station v"), vout.String())
	assert.Equal(t, 2, run([]string{"frobnicate"}, strings.NewReader(""), &vout, &verr))
	assert.Contains(t, verr.String(), "airlock-station: error: unknown command \"frobnicate\"")

	s := newSite(t)
	out, _ := s.mustRun(t, t0, "", "help")
	for _, c := range []string{"init", "license", "issue", "push-refresh", "receipt", "status", "audit", "key", "settings"} {
		assert.Regexp(t, regexp.MustCompile(`(?m)^  `+c+`\s`), out)
	}
	out, _ = s.mustRun(t, t0, "", "help", "license", "add")
	assert.Contains(t, out, "--max-lease DUR")
	assert.Contains(t, out, "--group NAME=user1,user2")
}
