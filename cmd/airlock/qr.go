package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/airlock-dev/airlock/internal/cli"
	"github.com/airlock-dev/airlock/qr"
)

// Input limits for the qr commands.
const (
	maxQRText  = 1 << 20  // text to encode
	maxQRImage = 64 << 20 // one image file
)

// qrCommand is "airlock qr encode|decode".
func qrCommand() *cli.Command {
	return &cli.Command{
		Name:    "qr",
		Summary: "turn text into QR codes and pictures of QR codes back into text",
		Usage:   "encode|decode [flags] ...",
		Help: `For checking a transfer by hand. Every command that writes a message can
also write it as QR codes (--qr FILE.png, --qr-terminal), and every command
that reads one reads photos and screenshots too; these two show what such
a transfer carries.

A message that does not fit one code (about 240 bytes) is split into
parts, each its own code; give all of them back in any order.`,
		Sub: []*cli.Command{qrEncodeCommand(), qrDecodeCommand()},
	}
}

func qrEncodeCommand() *cli.Command {
	var (
		out      string
		terminal bool
		partSize int
		level    string
		module   int
		format   string
	)
	return &cli.Command{
		Name:    "encode",
		Summary: "write the text on stdin as QR codes",
		Usage:   "[-o FILE.png|FILE.svg|-] [--terminal] [--part-size N]",
		Help: `Reads text from stdin (one trailing newline is dropped) and writes it as a
QR code: a PNG file, an SVG file (by the extension of -o), PNG on stdout
(-o -, not to a terminal), or drawn on the terminal (--terminal; colours are
set so it reads on dark and light terminals; with NO_COLOR set, the
characters paint the light modules, for light-on-dark terminals).

Text longer than --part-size characters becomes several codes: FILE-1.png,
FILE-2.png, ... Text made of 0-9, A-Z, space and $%*+-./: — the form
Airlock writes — is encoded in the compact alphanumeric mode.`,
		Examples: []string{
			"airlock qr encode -o request.png < request.txt",
			"echo AL1:... | airlock qr encode --terminal",
			"airlock qr encode -o receipt.svg --part-size 200 < receipt.txt",
		},
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&out, "o", "", "write to `FILE` (.png or .svg; - for stdout)")
			fs.BoolVar(&terminal, "terminal", false, "draw the code(s) on the terminal")
			fs.IntVar(&partSize, "part-size", qr.DefaultPartSize, "at most `N` characters per code (366 fits version 11 at level M)")
			fs.StringVar(&level, "level", "M", "error correction `LEVEL`: L, M, Q or H")
			fs.IntVar(&module, "module", 8, "`PIXELS` per module in PNG and SVG")
			fs.StringVar(&format, "format", "", "png or svg (default: from the extension of -o, else png)")
		},
		Run: func(env *cli.Env, fs *flag.FlagSet, args []string) error {
			if len(args) > 0 {
				return cli.WithHint(cli.Usagef("unexpected argument %q", args[0]), "the text comes on stdin: airlock qr encode -o code.png < message.txt")
			}
			lvl, err := qr.ParseLevel(level)
			if err != nil {
				return cli.Usagef("--level: %w", err)
			}
			opt := qr.Options{Level: lvl, Module: module}
			if format == "" && out != "" && out != "-" {
				format = strings.TrimPrefix(strings.ToLower(filepath.Ext(out)), ".")
			}
			switch format {
			case "", "png":
				format = "png"
			case "svg":
			default:
				return cli.WithHint(cli.Usagef("unknown image format %q", format), "write .png or .svg, or pass --format png|svg")
			}
			if out == "" && !terminal {
				out = "-"
			}
			if out == "-" && terminal {
				return cli.Usagef("--terminal and -o - both write to stdout; choose one")
			}
			text, err := qrReadText(env.Stdin)
			if err != nil {
				return err
			}
			parts, err := qr.Split(text, partSize)
			if err != nil {
				return cli.Usagef("--part-size: %w", err)
			}
			if out == "-" {
				return qrToStdout(env, parts, format, opt)
			}
			if out != "" {
				if err := qrToFiles(env, parts, out, format, opt); err != nil {
					return err
				}
			}
			if terminal {
				return qrToTerminal(env, parts, opt)
			}
			return nil
		},
	}
}

