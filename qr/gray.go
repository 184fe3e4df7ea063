package qr

import (
	"bytes"
	"fmt"
	"image"
	_ "image/gif" // screenshots sometimes arrive as GIF
	_ "image/jpeg"
	_ "image/png"
)

// MaxPixels is the largest image (width × height) the decoder accepts; the
// size is checked from the header before any pixel is decoded.
const MaxPixels = 40_000_000

// gray is an 8-bit luminance image.
type gray struct {
	w, h int
	pix  []byte // row-major, len w*h
}

// loadImage decodes a PNG, JPEG or GIF after checking its dimensions.
func loadImage(data []byte) (*gray, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: not a png or jpeg image (%v)", ErrImage, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, fmt.Errorf("%w: %s image of %d×%d pixels", ErrImage, format, cfg.Width, cfg.Height)
	}
	if int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return nil, fmt.Errorf("%w: %d×%d pixels is more than %d megapixels", ErrImageTooLarge,
			cfg.Width, cfg.Height, MaxPixels/1_000_000)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: decoding %s: %v", ErrImage, format, err)
	}
	return toGray(img), nil
}

// toGray converts img to luminance; transparent pixels count as white,
// as on a page or a screen.
func toGray(img image.Image) *gray {
	r := img.Bounds()
	g := &gray{w: r.Dx(), h: r.Dy(), pix: make([]byte, r.Dx()*r.Dy())}
	switch src := img.(type) {
	case *image.Gray:
		for y := 0; y < g.h; y++ {
			copy(g.pix[y*g.w:(y+1)*g.w], src.Pix[(y)*src.Stride:])
		}
		return g
	case *image.YCbCr:
		for y := 0; y < g.h; y++ {
			copy(g.pix[y*g.w:(y+1)*g.w], src.Y[src.YOffset(r.Min.X, r.Min.Y+y):])
		}
		return g
	case *image.NRGBA:
		for y := 0; y < g.h; y++ {
			row := src.Pix[src.PixOffset(r.Min.X, r.Min.Y+y):]
			for x := 0; x < g.w; x++ {
				p := row[4*x : 4*x+4]
				lum := (299*int(p[0]) + 587*int(p[1]) + 114*int(p[2])) / 1000
				g.pix[y*g.w+x] = byte((lum*int(p[3]) + 255*(255-int(p[3]))) / 255)
			}
		}
		return g
	case *image.RGBA:
		for y := 0; y < g.h; y++ {
			row := src.Pix[src.PixOffset(r.Min.X, r.Min.Y+y):]
			for x := 0; x < g.w; x++ {
				p := row[4*x : 4*x+4]
				lum := (299*int(p[0]) + 587*int(p[1]) + 114*int(p[2])) / 1000
				g.pix[y*g.w+x] = byte(min(lum+255-int(p[3]), 255))
			}
		}
		return g
	}
	i := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cr, cg, cb, ca := img.At(x, y).RGBA() // premultiplied, 0..0xffff
			lum := (299*cr + 587*cg + 114*cb) / 1000
			lum += 0xffff - ca // composite over white
			g.pix[i] = byte(min(lum, 0xffff) >> 8)
			i++
		}
	}
	return g
}

// invert returns the negative.
func (g *gray) invert() *gray {
	out := &gray{w: g.w, h: g.h, pix: make([]byte, len(g.pix))}
	for i, v := range g.pix {
		out.pix[i] = 255 - v
	}
	return out
}

// otsu thresholds the image at Otsu's global threshold.
func (g *gray) otsu() *gray {
	var hist [256]int
	for _, v := range g.pix {
		hist[v]++
	}
	total := len(g.pix)
	var sum float64
	for i, c := range hist {
		sum += float64(i * c)
	}
	var sumB, best float64
	wB, thr := 0, 127
	for t, c := range hist {
		wB += c
		if wB == 0 {
			continue
		}
		wF := total - wB
		if wF == 0 {
			break
		}
		sumB += float64(t * c)
		mB, mF := sumB/float64(wB), (sum-sumB)/float64(wF)
		if between := float64(wB) * float64(wF) * (mB - mF) * (mB - mF); between > best {
			best, thr = between, t
		}
	}
	out := &gray{w: g.w, h: g.h, pix: make([]byte, len(g.pix))}
	for i, v := range g.pix {
		if int(v) > thr {
			out.pix[i] = 255
		}
	}
	return out
}

