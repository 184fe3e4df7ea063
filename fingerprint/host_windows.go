//go:build windows

package fingerprint

import (
	"fmt"
	"os"
	"path/filepath"
	"unsafe"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"
)

// Collect reads the components of this machine. On Windows these are the
// MachineGuid from the registry, the SMBIOS system UUID and baseboard
// serial (from GetSystemFirmwareTable), the MACs of physical Ethernet and
// Wi-Fi adapters, the serial of the system volume, the CPU model from the
// registry and the computer name. The error is ErrNoComponents when nothing
// could be read.
func Collect() ([]Component, error) {
	var cs components
	cs.add(KindMachineID, regString(`SOFTWARE\Microsoft\Cryptography`, "MachineGuid"))
	info := parseRawSMBIOS(rawSMBIOS())
	cs.add(KindProductUUID, normalizeUUID(info.UUID))
	cs.add(KindBoardSerial, info.BoardSerial)
	for _, m := range adapterMACs() {
		cs.add(KindMAC, m)
	}
	cs.add(KindDiskSerial, systemVolumeSerial())
	cs.add(KindCPU, regString(`HARDWARE\DESCRIPTION\System\CentralProcessor\0`, "ProcessorNameString"))
	if h, err := os.Hostname(); err == nil {
		cs.add(KindHostname, normalizeHostname(h))
	}
	return cs.done()
}

// Detect reports the virtualisation facts of this machine: on Windows the
// BIOS manufacturer and product names from the registry, and the service
// that runs only inside Windows containers (cexecsvc).
func Detect() Facts {
	f := Facts{Markers: []string{}}
	for _, name := range []string{"SystemManufacturer", "SystemProductName", "BaseBoardManufacturer", "BIOSVendor"} {
		v := regString(`HARDWARE\DESCRIPTION\System\BIOS`, name)
		if vendor := hypervisorVendor(v); vendor != "" {
			f.hypervisor(vendor, "bios:"+name+"="+markerValue(v))
		}
	}
	k, err := registry.OpenKey(registry.LOCAL_MACHINE, `SYSTEM\CurrentControlSet\Services\cexecsvc`, registry.QUERY_VALUE)
	if err == nil {
		k.Close()
		f.container("windows", "registry:services/cexecsvc")
	}
	return f
}

// regString reads a string value under HKEY_LOCAL_MACHINE from the 64-bit
// view of the registry, or "" when it cannot.
func regString(path, name string) string {
	k, err := registry.OpenKey(registry.LOCAL_MACHINE, path, registry.QUERY_VALUE|registry.WOW64_64KEY)
	if err != nil {
		return ""
	}
	defer k.Close()
	v, _, err := k.GetStringValue(name)
	if err != nil {
		return ""
	}
	return v
}

var procGetSystemFirmwareTable = windows.NewLazySystemDLL("kernel32.dll").NewProc("GetSystemFirmwareTable")

// rawSMBIOS returns the RawSMBIOSData block, or nil.
func rawSMBIOS() []byte {
	if procGetSystemFirmwareTable.Find() != nil {
		return nil
	}
	const rsmb = 'R'<<24 | 'S'<<16 | 'M'<<8 | 'B'
	n, _, _ := procGetSystemFirmwareTable.Call(rsmb, 0, 0, 0)
	if n == 0 || n > 1<<20 {
		return nil
	}
	buf := make([]byte, n)
	got, _, _ := procGetSystemFirmwareTable.Call(rsmb, 0, uintptr(unsafe.Pointer(&buf[0])), n)
	if got == 0 || got > n {
		return nil
	}
	return buf[:got]
}

// adapterMACs returns the addresses of physical Ethernet and Wi-Fi
// adapters, skipping virtual ones and locally administered addresses.
func adapterMACs() []string {
	size := uint32(16 * 1024)
	var buf []byte
	for range 4 {
		buf = make([]byte, size)
		err := windows.GetAdaptersAddresses(windows.AF_UNSPEC, windows.GAA_FLAG_SKIP_UNICAST|windows.GAA_FLAG_SKIP_ANYCAST|windows.GAA_FLAG_SKIP_MULTICAST|windows.GAA_FLAG_SKIP_DNS_SERVER,
			0, (*windows.IpAdapterAddresses)(unsafe.Pointer(&buf[0])), &size)
		if err == nil {
			break
		}
		if err != windows.ERROR_BUFFER_OVERFLOW || size <= uint32(len(buf)) {
			return nil
		}
		buf = nil
	}
	if buf == nil {
		return nil
	}
	var macs []string
	for a := (*windows.IpAdapterAddresses)(unsafe.Pointer(&buf[0])); a != nil; a = a.Next {
		if a.PhysicalAddressLength != 6 {
			continue
		}
		desc, name := windows.UTF16PtrToString(a.Description), windows.UTF16PtrToString(a.FriendlyName)
		if !windowsPhysicalAdapter(a.IfType, desc, name) {
			continue
		}
		m := macString(a.PhysicalAddress[:6])
		if m != "" && !locallyAdministered(m) {
			macs = append(macs, m)
		}
	}
	return macs
}

// systemVolumeSerial returns the serial of the volume holding Windows.
func systemVolumeSerial() string {
	dir, err := windows.GetWindowsDirectory()
	if err != nil {
		return ""
	}
	root := filepath.VolumeName(dir) + `\`
	p, err := windows.UTF16PtrFromString(root)
	if err != nil {
		return ""
	}
	var serial uint32
	if err := windows.GetVolumeInformation(p, nil, 0, &serial, nil, nil, nil, 0); err != nil {
		return ""
	}
	return fmt.Sprintf("%08x", serial)
}
