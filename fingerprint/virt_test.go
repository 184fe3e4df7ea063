package fingerprint

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDetectLinux(t *testing.T) {
	ws := workstation()
	tests := []struct {
		name string
		tree fsTree
		want Facts
	}{
		{
			name: "bare metal",
			tree: ws,
			want: Facts{Markers: []string{}},
		},
		{
			name: "kvm guest",
			tree: ws.with(fsTree{
				"proc/cpuinfo":                  cpuinfo("AMD EPYC", true),
				"sys/class/dmi/id/sys_vendor":   "QEMU\n",
				"sys/class/dmi/id/product_name": "Standard PC (Q35 + ICH9, 2009)\n",
				"sys/class/dmi/id/bios_vendor":  "SeaBIOS\n",
			}),
			want: Facts{Hypervisor: true, HypervisorVendor: "qemu", Markers: []string{"cpuinfo:hypervisor-flag", "dmi:sys_vendor=QEMU"}},
		},
		{
			name: "vmware guest",
			tree: ws.with(fsTree{
				"proc/cpuinfo":                  cpuinfo("Intel(R) Xeon(R) Gold 6248", true),
				"sys/class/dmi/id/sys_vendor":   "VMware, Inc.\n",
				"sys/class/dmi/id/product_name": "VMware Virtual Platform\n",
			}),
			want: Facts{Hypervisor: true, HypervisorVendor: "vmware", Markers: []string{"cpuinfo:hypervisor-flag", "dmi:sys_vendor=VMware Inc.", "dmi:product_name=VMware Virtual Platform"}},
		},
		{
			name: "hyper-v guest",
			tree: ws.with(fsTree{
				"sys/class/dmi/id/sys_vendor":   "Microsoft Corporation\n",
				"sys/class/dmi/id/product_name": "Virtual Machine\n",
			}),
			want: Facts{Hypervisor: true, HypervisorVendor: "hyper-v", Markers: []string{"dmi:product_name=Virtual Machine"}},
		},
		{
			name: "hypervisor flag only",
			tree: ws.with(fsTree{"proc/cpuinfo": cpuinfo("AMD EPYC", true)}),
			want: Facts{Hypervisor: true, Markers: []string{"cpuinfo:hypervisor-flag"}},
		},
		{
			name: "xen",
			tree: ws.with(fsTree{"sys/hypervisor/type": "xen\n"}),
			want: Facts{Hypervisor: true, HypervisorVendor: "xen", Markers: []string{"sys:hypervisor/type=xen"}},
		},
		{
			name: "wsl",
			tree: ws.with(fsTree{"proc/sys/kernel/osrelease": "5.15.153.1-microsoft-standard-WSL2\n"}),
			want: Facts{Hypervisor: true, HypervisorVendor: "wsl", Markers: []string{"kernel:osrelease=wsl"}},
		},
		{
			name: "docker",
			tree: ws.with(fsTree{
				".dockerenv":          "",
				"proc/self/cgroup":    "12:memory:/docker/0123456789abcdef\n0::/docker/0123456789abcdef\n",
				"proc/self/mountinfo": "600 500 0:52 / / rw,relatime - overlay overlay rw,lowerdir=/var/lib/docker/l1\n",
			}),
			want: Facts{Container: true, ContainerKind: "docker", Markers: []string{"file:/.dockerenv", "cgroup:docker", "mount:root-fstype=overlay"}},
		},
		{
			name: "podman",
			tree: ws.with(fsTree{
				"run/.containerenv": "engine=\"podman-4.9.3\"\n",
				"proc/1/environ":    "PATH=/usr/bin\x00container=podman\x00HOME=/root\x00",
			}),
			want: Facts{Container: true, ContainerKind: "podman", Markers: []string{"env:container=podman", "file:/run/.containerenv"}},
		},
		{
			name: "lxc under systemd",
			tree: ws.with(fsTree{"run/systemd/container": "lxc\n"}),
			want: Facts{Container: true, ContainerKind: "lxc", Markers: []string{"file:/run/systemd/container=lxc"}},
		},
		{
			name: "kubernetes pod in a vm",
			tree: ws.with(fsTree{
				"proc/cpuinfo":                                       cpuinfo("AMD EPYC", true),
				"sys/class/dmi/id/sys_vendor":                        "Google\n",
				"sys/class/dmi/id/product_name":                      "Google Compute Engine\n",
				"proc/1/cgroup":                                      "0::/kubepods.slice/kubepods-burstable.slice/cri-containerd-0123.scope\n",
				"var/run/secrets/kubernetes.io/serviceaccount/token": "x",
			}),
			want: Facts{
				Hypervisor: true, HypervisorVendor: "google",
				Container: true, ContainerKind: "kubernetes",
				Markers: []string{"cpuinfo:hypervisor-flag", "dmi:product_name=Google Compute Engine", "file:/var/run/secrets/kubernetes.io", "cgroup:kubernetes"},
			},
		},
		{
			name: "odd container variable is kept short and printable",
			tree: ws.with(fsTree{"proc/self/environ": "container=\x1b[31mevil;rm -rf\x00"}),
			want: Facts{Container: true, ContainerKind: "31mevilrm -rf", Markers: []string{"env:container=31mevilrm -rf"}},
		},
		{
			name: "empty root",
			tree: fsTree{},
			want: Facts{Markers: []string{}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, DetectLinux(tt.tree.write(t)))
		})
	}
}

func TestFactsJSON(t *testing.T) {
	b, err := json.Marshal(Facts{Hypervisor: true, HypervisorVendor: "qemu", Markers: []string{"cpuinfo:hypervisor-flag"}})
	require.NoError(t, err)
	assert.JSONEq(t, `{"hypervisor":true,"hypervisor_vendor":"qemu","container":false,"markers":["cpuinfo:hypervisor-flag"]}`, string(b))
	b, err = json.Marshal(DetectLinux(t.TempDir()))
	require.NoError(t, err)
	assert.JSONEq(t, `{"hypervisor":false,"container":false,"markers":[]}`, string(b))
}
