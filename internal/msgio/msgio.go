// Package msgio is how the airlock and airlock-station commands read and
// write messages: from a file, "-" (stdin) or QR images, and to a file or
// stdout in armor, binary or Base45, optionally also as QR codes (PNG, SVG
// or on the terminal). It refuses to write binary or PNG data to a
// terminal.
package msgio

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/airlock-dev/airlock/internal/atomicfile"
	"github.com/airlock-dev/airlock/internal/cli"
	"github.com/airlock-dev/airlock/qr"
	"github.com/airlock-dev/airlock/wire"
)

// maxInput bounds what Read takes from one file or stdin: a photo of a QR
// code may be a few megabytes; messages are far smaller.
const maxInput = 40 << 20

// Output is where and how a command writes a message.
type Output struct {
	Path       string // -o: a file, or "" / "-" for stdout
	Format     string // --format: armor, binary or base45
	QR         string // --qr: also write QR codes to this PNG or SVG file
	QRTerminal bool   // --qr-terminal: also show the QR code on the terminal (stderr)
}

// Flags declares -o, --format, --qr and --qr-terminal.
func (o *Output) Flags(fs *flag.FlagSet) {
	fs.StringVar(&o.Path, "o", "-", "write the message to `FILE` (- for stdout)")
	fs.StringVar(&o.Format, "format", "armor", "message encoding: `armor`, binary or base45")
	fs.StringVar(&o.QR, "qr", "", "also write the message as a QR code to `FILE.png` (or .svg); long messages become FILE-1.png, FILE-2.png, ...")
	fs.BoolVar(&o.QRTerminal, "qr-terminal", false, "also show the message as a QR code on the terminal (on stderr)")
}

// Written is one file or stream a command wrote.
type Written struct {
	Path  string // file name, or "stdout" / "stderr"
	Bytes int
	What  string // e.g. "activation request, armor"
}

func (w Written) String() string {
	return fmt.Sprintf("wrote %s to %s (%d bytes)", w.What, w.Path, w.Bytes)
}

func (o *Output) toStdout() bool { return o.Path == "" || o.Path == "-" }

// Check refuses an output Write would refuse: an unknown format, binary or
// PNG data bound for a terminal, or the message and its QR image both on
// stdout. Commands call it before they change anything, so a refusal never
// comes after a request was recorded, a lease removed or a receipt issued.
func (o *Output) Check(env *cli.Env) error {
	enc, err := wire.ParseEncoding(o.Format)
	if err != nil {
		return cli.Usagef("%v", err)
	}
	if o.toStdout() && enc == wire.Binary && cli.Terminal(env.Stdout) {
		return cli.WithHint(errors.New("refusing to write a binary message to the terminal"),
			"write it to a file with -o FILE, or use --format armor or --format base45")
	}
	if o.QR == "-" {
		if cli.Terminal(env.Stdout) {
			return cli.WithHint(errors.New("refusing to write a PNG image to the terminal"),
				"give --qr a file name, or use --qr-terminal to show the code here")
		}
		if o.toStdout() {
			return cli.WithHint(cli.Usagef("the message and its QR image would both go to stdout"),
				"write one of them to a file: -o FILE or --qr FILE.png")
		}
	}
	return nil
}

// Write writes msg, a message of type t, as o asks, and reports what it
// wrote. It checks the whole output first (Check), so it never stops half
// way for a reason it could have known at the start.
func (o *Output) Write(env *cli.Env, t wire.Type, msg []byte) ([]Written, error) {
	if err := o.Check(env); err != nil {
		return nil, err
	}
	enc, err := wire.ParseEncoding(o.Format)
	if err != nil {
		return nil, err
	}
	data, err := wire.Marshal(enc, t, msg)
	if err != nil {
		return nil, err
	}
	what := fmt.Sprintf("%s, %s", t, enc)
	var out []Written
	if o.toStdout() {
		if _, err := env.Stdout.Write(data); err != nil {
			return nil, err
		}
		out = append(out, Written{Path: "stdout", Bytes: len(data), What: what})
	} else {
		if err := atomicfile.WriteFile(o.Path, data, 0o644); err != nil {
			return nil, fmt.Errorf("writing %s: %w", t, err)
		}
		out = append(out, Written{Path: o.Path, Bytes: len(data), What: what})
	}
	qrs, err := o.writeQR(env, t, msg)
	return append(out, qrs...), err
}

