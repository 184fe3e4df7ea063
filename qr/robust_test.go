package qr_test

import (
	"fmt"
	"image"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/airlock-dev/airlock/qr"
	"github.com/airlock-dev/airlock/qr/internal/degrade"
)

// sizes are the message sizes (bytes) of the robustness table's columns:
// versions 3, 8 and 11 at level M.
var sizes = []int{32, 120, 240}

func render(text string) degrade.Render {
	return func(px int) (image.Image, error) { return qr.Image(text, qr.Options{Module: px}) }
}

// TestRobustness decodes every degradation of the set at every size and
// requires those marked Want to succeed. `go run ./qr/internal/qrlab table`
// prints the same matrix as the markdown table in doc/QR.md.
func TestRobustness(t *testing.T) {
	for _, c := range degrade.Cases() {
		for _, n := range sizes {
			t.Run(fmt.Sprintf("%s/%dB", c.Name, n), func(t *testing.T) {
				if (testing.Short() || c.Heavy) && n != 240 {
					t.Skip("heavy case or -short: 240-byte messages only")
				}
				text := degrade.Payload(n, uint64(n))
				file, _, err := c.Make(render(text))
				require.NoError(t, err)
				got, err := qr.Decode([][]byte{file}, nil)
				if !c.Want {
					t.Logf("limit case: decoded=%v", err == nil)
					return
				}
				require.NoError(t, err)
				assert.Equal(t, text, got)
			})
		}
	}
}

func BenchmarkEncodePNG(b *testing.B) {
	text := degrade.Payload(240, 1)
	for b.Loop() {
		if _, err := qr.PNG(text, qr.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecode decodes a 240-byte message (version 11) from images of
// growing size: clean screenshots at 2, 4 and 8 px per module, a photo-like
// JPEG, and a small code in a 12-megapixel frame.
func BenchmarkDecode(b *testing.B) {
	text := degrade.Payload(240, 1)
	bench := []struct {
		name string
		make func(degrade.Render) ([]byte, string, error)
	}{
		{"2px", func(r degrade.Render) ([]byte, string, error) { return file(r(2)) }},
		{"4px", func(r degrade.Render) ([]byte, string, error) { return file(r(4)) }},
		{"8px", func(r degrade.Render) ([]byte, string, error) { return file(r(8)) }},
	}
	for _, c := range degrade.Cases() {
		switch c.Name {
		case "phone photo (skew, 5°, blur, noise, JPEG 50)", "small code in 4000×3000 photo (JPEG 85)":
			bench = append(bench, struct {
				name string
				make func(degrade.Render) ([]byte, string, error)
			}{c.Name, c.Make})
		}
	}
	for _, bb := range bench {
		data, _, err := bb.make(render(text))
		require.NoError(b, err)
		cfg, _, err := image.DecodeConfig(bytesReader(data))
		require.NoError(b, err)
		b.Run(fmt.Sprintf("%s/%dx%d", bb.name, cfg.Width, cfg.Height), func(b *testing.B) {
			for b.Loop() {
				if _, err := qr.Decode([][]byte{data}, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func file(img image.Image, err error) ([]byte, string, error) {
	if err != nil {
		return nil, "", err
	}
	return degrade.PNGFile(img)
}
