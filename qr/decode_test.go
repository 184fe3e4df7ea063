package qr

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/draw"
	"image/png"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/airlock-dev/airlock/qr/internal/degrade"
)

func mustPNG(t testing.TB, text string, opt Options) []byte {
	t.Helper()
	data, err := PNG(text, opt)
	require.NoError(t, err)
	return data
}

// canvas lays the codes out on one white image, cols per row.
func canvas(t testing.TB, codes []string, cols, module int) []byte {
	t.Helper()
	var imgs []image.Image
	cell := 0
	for _, c := range codes {
		img, err := Image(c, Options{Module: module})
		require.NoError(t, err)
		imgs = append(imgs, img)
		cell = max(cell, img.Bounds().Dx())
	}
	rows := (len(imgs) + cols - 1) / cols
	out := image.NewGray(image.Rect(0, 0, cols*cell, rows*cell))
	draw.Draw(out, out.Rect, image.White, image.Point{}, draw.Src)
	for i, img := range imgs {
		at := image.Pt(i%cols*cell, i/cols*cell)
		draw.Draw(out, img.Bounds().Add(at), img, image.Point{}, draw.Src)
	}
	data, _, err := degrade.PNGFile(out)
	require.NoError(t, err)
	return data
}

func TestRoundTrip(t *testing.T) {
	for _, n := range []int{1, 10, 64, 120, 232, 240, 250} {
		text := degrade.Payload(n, uint64(n))
		got, err := Decode([][]byte{mustPNG(t, text, Options{})}, nil)
		require.NoError(t, err, "%d bytes", n)
		assert.Equal(t, text, got)
	}
	// Plain text in byte mode (UTF-8) comes back as the same characters.
	for _, text := range []string{"hello, world", "grüße aus Zürich — 日本"} {
		got, err := Decode([][]byte{mustPNG(t, text, Options{})}, nil)
		require.NoError(t, err)
		assert.Equal(t, text, got)
	}
}

func TestDecodeJPEG(t *testing.T) {
	text := degrade.Payload(240, 2)
	img, err := Image(text, Options{Module: 4})
	require.NoError(t, err)
	data, err := degrade.JPEG(img, 60)
	require.NoError(t, err)
	codes, err := DecodeImage(data, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{text}, codes)
}

func TestDecodeMultiPart(t *testing.T) {
	for _, n := range []int{1, 2, 5, 20} {
		text := textOfParts(t, n)
		parts := mustSplit(t, text)
		require.Len(t, parts, n)
		rnd := rand.New(rand.NewPCG(uint64(n), 9))
		t.Run("one image per part, shuffled", func(t *testing.T) {
			var images [][]byte
			for _, p := range parts {
				images = append(images, mustPNG(t, p, Options{Module: 3}))
			}
			rnd.Shuffle(len(images), func(i, j int) { images[i], images[j] = images[j], images[i] })
			r, err := DecodeDetail(images, nil)
			require.NoError(t, err)
			assert.Equal(t, text, r.Text)
			assert.Equal(t, n, r.Parts)
			assert.Len(t, r.Images, n)
		})
		t.Run("all parts in one image", func(t *testing.T) {
			shuffled := append([]string{}, parts...)
			rnd.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
			got, err := Decode([][]byte{canvas(t, shuffled, 5, 3)}, nil)
			require.NoError(t, err)
			assert.Equal(t, text, got)
		})
		if n < 2 {
			continue
		}
		t.Run("several codes in several images", func(t *testing.T) {
			var images [][]byte
			for i := 0; i < n; i += 3 {
				images = append(images, canvas(t, parts[i:min(i+3, n)], 3, 3))
			}
			images = append(images, images[0]) // a duplicate image is harmless
			rnd.Shuffle(len(images), func(i, j int) { images[i], images[j] = images[j], images[i] })
			got, err := Decode(images, nil)
			require.NoError(t, err)
			assert.Equal(t, text, got)
		})
	}
}

