package fingerprint

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// CollectLinux reads the components of the Linux system whose file system
// is rooted at root: "/" for this machine, a directory holding a fake /etc,
// /proc and /sys in tests. It reads, each where present and readable:
//
//   - machine-id: /etc/machine-id, else /var/lib/dbus/machine-id
//   - product-uuid and board-serial: /sys/class/dmi/id/product_uuid and
//     board_serial (both usually readable by root only)
//   - mac: the burnt-in addresses of physical network interfaces in
//     /sys/class/net, at most MaxMACs of them (see below)
//   - disk-serial: the serial of the disk holding the root file system,
//     found through /proc/self/mountinfo and /sys/dev/block
//   - cpu: the CPU model from /proc/cpuinfo
//   - hostname: /proc/sys/kernel/hostname, else /etc/hostname
//
// A component that cannot be read, or holds a placeholder such as "To be
// filled by O.E.M." or an all-zero UUID, is left out. An interface counts
// as physical when it has a device link, does not live under
// /sys/devices/virtual, is an Ethernet-type link that is not a bridge, bond,
// team or tun/tap device, and its name is not that of a virtual interface
// (veth, docker, br-, virbr, vnet, ...); an address the kernel marked as
// random is skipped. The result is sorted by kind then value; the error is
// ErrNoComponents when nothing could be read.
func CollectLinux(root string) ([]Component, error) {
	var cs components
	for _, p := range []string{"/etc/machine-id", "/var/lib/dbus/machine-id"} {
		if v := readSmall(root, p); v != "" && !isPlaceholder(v) {
			cs.add(KindMachineID, v)
			break
		}
	}
	cs.add(KindProductUUID, normalizeUUID(readSmall(root, "/sys/class/dmi/id/product_uuid")))
	cs.add(KindBoardSerial, readSmall(root, "/sys/class/dmi/id/board_serial"))
	for _, m := range linuxMACs(root) {
		cs.add(KindMAC, m)
	}
	cs.add(KindDiskSerial, linuxRootDiskSerial(root))
	cs.add(KindCPU, linuxCPUModel(root))
	host := readSmall(root, "/proc/sys/kernel/hostname")
	if normalizeHostname(host) == "" {
		host = readSmall(root, "/etc/hostname")
	}
	cs.add(KindHostname, normalizeHostname(host))
	return cs.done()
}

// maxSmall bounds the size of the small files read whole.
const maxSmall = 4096

// readSmall returns the trimmed content of a small file under root, or ""
// when it cannot be read.
func readSmall(root, name string) string {
	b, err := readLimited(filepath.Join(root, name), maxSmall)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(strings.Trim(string(b), "\x00"))
}

func readLimited(path string, n int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, n))
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// virtualNICPrefixes are name prefixes of interfaces that are never
// physical hardware, whatever sysfs says.
var virtualNICPrefixes = []string{
	"lo", "veth", "docker", "br-", "virbr", "vnet", "tap", "tun", "wg", "zt",
	"vmnet", "vboxnet", "cali", "flannel", "cni", "kube", "ifb", "dummy",
	"bond", "team", "macvtap", "ipvlan", "vxlan", "genev", "gre", "sit",
	"ip6tnl", "nlmon", "tailscale", "podman", "lxc", "lxd", "ovs", "weave",
}

// linuxMACs returns the normalised addresses of physical interfaces.
func linuxMACs(root string) []string {
	dir := filepath.Join(root, "/sys/class/net")
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var macs []string
	for _, e := range ents {
		p := filepath.Join(dir, e.Name())
		if !physicalLinuxNIC(p, e.Name()) {
			continue
		}
		// addr_assign_type 1 is NET_ADDR_RANDOM: made up at boot.
		if t := readSmall(p, "addr_assign_type"); t == "1" {
			continue
		}
		if m := normalizeMAC(readSmall(p, "address")); m != "" {
			macs = append(macs, m)
		}
	}
	sort.Strings(macs)
	return macs
}

func physicalLinuxNIC(p, name string) bool {
	for _, pre := range virtualNICPrefixes {
		if strings.HasPrefix(name, pre) {
			return false
		}
	}
	if !exists(filepath.Join(p, "device")) {
		return false
	}
	if target, err := os.Readlink(p); err == nil && strings.Contains(target, "/devices/virtual/") {
		return false
	}
	for _, marker := range []string{"bridge", "bonding", "team", "tun_flags", "brport"} {
		if exists(filepath.Join(p, marker)) {
			return false
		}
	}
	// type 1 is ARPHRD_ETHER (Ethernet and Wi-Fi).
	if t := readSmall(p, "type"); t != "" && t != "1" {
		return false
	}
	return true
}

