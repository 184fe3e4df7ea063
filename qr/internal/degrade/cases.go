package degrade

import (
	"bytes"
	"image"
	"image/png"
	"math/rand/v2"
)

// Render draws the clean code at px pixels per module, quiet zone included.
type Render func(px int) (image.Image, error)

// Case is one degradation of the robustness set.
type Case struct {
	Name string
	// Want is true when Airlock must decode the case at every payload size
	// of the table; the tests assert it. Cases with Want false are there
	// to show where the limits are.
	Want bool
	Make func(r Render) (file []byte, ext string, err error)
}

// Cases is the robustness set, in table order.
func Cases() []Case {
	at := func(px int, f func(image.Image) image.Image) func(Render) ([]byte, string, error) {
		return func(r Render) ([]byte, string, error) {
			img, err := r(px)
			if err != nil {
				return nil, "", err
			}
			return PNGFile(f(img))
		}
	}
	jpg := func(px, q int, f func(image.Image) image.Image) func(Render) ([]byte, string, error) {
		return func(r Render) ([]byte, string, error) {
			img, err := r(px)
			if err != nil {
				return nil, "", err
			}
			b, err := JPEG(f(img), q)
			return b, "jpg", err
		}
	}
	same := func(img image.Image) image.Image { return img }
	return []Case{
		{"1 px/module", true, at(1, same)},
		{"2 px/module", true, at(2, same)},
		{"3 px/module", true, at(3, same)},
		{"4 px/module", true, at(4, same)},
		{"6 px/module", true, at(6, same)},
		{"8 px/module", true, at(8, same)},
		{"2.5 px/module (resampled)", true, at(5, func(i image.Image) image.Image { return Scale(i, 0.5) })},
		{"rotated 3°", true, at(4, func(i image.Image) image.Image { return Rotate(i, 3) })},
		{"rotated 7°", true, at(4, func(i image.Image) image.Image { return Rotate(i, 7) })},
		{"rotated 10°", true, at(4, func(i image.Image) image.Image { return Rotate(i, 10) })},
		{"rotated 45°", true, at(4, func(i image.Image) image.Image { return Rotate(i, 45) })},
		{"rotated 90°", true, at(4, func(i image.Image) image.Image { return Rotate90(i) })},
		{"rotated 10° at 2 px/module", true, at(2, func(i image.Image) image.Image { return Rotate(i, 10) })},
		{"blur σ=1 px at 4 px/module", true, at(4, func(i image.Image) image.Image { return Blur(i, 1) })},
		{"blur σ=2 px at 4 px/module", true, at(4, func(i image.Image) image.Image { return Blur(i, 2) })},
		{"blur σ=3 px at 4 px/module", false, at(4, func(i image.Image) image.Image { return Blur(i, 3) })},
		{"noise σ=40", true, at(4, func(i image.Image) image.Image { return Noise(i, 40, 1) })},
		{"noise σ=80", true, at(4, func(i image.Image) image.Image { return Noise(i, 80, 1) })},
		{"noise σ=120", false, at(4, func(i image.Image) image.Image { return Noise(i, 120, 1) })},
		{"JPEG quality 30", true, jpg(4, 30, same)},
		{"JPEG quality 30 at 2 px/module", true, jpg(2, 30, same)},
		{"JPEG quality 10 at 2 px/module", false, jpg(2, 10, same)},
		{"low contrast 100/160", true, at(4, func(i image.Image) image.Image { return Contrast(i, 100, 160) })},
		{"low contrast 120/140", true, at(4, func(i image.Image) image.Image { return Contrast(i, 120, 140) })},
		{"uneven lighting 30%→100%", true, at(4, func(i image.Image) image.Image { return Lighting(i, 0.3) })},
		{"perspective skew 85%", true, at(4, func(i image.Image) image.Image { return Perspective(i, 0.85) })},
		{"perspective skew 70%", true, at(6, func(i image.Image) image.Image { return Perspective(i, 0.7) })},
		{"perspective skew 55%", false, at(6, func(i image.Image) image.Image { return Perspective(i, 0.55) })},
		{"perspective skew sideways 75%", true, at(5, func(i image.Image) image.Image { return Rotate90(Perspective(i, 0.75)) })},
		{"glare spot (90% wash-out)", true, at(4, func(i image.Image) image.Image { return Glare(i, 0.6, 0.4, 0.2) })},
		{"inverted colours", true, at(4, func(i image.Image) image.Image { return Invert(i) })},
		{"small code in 1600×1200 frame", true, at(2, func(i image.Image) image.Image { return Embed(i, 1600, 1200, 700, 500, 3) })},
		{"small code in 4000×3000 frame", true, at(3, func(i image.Image) image.Image { return Embed(i, 4000, 3000, 2500, 900, 4) })},
		{"phone photo (skew, 5°, blur, noise, JPEG 50)", true, jpg(6, 50, func(i image.Image) image.Image {
			return Noise(Blur(Rotate(Perspective(Lighting(i, 0.6), 0.85), 5), 1.5), 12, 5)
		})},
	}
}

// PNGFile encodes img as PNG.
func PNGFile(img image.Image) ([]byte, string, error) {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), "png", nil
}

// Payload returns an Airlock-like code text for a message of n random
// bytes: "AL1:" followed by their RFC 9285 Base45.
func Payload(n int, seed uint64) string {
	rnd := rand.New(rand.NewPCG(seed, 3))
	msg := make([]byte, n)
	for i := range msg {
		msg[i] = byte(rnd.Uint32())
	}
	return "AL1:" + Base45(msg)
}

const base45Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

// Base45 encodes b per RFC 9285 (test helper; Airlock's is in package wire).
func Base45(b []byte) string {
	out := make([]byte, 0, len(b)/2*3+2)
	for i := 0; i+1 < len(b); i += 2 {
		v := int(b[i])<<8 | int(b[i+1])
		out = append(out, base45Alphabet[v%45], base45Alphabet[v/45%45], base45Alphabet[v/2025])
	}
	if len(b)%2 == 1 {
		v := int(b[len(b)-1])
		out = append(out, base45Alphabet[v%45], base45Alphabet[v/45])
	}
	return string(out)
}
