// Command qrlab makes and reads the degraded QR images of the robustness set.
//
//	go run ./qr/internal/qrlab table            # markdown table of Airlock's success per degradation
//	go run ./qr/internal/qrlab images DIR       # write the images and DIR/expected.tsv (file, case, text)
//	go run ./qr/internal/qrlab decode FILE...   # decode each file; print "file<TAB>ok|fail<TAB>seconds"
//
// It lives under internal/ because it is a test tool, not a product command.
package main

import (
	"fmt"
	"image"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/airlock-dev/airlock/qr"
	"github.com/airlock-dev/airlock/qr/internal/degrade"
)

// Sizes are the message sizes (bytes before Base45) of the table's columns.
var Sizes = []int{32, 120, 240}

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "qrlab:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: qrlab table | images DIR | decode FILE...")
	}
	switch args[0] {
	case "table":
		return table()
	case "images":
		if len(args) != 2 {
			return fmt.Errorf("usage: qrlab images DIR")
		}
		return images(args[1])
	case "decode":
		return decode(args[1:])
	}
	return fmt.Errorf("unknown subcommand %q", args[0])
}

func render(text string) degrade.Render {
	return func(px int) (image.Image, error) { return qr.Image(text, qr.Options{Module: px}) }
}

func table() error {
	fmt.Print("| degradation |")
	for _, n := range Sizes {
		text := degrade.Payload(n, 1)
		v, err := qr.Version(text, qr.LevelM)
		if err != nil {
			return err
		}
		fmt.Printf(" %d B (v%d-M) |", n, v)
	}
	fmt.Print("\n|---|")
	for range Sizes {
		fmt.Print("---|")
	}
	fmt.Println()
	ok, total := 0, 0
	for _, c := range degrade.Cases() {
		fmt.Printf("| %s |", c.Name)
		for _, n := range Sizes {
			text := degrade.Payload(n, uint64(n))
			file, _, err := c.Make(render(text))
			if err != nil {
				return err
			}
			start := time.Now()
			r, err := qr.DecodeDetail([][]byte{file}, nil)
			el := time.Since(start)
			total++
			switch {
			case err == nil && r.Text == text:
				ok++
				fmt.Printf(" ✓ %s, %s |", r.Images[0].Method, ms(el))
			case err == nil:
				fmt.Printf(" ✗ wrong text |")
			default:
				fmt.Printf(" ✗ %s |", ms(el))
			}
		}
		fmt.Println()
	}
	fmt.Printf("\n%d of %d decoded.\n", ok, total)
	return nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.0f ms", d.Seconds()*1000) }

// images writes every case at every size, and expected.tsv: file name,
// case name, text.
func images(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var tsv strings.Builder
	for i, c := range degrade.Cases() {
		for _, n := range Sizes {
			text := degrade.Payload(n, uint64(n))
			file, ext, err := c.Make(render(text))
			if err != nil {
				return err
			}
			name := fmt.Sprintf("%02d-%dB-%s.%s", i+1, n, slug(c.Name), ext)
			if err := os.WriteFile(filepath.Join(dir, name), file, 0o644); err != nil {
				return err
			}
			fmt.Fprintf(&tsv, "%s\t%s\t%s\n", name, c.Name, text)
		}
	}
	return os.WriteFile(filepath.Join(dir, "expected.tsv"), []byte(tsv.String()), 0o644)
}

func slug(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	return strings.Trim(b.String(), "-")
}

// decode reads each file on its own and prints the result and the time.
func decode(files []string) error {
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		start := time.Now()
		text, err := qr.Decode([][]byte{data}, nil)
		el := time.Since(start).Seconds()
		if err != nil {
			fmt.Printf("%s\tfail\t%.4f\t\n", f, el)
			continue
		}
		fmt.Printf("%s\tok\t%.4f\t%s\n", f, el, text)
	}
	return nil
}