// linuxRootDiskSerial finds the disk holding "/" and returns its serial.
func linuxRootDiskSerial(root string) string {
	majmin, source := linuxRootMount(root)
	var dev string
	if majmin != "" {
		dev, _ = filepath.EvalSymlinks(filepath.Join(root, "/sys/dev/block", majmin))
	}
	if dev == "" && strings.HasPrefix(source, "/dev/") {
		name := filepath.Base(source)
		if p, err := filepath.EvalSymlinks(filepath.Join(root, source)); err == nil {
			name = filepath.Base(p) // /dev/mapper/root -> dm-0
		}
		dev, _ = filepath.EvalSymlinks(filepath.Join(root, "/sys/class/block", name))
	}
	if dev == "" {
		return ""
	}
	// Walk down device-mapper and md devices to their first member, and up
	// from a partition to its disk.
	for range 8 {
		if slaves, err := os.ReadDir(filepath.Join(dev, "slaves")); err == nil && len(slaves) > 0 {
			next, err := filepath.EvalSymlinks(filepath.Join(dev, "slaves", slaves[0].Name()))
			if err != nil {
				return ""
			}
			dev = next
			continue
		}
		if exists(filepath.Join(dev, "partition")) {
			dev = filepath.Dir(dev)
			continue
		}
		break
	}
	for _, name := range []string{"serial", "device/serial", "device/vpd_pg80", "wwid", "device/wwid"} {
		var v string
		if name == "device/vpd_pg80" {
			b, _ := readLimited(filepath.Join(dev, name), maxSmall)
			v = vpdSerial(b)
		} else {
			v = readSmall(dev, name)
		}
		if v != "" && !isPlaceholder(v) {
			return v
		}
	}
	return ""
}

// vpdSerial extracts the unit serial number from a SCSI VPD page 0x80:
// four header bytes, the fourth giving the length of the serial after it.
func vpdSerial(b []byte) string {
	if len(b) < 4 || b[1] != 0x80 {
		return ""
	}
	n := int(b[3])
	if len(b) < 4+n {
		n = len(b) - 4
	}
	return strings.TrimSpace(strings.Trim(string(b[4:4+n]), "\x00"))
}

// linuxRootMount returns the "major:minor" and source device of the file
// system mounted on "/", from /proc/self/mountinfo, else the source alone
// from /proc/mounts. The last mount on "/" wins, as it hides the others.
func linuxRootMount(root string) (majmin, source string) {
	scanLines(filepath.Join(root, "/proc/self/mountinfo"), func(line string) bool {
		// id parent major:minor root mountpoint options... - fstype source superoptions
		f := strings.Fields(line)
		if len(f) < 5 || f[4] != "/" {
			return true
		}
		majmin, source = f[2], ""
		for i := 5; i+2 < len(f); i++ {
			if f[i] == "-" {
				source = f[i+2]
				break
			}
		}
		return true
	})
	if majmin != "" {
		return majmin, source
	}
	scanLines(filepath.Join(root, "/proc/mounts"), func(line string) bool {
		if f := strings.Fields(line); len(f) >= 2 && f[1] == "/" {
			source = f[0]
		}
		return true
	})
	return "", source
}

// linuxCPUModel returns the CPU model named in /proc/cpuinfo: "model name"
// on x86, "cpu model" on MIPS, "cpu" on POWER, or the implementer and part
// numbers on ARM.
func linuxCPUModel(root string) string {
	fields := map[string]string{}
	scanLines(filepath.Join(root, "/proc/cpuinfo"), func(line string) bool {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			return true
		}
		k, v = strings.TrimSpace(k), strings.Join(strings.Fields(v), " ")
		if _, seen := fields[k]; !seen && v != "" {
			fields[k] = v
		}
		return fields["model name"] == ""
	})
	for _, k := range []string{"model name", "cpu model", "cpu"} {
		if v := fields[k]; v != "" {
			return v
		}
	}
	if imp, part := fields["CPU implementer"], fields["CPU part"]; imp != "" && part != "" {
		return fmt.Sprintf("arm implementer %s part %s", imp, part)
	}
	return ""
}

// maxScan bounds the bytes read from /proc files scanned line by line.
const maxScan = 1 << 20

// scanLines calls fn for each line of the file until fn returns false.
func scanLines(path string, fn func(string) bool) {
	b, err := readLimited(path, maxScan)
	if err != nil {
		return
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 64*1024), maxScan)
	for sc.Scan() {
		if !fn(sc.Text()) {
			return
		}
	}
}
