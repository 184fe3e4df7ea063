package qr

import (
	"cmp"
	"math"
	"slices"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode/decoder"
	"github.com/makiuchi-d/gozxing/qrcode/detector"
)

// decodeSkewed is the fallback for codes seen at an angle (keystone). The
// standard detector assumes the fourth corner completes a parallelogram
// and looks for the bottom-right alignment pattern only near there; under
// perspective it is several modules off and the estimated size is wrong
// too. Here the three finder patterns fix three corners, and every
// alignment pattern found in a wide area around the estimate is tried as
// the fourth anchor, for the estimated dimension and its neighbours. The
// Reed–Solomon check of the decoder rejects every wrong guess.
func decodeSkewed(bits *gozxing.BitMatrix, hints map[gozxing.DecodeHintType]any) string {
	info, err := detector.NewFinderPatternFinder(bits, nil).Find(hints)
	if err != nil {
		return ""
	}
	tl, tr, bl := info.GetTopLeft(), info.GetTopRight(), info.GetBottomLeft()
	ms := (tl.GetEstimatedModuleSize() + tr.GetEstimatedModuleSize() + bl.GetEstimatedModuleSize()) / 3
	if ms < 1 {
		return ""
	}
	// Modules between finder centres along each edge, measured with the
	// module size at its own ends: under perspective it changes along the
	// way.
	top := gozxing.ResultPoint_Distance(tl, tr) / ((tl.GetEstimatedModuleSize() + tr.GetEstimatedModuleSize()) / 2)
	left := gozxing.ResultPoint_Distance(tl, bl) / ((tl.GetEstimatedModuleSize() + bl.GetEstimatedModuleSize()) / 2)
	// Module sizes to look for the alignment pattern with: extrapolated to
	// the bottom-right corner, and the average.
	sizes := []float64{max(1, tr.GetEstimatedModuleSize()+bl.GetEstimatedModuleSize()-tl.GetEstimatedModuleSize())}
	if math.Abs(sizes[0]-ms) > ms/8 {
		sizes = append(sizes, ms)
	}
	half := 4 * max(sizes[0], ms)
	dec := decoder.NewDecoder()
	for _, dim := range dimensions(min(top, left)+7, max(top, left)+7) {
		ver, err := decoder.Version_GetProvisionalVersionForDimension(dim)
		if err != nil || len(ver.GetAlignmentPatternCenters()) == 0 {
			continue
		}
		between := float64(dim - 7) // modules between finder centres
		// One module along the top and along the left edge, in pixels.
		ux, uy := (tr.GetX()-tl.GetX())/between, (tr.GetY()-tl.GetY())/between
		vx, vy := (bl.GetX()-tl.GetX())/between, (bl.GetY()-tl.GetY())/between
		// Parallelogram estimate of the bottom-right alignment centre,
		// 3 modules in from where a fourth finder centre would be.
		ex := tl.GetX() + (between-3)*(ux+vx)
		ey := tl.GetY() + (between-3)*(uy+vy)
		span := int(math.Ceil(between / 3)) // search ±span modules each way
		seen := map[[2]int]bool{}
		for b := -span; b <= span; b += 3 {
			for a := -span; a <= span; a += 3 {
				cx, cy := ex+float64(a)*ux+float64(b)*vx, ey+float64(a)*uy+float64(b)*vy
				x0, y0 := int(cx-half), int(cy-half)
				if x0 < 0 || y0 < 0 || int(cx+half) >= bits.GetWidth() || int(cy+half) >= bits.GetHeight() {
					continue
				}
				var ap *detector.AlignmentPattern
				for _, size := range sizes {
					if ap, err = detector.NewAlignmentPatternFinder(bits, x0, y0, int(2*half), int(2*half), size, nil).Find(); err == nil {
						break
					}
				}
				if err != nil {
					continue
				}
				key := [2]int{int(ap.GetX()), int(ap.GetY())}
				if seen[key] {
					continue
				}
				seen[key] = true
				if text := sampleAndDecode(dec, bits, tl, tr, bl, ap, dim, hints); text != "" {
					return text
				}
			}
		}
	}
	return ""
}

// dimensions lists the symbol sizes (4k+1, 21..177) from lo-4 to hi+4,
// nearest to their middle first, at most six.
func dimensions(lo, hi float64) []int {
	mid := (lo + hi) / 2
	var out []int
	for d := 21; d <= 177; d += 4 {
		if float64(d) >= lo-4 && float64(d) <= hi+4 {
			out = append(out, d)
		}
	}
	slices.SortFunc(out, func(a, b int) int { return cmp.Compare(math.Abs(float64(a)-mid), math.Abs(float64(b)-mid)) })
	return out[:min(len(out), 6)]
}

func sampleAndDecode(dec *decoder.Decoder, bits *gozxing.BitMatrix, tl, tr, bl gozxing.ResultPoint,
	ap *detector.AlignmentPattern, dim int, hints map[gozxing.DecodeHintType]any) string {
	t := detector.Detector_createTransform(tl, tr, bl, ap, dim)
	grid, err := detector.Detector_sampleGrid(bits, t, dim)
	if err != nil {
		return ""
	}
	r, err := dec.Decode(grid, hints)
	if err != nil {
		return ""
	}
	return r.GetText()
}
