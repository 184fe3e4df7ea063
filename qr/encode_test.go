package qr

import (
	"bytes"
	"encoding/xml"
	"image"
	"image/png"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/airlock-dev/airlock/qr/internal/degrade"
)

// alnumM is the alphanumeric capacity at level M of versions 1..15
// (ISO/IEC 18004 table 7).
var alnumM = []int{0, 20, 38, 61, 90, 122, 154, 178, 221, 262, 311, 366, 419, 483, 528, 600}

func TestVersionIsMinimalAlphanumeric(t *testing.T) {
	for n := 1; n <= 600; n += 7 {
		text := "AL1:" + strings.Repeat("Z9 $%*+-./:", 60)[:n]
		text = text[:n]
		want := 1
		for alnumM[want] < len(text) {
			want++
		}
		got, err := Version(text, LevelM)
		require.NoError(t, err)
		assert.Equal(t, want, got, "%d alphanumeric characters", len(text))
	}
}

func TestMessageVersions(t *testing.T) {
	tests := []struct {
		bytes, chars, version int
	}{
		{bytes: 100, chars: 154, version: 6},
		{bytes: 232, chars: 352, version: 11},
		{bytes: 240, chars: 364, version: 11},
		{bytes: 241, chars: 366, version: 11},
		{bytes: 242, chars: 367, version: 12},
		{bytes: 250, chars: 379, version: 12},
	}
	for _, tt := range tests {
		text := degrade.Payload(tt.bytes, 7)
		require.Len(t, text, tt.chars)
		v, err := Version(text, LevelM)
		require.NoError(t, err)
		assert.Equal(t, tt.version, v, "%d-byte message", tt.bytes)
	}
}

func TestPNG(t *testing.T) {
	tests := []struct {
		name    string
		text    string
		opt     Options
		size    int // pixels per side
		wantErr error
	}{
		{name: "default", text: "AL1:HELLO", size: (21 + 8) * 8},
		{name: "module 3, quiet 6", text: "AL1:HELLO", opt: Options{Module: 3, Quiet: 6}, size: (21 + 12) * 3},
		{name: "level H", text: strings.Repeat("A", 30), opt: Options{Level: LevelH}, size: (29 + 8) * 8}, // v3-H holds 35,
		{name: "v11", text: degrade.Payload(240, 1), size: (61 + 8) * 8},
		{name: "empty", text: "", wantErr: ErrEmpty},
		{name: "too long", text: strings.Repeat("A", 5000), wantErr: ErrTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := PNG(tt.text, tt.opt)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				assert.Nil(t, data)
				return
			}
			require.NoError(t, err)
			img, err := png.Decode(bytes.NewReader(data))
			require.NoError(t, err)
			assert.Equal(t, image.Rect(0, 0, tt.size, tt.size), img.Bounds())
			// The quiet zone is light all round.
			quiet := max(tt.opt.Quiet, 0)
			if quiet == 0 {
				quiet = 4
			}
			px := max(tt.opt.Module, 0)
			if px == 0 {
				px = 8
			}
			for i := 0; i < tt.size; i++ {
				for _, p := range []image.Point{{i, quiet*px - 1}, {quiet*px - 1, i}, {i, tt.size - quiet*px}, {tt.size - quiet*px, i}} {
					r, _, _, _ := img.At(p.X, p.Y).RGBA()
					require.Equal(t, uint32(0xffff), r, "quiet zone at %v", p)
				}
			}
			got, err := Decode([][]byte{data}, nil)
			require.NoError(t, err)
			assert.Equal(t, tt.text, got)
		})
	}
}

func TestOptionsErrors(t *testing.T) {
	for _, opt := range []Options{{Module: -1}, {Module: 65}, {Quiet: -2}, {Quiet: 33}} {
		_, err := PNG("A", opt)
		assert.ErrorContains(t, err, "out of range")
		_, err = SVG("A", opt)
		assert.Error(t, err)
		_, err = Terminal("A", opt)
		assert.Error(t, err)
	}
	l, err := ParseLevel("q")
	require.NoError(t, err)
	assert.Equal(t, LevelQ, l)
	assert.Equal(t, "Q", l.String())
	_, err = ParseLevel("X")
	assert.ErrorContains(t, err, `unknown error correction level "X"`)
}

