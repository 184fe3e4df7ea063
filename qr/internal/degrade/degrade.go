// Package degrade spoils images the way cameras, screens and printers do,
// so the qr tests, the robustness table and bench/qr-vs-zbar can check the
// decoder on pictures they make themselves. Pure Go, deterministic, grey
// scale throughout.
package degrade

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"math"
	"math/rand/v2"
)

// Gray converts img to an *image.Gray.
func Gray(img image.Image) *image.Gray {
	if g, ok := img.(*image.Gray); ok {
		return g
	}
	g := image.NewGray(img.Bounds())
	draw.Draw(g, g.Bounds(), img, img.Bounds().Min, draw.Src)
	return g
}

// sample reads g at real coordinates with bilinear interpolation; outside
// the image it returns bg.
func sample(g *image.Gray, x, y float64, bg uint8) float64 {
	b := g.Bounds()
	x0, y0 := math.Floor(x), math.Floor(y)
	fx, fy := x-x0, y-y0
	at := func(xi, yi int) float64 {
		if xi < b.Min.X || yi < b.Min.Y || xi >= b.Max.X || yi >= b.Max.Y {
			return float64(bg)
		}
		return float64(g.Pix[(yi-b.Min.Y)*g.Stride+xi-b.Min.X])
	}
	xi, yi := int(x0), int(y0)
	top := at(xi, yi)*(1-fx) + at(xi+1, yi)*fx
	bot := at(xi, yi+1)*(1-fx) + at(xi+1, yi+1)*fx
	return top*(1-fy) + bot*fy
}

// warp builds a w×h image whose pixel (x, y) shows src at inv(x, y).
func warp(src *image.Gray, w, h int, inv func(x, y float64) (float64, float64)) *image.Gray {
	out := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			sx, sy := inv(float64(x)+0.5, float64(y)+0.5)
			out.Pix[y*out.Stride+x] = clamp(sample(src, sx-0.5, sy-0.5, 255))
		}
	}
	return out
}

func clamp(v float64) uint8 {
	return uint8(math.Max(0, math.Min(255, math.Round(v))))
}

// Scale resizes by factor f (bilinear), as a screenshot at odd zoom does.
func Scale(img image.Image, f float64) *image.Gray {
	g := Gray(img)
	w, h := int(float64(g.Rect.Dx())*f), int(float64(g.Rect.Dy())*f)
	return warp(g, w, h, func(x, y float64) (float64, float64) { return x / f, y / f })
}

// Rotate turns the image by deg degrees counter-clockwise about its centre,
// on a white canvas large enough to hold it.
func Rotate(img image.Image, deg float64) *image.Gray {
	g := Gray(img)
	w, h := float64(g.Rect.Dx()), float64(g.Rect.Dy())
	s, c := math.Sincos(deg * math.Pi / 180)
	nw := math.Ceil(math.Abs(w*c) + math.Abs(h*s))
	nh := math.Ceil(math.Abs(w*s) + math.Abs(h*c))
	return warp(g, int(nw), int(nh), func(x, y float64) (float64, float64) {
		dx, dy := x-nw/2, y-nh/2
		return c*dx - s*dy + w/2, s*dx + c*dy + h/2
	})
}

// Rotate90 turns the image a quarter clockwise, exactly.
func Rotate90(img image.Image) *image.Gray {
	g := Gray(img)
	w, h := g.Rect.Dx(), g.Rect.Dy()
	out := image.NewGray(image.Rect(0, 0, h, w))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			out.Pix[x*out.Stride+(h-1-y)] = g.Pix[y*g.Stride+x]
		}
	}
	return out
}

// Blur applies a Gaussian blur of standard deviation sigma pixels.
func Blur(img image.Image, sigma float64) *image.Gray {
	g := Gray(img)
	r := int(math.Ceil(3 * sigma))
	k := make([]float64, 2*r+1)
	var sum float64
	for i := range k {
		d := float64(i - r)
		k[i] = math.Exp(-d * d / (2 * sigma * sigma))
		sum += k[i]
	}
	for i := range k {
		k[i] /= sum
	}
	w, h := g.Rect.Dx(), g.Rect.Dy()
	tmp := make([]float64, w*h)
	at := func(x, y int) float64 { return float64(g.Pix[min(max(y, 0), h-1)*g.Stride+min(max(x, 0), w-1)]) }
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var v float64
			for i, kv := range k {
				v += kv * at(x+i-r, y)
			}
			tmp[y*w+x] = v
		}
	}
	out := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var v float64
			for i, kv := range k {
				v += kv * tmp[min(max(y+i-r, 0), h-1)*w+x]
			}
			out.Pix[y*out.Stride+x] = clamp(v)
		}
	}
	return out
}

