package fingerprint

import (
	"net"
	"sort"
	"strings"
)

// interfaceMACs returns the burnt-in MACs of the interfaces whose names keep
// accepts, sorted: loopback interfaces and locally administered addresses
// (randomised Wi-Fi addresses, most virtual adapters) are skipped. It is
// the MAC source where the OS offers nothing better than net.Interfaces.
func interfaceMACs(ifs []net.Interface, keep func(name string) bool) []string {
	var macs []string
	for _, i := range ifs {
		if i.Flags&net.FlagLoopback != 0 || !keep(i.Name) {
			continue
		}
		if m := macString(i.HardwareAddr); m != "" && !locallyAdministered(m) {
			macs = append(macs, m)
		}
	}
	sort.Strings(macs)
	return macs
}

// Windows interface types (ipifcons.h) of physical adapters.
const (
	ifTypeEthernet = 6  // IF_TYPE_ETHERNET_CSMACD
	ifTypeWiFi     = 71 // IF_TYPE_IEEE80211
)

// virtualAdapterWords appear in the description or name of Windows
// adapters that are not hardware.
var virtualAdapterWords = []string{
	"virtual", "vethernet", "hyper-v", "vmware", "virtualbox", "vbox",
	"loopback", "tap-", "tap ", "wintun", "wireguard", "tunnel", "vpn",
	"miniport", "teredo", "isatap", "bluetooth", "npcap", "zerotier",
	"tailscale", "docker", "wsl", "kernel debug", "remote ndis",
}

// windowsPhysicalAdapter reports whether a Windows adapter, by interface
// type, description and friendly name, is a physical Ethernet or Wi-Fi
// card.
func windowsPhysicalAdapter(ifType uint32, description, name string) bool {
	if ifType != ifTypeEthernet && ifType != ifTypeWiFi {
		return false
	}
	l := strings.ToLower(description + " | " + name)
	for _, w := range virtualAdapterWords {
		if strings.Contains(l, w) {
			return false
		}
	}
	return true
}

// darwinPhysicalInterface reports whether a macOS interface name is an
// Ethernet or Wi-Fi port (en0, en1, ...).
func darwinPhysicalInterface(name string) bool {
	return strings.HasPrefix(name, "en")
}
