package station_test

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/airlock-dev/airlock/request"
	"github.com/airlock-dev/airlock/station"
)

func TestLicenseKeys(t *testing.T) {
	k, err := station.NewLicenseKey(bytes.NewReader(bytes.Repeat([]byte{0xff}, 10)))
	require.NoError(t, err)
	assert.Equal(t, "ZZZZZZZZZZZZZZZZ", k)
	k, err = station.NewLicenseKey(nil)
	require.NoError(t, err)
	assert.Regexp(t, regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{16}$`), k)
	norm, err := request.NormalizeLicenseKey(k)
	require.NoError(t, err)
	assert.Equal(t, k, norm, "drawn keys are already normalised")
	assert.Equal(t, "7K3Q-M9XD-2HFR-W4TB", station.FormatLicenseKey("7K3QM9XD2HFRW4TB"))
	_, err = station.NewLicenseKey(strings.NewReader("short"))
	assert.Error(t, err)
}

func TestLicenseValidate(t *testing.T) {
	tests := []struct {
		name    string
		change  func(*station.License)
		wantErr string
	}{
		{name: "good"},
		{name: "no customer", change: func(l *station.License) { l.Customer = "" }, wantErr: `customer "" must be 1 to 128 bytes`},
		{name: "bad product", change: func(l *station.License) { l.Product = "c d" }, wantErr: "product"},
		{name: "no features", change: func(l *station.License) { l.Features = nil }, wantErr: "at least one feature"},
		{name: "repeated feature", change: func(l *station.License) {
			l.Features = []station.Feature{{Name: "a"}, {Name: "a"}}
		}, wantErr: "sorted and not repeated"},
		{name: "zero seats", change: func(l *station.License) { l.Seats = 0 }, wantErr: "seats 0 must be between 1 and"},
		{name: "low-water all seats", change: func(l *station.License) { l.LowWater = 5 }, wantErr: "low-water 5 must be at least 0 and below the 5 seats"},
		{name: "max lease short", change: func(l *station.License) { l.MaxLease = 30 * time.Minute }, wantErr: "maximum lease 30m0s"},
		{name: "max lease long", change: func(l *station.License) { l.MaxLease = 8761 * time.Hour }, wantErr: "maximum lease 8761h0m0s"},
		{name: "max lease at limit", change: func(l *station.License) { l.MaxLease = 8760 * time.Hour }},
		{name: "default above max", change: func(l *station.License) { l.DefaultLease = 721 * time.Hour }, wantErr: "default lease 721h0m0s"},
		{name: "threshold", change: func(l *station.License) { l.Threshold = 17 }, wantErr: "fingerprint threshold 17"},
		{name: "undefined group", change: func(l *station.License) { l.Access.AllowGroups = []string{"eng"} }, wantErr: `group "eng" is used in an access list but not defined`},
		{name: "name with comma", change: func(l *station.License) { l.Access.DenyUsers = []string{"a,b"} }, wantErr: `denied users: "a,b"`},
		{name: "bad key", change: func(l *station.License) { l.Key = "7k3q-m9xd-2hfr-w4tb" }, wantErr: "not a normalised license key"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := baseLicense()
			l.Key = "7K3QM9XD2HFRW4TB"
			if tc.change != nil {
				tc.change(&l)
			}
			err := l.Validate()
			if tc.wantErr == "" {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, station.ErrInvalidLicense)
			assert.ErrorContains(t, err, tc.wantErr)
		})
	}
}

func TestAccessCheck(t *testing.T) {
	a := station.Access{
		AllowUsers: []string{"alice"}, AllowGroups: []string{"eng"}, DenyUsers: []string{"mallory"},
		DenyGroups: []string{"interns"}, AllowHosts: []string{"ws-1", "WS-2"}, DenyHosts: []string{"kiosk"},
		Groups: map[string][]string{"eng": {"bob", "carol"}, "interns": {"carol"}},
	}
	tests := []struct {
		name, user, host string
		wantErr          string
	}{
		{name: "allowed user", user: "alice", host: "ws-1"},
		{name: "case does not matter", user: "ALICE", host: "ws-2"},
		{name: "allowed by group", user: "bob", host: "ws-1"},
		{name: "deny group wins over allow group", user: "carol", host: "ws-1", wantErr: `user "carol" is in group "interns"`},
		{name: "deny user", user: "mallory", host: "ws-1", wantErr: `user "mallory" is on the deny list`},
		{name: "not listed", user: "dave", host: "ws-1", wantErr: `user "dave" is not on the allow list of license 7 (users alice; groups eng)`},
		{name: "host not listed", user: "alice", host: "ws-3", wantErr: `host "ws-3" is not on the allow list`},
		{name: "host denied", user: "alice", host: "kiosk", wantErr: `host "kiosk" is on the deny list`},
		{name: "no host", user: "alice", wantErr: "names no host"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := a.Check(7, tc.user, tc.host)
			if tc.wantErr == "" {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, station.ErrAccessDenied)
			assert.ErrorContains(t, err, tc.wantErr)
		})
	}
	var open station.Access
	assert.NoError(t, open.Check(1, "", ""), "empty lists allow everyone")
}

func TestLicenseAddUpdateFind(t *testing.T) {
	f := newFixture(t)
	lic := f.addLicense(func(l *station.License) {
		l.Features = []station.Feature{{Name: "render"}, {Name: "export"}}
		l.Access.AllowUsers = []string{"bob", "alice", "bob"}
	})
	assert.Equal(t, uint64(1), lic.ID)
	assert.Equal(t, []string{"export", "render"}, lic.FeatureNames(), "sorted")
	assert.Equal(t, []string{"alice", "bob"}, lic.Access.AllowUsers, "sorted, without repeats")
	assert.Equal(t, t0, lic.Created)

	for _, ref := range []string{"1", lic.Key, strings.ToLower(station.FormatLicenseKey(lic.Key))} {
		got, err := f.st.License(ctx, ref)
		require.NoError(t, err, ref)
		assert.Equal(t, lic, got, ref)
	}
	_, err := f.st.License(ctx, "9")
	assert.ErrorIs(t, err, station.ErrUnknownLicense)
	_, err = f.st.License(ctx, "not a key!")
	assert.ErrorIs(t, err, station.ErrUnknownLicense)

	// A key given explicitly must be unused.
	l := baseLicense()
	l.Key = lic.Key
	_, err = f.st.AddLicense(ctx, l, t0)
	assert.ErrorIs(t, err, station.ErrInvalidLicense)
	assert.ErrorContains(t, err, "is already in use")

	t1 := t0.Add(time.Hour)
	up, err := f.st.UpdateLicense(ctx, lic.ID, func(l *station.License) error {
		l.Seats = 9
		l.Features = append(l.Features, station.Feature{Name: "simulate", Limit: 3})
		l.Key, l.ID = "CHANGED", 99 // ignored
		return nil
	}, t1)
	require.NoError(t, err)
	assert.Equal(t, 9, up.Seats)
	assert.Equal(t, lic.Key, up.Key)
	assert.Equal(t, lic.ID, up.ID)
	assert.Equal(t, t1, up.Updated)
	assert.Equal(t, []string{"export", "render", "simulate"}, up.FeatureNames())

	_, err = f.st.UpdateLicense(ctx, lic.ID, func(l *station.License) error { l.Seats = -1; return nil }, t1)
	assert.ErrorIs(t, err, station.ErrInvalidLicense)

	all, err := f.st.Licenses(ctx)
	require.NoError(t, err)
	require.Len(t, all, 1)
	assert.Equal(t, 9, all[0].Seats)
	f.ledgerLen()
}

func TestStatusReport(t *testing.T) {
	f := newFixture(t)
	lic := f.addLicense(func(l *station.License) { l.Seats, l.LowWater = 4, 1 })
	lic2 := f.addLicense(func(l *station.License) { l.Customer = "Other" })
	a1, a2 := newMachine("alice-1", "alice", "ws-a1"), newMachine("alice-2", "Alice", "ws-a2")
	bob := newMachine("bob", "bob", "ws-b")
	f.issue(a1.activation(t, lic.Key, t0, nil), t0)
	f.issue(a2.activation(t, lic2.Key, t0, nil), t0)
	_, rb := f.issue(bob.activation(t, lic.Key, t0, func(a *request.Activation) { a.Lease = time.Hour }), t0)

	now := t0.Add(2 * time.Hour)
	rep, err := f.st.Status(ctx, now, time.Time{})
	require.NoError(t, err)
	assert.Equal(t, 1, rep.Expired, "bob's lease ended and is recorded now")
	require.Len(t, rep.Licenses, 2)
	ls := rep.Licenses[0]
	assert.Equal(t, 1, ls.Usage.Active)
	assert.Equal(t, 2, ls.Free, "4 seats - 1 active - 1 low-water")
	require.Len(t, rep.Leases, 3)
	var bobLease *station.Lease
	for _, l := range rep.Leases {
		if l.ID == rb.LeaseID {
			bobLease = l
		}
	}
	require.NotNil(t, bobLease)
	assert.Equal(t, station.StatusExpired, bobLease.Status)
	assert.Equal(t, t0.Add(time.Hour), bobLease.Ended)

	require.Len(t, rep.Warnings, 1, "alice holds leases on two machines")
	assert.Equal(t, 2, rep.Warnings[0].Machines)
	assert.Equal(t, []string{"ws-a1", "ws-a2"}, rep.Warnings[0].Hosts)

	// Since a later time, the expired lease is left out.
	rep, err = f.st.Status(ctx, now, now)
	require.NoError(t, err)
	assert.Len(t, rep.Leases, 2)
	f.ledgerLen()
}