func (o *Output) writeQR(env *cli.Env, t wire.Type, msg []byte) ([]Written, error) {
	if o.QR == "" && !o.QRTerminal {
		return nil, nil
	}
	parts, err := qr.Split(wire.MarshalBase45(msg), 0)
	if err != nil {
		return nil, err
	}
	var out []Written
	if o.QR != "" {
		for i, p := range parts {
			name := o.QR
			if len(parts) > 1 {
				name = qr.PartFileName(o.QR, i+1, len(parts))
			}
			img, err := renderQR(name, p)
			if err != nil {
				return nil, err
			}
			what := fmt.Sprintf("%s as a QR code", t)
			if len(parts) > 1 {
				what = fmt.Sprintf("%s as QR code %d of %d", t, i+1, len(parts))
			}
			if name == "-" {
				if _, err := env.Stdout.Write(img); err != nil {
					return nil, err
				}
				out = append(out, Written{Path: "stdout", Bytes: len(img), What: what})
				continue
			}
			if err := atomicfile.WriteFile(name, img, 0o644); err != nil {
				return nil, fmt.Errorf("writing QR code: %w", err)
			}
			out = append(out, Written{Path: name, Bytes: len(img), What: what})
		}
	}
	if o.QRTerminal {
		for i, p := range parts {
			s, err := qr.Terminal(p, qr.Options{})
			if err != nil {
				return nil, err
			}
			if len(parts) > 1 {
				fmt.Fprintf(env.Stderr, "QR code %d of %d:\n", i+1, len(parts))
			}
			fmt.Fprint(env.Stderr, s)
			out = append(out, Written{Path: "stderr", Bytes: len(s), What: fmt.Sprintf("%s as a terminal QR code", t)})
		}
	}
	return out, nil
}

func renderQR(name, text string) ([]byte, error) {
	if strings.EqualFold(filepath.Ext(name), ".svg") {
		return qr.SVG(text, qr.Options{})
	}
	return qr.PNG(text, qr.Options{})
}

// Input is a message a command read.
type Input struct {
	Message   []byte
	Encoding  string    // "binary", "armor", "base45" or "QR image"
	ArmorType wire.Type // the type the armor lines named; 0 otherwise
	Source    string    // the file name, "stdin", or the image names
}

// CheckType checks that the message is one of want and that armor, if any,
// named the same type the message has.
func (in *Input) CheckType(got wire.Type, want ...wire.Type) error {
	if in.ArmorType != 0 && in.ArmorType != got {
		return fmt.Errorf("%s says %q in its armor lines but holds a %s", in.Source, in.ArmorType.ArmorName(), got)
	}
	return wire.CheckType(got, want...)
}

// Read reads one message from args: one file, "-" for stdin, or one or
// more images holding QR codes (the parts of a long message, in any order).
func Read(env *cli.Env, args []string) (*Input, error) {
	if len(args) == 0 {
		return nil, cli.Usagef("no input: give a file, - for stdin, or QR images")
	}
	var datas [][]byte
	for _, a := range args {
		data, err := readArg(env, a)
		if err != nil {
			return nil, err
		}
		datas = append(datas, data)
	}
	source := strings.Join(args, ", ")
	if args[0] == "-" {
		source = "stdin"
	}
	if len(datas) == 1 {
		msg, enc, armorType, err := wire.Read(datas[0])
		if err == nil {
			return &Input{Message: msg, Encoding: enc.String(), ArmorType: armorType, Source: source}, nil
		}
		if !errors.Is(err, wire.ErrImage) {
			return nil, cli.WithHint(fmt.Errorf("reading %s: %w", source, err),
				"give the file the other side wrote: armored text, binary, Base45 text or a QR image")
		}
	}
	for i, d := range datas {
		if _, _, _, err := wire.Read(d); !errors.Is(err, wire.ErrImage) {
			return nil, cli.Usagef("%s is not an image: several inputs must all be QR images of one message", args[i])
		}
	}
	text, err := qr.Decode(datas, wire.IsBase45Message)
	var ie *qr.ImageError
	if errors.As(err, &ie) && ie.Index >= 1 && ie.Index <= len(args) {
		return nil, fmt.Errorf("reading image %s: %w", args[ie.Index-1], ie.Err)
	}
	if err != nil {
		return nil, fmt.Errorf("reading QR codes from %s: %w", source, err)
	}
	msg, _, _, err := wire.Read([]byte(text))
	if err != nil {
		return nil, fmt.Errorf("reading the message in the QR codes of %s: %w", source, err)
	}
	return &Input{Message: msg, Encoding: "QR image", Source: source}, nil
}

func readArg(env *cli.Env, a string) ([]byte, error) {
	var r io.Reader
	if a == "-" {
		r = env.Stdin
	} else {
		f, err := os.Open(a)
		if errors.Is(err, os.ErrNotExist) {
			return nil, cli.WithHint(fmt.Errorf("input file %q does not exist", a), "check the path, or give - to read from stdin")
		}
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, maxInput+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", a, err)
	}
	if len(data) > maxInput {
		return nil, fmt.Errorf("%s is larger than %d MiB: not a message or an image of one", a, maxInput>>20)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("%s is empty", a)
	}
	return data, nil
}

// Note prints what was written on stderr, one line each.
func Note(env *cli.Env, ws []Written) {
	for _, w := range ws {
		if w.Path == "stdout" || w.Path == "stderr" {
			continue
		}
		fmt.Fprintf(env.Stderr, "%s\n", w)
	}
}
