package fingerprint

import (
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// fsTree describes a fake Linux file system: path under the root → content.
// Content "-> target" makes a symlink, "/" an empty directory.
type fsTree map[string]string

// with returns a copy of t with the entries of others added or replaced.
func (t fsTree) with(others ...fsTree) fsTree {
	out := maps.Clone(t)
	for _, o := range others {
		maps.Copy(out, o)
	}
	return out
}

// without returns a copy of t without the given paths and what is under
// them.
func (t fsTree) without(paths ...string) fsTree {
	out := fsTree{}
	for p, c := range t {
		keep := true
		for _, d := range paths {
			if p == d || strings.HasPrefix(p, d+"/") {
				keep = false
			}
		}
		if keep {
			out[p] = c
		}
	}
	return out
}

// write creates the tree under a new temporary directory and returns it.
func (t fsTree) write(tb testing.TB) string {
	tb.Helper()
	root := tb.TempDir()
	for p, content := range t {
		full := filepath.Join(root, p)
		require.NoError(tb, os.MkdirAll(filepath.Dir(full), 0o755))
		switch target, link := strings.CutPrefix(content, "-> "); {
		case link:
			require.NoError(tb, os.Symlink(target, full))
		case content == "/":
			require.NoError(tb, os.MkdirAll(full, 0o755))
		default:
			require.NoError(tb, os.WriteFile(full, []byte(content), 0o644))
		}
	}
	return root
}

// physicalNIC is a PCI network card as sysfs shows it.
func physicalNIC(name, mac string) fsTree {
	dev := "sys/devices/pci0000:00/0000:00:1f.6-" + name
	return fsTree{
		dev + "/vendor":                            "0x8086\n",
		dev + "/net/" + name + "/address":          mac + "\n",
		dev + "/net/" + name + "/addr_assign_type": "0\n",
		dev + "/net/" + name + "/type":             "1\n",
		dev + "/net/" + name + "/device":           "-> ../..",
		"sys/class/net/" + name:                    "-> ../../" + strings.TrimPrefix(dev, "sys/") + "/net/" + name,
	}
}

// virtualNIC is a software interface under /sys/devices/virtual, with extra
// marker files or directories (e.g. "bridge/", "tun_flags").
func virtualNIC(name, mac string, markers ...string) fsTree {
	dev := "sys/devices/virtual/net/" + name
	t := fsTree{
		dev + "/address":          mac + "\n",
		dev + "/addr_assign_type": "3\n",
		dev + "/type":             "1\n",
		"sys/class/net/" + name:   "-> ../../devices/virtual/net/" + name,
	}
	for _, m := range markers {
		if d, ok := strings.CutSuffix(m, "/"); ok {
			t[dev+"/"+d] = "/"
		} else {
			t[dev+"/"+m] = "1\n"
		}
	}
	return t
}

// nvmeRoot is a root file system on the second partition of an NVMe disk,
// whose serial is in the controller's directory.
func nvmeRoot(serial string) fsTree {
	ctrl := "sys/devices/pci0000:00/0000:00:1d.0/nvme/nvme0"
	return fsTree{
		"proc/self/mountinfo": "22 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw,errors=remount-ro\n" +
			"23 22 0:21 / /proc rw,nosuid shared:12 - proc proc rw\n" +
			"24 22 259:1 / /boot/efi rw,relatime shared:2 - vfat /dev/nvme0n1p1 rw\n",
		ctrl + "/serial":                      serial + "        \n",
		ctrl + "/model":                       "Samsung SSD 970 EVO Plus 1TB\n",
		ctrl + "/nvme0n1/device":              "-> ..",
		ctrl + "/nvme0n1/wwid":                "eui.0025385b71b07e2f\n",
		ctrl + "/nvme0n1/nvme0n1p1/partition": "1\n",
		ctrl + "/nvme0n1/nvme0n1p2/partition": "2\n",
		"sys/dev/block/259:1":                 "-> ../../devices/pci0000:00/0000:00:1d.0/nvme/nvme0/nvme0n1/nvme0n1p1",
		"sys/dev/block/259:2":                 "-> ../../devices/pci0000:00/0000:00:1d.0/nvme/nvme0/nvme0n1/nvme0n1p2",
		"sys/class/block/nvme0n1p2":           "-> ../../devices/pci0000:00/0000:00:1d.0/nvme/nvme0/nvme0n1/nvme0n1p2",
		"sys/class/block/nvme0n1":             "-> ../../devices/pci0000:00/0000:00:1d.0/nvme/nvme0/nvme0n1",
	}
}

// cpuinfo is /proc/cpuinfo of a two-core x86 machine.
func cpuinfo(model string, hypervisor bool) string {
	flags := "fpu vme de pse tsc msr pae mce cx8 apic sep"
	if hypervisor {
		flags += " hypervisor"
	}
	core := "processor\t: %d\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 158\nmodel name\t: " + model +
		"\ncpu MHz\t\t: 3200.000\nflags\t\t: " + flags + "\n\n"
	return strings.Replace(core, "%d", "0", 1) + strings.Replace(core, "%d", "1", 1)
}

// workstation is a physical Linux machine with every component readable.
func workstation() fsTree {
	return fsTree{
		"etc/machine-id":                     "0123456789abcdef0123456789abcdef\n",
		"sys/class/dmi/id/product_uuid":      "4C4C4544-0042-3510-8052-B2C04F4E4E32\n",
		"sys/class/dmi/id/board_serial":      ".5Z7XBC2.CN1296361K00A6.\n",
		"sys/class/dmi/id/sys_vendor":        "Dell Inc.\n",
		"sys/class/dmi/id/product_name":      "Precision 3630 Tower\n",
		"proc/cpuinfo":                       cpuinfo("Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz", false),
		"proc/sys/kernel/hostname":           "build-07\n",
		"etc/hostname":                       "build-07\n",
		"proc/self/cgroup":                   "0::/user.slice/user-1000.slice/session-2.scope\n",
		"proc/sys/kernel/osrelease":          "6.8.0-45-generic\n",
		"sys/class/net/lo":                   "-> ../../devices/virtual/net/lo",
		"sys/devices/virtual/net/lo/address": "00:00:00:00:00:00\n",
	}.with(
		physicalNIC("eno1", "00:1A:2B:3C:4D:5E"),
		physicalNIC("wlp2s0", "a4:c3:f0:11:22:33"),
		nvmeRoot("S4EWNX0R123456"),
	)
}

// workstationComponents is what CollectLinux finds in workstation().
func workstationComponents() map[Kind][]string {
	return map[Kind][]string{
		KindMachineID:   {"0123456789abcdef0123456789abcdef"},
		KindProductUUID: {"4c4c4544-0042-3510-8052-b2c04f4e4e32"},
		KindBoardSerial: {".5Z7XBC2.CN1296361K00A6."},
		KindMAC:         {"00:1a:2b:3c:4d:5e", "a4:c3:f0:11:22:33"},
		KindDiskSerial:  {"S4EWNX0R123456"},
		KindCPU:         {"Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz"},
		KindHostname:    {"build-07"},
	}
}

// byKind groups collected components by kind.
func byKind(cs []Component) map[Kind][]string {
	m := map[Kind][]string{}
	for _, c := range cs {
		m[c.Kind] = append(m[c.Kind], c.Value)
	}
	return m
}