// blur applies a 3×3 box blur (edges clamp), which calms sensor noise and
// JPEG artefacts before thresholding.
func (g *gray) blur() *gray {
	out := &gray{w: g.w, h: g.h, pix: make([]byte, len(g.pix))}
	tmp := make([]uint16, len(g.pix))
	for y := 0; y < g.h; y++ {
		row := g.pix[y*g.w : (y+1)*g.w]
		for x := 0; x < g.w; x++ {
			tmp[y*g.w+x] = uint16(row[max(x-1, 0)]) + uint16(row[x]) + uint16(row[min(x+1, g.w-1)])
		}
	}
	for y := 0; y < g.h; y++ {
		up, down := max(y-1, 0)*g.w, min(y+1, g.h-1)*g.w
		for x := 0; x < g.w; x++ {
			out.pix[y*g.w+x] = byte((tmp[up+x] + tmp[y*g.w+x] + tmp[down+x] + 4) / 9)
		}
	}
	return out
}

// shrink averages k×k blocks.
func (g *gray) shrink(k int) *gray {
	w, h := g.w/k, g.h/k
	out := &gray{w: w, h: h, pix: make([]byte, w*h)}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			s := 0
			for dy := 0; dy < k; dy++ {
				row := g.pix[(y*k+dy)*g.w+x*k:]
				for dx := 0; dx < k; dx++ {
					s += int(row[dx])
				}
			}
			out.pix[y*w+x] = byte(s / (k * k))
		}
	}
	return out
}

// grow doubles the size with bilinear interpolation.
func (g *gray) grow() *gray {
	w, h := 2*g.w, 2*g.h
	out := &gray{w: w, h: h, pix: make([]byte, w*h)}
	at := func(x, y int) int { return int(g.pix[min(y, g.h-1)*g.w+min(x, g.w-1)]) }
	for y := 0; y < g.h; y++ {
		for x := 0; x < g.w; x++ {
			a, b, c, d := at(x, y), at(x+1, y), at(x, y+1), at(x+1, y+1)
			o := 2*y*w + 2*x
			out.pix[o] = byte(a)
			out.pix[o+1] = byte((a + b + 1) / 2)
			out.pix[o+w] = byte((a + c + 1) / 2)
			out.pix[o+w+1] = byte((a + b + c + d + 2) / 4)
		}
	}
	return out
}

// sharpen applies an unsharp mask: the image plus amount times its
// difference from a (2r+1)² box blur. It brings back single modules a blur
// has washed towards grey.
func (g *gray) sharpen(r int, amount float64) *gray {
	w, h := g.w, g.h
	// Horizontal box sums (at most 255·(2r+1), so uint16 holds them for r ≤ 64).
	hs := make([]uint16, w*h)
	for y := 0; y < h; y++ {
		row := g.pix[y*w : (y+1)*w]
		var s int
		for x := -r; x <= r; x++ {
			s += int(row[min(max(x, 0), w-1)])
		}
		for x := 0; x < w; x++ {
			hs[y*w+x] = uint16(s)
			s += int(row[min(x+r+1, w-1)]) - int(row[max(x-r, 0)])
		}
	}
	out := &gray{w: w, h: h, pix: make([]byte, len(g.pix))}
	n := float64((2*r + 1) * (2*r + 1))
	for x := 0; x < w; x++ {
		var s int
		for y := -r; y <= r; y++ {
			s += int(hs[min(max(y, 0), h-1)*w+x])
		}
		for y := 0; y < h; y++ {
			v := float64(g.pix[y*w+x])
			out.pix[y*w+x] = byte(max(0, min(255, v+amount*(v-float64(s)/n))))
			s += int(hs[min(y+r+1, h-1)*w+x]) - int(hs[max(y-r, 0)*w+x])
		}
	}
	return out
}

// IsImage reports whether data starts like a PNG, JPEG or GIF file, so a
// command reading a message can tell a photo from armored or binary input.
func IsImage(data []byte) bool {
	for _, magic := range []string{"\x89PNG\r\n\x1a\n", "\xff\xd8\xff", "GIF87a", "GIF89a"} {
		if bytes.HasPrefix(data, []byte(magic)) {
			return true
		}
	}
	return false
}