func TestSVG(t *testing.T) {
	data, err := SVG("AL1:HELLO", Options{Module: 4})
	require.NoError(t, err)
	var doc struct {
		XMLName xml.Name `xml:"svg"`
		Width   int      `xml:"width,attr"`
		ViewBox string   `xml:"viewBox,attr"`
		Path    struct {
			D string `xml:"d,attr"`
		} `xml:"path"`
	}
	require.NoError(t, xml.Unmarshal(data, &doc))
	assert.Equal(t, 29*4, doc.Width)
	assert.Equal(t, "0 0 29 29", doc.ViewBox)
	assert.True(t, strings.HasPrefix(doc.Path.D, "M4 4h7v1h-7z"), "finder pattern's top row first: %.40s", doc.Path.D)
}

// terminalToImage reads Terminal output back into a picture of what the
// screen shows, given which colour the glyphs are painted in.
func terminalToImage(t *testing.T, s string, glyphDark bool) image.Image {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	w := len([]rune(stripANSI(lines[0])))
	img := image.NewGray(image.Rect(0, 0, w*4, len(lines)*8))
	for y, line := range lines {
		runes := []rune(stripANSI(line))
		require.Len(t, runes, w)
		for x, r := range runes {
			top, bottom := r == '█' || r == '▀', r == '█' || r == '▄'
			for dy := 0; dy < 8; dy++ {
				painted := top
				if dy >= 4 {
					painted = bottom
				}
				v := uint8(255)
				if painted == glyphDark {
					v = 0
				}
				for dx := 0; dx < 4; dx++ {
					img.Pix[(y*8+dy)*img.Stride+x*4+dx] = v
				}
			}
		}
	}
	return img
}

func stripANSI(s string) string {
	for {
		i := strings.Index(s, "\x1b[")
		if i < 0 {
			return s
		}
		j := strings.IndexByte(s[i:], 'm')
		s = s[:i] + s[i+j+1:]
	}
}

func TestTerminal(t *testing.T) {
	text := degrade.Payload(240, 3)
	tests := []struct {
		name      string
		style     TermStyle
		glyphDark bool // colour the glyphs paint on the terminal the style is for
		ansi      bool
	}{
		{name: "colour", style: TermColor, glyphDark: true, ansi: true},
		{name: "light on dark", style: TermLightOnDark, glyphDark: false},
		{name: "dark on light", style: TermDarkOnLight, glyphDark: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Terminal(text, Options{Term: tt.style})
			require.NoError(t, err)
			assert.Equal(t, tt.ansi, strings.Contains(s, "\x1b[30;107m"))
			lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
			assert.Len(t, lines, (61+8+1)/2, "two module rows per line")
			img := terminalToImage(t, s, tt.glyphDark)
			data, _, err := degrade.PNGFile(img)
			require.NoError(t, err)
			got, err := Decode([][]byte{data}, nil)
			require.NoError(t, err, "the code on screen must scan")
			assert.Equal(t, text, got)
		})
	}
}

func TestPartFileName(t *testing.T) {
	tests := []struct {
		name    string
		i, n    int
		want    string
		comment string
	}{
		{"req.png", 1, 1, "req.png", "single"},
		{"req.png", 2, 3, "req-2.png", "extension kept"},
		{"dir.v2/req", 1, 2, "dir.v2/req-1", "dot in directory"},
		{"a.b.svg", 3, 3, "a.b-3.svg", "last dot"},
	}
	for _, tt := range tests {
		t.Run(tt.comment, func(t *testing.T) {
			assert.Equal(t, tt.want, PartFileName(tt.name, tt.i, tt.n))
		})
	}
}