func TestDecodeMissingParts(t *testing.T) {
	parts := mustSplit(t, textOfParts(t, 5))
	blank, _, _ := degrade.PNGFile(image.NewGray(image.Rect(0, 0, 200, 200)))
	images := [][]byte{canvas(t, []string{parts[2]}, 1, 3), blank, mustPNG(t, parts[0], Options{})}
	_, err := Decode(images, nil)
	require.ErrorIs(t, err, ErrIncomplete)
	var ie *IncompleteError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, []int{1, 3}, ie.Have)
	assert.Equal(t, []int{2, 4, 5}, ie.Missing())
	assert.Equal(t, []int{2}, ie.Unreadable)
	assert.Contains(t, err.Error(), "have parts 1, 3 of 5; missing 2, 4, 5; no code found in image 2")
}

func TestDecodeTwoMessages(t *testing.T) {
	a, b := mustSplit(t, textOfParts(t, 2)), mustSplit(t, textOfParts(t, 5))
	_, err := Decode([][]byte{mustPNG(t, a[0], Options{}), mustPNG(t, b[1], Options{})}, nil)
	require.ErrorIs(t, err, ErrMixed)
	var ie *ImageError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, 2, ie.Index)
	// Two different whole messages in one image.
	_, err = Decode([][]byte{canvas(t, []string{"AL1:ONE", "AL1:TWO"}, 2, 4)}, nil)
	require.ErrorIs(t, err, ErrMixed)
}

func TestDecodeNoCode(t *testing.T) {
	blank, _, err := degrade.PNGFile(image.NewGray(image.Rect(0, 0, 500, 500)))
	require.NoError(t, err)
	_, err = Decode([][]byte{blank}, nil)
	require.ErrorIs(t, err, ErrNoCode)
	var de *DecodeError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, []string{"default", "try-harder", "global-histogram binarizer", "otsu threshold",
		"blur and otsu threshold", "sharpen", "sharpen and otsu threshold", "downscale 1/2", "upscale 2x",
		"perspective search", "inverted", "inverted global-histogram binarizer"}, de.Tried)
	assert.Contains(t, err.Error(), "no readable qr code found in the image (tried default, try-harder,")
	assert.Contains(t, de.Hint(), "closer")
	assert.Contains(t, de.Hint(), "glare")

	_, err = DecodeImage(blank, nil)
	require.ErrorAs(t, err, &de)
	_, err = Decode([][]byte{blank, blank}, nil)
	assert.ErrorContains(t, err, "in any of the 2 images")
	_, err = Decode(nil, nil)
	assert.ErrorIs(t, err, ErrNoCode)
}

func TestDecodeAccept(t *testing.T) {
	airlock := func(s string) bool { return strings.HasPrefix(s, "AL1:") }
	// A code of something else is found but refused.
	_, err := Decode([][]byte{mustPNG(t, "HTTPS://EXAMPLE.COM", Options{})}, airlock)
	var de *DecodeError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, []string{"HTTPS://EXAMPLE.COM"}, de.Rejected)
	assert.Contains(t, err.Error(), `found code "HTTPS://EXAMPLE.COM", not an accepted payload`)
	assert.Contains(t, de.Hint(), "something else")
	// Next to an Airlock code, the foreign code is ignored.
	got, err := Decode([][]byte{canvas(t, []string{"HTTPS://EXAMPLE.COM", "AL1:HELLO"}, 2, 4)}, airlock)
	require.NoError(t, err)
	assert.Equal(t, "AL1:HELLO", got)
	// Frames pass the chain; the reassembled text must then be accepted.
	parts := mustSplit(t, "XX:"+degrade.Base45(make([]byte, 300)))
	var images [][]byte
	for _, p := range parts {
		images = append(images, mustPNG(t, p, Options{}))
	}
	_, err = Decode(images, airlock)
	assert.ErrorIs(t, err, ErrNotAccepted)
}

