package qr

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strings"

	qrcode "github.com/skip2/go-qrcode"
)

// Level is the error-correction level. The zero value is M.
type Level int

// Error-correction levels, with the share of the symbol that may be damaged.
const (
	LevelM Level = iota // 15 %, the default
	LevelL              // 7 %
	LevelQ              // 25 %
	LevelH              // 30 %
)

// String returns "L", "M", "Q" or "H".
func (l Level) String() string {
	switch l {
	case LevelL:
		return "L"
	case LevelQ:
		return "Q"
	case LevelH:
		return "H"
	}
	return "M"
}

// ParseLevel parses "L", "M", "Q" or "H" (any case).
func ParseLevel(s string) (Level, error) {
	for _, l := range []Level{LevelL, LevelM, LevelQ, LevelH} {
		if strings.EqualFold(s, l.String()) {
			return l, nil
		}
	}
	return 0, fmt.Errorf("unknown error correction level %q (want L, M, Q or H)", s)
}

func (l Level) recovery() qrcode.RecoveryLevel {
	switch l {
	case LevelL:
		return qrcode.Low
	case LevelQ:
		return qrcode.High // go-qrcode's High is QR level Q (25 %)
	case LevelH:
		return qrcode.Highest
	}
	return qrcode.Medium
}

// TermStyle selects how Terminal paints a code.
type TermStyle int

const (
	// TermColor sets black on bright white with ANSI escapes, so the code
	// reads the same on dark and light terminals. The default.
	TermColor TermStyle = iota
	// TermLightOnDark prints no escapes and lets the glyphs paint the light
	// modules and the quiet zone: for the usual light-text-on-dark terminal.
	TermLightOnDark
	// TermDarkOnLight prints no escapes and lets the glyphs paint the dark
	// modules: for dark-text-on-light terminals and paper.
	TermDarkOnLight
)

// Options control rendering. The zero value gives level M, 8 pixels per
// module and the standard 4-module quiet zone.
type Options struct {
	Level  Level
	Module int       // pixels per module in PNG and SVG; 0 means 8
	Quiet  int       // quiet zone in modules; 0 means 4
	Term   TermStyle // for Terminal
}

const (
	defaultModule = 8
	defaultQuiet  = 4
	maxModule     = 64
	maxQuiet      = 32
)

func (o Options) norm() (Options, error) {
	if o.Module == 0 {
		o.Module = defaultModule
	}
	if o.Quiet == 0 {
		o.Quiet = defaultQuiet
	}
	if o.Module < 1 || o.Module > maxModule {
		return o, fmt.Errorf("module size %d out of range 1..%d", o.Module, maxModule)
	}
	if o.Quiet < 1 || o.Quiet > maxQuiet {
		return o, fmt.Errorf("quiet zone %d out of range 1..%d", o.Quiet, maxQuiet)
	}
	return o, nil
}

// symbol builds the code for text: its version and module matrix (true is
// dark) with a quiet zone of quiet modules.
func symbol(text string, level Level, quiet int) (int, [][]bool, error) {
	if text == "" {
		return 0, nil, ErrEmpty
	}
	q, err := qrcode.New(text, level.recovery())
	if err != nil {
		return 0, nil, fmt.Errorf("%w: %d characters at level %s", ErrTooLong, len(text), level)
	}
	q.DisableBorder = true
	core := q.Bitmap()
	n := len(core) + 2*quiet
	m := make([][]bool, n)
	for y := range m {
		m[y] = make([]bool, n)
		if y >= quiet && y < n-quiet {
			copy(m[y][quiet:], core[y-quiet])
		}
	}
	return q.VersionNumber, m, nil
}

// Version returns the QR version (1..40) text needs at level; text in the
// QR alphanumeric set 0-9A-Z $%*+-./: is encoded in alphanumeric mode.
func Version(text string, level Level) (int, error) {
	v, _, err := symbol(text, level, 1)
	return v, err
}