func qrReadText(r io.Reader) (string, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxQRText+1))
	if err != nil {
		return "", fmt.Errorf("reading stdin: %w", err)
	}
	if len(data) > maxQRText {
		return "", fmt.Errorf("text on stdin is longer than %d bytes", maxQRText)
	}
	text := strings.TrimSuffix(strings.TrimSuffix(string(data), "\n"), "\r")
	if text == "" {
		return "", cli.WithHint(cli.Usagef("no text on stdin"), "airlock qr encode -o code.png < message.txt")
	}
	return text, nil
}

func qrRender(code, format string, opt qr.Options) ([]byte, error) {
	if format == "svg" {
		return qr.SVG(code, opt)
	}
	return qr.PNG(code, opt)
}

func qrToStdout(env *cli.Env, parts []string, format string, opt qr.Options) error {
	if len(parts) > 1 {
		return cli.WithHint(fmt.Errorf("the text needs %d codes and stdout holds one image", len(parts)),
			"use -o FILE.png (writes FILE-1.png, FILE-2.png, ...) or --terminal")
	}
	if format == "png" && cli.Terminal(env.Stdout) {
		return cli.WithHint(cli.Usagef("refusing to write a png image to the terminal"),
			"use -o FILE.png to write a file, or --terminal to draw the code here")
	}
	data, err := qrRender(parts[0], format, opt)
	if err != nil {
		return err
	}
	_, err = env.Stdout.Write(data)
	return err
}

func qrToFiles(env *cli.Env, parts []string, out, format string, opt qr.Options) error {
	names := make([]string, len(parts))
	for i, p := range parts {
		data, err := qrRender(p, format, opt)
		if err != nil {
			return err
		}
		names[i] = qr.PartFileName(out, i+1, len(parts))
		if err := os.WriteFile(names[i], data, 0o644); err != nil {
			return fmt.Errorf("writing code: %w", err)
		}
	}
	if len(parts) == 1 {
		v, _ := qr.Version(parts[0], opt.Level)
		fmt.Fprintf(env.Stderr, "wrote %s (QR version %d, level %s)\n", names[0], v, opt.Level)
		return nil
	}
	fmt.Fprintf(env.Stderr, "wrote %d codes: %s\nscan or photograph all of them; order does not matter\n",
		len(parts), strings.Join(names, ", "))
	return nil
}

func qrToTerminal(env *cli.Env, parts []string, opt qr.Options) error {
	if env.Getenv("NO_COLOR") != "" {
		opt.Term = qr.TermLightOnDark
	}
	for i, p := range parts {
		s, err := qr.Terminal(p, opt)
		if err != nil {
			return err
		}
		if len(parts) > 1 {
			fmt.Fprintf(env.Stdout, "part %d of %d\n", i+1, len(parts))
		}
		if _, err := io.WriteString(env.Stdout, s); err != nil {
			return err
		}
	}
	return nil
}

