package fingerprint

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const secret = "3d1219c7c4c5404aaa1f6d2a48adfda4"

func TestComponentRedacts(t *testing.T) {
	c := Component{Kind: KindMachineID, Value: secret}
	nested := struct {
		C  Component
		Cs []Component
	}{c, []Component{c, {Kind: KindMAC, Value: "00:11:22:33:44:55"}}}
	outs := []string{
		c.String(), c.GoString(),
		fmt.Sprint(c), fmt.Sprintf("%v %+v %#v %s %q %x %d", c, c, c, c, c, c, c),
		fmt.Sprintf("%v %+v %#v", nested, nested, nested),
		fmt.Sprint([]Component{c}), fmt.Sprintf("%#v", []Component{c}),
	}
	b, err := json.Marshal(nested)
	require.NoError(t, err)
	outs = append(outs, string(b))
	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("collected", "component", c, "all", nested.Cs)
	outs = append(outs, logged.String())
	for _, out := range outs {
		assert.NotContains(t, out, secret)
		assert.NotContains(t, out, "00:11:22")
		assert.NotContains(t, out, "001122")
	}
	assert.Equal(t, "machine-id:<redacted>", c.String())
	assert.Equal(t, `"machine-id:<redacted>"`, fmt.Sprintf("%q", c))
	assert.JSONEq(t, `{"kind":"machine-id"}`, string(must(json.Marshal(c))))
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestHashes(t *testing.T) {
	cs := []Component{
		{KindHostname, "vm"},
		{KindMAC, "00:11:22:33:44:55"},
		{KindMachineID, secret},
		{KindMAC, "00:11:22:33:44:55"},
	}
	s := Hashes([]byte("airlock"), cs)
	require.Len(t, s, 3)
	assert.Equal(t, s, s.Canonical())
	assert.Equal(t, HashComponent([]byte("airlock"), KindMachineID, secret), s[0])
	_, err := s.MarshalBinary()
	require.NoError(t, err)

	assert.Empty(t, Hashes([]byte("airlock"), nil))

	var many []Component
	for i := range 40 {
		many = append(many, Component{KindMAC, fmt.Sprintf("00:11:22:33:44:%02x", i)})
	}
	s = Hashes(nil, many)
	require.Len(t, s, MaxComponents)
	_, err = s.MarshalBinary()
	require.NoError(t, err)
}

// TestSaltSeparatesProducts: the same machine under two products gives
// unrelated hashes and summaries.
func TestSaltSeparatesProducts(t *testing.T) {
	cs := []Component{
		{KindMachineID, secret}, {KindProductUUID, "4c4c4544-0042-3510-8052-b2c04f4e4e32"},
		{KindMAC, "00:11:22:33:44:55"}, {KindMAC, "00:11:22:33:44:66"},
		{KindDiskSerial, "S4EWNX0R123456"}, {KindCPU, "AMD EPYC"}, {KindHostname, "vm"},
	}
	a := Hashes([]byte("cad-suite"), cs)
	b := Hashes([]byte("render-farm"), cs)
	require.Len(t, a, len(cs))
	require.Len(t, b, len(cs))
	sums := map[[SumSize]byte]bool{}
	for _, h := range a {
		sums[h.Sum] = true
	}
	for _, h := range b {
		assert.False(t, sums[h.Sum], "hash %v appears under both salts", h)
	}
	m, err := Compare(a, b, 1)
	require.ErrorIs(t, err, ErrMismatch)
	assert.Empty(t, m.Matched)
	assert.NotEqual(t, a.Summary(), b.Summary())
	// Same salt, same machine: identical.
	assert.Equal(t, a, Hashes([]byte("cad-suite"), cs))
}

func TestIsPlaceholder(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"To be filled by O.E.M.", true},
		{"Default string", true},
		{"System Serial Number", true},
		{"None", true},
		{"00000000-0000-0000-0000-000000000000", true},
		{"FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF", true},
		{"03000200-0400-0500-0006-000700080009", true},
		{"0", true},
		{"", true},
		{"4c4c4544-0042-3510-8052-b2c04f4e4e32", false},
		{"PF2ABCDE", false},
		{"vm", false},
		{"AMD EPYC", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			assert.Equal(t, tt.want, isPlaceholder(tt.in))
		})
	}
}

