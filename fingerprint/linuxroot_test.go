package fingerprint

import (
	"path/filepath"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCollectLinux(t *testing.T) {
	ws := workstation()
	const nvme = "sys/devices/pci0000:00/0000:00:1d.0/nvme/nvme0"
	tests := []struct {
		name    string
		tree    fsTree
		edit    func(want map[Kind][]string) // changes from workstationComponents
		wantErr error
	}{
		{name: "every component", tree: ws},
		{
			name: "dmi unreadable as a user",
			tree: ws.with(fsTree{"sys/class/dmi/id/product_uuid": "/", "sys/class/dmi/id/board_serial": "/"}),
			edit: func(w map[Kind][]string) { delete(w, KindProductUUID); delete(w, KindBoardSerial) },
		},
		{
			name: "no dmi at all",
			tree: ws.without("sys/class/dmi"),
			edit: func(w map[Kind][]string) { delete(w, KindProductUUID); delete(w, KindBoardSerial) },
		},
		{
			name: "machine-id from dbus",
			tree: ws.without("etc/machine-id").with(fsTree{"var/lib/dbus/machine-id": "fedcba9876543210fedcba9876543210\n"}),
			edit: func(w map[Kind][]string) { w[KindMachineID] = []string{"fedcba9876543210fedcba9876543210"} },
		},
		{
			name: "uninitialized machine-id falls back to dbus",
			tree: ws.with(fsTree{"etc/machine-id": "uninitialized\n", "var/lib/dbus/machine-id": "fedcba9876543210fedcba9876543210\n"}),
			edit: func(w map[Kind][]string) { w[KindMachineID] = []string{"fedcba9876543210fedcba9876543210"} },
		},
		{
			name: "no machine-id",
			tree: ws.with(fsTree{"etc/machine-id": "\n"}),
			edit: func(w map[Kind][]string) { delete(w, KindMachineID) },
		},
		{
			name: "placeholders skipped",
			tree: ws.with(fsTree{
				"sys/class/dmi/id/product_uuid": "00000000-0000-0000-0000-000000000000\n",
				"sys/class/dmi/id/board_serial": "To be filled by O.E.M.\n",
				"proc/sys/kernel/hostname":      "localhost\n",
				"etc/hostname":                  "localhost.localdomain\n",
			}),
			edit: func(w map[Kind][]string) {
				delete(w, KindProductUUID)
				delete(w, KindBoardSerial)
				delete(w, KindHostname)
			},
		},
		{
			name: "default string board serial",
			tree: ws.with(fsTree{"sys/class/dmi/id/board_serial": "Default string\n"}),
			edit: func(w map[Kind][]string) { delete(w, KindBoardSerial) },
		},
		{
			name: "hostname from /etc/hostname",
			tree: ws.without("proc/sys/kernel/hostname").with(fsTree{"etc/hostname": "Build-07.corp.example\n"}),
		},
		{
			name: "virtual and unusable interfaces skipped",
			tree: ws.with(
				virtualNIC("docker0", "02:42:ac:11:00:01", "bridge/"),
				virtualNIC("veth1a2b3c", "1a:2b:3c:4d:5e:6f"),
				virtualNIC("br-0123abcd", "02:42:0a:00:00:01", "bridge/"),
				virtualNIC("virbr0", "52:54:00:12:34:56", "bridge/"),
				virtualNIC("tun0", "00:00:00:00:00:00", "tun_flags"),
				virtualNIC("wg0", "00:00:00:00:00:00"),
				virtualNIC("bond0", "00:1a:2b:3c:4d:5e", "bonding/"),
				// Names or markers of virtual devices win over a device link.
				physicalNIC("docker1", "00:16:3e:00:00:01"),
				physicalNIC("vnet0", "00:16:3e:00:00:02"),
				physicalNIC("tap0", "00:16:3e:00:00:03").with(fsTree{"sys/devices/pci0000:00/0000:00:1f.6-tap0/net/tap0/tun_flags": "0x1002\n"}),
				physicalNIC("mybr", "00:16:3e:00:00:04").with(fsTree{"sys/devices/pci0000:00/0000:00:1f.6-mybr/net/mybr/bridge": "/"}),
				// A random address, an InfiniBand link and an all-zero address.
				physicalNIC("enx1", "00:16:3e:00:00:05").with(fsTree{"sys/devices/pci0000:00/0000:00:1f.6-enx1/net/enx1/addr_assign_type": "1\n"}),
				physicalNIC("ib0", "00:16:3e:00:00:06").with(fsTree{"sys/devices/pci0000:00/0000:00:1f.6-ib0/net/ib0/type": "32\n"}),
				physicalNIC("eno2", "00:00:00:00:00:00"),
			),
		},
		{
			name: "at most four MACs, the lowest",
			tree: ws.with(
				physicalNIC("enp1s0f0", "00:0a:00:00:00:01"),
				physicalNIC("enp1s0f1", "00:0a:00:00:00:02"),
				physicalNIC("enp1s0f2", "00:0a:00:00:00:03"),
				physicalNIC("enp1s0f3", "00:0a:00:00:00:04"),
			),
			edit: func(w map[Kind][]string) {
				w[KindMAC] = []string{"00:0a:00:00:00:01", "00:0a:00:00:00:02", "00:0a:00:00:00:03", "00:0a:00:00:00:04"}
			},
		},
		{
			name: "no network interfaces",
			tree: ws.without("sys/class/net"),
			edit: func(w map[Kind][]string) { delete(w, KindMAC) },
		},
		{
			name: "disk found by source device without /sys/dev/block",
			tree: ws.without("sys/dev/block").with(fsTree{
				"proc/self/mountinfo": "22 1 0:31 / / rw,relatime shared:1 - btrfs /dev/nvme0n1p2 rw,subvol=/@\n",
			}),
		},
		{
			name: "disk found through /proc/mounts",
			tree: ws.without("proc/self/mountinfo", "sys/dev/block").with(fsTree{
				"proc/mounts": "/dev/nvme0n1p2 / ext4 rw,relatime 0 0\nproc /proc proc rw 0 0\n",
			}),
		},
		{
			name: "root on device-mapper over a partition",
			tree: ws.with(fsTree{
				"proc/self/mountinfo":                             "22 1 253:0 / / rw,relatime shared:1 - ext4 /dev/mapper/vg-root rw\n",
				"sys/dev/block/253:0":                             "-> ../../devices/virtual/block/dm-0",
				"sys/devices/virtual/block/dm-0/dm/name":          "vg-root\n",
				"sys/devices/virtual/block/dm-0/slaves/nvme0n1p2": "-> ../../../../pci0000:00/0000:00:1d.0/nvme/nvme0/nvme0n1/nvme0n1p2",
			}),
		},
		{
			name: "serial on a whole virtio disk",
			tree: ws.with(fsTree{
				"proc/self/mountinfo": "26 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard\n",
				"sys/dev/block/254:0": "-> ../../devices/pci0000:00/0000:00:02.0/virtio1/block/vda",
				"sys/devices/pci0000:00/0000:00:02.0/virtio1/block/vda/serial": "1816637115795393\n",
			}),
			edit: func(w map[Kind][]string) { w[KindDiskSerial] = []string{"1816637115795393"} },
		},
		{
			name: "serial from scsi vpd page 0x80",
			tree: ws.with(fsTree{
				"proc/self/mountinfo": "22 1 8:2 / / rw,relatime - ext4 /dev/sda2 rw\n",
				"sys/dev/block/8:2":   "-> ../../devices/pci0000:00/ata1/host0/target0:0:0/0:0:0:0/block/sda/sda2",
				"sys/devices/pci0000:00/ata1/host0/target0:0:0/0:0:0:0/block/sda/sda2/partition": "2\n",
				"sys/devices/pci0000:00/ata1/host0/target0:0:0/0:0:0:0/block/sda/device":         "-> ../..",
				"sys/devices/pci0000:00/ata1/host0/target0:0:0/0:0:0:0/vpd_pg80":                 "\x00\x80\x00\x14     WD-WCC4N1234567",
				"sys/devices/pci0000:00/ata1/host0/target0:0:0/0:0:0:0/wwid":                     "t10.ATA     WDC WD10EZEX-08WN4A0                    WD-WCC4N1234567\n",
			}),
			edit: func(w map[Kind][]string) { w[KindDiskSerial] = []string{"WD-WCC4N1234567"} },
		},
		{
			name: "nvme without serial falls back to wwid",
			tree: ws.without(nvme + "/serial"),
			edit: func(w map[Kind][]string) { w[KindDiskSerial] = []string{"eui.0025385b71b07e2f"} },
		},
		{
			name: "overlay root in a container has no disk",
			tree: ws.with(fsTree{"proc/self/mountinfo": "600 500 0:52 / / rw,relatime - overlay overlay rw,lowerdir=/var/lib/docker/l1\n"}),
			edit: func(w map[Kind][]string) { delete(w, KindDiskSerial) },
		},
		{
			name: "arm cpu without model name",
			tree: ws.with(fsTree{"proc/cpuinfo": "processor\t: 0\nBogoMIPS\t: 48.00\nFeatures\t: fp asimd\nCPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: 0x3\nCPU part\t: 0xd0c\n\n"}),
			edit: func(w map[Kind][]string) { w[KindCPU] = []string{"arm implementer 0x41 part 0xd0c"} },
		},
		{
			name:    "empty root",
			tree:    fsTree{},
			wantErr: ErrNoComponents,
		},
		{
			name:    "only placeholders",
			tree:    fsTree{"etc/machine-id": "uninitialized\n", "etc/hostname": "localhost\n", "sys/class/dmi/id/board_serial": "None\n"},
			wantErr: ErrNoComponents,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs, err := CollectLinux(tt.tree.write(t))
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				assert.Nil(t, cs)
				return
			}
			require.NoError(t, err)
			want := workstationComponents()
			if tt.edit != nil {
				tt.edit(want)
			}
			assert.Equal(t, want, byKind(cs))
			assert.True(t, sort.SliceIsSorted(cs, func(i, j int) bool {
				return cs[i].Kind < cs[j].Kind || cs[i].Kind == cs[j].Kind && cs[i].Value < cs[j].Value
			}), "components are sorted")
		})
	}
}

func TestCollectLinuxMissingRoot(t *testing.T) {
	_, err := CollectLinux(filepath.Join(t.TempDir(), "nowhere"))
	require.ErrorIs(t, err, ErrNoComponents)
	assert.EqualError(t, err, "no machine components could be read")
}

func TestVPDSerial(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"serial", []byte("\x00\x80\x00\x08SN123456"), "SN123456"},
		{"padded", []byte("\x00\x80\x00\x0a  SN123456"), "SN123456"},
		{"length past end", []byte("\x00\x80\x00\xffSN1"), "SN1"},
		{"other page", []byte("\x00\x83\x00\x08SN123456"), ""},
		{"short", []byte("\x00\x80"), ""},
		{"empty", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, vpdSerial(tt.in))
		})
	}
}
