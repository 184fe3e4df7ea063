package qr_test

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/airlock-dev/airlock/qr"
)

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

// A long text is split into parts that each fit one QR code; the parts are
// reassembled in any order, and a missing one is named.
func Example() {
	text := "AL1:" + strings.Repeat("0123456789ABCDEF", 50) // 804 characters
	parts, err := qr.Split(text, qr.DefaultPartSize)
	if err != nil {
		panic(err)
	}
	fmt.Println(len(parts), "parts;", parts[0][:18])

	var a qr.Assembler
	for _, i := range []int{2, 0} {
		if err := a.Add(parts[i]); err != nil {
			panic(err)
		}
	}
	_, err = a.Text()
	fmt.Println(err)

	_ = a.Add(parts[1])
	got, _ := a.Text()
	fmt.Println(got == text)
	// Output:
	// 3 parts; ALP:CBB688C027:1/3
	// incomplete multi-part message CBB688C027: have parts 1, 3 of 3; missing 2
	// true
}

// Codes render as PNG, SVG or terminal text; images decode back to text.
func ExampleDecode() {
	png, err := qr.PNG("AL1:HELLO", qr.Options{})
	if err != nil {
		panic(err)
	}
	text, err := qr.Decode([][]byte{png}, func(s string) bool { return strings.HasPrefix(s, "AL1:") })
	fmt.Println(text, err)
	// Output: AL1:HELLO <nil>
}
