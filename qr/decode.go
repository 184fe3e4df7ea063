package qr

import (
	"slices"
	"strings"

	"github.com/makiuchi-d/gozxing"
	multiqr "github.com/makiuchi-d/gozxing/multi/qrcode"
	zxqr "github.com/makiuchi-d/gozxing/qrcode"
)

// step is one attempt of the fallback chain: an optional pre-processing of
// the image, a binarizer and a detector effort.
type step struct {
	name      string
	prep      func(*images) *gray // nil: the image as it is
	global    bool                // GlobalHistogramBinarizer instead of HybridBinarizer
	tryHarder bool
	skew      bool // search for the fourth corner of a code seen at an angle
}

// images caches the pre-processed variants of one image. Only adjacent
// steps share a variant, so after each step the variants it did not use
// are dropped: a large photo keeps at most a few copies alive.
type images struct {
	orig  *gray
	cache map[string]*gray
	used  map[string]bool
}

func (im *images) get(key string, make func() *gray) *gray {
	im.used[key] = true
	if g, ok := im.cache[key]; ok {
		return g
	}
	g := make()
	im.cache[key] = g
	return g
}

// evict drops the variants the last step did not use.
func (im *images) evict() {
	for k := range im.cache {
		if !im.used[k] {
			delete(im.cache, k)
		}
	}
	clear(im.used)
}

func (im *images) otsu() *gray { return im.get("otsu", im.orig.otsu) }
func (im *images) smoothOtsu() *gray {
	return im.get("blur-otsu", func() *gray { return im.get("blur", im.orig.blur).otsu() })
}
func (im *images) sharpened() *gray {
	return im.get("sharpen", func() *gray { return im.orig.sharpen(3, 2) })
}
func (im *images) sharpOtsu() *gray {
	return im.get("sharpen-otsu", func() *gray { return im.sharpened().otsu() })
}
func (im *images) inverted() *gray { return im.get("invert", im.orig.invert) }

// shrink returns the image reduced by k, or nil when it would be too small
// to hold a readable code.
func (im *images) shrink(k int) *gray {
	if min(im.orig.w, im.orig.h)/k < 200 {
		return nil
	}
	return im.get("shrink"+string(rune('0'+k)), func() *gray { return im.orig.shrink(k) })
}

// grow returns the image doubled, or nil when it is already large.
func (im *images) grow() *gray {
	if max(im.orig.w, im.orig.h) > 2000 {
		return nil
	}
	return im.get("grow", im.orig.grow)
}

// chain is the fallback chain, cheapest and likeliest first.
var chain = []step{
	{name: "default"},
	{name: "try-harder", tryHarder: true},
	{name: "global-histogram binarizer", global: true, tryHarder: true},
	{name: "otsu threshold", prep: (*images).otsu, tryHarder: true},
	{name: "blur and otsu threshold", prep: (*images).smoothOtsu, tryHarder: true},
	{name: "sharpen", prep: (*images).sharpened, tryHarder: true},
	{name: "sharpen and otsu threshold", prep: (*images).sharpOtsu, tryHarder: true},
	{name: "downscale 1/2", prep: func(im *images) *gray { return im.shrink(2) }, tryHarder: true},
	{name: "downscale 1/4", prep: func(im *images) *gray { return im.shrink(4) }, tryHarder: true},
	{name: "upscale 2x", prep: (*images).grow, tryHarder: true},
	{name: "perspective search", tryHarder: true, skew: true},
	{name: "inverted", prep: (*images).inverted, tryHarder: true},
	{name: "inverted global-histogram binarizer", prep: (*images).inverted, global: true, tryHarder: true},
}

// scan is what the chain found in one image.
type scan struct {
	codes    []string // accepted codes, first-found order, no duplicates
	rejected []string // codes found but neither frames nor accepted
	tried    []string // steps run
	method   string   // first step that found an accepted code
	full     bool     // the whole chain ran
}

// run tries the chain on g until enough(codes) holds or the chain ends.
func run(g *gray, accept func(string) bool, enough func([]string) bool) *scan {
	im := &images{orig: g, cache: map[string]*gray{}, used: map[string]bool{}}
	s := &scan{full: true}
	for _, st := range chain {
		im.evict()
		src := im.orig
		if st.prep != nil {
			if src = st.prep(im); src == nil {
				continue
			}
		}
		s.tried = append(s.tried, st.name)
		for _, text := range decodeGray(src, st) {
			switch {
			case slices.Contains(s.codes, text) || slices.Contains(s.rejected, text):
			case IsFrame(text) || accept(text):
				s.codes = append(s.codes, text)
				if s.method == "" {
					s.method = st.name
				}
			default:
				s.rejected = append(s.rejected, text)
			}
		}
		if len(s.codes) > 0 && enough(s.codes) {
			s.full = false
			break
		}
	}
	return s
}

// decodeGray runs one step: the multi-code reader, then the single-code
// reader if that found nothing. It returns the decoded texts — the
// characters of the symbol, never its raw byte segments.
func decodeGray(g *gray, st step) (texts []string) {
	defer func() {
		if recover() != nil { // gozxing must not take the caller down
			texts = nil
		}
	}()
	src, err := gozxing.NewPlanarYUVLuminanceSource(g.pix, g.w, g.h, 0, 0, g.w, g.h, false)
	if err != nil {
		return nil
	}
	var bin gozxing.Binarizer
	if st.global {
		bin = gozxing.NewGlobalHistgramBinarizer(src)
	} else {
		bin = gozxing.NewHybridBinarizer(src)
	}
	bmp, err := gozxing.NewBinaryBitmap(bin)
	if err != nil {
		return nil
	}
	hints := map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_CHARACTER_SET: "UTF-8"}
	if st.tryHarder {
		hints[gozxing.DecodeHintType_TRY_HARDER] = true
	}
	if st.skew {
		bits, err := bmp.GetBlackMatrix()
		if err != nil {
			return nil
		}
		if t := decodeSkewed(bits, hints); t != "" {
			texts = append(texts, t)
		}
		return texts
	}
	results, _ := multiqr.NewQRCodeMultiReader().DecodeMultiple(bmp, hints)
	for _, r := range results {
		if t := r.GetText(); t != "" {
			texts = append(texts, t)
		}
	}
	if len(texts) > 0 {
		return texts
	}
	if r, err := zxqr.NewQRCodeReader().Decode(bmp, hints); err == nil && r.GetText() != "" {
		texts = append(texts, r.GetText())
	}
	return texts
}

// complete reports whether codes hold a whole message: an unframed text or
// every part of one multi-part message.
func complete(codes []string) bool {
	parts := map[string]map[int]bool{}
	for _, c := range codes {
		if !strings.HasPrefix(c, FramePrefix) {
			return true
		}
		f, err := ParseFrame(c)
		if err != nil {
			continue
		}
		if parts[f.ID] == nil {
			parts[f.ID] = map[int]bool{}
		}
		parts[f.ID][f.Index] = true
		if len(parts[f.ID]) == f.Count {
			return true
		}
	}
	return false
}

func anyCode([]string) bool { return true }

func never([]string) bool { return false }

func acceptAny(text string) bool { return text != "" }
