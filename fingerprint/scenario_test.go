package fingerprint

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// issuedFor is what a receipt carries: the set collected on the machine that
// asked, through its wire form, and the default threshold.
func issuedFor(t *testing.T, salt []byte, tree fsTree) (Set, int) {
	t.Helper()
	cs, err := CollectLinux(tree.write(t))
	require.NoError(t, err)
	b, err := Hashes(salt, cs).MarshalBinary()
	require.NoError(t, err)
	s, err := ParseSet(b)
	require.NoError(t, err)
	return s, DefaultThreshold(len(s))
}

// TestMovedClientState plays what a user would try: take the whole client
// state to another machine, or change one part of the machine, and check
// the lease's fingerprint against it.
func TestMovedClientState(t *testing.T) {
	salt := []byte("cad-suite")
	ws := workstation()
	// Another machine of the same model: same CPU, everything else its own.
	other := workstation().
		without("sys/class/net/eno1", "sys/class/net/wlp2s0").
		with(
			fsTree{
				"etc/machine-id":                                        "aaaabbbbccccddddeeeeffff00001111\n",
				"proc/sys/kernel/hostname":                              "build-08\n",
				"sys/class/dmi/id/product_uuid":                         "4C4C4544-0042-3510-8052-B2C04F4E9999\n",
				"sys/class/dmi/id/board_serial":                         ".5Z7XBC2.CN1296361K00B7.\n",
				"sys/devices/pci0000:00/0000:00:1d.0/nvme/nvme0/serial": "S4EWNX0R999999\n",
			},
			physicalNIC("eno1", "00:1a:2b:3c:99:99"),
			physicalNIC("wlp2s0", "a4:c3:f0:99:99:99"),
		)
	tests := []struct {
		name        string
		machine     fsTree
		wantErr     string // "" when the lease must keep working
		wantMissing []Kind
	}{
		{name: "same machine", machine: ws},
		{
			name:        "network card replaced",
			machine:     ws.without("sys/class/net/eno1").with(physicalNIC("eno1", "00:1a:2b:3c:aa:aa")),
			wantMissing: []Kind{KindMAC},
		},
		{
			name:        "host renamed",
			machine:     ws.with(fsTree{"proc/sys/kernel/hostname": "cad-03\n"}),
			wantMissing: []Kind{KindHostname},
		},
		{
			name:    "usb network adapter plugged in",
			machine: ws.with(physicalNIC("enx001122", "00:11:22:33:44:55")),
		},
		{
			name:        "card replaced and host renamed",
			machine:     ws.without("sys/class/net/eno1").with(physicalNIC("eno1", "00:1a:2b:3c:aa:aa"), fsTree{"proc/sys/kernel/hostname": "cad-03\n"}),
			wantErr:     "fingerprint does not match this machine: 6 of 8 components match, 7 needed (changed: mac, hostname)",
			wantMissing: []Kind{KindMAC, KindHostname},
		},
		{
			name:        "copied to another machine",
			machine:     other,
			wantErr:     "fingerprint does not match this machine: 1 of 8 components match, 7 needed (changed: machine-id, product-uuid, board-serial, mac x2, disk-serial, hostname)",
			wantMissing: []Kind{KindMachineID, KindProductUUID, KindBoardSerial, KindMAC, KindMAC, KindDiskSerial, KindHostname},
		},
		{
			name: "copied to a container on another machine",
			machine: fsTree{
				"etc/machine-id":           "aaaabbbbccccddddeeeeffff00001111\n",
				"proc/sys/kernel/hostname": "0123456789ab\n",
				"proc/cpuinfo":             cpuinfo("Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz", false),
				".dockerenv":               "",
			}.with(virtualNIC("eth0", "02:42:ac:11:00:02")),
			wantErr:     "fingerprint does not match this machine: 1 of 8 components match, 7 needed (changed: machine-id, product-uuid, board-serial, mac x2, disk-serial, hostname)",
			wantMissing: []Kind{KindMachineID, KindProductUUID, KindBoardSerial, KindMAC, KindMAC, KindDiskSerial, KindHostname},
		},
	}
	want, k := issuedFor(t, salt, ws)
	require.Len(t, want, 8)
	require.Equal(t, 7, k)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs, err := CollectLinux(tt.machine.write(t))
			require.NoError(t, err)
			have := Hashes(salt, cs)
			m, err := Compare(want, have, k)
			var missing []Kind
			for _, h := range m.Missing {
				missing = append(missing, h.Kind)
			}
			assert.Equal(t, tt.wantMissing, missing)
			assert.Equal(t, len(want), len(m.Matched)+len(m.Missing))
			if tt.wantErr == "" {
				require.NoError(t, err)
				assert.True(t, m.OK())
				return
			}
			require.ErrorIs(t, err, ErrMismatch)
			require.EqualError(t, err, tt.wantErr)
			assert.NotEqual(t, want.Summary(), have.Summary())
		})
	}
}
