//go:build darwin

package fingerprint

import (
	"context"
	"net"
	"os"
	"os/exec"
	"strings"
	"time"
)

// Collect reads the components of this machine. On macOS these are the
// IOPlatformUUID (as product-uuid) and hardware serial (as board-serial)
// from ioreg, the MACs of the en* interfaces, the CPU brand string from
// sysctl and the host name. The error is ErrNoComponents when nothing could
// be read.
func Collect() ([]Component, error) {
	var cs components
	props := platformProps()
	cs.add(KindProductUUID, normalizeUUID(props["IOPlatformUUID"]))
	cs.add(KindBoardSerial, props["IOPlatformSerialNumber"])
	if ifs, err := net.Interfaces(); err == nil {
		for _, m := range interfaceMACs(ifs, darwinPhysicalInterface) {
			cs.add(KindMAC, m)
		}
	}
	cs.add(KindCPU, strings.Join(strings.Fields(command("/usr/sbin/sysctl", "-n", "machdep.cpu.brand_string")), " "))
	if h, err := os.Hostname(); err == nil {
		cs.add(KindHostname, normalizeHostname(h))
	}
	return cs.done()
}

// Detect reports the virtualisation facts of this machine: on macOS the
// kern.hv_vmm_present sysctl and the platform model name (VirtualMac,
// VMware, Parallels...). Containers do not run macOS, so none are reported.
func Detect() Facts {
	f := Facts{Markers: []string{}}
	if command("/usr/sbin/sysctl", "-n", "kern.hv_vmm_present") == "1" {
		f.hypervisor("", "sysctl:kern.hv_vmm_present=1")
	}
	props := platformProps()
	for _, name := range []string{"model", "manufacturer"} {
		v := props[name]
		if vendor := hypervisorVendor(v); vendor != "" {
			f.hypervisor(vendor, "ioreg:"+name+"="+markerValue(v))
		}
	}
	return f
}

func platformProps() map[string]string {
	return parseIORegProps(command("/usr/sbin/ioreg", "-rd1", "-c", "IOPlatformExpertDevice"))
}

// command runs a system tool briefly and returns its trimmed output, or ""
// when it fails.
func command(name string, args ...string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, name, args...).Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}
