package fingerprint

import (
	"bytes"
	"testing"
)

// FuzzParseSet checks that ParseSet either refuses its input with a nil
// set, or accepts exactly the canonical encodings: re-encoding gives the
// input back byte for byte.
func FuzzParseSet(f *testing.F) {
	valid := Set{
		HashComponent([]byte("airlock"), KindMachineID, "m"),
		HashComponent([]byte("airlock"), KindMAC, "a"),
		HashComponent([]byte("airlock"), KindMAC, "b"),
		HashComponent([]byte("airlock"), KindHostname, "h"),
	}.Canonical()
	b, err := valid.MarshalBinary()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add(b[:EntrySize])
	f.Add([]byte{})
	f.Add([]byte{1, 2, 3})
	f.Add([]byte{0, 0, 0, 0, 0})
	f.Add([]byte{8, 0, 0, 0, 0})
	f.Add(append(append([]byte(nil), b[EntrySize:2*EntrySize]...), b[:EntrySize]...))
	f.Add(bytes.Repeat([]byte{4, 1, 2, 3, 4}, 2))
	f.Add(bytes.Repeat([]byte{4, 0, 0, 0, 0}, MaxComponents+1))
	f.Fuzz(func(t *testing.T, in []byte) {
		s, err := ParseSet(in)
		if err != nil {
			if s != nil {
				t.Fatalf("ParseSet(%x) = %v with error %v", in, s, err)
			}
			return
		}
		out, err := s.MarshalBinary()
		if err != nil {
			t.Fatalf("MarshalBinary of parsed %x: %v", in, err)
		}
		if !bytes.Equal(in, out) {
			t.Fatalf("round trip changed %x into %x", in, out)
		}
		if len(s.Canonical()) != len(s) {
			t.Fatalf("parsed set %v is not canonical", s)
		}
		if s.Summary() == "" {
			t.Fatalf("parsed set %v has no summary", s)
		}
	})
}