// Noise adds Gaussian noise of standard deviation sigma grey levels.
func Noise(img image.Image, sigma float64, seed uint64) *image.Gray {
	g := Gray(img)
	rnd := rand.New(rand.NewPCG(seed, 1))
	out := image.NewGray(g.Rect)
	for i, v := range g.Pix {
		out.Pix[i] = clamp(float64(v) + rnd.NormFloat64()*sigma)
	}
	return out
}

// Contrast maps black to lo and white to hi.
func Contrast(img image.Image, lo, hi uint8) *image.Gray {
	g := Gray(img)
	out := image.NewGray(g.Rect)
	for i, v := range g.Pix {
		out.Pix[i] = clamp(float64(lo) + float64(v)*float64(int(hi)-int(lo))/255)
	}
	return out
}

// Invert swaps dark and light.
func Invert(img image.Image) *image.Gray {
	g := Gray(img)
	out := image.NewGray(g.Rect)
	for i, v := range g.Pix {
		out.Pix[i] = 255 - v
	}
	return out
}

// Lighting multiplies the image by a brightness ramp from left (at lo, in
// 0..1) to right (1), like a shadow across a sheet of paper.
func Lighting(img image.Image, lo float64) *image.Gray {
	g := Gray(img)
	out := image.NewGray(g.Rect)
	w := g.Rect.Dx()
	for i, v := range g.Pix {
		x := i % g.Stride
		out.Pix[i] = clamp(float64(v) * (lo + (1-lo)*float64(x)/float64(w)))
	}
	return out
}

// Glare brightens a round spot of radius r (a fraction of the width) at
// (cx, cy) (fractions of the size) towards white, like a lamp reflected in
// a screen or glossy paper.
func Glare(img image.Image, cx, cy, r float64) *image.Gray {
	g := Gray(img)
	out := image.NewGray(g.Rect)
	w, h := float64(g.Rect.Dx()), float64(g.Rect.Dy())
	for i, v := range g.Pix {
		x, y := float64(i%g.Stride)/w-cx, float64(i/g.Stride)/h-cy
		k := math.Exp(-(x*x + y*y) / (2 * r * r)) // 1 at the centre
		out.Pix[i] = clamp(float64(v) + k*(255-float64(v))*0.9)
	}
	return out
}

// Perspective shows the image as if tilted away from the camera: the top
// edge shrinks to the fraction top of the bottom edge.
func Perspective(img image.Image, top float64) *image.Gray {
	g := Gray(img)
	w, h := float64(g.Rect.Dx()), float64(g.Rect.Dy())
	// Destination corners: top edge inset, bottom edge full width.
	in := (1 - top) * w / 2
	H := squareToQuad([4][2]float64{{in, 0}, {w - in, 0}, {w, h}, {0, h}})
	inv := H.inverse()
	return warp(g, int(w), int(h), func(x, y float64) (float64, float64) {
		u, v := inv.apply(x, y)
		return u * w, v * h
	})
}

// Embed puts img at (x, y) on a w×h frame of soft grey texture, as when a
// code is small in a photo of a desk.
func Embed(img image.Image, w, h, x, y int, seed uint64) *image.Gray {
	g := Gray(img)
	rnd := rand.New(rand.NewPCG(seed, 2))
	out := image.NewGray(image.Rect(0, 0, w, h))
	for j := 0; j < h; j++ {
		wave := 90 + 30*math.Sin(float64(j)/37)
		row := out.Pix[j*out.Stride : j*out.Stride+w]
		for i := range row {
			noise := float64(rnd.Uint32()>>24) / 8 // 0..32
			row[i] = clamp(wave + 80*float64(i)/float64(w) + noise - 16)
		}
	}
	draw.Draw(out, g.Rect.Add(image.Pt(x, y)).Sub(g.Rect.Min), g, g.Rect.Min, draw.Src)
	return out
}

// Pad surrounds the image with m pixels of colour c.
func Pad(img image.Image, m int, c uint8) *image.Gray {
	g := Gray(img)
	out := image.NewGray(image.Rect(0, 0, g.Rect.Dx()+2*m, g.Rect.Dy()+2*m))
	draw.Draw(out, out.Rect, &image.Uniform{color.Gray{c}}, image.Point{}, draw.Src)
	draw.Draw(out, g.Rect.Sub(g.Rect.Min).Add(image.Pt(m, m)), g, g.Rect.Min, draw.Src)
	return out
}

// JPEG round-trips the image through JPEG at quality q and returns the file.
func JPEG(img image.Image, q int) ([]byte, error) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, Gray(img), &jpeg.Options{Quality: q}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
