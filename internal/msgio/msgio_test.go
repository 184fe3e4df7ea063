package msgio

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/airlock-dev/airlock/internal/cli"
	"github.com/airlock-dev/airlock/internal/vectors"
	"github.com/airlock-dev/airlock/wire"
)

// tty is a buffer that counts as a terminal.
type tty struct{ bytes.Buffer }

func (*tty) IsTerminal() bool { return true }

func sample(t *testing.T) []byte {
	seeds := vectors.Seeds("../../testdata/vectors")
	require.NotEmpty(t, seeds)
	return seeds[0] // the activation-request vector
}

func env(stdin string, stdout, stderr *bytes.Buffer) *cli.Env {
	return &cli.Env{Stdin: strings.NewReader(stdin), Stdout: stdout, Stderr: stderr}
}

func TestWriteAndReadEveryEncoding(t *testing.T) {
	msg := sample(t)
	for _, format := range []string{"armor", "binary", "base45"} {
		t.Run(format, func(t *testing.T) {
			var out, errb bytes.Buffer
			o := Output{Path: "-", Format: format}
			ws, err := o.Write(env("", &out, &errb), wire.ActivationRequest, msg)
			require.NoError(t, err)
			require.Len(t, ws, 1)
			in, err := Read(env(out.String(), &bytes.Buffer{}, &errb), []string{"-"})
			require.NoError(t, err)
			assert.Equal(t, msg, in.Message)
			assert.Equal(t, format, in.Encoding)
			assert.Equal(t, "stdin", in.Source)
		})
	}
}

func TestNeverBinaryToTerminal(t *testing.T) {
	msg := sample(t)
	term := &tty{}
	o := Output{Path: "-", Format: "binary"}
	_, err := o.Write(&cli.Env{Stdout: term, Stderr: &bytes.Buffer{}}, wire.ActivationRequest, msg)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "refusing to write a binary message to the terminal")
	assert.Zero(t, term.Len())

	o = Output{Path: "-", Format: "armor", QR: "-"}
	term.Reset()
	_, err = o.Write(&cli.Env{Stdout: term, Stderr: &bytes.Buffer{}}, wire.ActivationRequest, msg)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "refusing to write a PNG image to the terminal")
	assert.NotContains(t, term.String(), "PNG")
}

func TestCheckBeforeActing(t *testing.T) {
	for _, tc := range []struct {
		name     string
		o        Output
		terminal bool
		want     string
	}{
		{"unknown format", Output{Path: "-", Format: "hex"}, false, "unknown format"},
		{"binary to terminal", Output{Path: "-", Format: "binary"}, true, "binary message to the terminal"},
		{"png to terminal", Output{Path: "x", Format: "armor", QR: "-"}, true, "PNG image to the terminal"},
		{"both on stdout", Output{Path: "-", Format: "armor", QR: "-"}, false, "both go to stdout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := &cli.Env{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}}
			if tc.terminal {
				env.Stdout = &tty{}
			}
			assert.ErrorContains(t, tc.o.Check(env), tc.want)
			_, err := tc.o.Write(env, wire.ActivationRequest, sample(t))
			assert.ErrorContains(t, err, tc.want, "Write refuses the same before writing anything")
		})
	}
	ok := Output{Path: "-", Format: "binary", QR: filepath.Join(t.TempDir(), "x.png")}
	assert.NoError(t, ok.Check(&cli.Env{Stdout: &bytes.Buffer{}}), "binary to a pipe is fine")
}

func TestQRFilesReadBack(t *testing.T) {
	msg := sample(t)
	dir := t.TempDir()
	png := filepath.Join(dir, "req.png")
	var errb bytes.Buffer
	o := Output{Path: filepath.Join(dir, "req.txt"), Format: "armor", QR: png, QRTerminal: true}
	ws, err := o.Write(env("", &bytes.Buffer{}, &errb), wire.ActivationRequest, msg)
	require.NoError(t, err)
	require.Len(t, ws, 3)
	assert.Contains(t, errb.String(), "▀", "terminal code on stderr")
	in, err := Read(env("", &bytes.Buffer{}, &errb), []string{png})
	require.NoError(t, err)
	assert.Equal(t, msg, in.Message)
	assert.Equal(t, "QR image", in.Encoding)
}

func TestReadErrors(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	require.NoError(t, os.WriteFile(empty, nil, 0o644))
	text := filepath.Join(dir, "text")
	require.NoError(t, os.WriteFile(text, []byte("hello"), 0o644))
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no args", nil, "no input"},
		{"missing file", []string{filepath.Join(dir, "nope")}, "does not exist"},
		{"empty file", []string{empty}, "is empty"},
		{"not a message", []string{text}, "not an airlock message"},
		{"several non-images", []string{text, text}, "not an image"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in, err := Read(env("", &bytes.Buffer{}, &bytes.Buffer{}), tc.args)
			require.Error(t, err)
			assert.Nil(t, in)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestCheckType(t *testing.T) {
	in := &Input{ArmorType: wire.RefreshReceipt, Source: "x.txt"}
	assert.ErrorContains(t, in.CheckType(wire.ActivationReceipt, wire.ActivationReceipt), "armor lines")
	in.ArmorType = 0
	assert.ErrorIs(t, in.CheckType(wire.ActivationReceipt, wire.RefreshReceipt), wire.ErrWrongType)
	assert.NoError(t, in.CheckType(wire.ActivationReceipt, wire.ActivationReceipt))
}
