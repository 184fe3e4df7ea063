package wire

import (
	"os"
	"path/filepath"
	"testing"
)

// seedFromVectors adds every test vector file to the corpus.
func seedFromVectors(f *testing.F) {
	files, _ := filepath.Glob("../testdata/vectors/*.txt")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
}

func FuzzArmor(f *testing.F) {
	seedFromVectors(f)
	s, _ := MarshalArmor(ActivationRequest, []byte{0xd2, 0x84, 1})
	f.Add([]byte(s))
	f.Fuzz(func(t *testing.T, in []byte) {
		typ, msg, err := UnmarshalArmor(string(in))
		if err != nil {
			if msg != nil {
				t.Fatal("error with a result")
			}
			return
		}
		again, err := MarshalArmor(typ, msg)
		if err != nil || again != string(in) {
			t.Fatalf("round trip: %q != %q", again, in)
		}
	})
}

func FuzzBase45(f *testing.F) {
	for _, s := range []string{"BB8", "%69 VD92EX0", "GGW", "", "A", "AL1:BB8"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := DecodeBase45(s)
		if err != nil {
			if b != nil {
				t.Fatal("error with a result")
			}
			return
		}
		if again := EncodeBase45(b); again != s {
			t.Fatalf("round trip: %q != %q", again, s)
		}
	})
}

func FuzzRead(f *testing.F) {
	seedFromVectors(f)
	f.Add([]byte("AL1:BB8"))
	f.Add([]byte{0xd2, 0x84})
	f.Fuzz(func(t *testing.T, in []byte) {
		msg, enc, _, err := Read(in)
		if err != nil && msg != nil {
			t.Fatal("error with a result")
		}
		if err == nil && enc == 0 {
			t.Fatal("no encoding named")
		}
	})
}
