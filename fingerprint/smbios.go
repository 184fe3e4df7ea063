package fingerprint

import (
	"encoding/binary"
	"fmt"
	"strings"
)

// smbiosInfo is what the Windows collector takes from the SMBIOS tables.
type smbiosInfo struct {
	UUID        string // System Information (type 1) UUID, lowercase
	BoardSerial string // Baseboard Information (type 2) serial number
}

// parseRawSMBIOS reads the RawSMBIOSData block that Windows'
// GetSystemFirmwareTable('RSMB') returns: a byte of calling method, the
// SMBIOS major and minor version, a DMI revision byte, a little-endian
// 32-bit table length, then the structure table. Unreadable parts are left
// empty; it never panics on malformed input.
func parseRawSMBIOS(raw []byte) smbiosInfo {
	var info smbiosInfo
	if len(raw) < 8 {
		return info
	}
	major, minor := raw[1], raw[2]
	n := int(binary.LittleEndian.Uint32(raw[4:8]))
	table := raw[8:]
	if n >= 0 && n < len(table) {
		table = table[:n]
	}
	for i := 0; i+4 <= len(table); {
		typ, length := table[i], int(table[i+1])
		if length < 4 || i+length > len(table) {
			break
		}
		formatted := table[i : i+length]
		// The strings follow the formatted area, ended by a double NUL.
		j := i + length
		for j+1 < len(table) && (table[j] != 0 || table[j+1] != 0) {
			j++
		}
		strs := strings.Split(string(table[i+length:min(j, len(table))]), "\x00")
		switch {
		case typ == 1 && length >= 0x18 && info.UUID == "":
			info.UUID = smbiosUUID(formatted[8:24], major > 2 || major == 2 && minor >= 6)
		case typ == 2 && length >= 0x08 && info.BoardSerial == "":
			if k := int(formatted[7]); k >= 1 && k <= len(strs) {
				info.BoardSerial = strings.TrimSpace(strs[k-1])
			}
		case typ == 127:
			return info
		}
		i = j + 2
	}
	return info
}

// smbiosUUID formats a 16-byte SMBIOS UUID. From SMBIOS 2.6 the first three
// fields are little-endian, as Windows and Linux both print them.
func smbiosUUID(b []byte, swap bool) string {
	u := append([]byte(nil), b...)
	if swap {
		u[0], u[1], u[2], u[3] = u[3], u[2], u[1], u[0]
		u[4], u[5] = u[5], u[4]
		u[6], u[7] = u[7], u[6]
	}
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}