// Image renders text as one QR code: black on white, opt.Module pixels per
// module, with its quiet zone.
func Image(text string, opt Options) (*image.Paletted, error) {
	opt, err := opt.norm()
	if err != nil {
		return nil, err
	}
	_, m, err := symbol(text, opt.Level, opt.Quiet)
	if err != nil {
		return nil, err
	}
	size := len(m) * opt.Module
	img := image.NewPaletted(image.Rect(0, 0, size, size), color.Palette{color.White, color.Black})
	for y := 0; y < size; y++ {
		row := m[y/opt.Module]
		pix := img.Pix[y*img.Stride:]
		for x := 0; x < size; x++ {
			if row[x/opt.Module] {
				pix[x] = 1
			}
		}
	}
	return img, nil
}

// PNG renders text as one QR code in a two-colour PNG.
func PNG(text string, opt Options) ([]byte, error) {
	img, err := Image(text, opt)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	// Default compression: for two-colour codes it is both smaller and
	// faster than BestCompression.
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("encoding png: %w", err)
	}
	return buf.Bytes(), nil
}

// SVG renders text as one QR code in SVG, opt.Module user units per module.
func SVG(text string, opt Options) ([]byte, error) {
	opt, err := opt.norm()
	if err != nil {
		return nil, err
	}
	_, m, err := symbol(text, opt.Level, opt.Quiet)
	if err != nil {
		return nil, err
	}
	n := len(m)
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" shape-rendering="crispEdges">`+"\n",
		n*opt.Module, n*opt.Module, n, n)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/>`+"\n"+`<path fill="#000" d="`, n, n)
	for y, row := range m {
		for x := 0; x < n; {
			if !row[x] {
				x++
				continue
			}
			run := 1
			for x+run < n && row[x+run] {
				run++
			}
			fmt.Fprintf(&b, "M%d %dh%dv1h-%dz", x, y, run, run)
			x += run
		}
	}
	b.WriteString("\"/>\n</svg>\n")
	return b.Bytes(), nil
}

// Terminal renders text as one QR code in Unicode half blocks (two modules
// per character cell, so modules come out square), quiet zone included,
// one line per two rows of modules, each line ending in "\n".
func Terminal(text string, opt Options) (string, error) {
	opt, err := opt.norm()
	if err != nil {
		return "", err
	}
	_, m, err := symbol(text, opt.Level, opt.Quiet)
	if err != nil {
		return "", err
	}
	n := len(m)
	if n%2 == 1 {
		m = append(m, make([]bool, n)) // one more light row
	}
	// paint reports whether a module is drawn by the glyph (foreground).
	paint := func(dark bool) bool { return dark }
	if opt.Term == TermLightOnDark {
		paint = func(dark bool) bool { return !dark }
	}
	var b strings.Builder
	for y := 0; y < len(m); y += 2 {
		if opt.Term == TermColor {
			b.WriteString("\x1b[30;107m")
		}
		for x := 0; x < n; x++ {
			top, bottom := paint(m[y][x]), paint(m[y+1][x])
			switch {
			case top && bottom:
				b.WriteString("█")
			case top:
				b.WriteString("▀")
			case bottom:
				b.WriteString("▄")
			default:
				b.WriteString(" ")
			}
		}
		if opt.Term == TermColor {
			b.WriteString("\x1b[0m")
		}
		b.WriteString("\n")
	}
	return b.String(), nil
}

// PartFileName names part i (1-based) of n when a message is written to
// name: name itself for a single part, else "req.png" becomes "req-2.png".
func PartFileName(name string, i, n int) string {
	if n <= 1 {
		return name
	}
	dot := strings.LastIndexByte(name, '.')
	if dot <= strings.LastIndexByte(name, '/') {
		return fmt.Sprintf("%s-%d", name, i)
	}
	return fmt.Sprintf("%s-%d%s", name[:dot], i, name[dot:])
}