func TestNormalize(t *testing.T) {
	macs := map[string]string{
		"00:1A:2B:3C:4D:5E":       "00:1a:2b:3c:4d:5e",
		" 00-1a-2b-3c-4d-5e\n":    "00:1a:2b:3c:4d:5e",
		"00:00:00:00:00:00":       "",
		"ff:ff:ff:ff:ff:ff":       "",
		"01:00:5e:00:00:01":       "", // multicast
		"00:00:00:00:fe:80:00:00": "", // not 6 bytes
		"garbage":                 "",
	}
	for in, want := range macs {
		assert.Equal(t, want, normalizeMAC(in), "normalizeMAC(%q)", in)
	}
	hosts := map[string]string{
		"Build-07.corp.example": "build-07",
		"vm\n":                  "vm",
		"localhost":             "",
		"localhost.localdomain": "",
		"(none)":                "",
	}
	for in, want := range hosts {
		assert.Equal(t, want, normalizeHostname(in), "normalizeHostname(%q)", in)
	}
	assert.Equal(t, "4c4c4544-0042-3510-8052-b2c04f4e4e32", normalizeUUID("4C4C4544-0042-3510-8052-B2C04F4E4E32\n"))
	assert.True(t, locallyAdministered("02:fc:00:00:00:01"))
	assert.False(t, locallyAdministered("00:1a:2b:3c:4d:5e"))
}

func TestInterfaceMACs(t *testing.T) {
	hw := func(s string) net.HardwareAddr { return must(net.ParseMAC(s)) }
	ifs := []net.Interface{
		{Name: "lo0", Flags: net.FlagLoopback, HardwareAddr: hw("00:11:22:33:44:00")},
		{Name: "en1", HardwareAddr: hw("00:11:22:33:44:66")},
		{Name: "en0", HardwareAddr: hw("00:11:22:33:44:55")},
		{Name: "en2", HardwareAddr: hw("3a:11:22:33:44:77")}, // private Wi-Fi address
		{Name: "bridge0", HardwareAddr: hw("00:11:22:33:44:88")},
		{Name: "utun0"},
	}
	assert.Equal(t, []string{"00:11:22:33:44:55", "00:11:22:33:44:66"}, interfaceMACs(ifs, darwinPhysicalInterface))
}

func TestWindowsPhysicalAdapter(t *testing.T) {
	tests := []struct {
		name        string
		ifType      uint32
		desc, fname string
		want        bool
	}{
		{"intel ethernet", 6, "Intel(R) Ethernet Connection I219-LM", "Ethernet", true},
		{"wifi", 71, "Intel(R) Wi-Fi 6 AX201 160MHz", "Wi-Fi", true},
		{"hyper-v switch", 6, "Hyper-V Virtual Ethernet Adapter", "vEthernet (Default Switch)", false},
		{"vmware", 6, "VMware Virtual Ethernet Adapter for VMnet8", "VMware Network Adapter VMnet8", false},
		{"virtualbox", 6, "VirtualBox Host-Only Ethernet Adapter", "Ethernet 2", false},
		{"tap", 6, "TAP-Windows Adapter V9", "OpenVPN", false},
		{"bluetooth", 6, "Bluetooth Device (Personal Area Network)", "Bluetooth Network Connection", false},
		{"phone tethering", 6, "Remote NDIS based Internet Sharing Device", "Ethernet 3", false},
		{"loopback type", 24, "Software Loopback Interface 1", "Loopback Pseudo-Interface 1", false},
		{"tunnel type", 131, "Teredo Tunneling Pseudo-Interface", "Teredo", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, windowsPhysicalAdapter(tt.ifType, tt.desc, tt.fname))
		})
	}
}