// pngHeader is a PNG signature and IHDR for a w×h grey image, no pixels.
func pngHeader(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 17)
	copy(ihdr, "IHDR")
	binary.BigEndian.PutUint32(ihdr[4:], w)
	binary.BigEndian.PutUint32(ihdr[8:], h)
	ihdr[12] = 8 // bit depth; colour type 0 (grey)
	_ = binary.Write(&b, binary.BigEndian, uint32(13))
	b.Write(ihdr)
	_ = binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(ihdr))
	return b.Bytes()
}

func TestDecodeBadImages(t *testing.T) {
	good := mustPNG(t, "AL1:A", Options{})
	tests := []struct {
		name    string
		data    []byte
		wantErr error
		msg     string
	}{
		{name: "not an image", data: []byte("AL1:HELLO"), wantErr: ErrImage, msg: "image 2: unreadable image: not a png or jpeg image"},
		{name: "bomb", data: pngHeader(8000, 6000), wantErr: ErrImageTooLarge, msg: "image 2: image too large: 8000×6000 pixels is more than 40 megapixels"},
		{name: "truncated", data: pngHeader(100, 100), wantErr: ErrImage, msg: "image 2: unreadable image: decoding png"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode([][]byte{good, tt.data}, nil)
			require.ErrorIs(t, err, tt.wantErr)
			var ie *ImageError
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, 2, ie.Index)
			assert.Contains(t, err.Error(), tt.msg)
			_, err = DecodeImage(tt.data, nil)
			assert.ErrorIs(t, err, tt.wantErr)
		})
	}
	_, err := png.DecodeConfig(bytes.NewReader(pngHeader(8000, 6000)))
	require.NoError(t, err, "the header itself is valid")
}

func TestIsImage(t *testing.T) {
	jpg, err := degrade.JPEG(image.NewGray(image.Rect(0, 0, 8, 8)), 50)
	require.NoError(t, err)
	assert.True(t, IsImage(mustPNG(t, "A", Options{})))
	assert.True(t, IsImage(jpg))
	assert.True(t, IsImage([]byte("GIF89a...")))
	assert.False(t, IsImage([]byte("AL1:HELLO")))
	assert.False(t, IsImage([]byte("-----BEGIN AIRLOCK REQUEST-----")))
	assert.False(t, IsImage(nil))
}

func TestDecodeColourAndTransparent(t *testing.T) {
	text := degrade.Payload(120, 5)
	code, err := Image(text, Options{Module: 4})
	require.NoError(t, err)
	b := code.Bounds()
	tests := []struct {
		name        string
		dark, light [4]uint8 // RGBA (not premultiplied)
	}{
		{"navy on yellow", [4]uint8{20, 30, 110, 255}, [4]uint8{250, 240, 170, 255}},
		{"black on transparent", [4]uint8{0, 0, 0, 255}, [4]uint8{0, 0, 0, 0}},
		{"half-transparent black on transparent", [4]uint8{0, 0, 0, 200}, [4]uint8{255, 255, 255, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img := image.NewNRGBA(b)
			for y := b.Min.Y; y < b.Max.Y; y++ {
				for x := b.Min.X; x < b.Max.X; x++ {
					c := tt.light
					if code.ColorIndexAt(x, y) == 1 {
						c = tt.dark
					}
					copy(img.Pix[img.PixOffset(x, y):], c[:])
				}
			}
			// The fast paths agree with the generic one (composite over white).
			generic, fast, fastRGBA := toGray(struct{ image.Image }{img}), toGray(img), toGray(rgbaOf(img))
			for i := range generic.pix {
				require.InDelta(t, generic.pix[i], fast.pix[i], 1)
				require.InDelta(t, generic.pix[i], fastRGBA.pix[i], 1)
			}
			for _, im := range []image.Image{img, rgbaOf(img)} {
				data, _, err := degrade.PNGFile(im)
				require.NoError(t, err)
				got, err := Decode([][]byte{data}, nil)
				require.NoError(t, err)
				assert.Equal(t, text, got)
			}
		})
	}
}

func rgbaOf(src image.Image) *image.RGBA {
	out := image.NewRGBA(src.Bounds())
	draw.Draw(out, out.Rect, src, src.Bounds().Min, draw.Src)
	return out
}