func qrDecodeCommand() *cli.Command {
	var asJSON bool
	return &cli.Command{
		Name:    "decode",
		Summary: "print the text of the QR codes in photos or screenshots",
		Usage:   "[--json] IMAGE...",
		Help: `Reads PNG and JPEG images (- for one image on stdin), finds the QR codes in
them and prints the text they carry. A message in several parts may come
in several images, several codes to an image, in any order; missing parts
are named. Hard images go through a chain of fallbacks (other binarizers,
thresholds, sharpening, rescaling, perspective search, inversion).`,
		Examples: []string{
			"airlock qr decode photo.jpg",
			"airlock qr decode receipt-1.png receipt-2.png receipt-3.png",
			"airlock qr decode --json screenshot.png",
		},
		Flags: func(fs *flag.FlagSet) {
			fs.BoolVar(&asJSON, "json", false, "print JSON: text, parts and what each image held")
		},
		Run: func(env *cli.Env, fs *flag.FlagSet, args []string) error {
			if len(args) == 0 {
				return cli.WithHint(cli.Usagef("no image given"), "airlock qr decode photo.jpg [more.png ...]")
			}
			images := make([][]byte, len(args))
			stdin := false
			for i, name := range args {
				var err error
				if name == "-" {
					if stdin {
						return cli.Usagef("- (stdin) given more than once")
					}
					stdin = true
					images[i], err = qrReadLimited(env.Stdin, "stdin")
				} else {
					images[i], err = qrReadImageFile(name)
				}
				if err != nil {
					return err
				}
			}
			r, err := qr.DecodeDetail(images, nil)
			if err != nil {
				return qrExplainDecode(err, args)
			}
			if asJSON {
				return qrWriteDecodeJSON(env.Stdout, r, args)
			}
			if len(args) > 1 || r.Parts > 1 {
				fmt.Fprintf(env.Stderr, "decoded %d %s from %d %s\n", r.Parts, qrPlural(r.Parts, "part", "parts"),
					len(args), qrPlural(len(args), "image", "images"))
			}
			_, err = fmt.Fprintln(env.Stdout, r.Text)
			return err
		},
	}
}

func qrReadImageFile(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("reading image: %w", err)
	}
	defer f.Close()
	return qrReadLimited(f, fmt.Sprintf("%q", name))
}

func qrReadLimited(r io.Reader, what string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxQRImage+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", what, err)
	}
	if len(data) > maxQRImage {
		return nil, fmt.Errorf("%s is larger than %d MB; not a photo of a code", what, maxQRImage>>20)
	}
	return data, nil
}

// qrExplainDecode names files instead of image numbers.
func qrExplainDecode(err error, names []string) error {
	var ie *qr.ImageError
	if errors.As(err, &ie) && ie.Index >= 1 && ie.Index <= len(names) {
		err = fmt.Errorf("%s: %w", qrDisplayName(names[ie.Index-1]), ie.Err)
		if errors.Is(err, qr.ErrImage) {
			return cli.WithHint(err, "give PNG or JPEG files (photos or screenshots of the codes)")
		}
		return err
	}
	var inc *qr.IncompleteError
	if errors.As(err, &inc) && len(inc.Unreadable) > 0 {
		var files []string
		for _, i := range inc.Unreadable {
			files = append(files, qrDisplayName(names[i-1]))
		}
		return cli.WithHint(err, "no code found in "+strings.Join(files, ", "))
	}
	if len(names) == 1 && errors.Is(err, qr.ErrNoCode) {
		return fmt.Errorf("%s: %w", qrDisplayName(names[0]), err)
	}
	return err
}

func qrDisplayName(name string) string {
	if name == "-" {
		return "stdin"
	}
	return name
}

type qrDecodeJSON struct {
	Text   string              `json:"text"`
	Parts  int                 `json:"parts"`
	Images []qrDecodeImageJSON `json:"images"`
}

type qrDecodeImageJSON struct {
	File   string `json:"file"`
	Codes  int    `json:"codes"`
	Method string `json:"method,omitempty"`
}

func qrWriteDecodeJSON(w io.Writer, r *qr.Result, names []string) error {
	out := qrDecodeJSON{Text: r.Text, Parts: r.Parts, Images: make([]qrDecodeImageJSON, len(r.Images))}
	for i, im := range r.Images {
		out.Images[i] = qrDecodeImageJSON{File: qrDisplayName(names[i]), Codes: len(im.Codes), Method: im.Method}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func qrPlural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
