package main

import (
	"bytes"
	"encoding/json"
	"image"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/airlock-dev/airlock/internal/cli"
	"github.com/airlock-dev/airlock/qr"
)

// qrPayload is an Airlock-like Base45 text of about n bytes.
func qrPayload(n int) string {
	const alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
	var b strings.Builder
	b.WriteString("AL1:")
	for i := 0; i < n*3/2; i++ {
		b.WriteByte(alnum[(i*7+i/3)%45])
	}
	return b.String()
}

// ttyBuffer is a buffer that says it is a terminal.
type ttyBuffer struct{ bytes.Buffer }

func (*ttyBuffer) IsTerminal() bool { return true }

// runQR runs "airlock qr ..." with stdin and an environment, returning the
// exit status, stdout and stderr.
func runQR(t *testing.T, stdin string, env map[string]string, stdout io.Writer, args ...string) (int, string) {
	t.Helper()
	var stderr bytes.Buffer
	code := program().MainEnv(append([]string{"qr"}, args...), &cli.Env{
		Stdin: strings.NewReader(stdin), Stdout: stdout, Stderr: &stderr,
		Getenv: func(k string) string { return env[k] },
	})
	return code, stderr.String()
}

func TestQREncodeDecodeFile(t *testing.T) {
	dir := t.TempDir()
	text := qrPayload(240)
	png := filepath.Join(dir, "req.png")
	code, stderr := runQR(t, text+"\n", nil, io.Discard, "encode", "-o", png)
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, "wrote "+png+" (QR version 11, level M)\n", stderr)

	var stdout bytes.Buffer
	code = run([]string{"qr", "decode", png}, strings.NewReader(""), &stdout, io.Discard)
	require.Equal(t, 0, code)
	assert.Equal(t, text+"\n", stdout.String(), "one trailing newline dropped on encode, one added on decode")

	// SVG by extension.
	svg := filepath.Join(dir, "req.svg")
	code, stderr = runQR(t, text, nil, io.Discard, "encode", "-o", svg, "--level", "q")
	require.Equal(t, 0, code, stderr)
	data, err := os.ReadFile(svg)
	require.NoError(t, err)
	assert.True(t, bytes.HasPrefix(data, []byte("<svg ")))
	assert.Contains(t, stderr, "level Q")
}

func TestQREncodeMultiPart(t *testing.T) {
	dir := t.TempDir()
	text := qrPayload(600)
	out := filepath.Join(dir, "receipt.png")
	code, stderr := runQR(t, text, nil, io.Discard, "encode", "-o", out)
	require.Equal(t, 0, code, stderr)
	names := []string{filepath.Join(dir, "receipt-1.png"), filepath.Join(dir, "receipt-2.png"), filepath.Join(dir, "receipt-3.png")}
	assert.Contains(t, stderr, "wrote 3 codes: "+strings.Join(names, ", "))
	assert.NoFileExists(t, out)

	var stdout bytes.Buffer
	code, stderr = runQR(t, "", nil, &stdout, "decode", names[2], names[0], names[1])
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, text+"\n", stdout.String())
	assert.Equal(t, "decoded 3 parts from 3 images\n", stderr)

	// A missing part is named.
	code, stderr = runQR(t, "", nil, io.Discard, "decode", names[2], names[0])
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "have parts 1, 3 of 3; missing 2")
	assert.Contains(t, stderr, "hint: add images of the missing parts")

	// --json.
	stdout.Reset()
	code, stderr = runQR(t, "", nil, &stdout, "decode", "--json", names[1], names[0], names[2])
	require.Equal(t, 0, code, stderr)
	var got struct {
		Text   string `json:"text"`
		Parts  int    `json:"parts"`
		Images []struct {
			File   string `json:"file"`
			Codes  int    `json:"codes"`
			Method string `json:"method"`
		} `json:"images"`
	}
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &got))
	assert.Equal(t, text, got.Text)
	assert.Equal(t, 3, got.Parts)
	require.Len(t, got.Images, 3)
	assert.Equal(t, names[1], got.Images[0].File)
	assert.Equal(t, 1, got.Images[0].Codes)
	assert.Equal(t, "default", got.Images[0].Method)

	// Smaller parts on request.
	code, stderr = runQR(t, text, nil, io.Discard, "encode", "-o", filepath.Join(dir, "small.png"), "--part-size", "100")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stderr, "wrote 13 codes")
}

