package fingerprint

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/assert"
)

// smbiosStruct builds one SMBIOS structure: a formatted area (type,
// length, handle, then body) followed by its strings.
func smbiosStruct(typ byte, body []byte, strs ...string) []byte {
	b := append([]byte{typ, byte(4 + len(body)), 0, 0}, body...)
	for _, s := range strs {
		b = append(append(b, s...), 0)
	}
	if len(strs) == 0 {
		b = append(b, 0)
	}
	return append(b, 0)
}

// rawSMBIOSBlock wraps a table as GetSystemFirmwareTable('RSMB') returns it.
func rawSMBIOSBlock(major, minor byte, structs ...[]byte) []byte {
	var table []byte
	for _, s := range structs {
		table = append(table, s...)
	}
	raw := []byte{0, major, minor, 0, 0, 0, 0, 0}
	binary.LittleEndian.PutUint32(raw[4:], uint32(len(table)))
	return append(raw, table...)
}

func TestParseRawSMBIOS(t *testing.T) {
	uuid := []byte{0x44, 0x45, 0x4c, 0x4c, 0x42, 0x00, 0x10, 0x35, 0x80, 0x52, 0xb2, 0xc0, 0x4f, 0x4e, 0x4e, 0x32}
	// Type 1: manufacturer, product, version, serial string numbers, UUID,
	// wake-up type, SKU, family.
	system := smbiosStruct(1, append(append([]byte{1, 2, 0, 3}, uuid...), 6, 0, 0), "Dell Inc.", "Precision 3630 Tower", "5Z7XBC2")
	// Type 2: manufacturer, product, version, serial string numbers.
	board := smbiosStruct(2, []byte{1, 2, 0, 3}, "Dell Inc.", "0NNNCT", ".5Z7XBC2.CN1296361K00A6.")
	bios := smbiosStruct(0, []byte{1, 2, 0, 0xf0}, "Dell Inc.", "1.26.0")
	end := smbiosStruct(127, nil)

	tests := []struct {
		name string
		raw  []byte
		want smbiosInfo
	}{
		{
			name: "smbios 3.4",
			raw:  rawSMBIOSBlock(3, 4, bios, system, board, end),
			want: smbiosInfo{UUID: "4c4c4544-0042-3510-8052-b2c04f4e4e32", BoardSerial: ".5Z7XBC2.CN1296361K00A6."},
		},
		{
			name: "smbios 2.4 keeps byte order",
			raw:  rawSMBIOSBlock(2, 4, system, end),
			want: smbiosInfo{UUID: "44454c4c-4200-1035-8052-b2c04f4e4e32"},
		},
		{
			name: "board serial string missing",
			raw:  rawSMBIOSBlock(3, 0, smbiosStruct(2, []byte{1, 2, 0, 4}, "Dell Inc.")),
			want: smbiosInfo{},
		},
		{
			name: "nothing after the end marker",
			raw:  rawSMBIOSBlock(3, 0, end, system),
			want: smbiosInfo{},
		},
		{name: "truncated table", raw: rawSMBIOSBlock(3, 4, system)[:20], want: smbiosInfo{}},
		{name: "length below header", raw: rawSMBIOSBlock(3, 4, []byte{1, 2, 0, 0, 0, 0}), want: smbiosInfo{}},
		{name: "short header", raw: []byte{0, 3, 4}, want: smbiosInfo{}},
		{name: "empty", raw: nil, want: smbiosInfo{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, parseRawSMBIOS(tt.raw))
		})
	}
}

func FuzzParseRawSMBIOS(f *testing.F) {
	f.Add(rawSMBIOSBlock(3, 4, smbiosStruct(1, make([]byte, 23), "x"), smbiosStruct(127, nil)))
	f.Add([]byte{0, 2, 6, 0, 0xff, 0xff, 0xff, 0xff, 1, 0x1b})
	f.Fuzz(func(t *testing.T, raw []byte) {
		parseRawSMBIOS(raw) // must not panic
	})
}
