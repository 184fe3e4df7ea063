package qr

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/airlock-dev/airlock/qr/internal/degrade"
)

// textOfParts returns a payload that Split cuts into exactly n parts at the
// default part size.
func textOfParts(t testing.TB, n int) string {
	t.Helper()
	for size := max(1, (n-1)*230); size < 400*n; size += 7 {
		text := degrade.Payload(size, uint64(n))
		parts, err := Split(text, 0)
		require.NoError(t, err)
		if len(parts) == n {
			return text
		}
	}
	t.Fatalf("no payload splits into %d parts", n)
	return ""
}

func TestSplit(t *testing.T) {
	for _, n := range []int{1, 2, 5, 20} {
		text := textOfParts(t, n)
		parts, err := Split(text, 0)
		require.NoError(t, err)
		require.Len(t, parts, n)
		if n == 1 {
			assert.Equal(t, text, parts[0], "a single part is the text unchanged")
			continue
		}
		var joined strings.Builder
		for i, p := range parts {
			assert.LessOrEqual(t, len(p), DefaultPartSize)
			v, err := Version(p, LevelM)
			require.NoError(t, err)
			assert.LessOrEqual(t, v, 11, "part %d of %d", i+1, n)
			f, err := ParseFrame(p)
			require.NoError(t, err)
			assert.Equal(t, Frame{ID: MessageID(text), Index: i + 1, Count: n, Chunk: f.Chunk}, *f)
			joined.WriteString(f.Chunk)
		}
		assert.Equal(t, text, joined.String())
	}
}

func TestSplitEdges(t *testing.T) {
	tests := []struct {
		name     string
		text     string
		partSize int
		want     int // parts
		wantErr  string
	}{
		{name: "empty", text: "", wantErr: "empty text"},
		{name: "fits exactly", text: strings.Repeat("A", DefaultPartSize), want: 1},
		{name: "one over", text: strings.Repeat("A", DefaultPartSize+1), want: 2},
		{name: "looks like a frame", text: FramePrefix + "HELLO", want: 1},
		{name: "part size too small", text: "ABC", partSize: 10, wantErr: "part size 10 is too small (minimum 64)"},
		{name: "small parts", text: strings.Repeat("AB", 200), partSize: 64, want: 12},
		{name: "too many parts", text: strings.Repeat("A", 40*MaxParts), partSize: 64, wantErr: "needs more than 999 parts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parts, err := Split(tt.text, tt.partSize)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				assert.Nil(t, parts)
				return
			}
			require.NoError(t, err)
			assert.Len(t, parts, tt.want)
			size := tt.partSize
			if size == 0 {
				size = DefaultPartSize
			}
			for _, p := range parts {
				assert.LessOrEqual(t, len(p), size)
			}
			var a Assembler
			for _, p := range parts {
				require.NoError(t, a.Add(p))
			}
			got, err := a.Text()
			require.NoError(t, err)
			assert.Equal(t, tt.text, got)
		})
	}
}

func TestSplitKeepsRunes(t *testing.T) {
	text := strings.Repeat("grüße 日本 ", 80)
	parts, err := Split(text, 100)
	require.NoError(t, err)
	for _, p := range parts {
		f, err := ParseFrame(p)
		require.NoError(t, err)
		assert.True(t, utf8.ValidString(f.Chunk), "chunk %q cut inside a character", f.Chunk)
	}
}

