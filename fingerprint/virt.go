package fingerprint

import (
	"path/filepath"
	"strings"
)

// Facts are the signs of virtualisation seen on a machine. They are facts,
// not verdicts: the station applies the license policy to them (refuse
// containers, allow VMs from one vendor...). Markers lists every sign seen,
// each a short string naming where it was found, e.g.
// "cpuinfo:hypervisor-flag", "dmi:sys_vendor=QEMU", "file:/.dockerenv",
// "cgroup:docker", "env:container=podman". Markers never hold serials or
// addresses.
type Facts struct {
	Hypervisor       bool     `json:"hypervisor"`
	HypervisorVendor string   `json:"hypervisor_vendor,omitempty"` // "qemu", "vmware", "hyper-v"...; "" when unknown
	Container        bool     `json:"container"`
	ContainerKind    string   `json:"container_kind,omitempty"` // "docker", "podman", "lxc", "kubernetes"...
	Markers          []string `json:"markers"`
}

func (f *Facts) hypervisor(vendor, marker string) {
	f.Hypervisor = true
	if f.HypervisorVendor == "" {
		f.HypervisorVendor = vendor
	}
	f.mark(marker)
}

func (f *Facts) container(kind, marker string) {
	f.Container = true
	if f.ContainerKind == "" {
		f.ContainerKind = kind
	}
	f.mark(marker)
}

func (f *Facts) mark(m string) {
	for _, have := range f.Markers {
		if have == m {
			return
		}
	}
	f.Markers = append(f.Markers, m)
}

// hypervisorVendors maps a lowercase substring of a DMI or SMBIOS vendor or
// product name to the hypervisor it reveals.
var hypervisorVendors = []struct{ sub, vendor string }{
	{"qemu", "qemu"},
	{"kvm", "kvm"},
	{"vmware", "vmware"},
	{"innotek", "virtualbox"},
	{"virtualbox", "virtualbox"},
	{"xen", "xen"},
	{"virtual machine", "hyper-v"}, // Microsoft Corporation "Virtual Machine"
	{"parallels", "parallels"},
	{"amazon ec2", "amazon"},
	{"google compute engine", "google"},
	{"bochs", "bochs"},
	{"bhyve", "bhyve"},
	{"openstack", "openstack"},
	{"cloud hypervisor", "cloud-hypervisor"},
	{"apple virtualization", "apple"},
	{"virtualmac", "apple"},
	{"digitalocean", "digitalocean"},
	{"nutanix ahv", "nutanix"},
}

// hypervisorVendor returns the hypervisor a vendor string names, or "".
func hypervisorVendor(v string) string {
	l := strings.ToLower(v)
	for _, h := range hypervisorVendors {
		if strings.Contains(l, h.sub) {
			return h.vendor
		}
	}
	return ""
}

// cgroupContainers maps a substring of a /proc/*/cgroup path to the
// container runtime it reveals.
var cgroupContainers = []struct{ sub, kind string }{
	{"kubepods", "kubernetes"},
	{"libpod", "podman"},
	{"docker", "docker"},
	{"/lxc", "lxc"},
	{"crio", "cri-o"},
	{"containerd", "containerd"},
	{"/ecs/", "ecs"},
}

// DetectLinux reports the virtualisation facts of the Linux system rooted
// at root ("/" for this machine). It looks at the hypervisor flag in
// /proc/cpuinfo, the DMI vendor and product names, /sys/hypervisor/type,
// WSL in the kernel release, the files container runtimes leave
// (/.dockerenv, /run/.containerenv, /run/systemd/container,
// /var/run/secrets/kubernetes.io), the container= variable in the
// environment of process 1 and of this process, and the cgroup paths of
// both. The root file system being an overlay is recorded as a marker
// only, as live systems use one too.
func DetectLinux(root string) Facts {
	f := Facts{Markers: []string{}}
	scanLines(filepath.Join(root, "/proc/cpuinfo"), func(line string) bool {
		k, v, _ := strings.Cut(line, ":")
		if strings.TrimSpace(k) != "flags" {
			return true
		}
		for _, flag := range strings.Fields(v) {
			if flag == "hypervisor" {
				f.hypervisor("", "cpuinfo:hypervisor-flag")
			}
		}
		return false
	})
	for _, name := range []string{"sys_vendor", "product_name", "board_vendor", "bios_vendor"} {
		v := readSmall(root, "/sys/class/dmi/id/"+name)
		if vendor := hypervisorVendor(v); vendor != "" {
			f.hypervisor(vendor, "dmi:"+name+"="+markerValue(v))
		}
	}
	if v := readSmall(root, "/sys/hypervisor/type"); v != "" {
		f.hypervisor(markerValue(strings.ToLower(v)), "sys:hypervisor/type="+markerValue(v))
	}
	if v := strings.ToLower(readSmall(root, "/proc/sys/kernel/osrelease")); strings.Contains(v, "microsoft") || strings.Contains(v, "wsl") {
		f.hypervisor("wsl", "kernel:osrelease=wsl")
	}

	for _, p := range []string{"/proc/1/environ", "/proc/self/environ"} {
		b, err := readLimited(filepath.Join(root, p), maxScan)
		if err != nil {
			continue
		}
		for _, kv := range strings.Split(string(b), "\x00") {
			if v, ok := strings.CutPrefix(kv, "container="); ok && v != "" {
				v = markerValue(v)
				f.container(v, "env:container="+v)
			}
		}
	}
	if exists(filepath.Join(root, "/.dockerenv")) {
		f.container("docker", "file:/.dockerenv")
	}
	if exists(filepath.Join(root, "/run/.containerenv")) {
		f.container("podman", "file:/run/.containerenv")
	}
	if v := markerValue(readSmall(root, "/run/systemd/container")); v != "" {
		f.container(v, "file:/run/systemd/container="+v)
	}
	if exists(filepath.Join(root, "/var/run/secrets/kubernetes.io")) {
		f.container("kubernetes", "file:/var/run/secrets/kubernetes.io")
	}
	for _, p := range []string{"/proc/1/cgroup", "/proc/self/cgroup"} {
		scanLines(filepath.Join(root, p), func(line string) bool {
			for _, c := range cgroupContainers {
				if strings.Contains(line, c.sub) {
					f.container(c.kind, "cgroup:"+c.kind)
					break
				}
			}
			return true
		})
	}
	scanLines(filepath.Join(root, "/proc/self/mountinfo"), func(line string) bool {
		fs := strings.Fields(line)
		if len(fs) < 5 || fs[4] != "/" {
			return true
		}
		for i := 5; i+1 < len(fs); i++ {
			if fs[i] == "-" && fs[i+1] == "overlay" {
				f.mark("mount:root-fstype=overlay")
			}
		}
		return true
	})
	return f
}

// markerValue keeps a marker short and printable: letters, digits and a few
// separators, at most 48 bytes.
func markerValue(v string) string {
	v = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			return r
		case r == '-', r == '_', r == '.', r == ' ', r == '/':
			return r
		}
		return -1
	}, strings.TrimSpace(v))
	if len(v) > 48 {
		v = v[:48]
	}
	return v
}
