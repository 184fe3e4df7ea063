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
	// Heavy cases (large frames) run at one payload size in the tests.
	Heavy bool
	Make  func(r Render) (file []byte, ext string, err error)
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
		{Name: "1 px/module", Want: true, Make: at(1, same)},
		{Name: "2 px/module", Want: true, Make: at(2, same)},
		{Name: "3 px/module", Want: true, Make: at(3, same)},
		{Name: "4 px/module", Want: true, Make: at(4, same)},
		{Name: "6 px/module", Want: true, Make: at(6, same)},
		{Name: "8 px/module", Want: true, Make: at(8, same)},
		{Name: "2.5 px/module (resampled)", Want: true, Make: at(5, func(i image.Image) image.Image { return Scale(i, 0.5) })},
		{Name: "rotated 3°", Want: true, Make: at(4, func(i image.Image) image.Image { return Rotate(i, 3) })},
		{Name: "rotated 7°", Want: true, Make: at(4, func(i image.Image) image.Image { return Rotate(i, 7) })},
		{Name: "rotated 10°", Want: true, Make: at(4, func(i image.Image) image.Image { return Rotate(i, 10) })},
		{Name: "rotated 45°", Want: true, Make: at(4, func(i image.Image) image.Image { return Rotate(i, 45) })},
		{Name: "rotated 90°", Want: true, Make: at(4, func(i image.Image) image.Image { return Rotate90(i) })},
		{Name: "rotated 10° at 2 px/module", Want: true, Make: at(2, func(i image.Image) image.Image { return Rotate(i, 10) })},
		{Name: "blur σ=1 px at 4 px/module", Want: true, Make: at(4, func(i image.Image) image.Image { return Blur(i, 1) })},
		{Name: "blur σ=2 px at 4 px/module", Want: true, Make: at(4, func(i image.Image) image.Image { return Blur(i, 2) })},
		{Name: "blur σ=3 px at 4 px/module", Want: false, Make: at(4, func(i image.Image) image.Image { return Blur(i, 3) })},
		{Name: "noise σ=40", Want: true, Make: at(4, func(i image.Image) image.Image { return Noise(i, 40, 1) })},
		{Name: "noise σ=80", Want: true, Make: at(4, func(i image.Image) image.Image { return Noise(i, 80, 1) })},
		{Name: "noise σ=120", Want: false, Make: at(4, func(i image.Image) image.Image { return Noise(i, 120, 1) })},
		{Name: "JPEG quality 30", Want: true, Make: jpg(4, 30, same)},
		{Name: "JPEG quality 30 at 2 px/module", Want: true, Make: jpg(2, 30, same)},
		{Name: "JPEG quality 10 at 2 px/module", Want: false, Make: jpg(2, 10, same)},
		{Name: "low contrast 100/160", Want: true, Make: at(4, func(i image.Image) image.Image { return Contrast(i, 100, 160) })},
		{Name: "low contrast 120/140", Want: true, Make: at(4, func(i image.Image) image.Image { return Contrast(i, 120, 140) })},
		{Name: "uneven lighting 30%→100%", Want: true, Make: at(4, func(i image.Image) image.Image { return Lighting(i, 0.3) })},
		{Name: "perspective skew 85%", Want: true, Make: at(4, func(i image.Image) image.Image { return Perspective(i, 0.85) })},
		{Name: "perspective skew 70%", Want: true, Make: at(6, func(i image.Image) image.Image { return Perspective(i, 0.7) })},
		{Name: "perspective skew 55%", Want: false, Make: at(6, func(i image.Image) image.Image { return Perspective(i, 0.55) })},
		{Name: "perspective skew sideways 75%", Want: true, Make: at(5, func(i image.Image) image.Image { return Rotate90(Perspective(i, 0.75)) })},
		{Name: "glare spot (90% wash-out)", Want: true, Make: at(4, func(i image.Image) image.Image { return Glare(i, 0.6, 0.4, 0.2) })},
		{Name: "inverted colours", Want: true, Make: at(4, func(i image.Image) image.Image { return Invert(i) })},
		{Name: "small code in 1600×1200 photo (JPEG 85)", Want: true, Make: jpg(2, 85, func(i image.Image) image.Image { return Embed(i, 1600, 1200, 700, 500, 3) })},
		{Name: "small code in 4000×3000 photo (JPEG 85)", Want: true, Heavy: true, Make: jpg(3, 85, func(i image.Image) image.Image { return Embed(i, 4000, 3000, 2500, 900, 4) })},
		{Name: "phone photo (skew, 5°, blur, noise, JPEG 50)", Want: true, Make: jpg(6, 50, func(i image.Image) image.Image {
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