func TestParseFrame(t *testing.T) {
	good := Frame{ID: "0123456789", Index: 2, Count: 3, Chunk: "AL1:XYZ"}.String()
	require.Equal(t, "ALP:0123456789:2/3:", good[:19])
	crc := good[19:27]
	tests := []struct {
		name    string
		code    string
		wantErr string
	}{
		{name: "good", code: good},
		{name: "no prefix", code: "AL1:ABC", wantErr: "missing ALP: prefix"},
		{name: "too few fields", code: "ALP:0123456789:2/3", wantErr: "want ID:INDEX/COUNT:CRC:CHUNK"},
		{name: "short id", code: "ALP:012345678:2/3:" + crc + ":X", wantErr: "message id"},
		{name: "lower-case id", code: "ALP:abcdef0123:2/3:" + crc + ":X", wantErr: "message id"},
		{name: "no slash", code: "ALP:0123456789:23:" + crc + ":X", wantErr: "part position"},
		{name: "index zero", code: "ALP:0123456789:0/3:" + crc + ":X", wantErr: "part position"},
		{name: "leading zero", code: "ALP:0123456789:02/3:" + crc + ":X", wantErr: "part position"},
		{name: "index above count", code: "ALP:0123456789:4/3:" + crc + ":X", wantErr: "part position"},
		{name: "count too big", code: "ALP:0123456789:1/1000:" + crc + ":X", wantErr: "part position"},
		{name: "sign", code: "ALP:0123456789:+1/3:" + crc + ":X", wantErr: "part position"},
		{name: "bad crc syntax", code: "ALP:0123456789:2/3:XYZ:AL1:XYZ", wantErr: "checksum"},
		{name: "empty chunk", code: "ALP:0123456789:2/3:" + crc + ":", wantErr: "empty chunk"},
		{name: "crc mismatch", code: good + "Q", wantErr: "part 2 checksum mismatch"},
		{name: "too long", code: "ALP:" + strings.Repeat("A", MaxCodeLen), wantErr: "longer than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := ParseFrame(tt.code)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				require.ErrorIs(t, err, ErrBadFrame)
				assert.Nil(t, f)
				assert.False(t, IsFrame(tt.code))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, good, f.String())
		})
	}
	_, err := ParseFrame(good + "Q")
	assert.ErrorIs(t, err, ErrChecksum)
}

// seedFrames adds qr/testdata/frames/*.txt (one code per line) to f.
func seedFrames(f *testing.F) {
	files, _ := filepath.Glob("testdata/frames/*.txt")
	for _, name := range files {
		data, err := os.ReadFile(name)
		require.NoError(f, err)
		for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			f.Add(line)
		}
	}
}

// FuzzParseFrame: parsing never panics, fails with a nil frame, and a frame
// that parses prints back to the same code.
func FuzzParseFrame(f *testing.F) {
	seedFrames(f)
	f.Fuzz(func(t *testing.T, code string) {
		fr, err := ParseFrame(code)
		if err != nil {
			require.Nil(t, fr)
			return
		}
		require.Equal(t, code, fr.String())
	})
}

// FuzzSplit: Split then reassembly in reverse order gives the text back.
func FuzzSplit(f *testing.F) {
	seedFrames(f)
	f.Add("AL1:HELLO")
	f.Fuzz(func(t *testing.T, text string) {
		for _, size := range []int{MinPartSize, 100, 0} {
			parts, err := Split(text, size)
			if text == "" {
				require.ErrorIs(t, err, ErrEmpty)
				return
			}
			require.NoError(t, err)
			limit := size
			if limit == 0 {
				limit = DefaultPartSize
			}
			var a Assembler
			for i := len(parts) - 1; i >= 0; i-- {
				require.LessOrEqual(t, len(parts[i]), limit)
				require.NoError(t, a.Add(parts[i]))
			}
			got, err := a.Text()
			require.NoError(t, err)
			require.Equal(t, text, got)
		}
	})
}

// TestFrameVector pins the worked example of doc/QR.md.
func TestFrameVector(t *testing.T) {
	text := "AL1:6BFOXN*TS0BFO+8DJ.C4C40OSS1H9DA3WZK5LA7W2N9F+R$8E9IIZ0G.3KC7M5/RWH:4V"
	parts, err := Split(text, 64)
	require.NoError(t, err)
	assert.Equal(t, []string{
		"ALP:71885E122E:1/3:544629B1:AL1:6BFOXN*TS0BFO+8DJ.C4C",
		"ALP:71885E122E:2/3:DD1CFA0E:40OSS1H9DA3WZK5LA7W2N9F+",
		"ALP:71885E122E:3/3:213E7281:R$8E9IIZ0G.3KC7M5/RWH:4V",
	}, parts)
}