func TestQRStdout(t *testing.T) {
	var png bytes.Buffer
	code, stderr := runQR(t, "AL1:HELLO", nil, &png, "encode")
	require.Equal(t, 0, code, stderr)
	assert.True(t, qr.IsImage(png.Bytes()))

	var stdout bytes.Buffer
	code, stderr = runQR(t, png.String(), nil, &stdout, "decode", "-")
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, "AL1:HELLO\n", stdout.String())

	// Never PNG onto a terminal.
	code, stderr = runQR(t, "AL1:HELLO", nil, &ttyBuffer{}, "encode", "-o", "-")
	assert.Equal(t, 2, code)
	assert.Equal(t, "airlock: error: refusing to write a png image to the terminal\n"+
		"hint: use -o FILE.png to write a file, or --terminal to draw the code here\n", stderr)

	// SVG is text: allowed on a terminal.
	tty := &ttyBuffer{}
	code, stderr = runQR(t, "AL1:HELLO", nil, tty, "encode", "--format", "svg")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, tty.String(), "<svg ")

	// Several parts do not fit one stream.
	code, stderr = runQR(t, qrPayload(600), nil, io.Discard, "encode")
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "the text needs 3 codes and stdout holds one image")
}

func TestQRTerminal(t *testing.T) {
	var stdout bytes.Buffer
	code, stderr := runQR(t, "AL1:HELLO\n", nil, &stdout, "encode", "--terminal")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout.String(), "\x1b[30;107m")
	assert.Contains(t, stdout.String(), "▀")
	assert.Len(t, strings.Split(strings.TrimSpace(stdout.String()), "\n"), 15, "21+8 modules, two rows a line")

	stdout.Reset()
	code, stderr = runQR(t, "AL1:HELLO", map[string]string{"NO_COLOR": "1"}, &stdout, "encode", "--terminal")
	require.Equal(t, 0, code, stderr)
	assert.NotContains(t, stdout.String(), "\x1b[")
	assert.True(t, strings.HasPrefix(stdout.String(), strings.Repeat("█", 29)), "quiet zone painted light")

	stdout.Reset()
	code, stderr = runQR(t, qrPayload(600), nil, &stdout, "encode", "--terminal")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout.String(), "part 3 of 3\n")
}

func TestQRErrors(t *testing.T) {
	dir := t.TempDir()
	notImage := filepath.Join(dir, "note.txt")
	require.NoError(t, os.WriteFile(notImage, []byte("AL1:HELLO"), 0o644))
	blank := filepath.Join(dir, "blank.png")
	data, err := qr.PNG("AL1:X", qr.Options{})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(blank, bytes.Repeat([]byte{0}, 10), 0o644))
	good := filepath.Join(dir, "good.png")
	require.NoError(t, os.WriteFile(good, data, 0o644))

	tests := []struct {
		name   string
		stdin  string
		args   []string
		status int
		want   []string // substrings of stderr
	}{
		{name: "empty stdin", args: []string{"encode"}, status: 2, want: []string{"error: no text on stdin", "hint: airlock qr encode -o code.png"}},
		{name: "argument to encode", stdin: "A", args: []string{"encode", "x.png"}, status: 2, want: []string{`unexpected argument "x.png"`}},
		{name: "bad level", stdin: "A", args: []string{"encode", "--level", "Z"}, status: 2, want: []string{`unknown error correction level "Z"`}},
		{name: "bad format", stdin: "A", args: []string{"encode", "-o", "x.gif"}, status: 2, want: []string{`unknown image format "gif"`}},
		{name: "tiny parts", stdin: "A", args: []string{"encode", "--part-size", "10"}, status: 2, want: []string{"part size 10 is too small"}},
		{name: "terminal and stdout", stdin: "A", args: []string{"encode", "--terminal", "-o", "-"}, status: 2, want: []string{"both write to stdout"}},
		{name: "no image", args: []string{"decode"}, status: 2, want: []string{"no image given"}},
		{name: "stdin twice", args: []string{"decode", "-", "-"}, status: 2, want: []string{"given more than once"}},
		{name: "missing file", args: []string{"decode", filepath.Join(dir, "nope.png")}, status: 1, want: []string{"reading image: open"}},
		{name: "not an image", args: []string{"decode", good, notImage}, status: 1,
			want: []string{notImage + ": unreadable image: not a png or jpeg image", "hint: give PNG or JPEG files"}},
		{name: "broken image", args: []string{"decode", blank}, status: 1, want: []string{blank + ": unreadable image"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stderr := runQR(t, tt.stdin, nil, io.Discard, tt.args...)
			assert.Equal(t, tt.status, code, stderr)
			for _, w := range tt.want {
				assert.Contains(t, stderr, w)
			}
		})
	}
}

func TestQRDecodeNoCode(t *testing.T) {
	// A white PNG: the whole fallback chain runs, and the hint says what helps.
	dir := t.TempDir()
	white := filepath.Join(dir, "white.png")
	img := image.NewGray(image.Rect(0, 0, 300, 300))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, img))
	require.NoError(t, os.WriteFile(white, buf.Bytes(), 0o644))
	code, stderr := runQR(t, "", nil, io.Discard, "decode", white)
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "airlock: error: "+white+": no readable qr code found in the image (tried default, try-harder,")
	assert.Contains(t, stderr, "hint: hold the camera closer")
}
