// Command airlock-demo runs Airlock's whole exchange on one machine, with
// the real airlock and airlock-station commands, in a scratch directory:
// a station with a license, an offline client, an activation request shown
// as a QR code and written as a file, the station issuing a receipt from
// the QR image, the client applying it and checking a feature, a refresh,
// a return, and the station's status. It prints every command as you would
// type it, then every file written with its size.
//
//	go run ./cmd/airlock-demo [--dir DIR] [--keep=false]
//
// It needs the Go toolchain (it builds the two commands from this module)
// and nothing else.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/airlock-dev/airlock/wire"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("airlock-demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "", "scratch `DIR` (default: a new temporary directory)")
	keep := fs.Bool("keep", true, "keep the scratch directory afterwards")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	d := &demo{out: &lockedWriter{w: stdout}}
	err := d.setup(*dir)
	if err == nil {
		err = d.exchange()
	}
	if err == nil {
		d.listFiles()
	}
	if !*keep && d.dir != "" {
		os.RemoveAll(d.dir)
	}
	if err != nil {
		fmt.Fprintf(stderr, "airlock-demo: error: %v\n", err)
		if d.dir != "" && *keep {
			fmt.Fprintf(stderr, "hint: the files so far are in %s\n", d.dir)
		}
		return 1
	}
	return 0
}

// lockedWriter serialises writes: a child's stdout and stderr are copied
// to it from two goroutines.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

type demo struct {
	out      io.Writer
	dir, bin string
	env      []string
}

// setup makes the scratch directory and builds the two commands into it.
func (d *demo) setup(dir string) error {
	var err error
	if dir == "" {
		dir, err = os.MkdirTemp("", "airlock-demo-")
	} else {
		err = os.MkdirAll(dir, 0o755)
	}
	if err != nil {
		return err
	}
	if d.dir, err = filepath.Abs(dir); err != nil {
		return err
	}
	d.bin = filepath.Join(d.dir, "bin")
	for _, sub := range []string{"station", "client", "transfer"} {
		if err := os.MkdirAll(filepath.Join(d.dir, sub), 0o755); err != nil {
			return err
		}
	}
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	d.say("# Airlock demo in %s", d.dir)
	d.say("# building airlock and airlock-station from %s", root)
	build := exec.Command("go", "build", "-o", d.bin+string(filepath.Separator), "./cmd/airlock", "./cmd/airlock-station")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v\n%s", err, out)
	}
	d.env = append(os.Environ(),
		"AIRLOCK_STATION_DB="+filepath.Join(d.dir, "station", "station.db"),
		"AIRLOCK_HOME="+filepath.Join(d.dir, "client"),
		"AIRLOCK_STATION_PASSPHRASE=demo passphrase",
		"PATH="+d.bin+string(os.PathListSeparator)+os.Getenv("PATH"),
	)
	d.say("\n$ export AIRLOCK_STATION_DB=%s", filepath.Join(d.dir, "station", "station.db"))
	d.say("$ export AIRLOCK_HOME=%s", filepath.Join(d.dir, "client"))
	d.say("$ export AIRLOCK_STATION_PASSPHRASE='demo passphrase'   # a real station asks on the terminal")
	return nil
}

func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w (is the Go toolchain installed?)", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("run the demo from inside the airlock module (go run ./cmd/airlock-demo)")
	}
	return filepath.Dir(mod), nil
}

func (d *demo) say(format string, args ...any) { fmt.Fprintf(d.out, format+"\n", args...) }

func (d *demo) path(parts ...string) string {
	return filepath.Join(append([]string{d.dir}, parts...)...)
}

// sh runs one command, shown first as typed, with its output passed
// through; it returns stdout too.
func (d *demo) sh(comment string, name string, args ...string) (string, error) {
	return d.command(true, comment, name, args...)
}

// quiet runs a command without showing it or its output.
func (d *demo) quiet(name string, args ...string) (string, error) {
	return d.command(false, "", name, args...)
}

func (d *demo) command(show bool, comment string, name string, args ...string) (string, error) {
	out := d.out
	if !show {
		out = io.Discard
	}
	if comment != "" && show {
		d.say("\n# %s", comment)
	}
	shown := []string{name}
	for _, a := range args {
		a = strings.ReplaceAll(a, d.dir+string(filepath.Separator), "")
		if strings.ContainsAny(a, " '\"") {
			a = "'" + a + "'"
		}
		shown = append(shown, a)
	}
	if show {
		d.say("$ %s", strings.Join(shown, " "))
	}
	cmd := exec.Command(filepath.Join(d.bin, name), args...)
	cmd.Dir = d.dir
	cmd.Env = d.env
	var stdout, stderr bytes.Buffer
	cmd.Stdout = io.MultiWriter(&stdout, out)
	cmd.Stderr = io.MultiWriter(&stderr, out)
	if err := cmd.Run(); err != nil {
		if !show {
			return stdout.String(), fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, stderr.String())
		}
		return stdout.String(), fmt.Errorf("%s %s: %w", name, strings.Join(args, " "), err)
	}
	return stdout.String(), nil
}

func (d *demo) exchange() error {
	steps := []func() error{d.station, d.client, d.activate, d.use, d.refresh, d.giveBack}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

var licenseKey, leaseID string

func (d *demo) station() error {
	if _, err := d.sh("The vendor sets up an issuing station (key work factor lowered for the demo)",
		"airlock-station", "init", "--pub-out", d.path("station", "issuer.pub"), "--kdf-work-factor", "14"); err != nil {
		return err
	}
	out, err := d.sh("and adds a license: 5 seats of three features, leases up to 30 days",
		"airlock-station", "license", "add", "--customer", "Acme Engineering", "--product", "cad",
		"--features", "model,render,export", "--seats", "5", "--max-lease", "720h", "--default-lease", "168h")
	licenseKey = strings.TrimSpace(out)
	return err
}

func (d *demo) client() error {
	_, err := d.sh("On the offline machine: a device key and the vendor's public key",
		"airlock", "init", "--trust", d.path("station", "issuer.pub"), "--product", "cad")
	return err
}

func (d *demo) activate() error {
	if _, err := d.sh("The operator asks for two features for three days: a file, and a QR code for a phone or webcam",
		"airlock", "request", "--license", licenseKey, "--features", "model,render", "--lease", "72h",
		"-o", d.path("transfer", "activate.req"), "--qr", d.path("transfer", "activate.png"), "--qr-terminal"); err != nil {
		return err
	}
	if _, err := d.sh("The station reads the request straight from the QR image and issues a receipt",
		"airlock-station", "issue", d.path("transfer", "activate.png"), "-o", d.path("transfer", "activation.receipt")); err != nil {
		return err
	}
	_, err := d.sh("Back on the offline machine: apply it",
		"airlock", "apply", d.path("transfer", "activation.receipt"))
	return err
}

func (d *demo) use() error {
	if _, err := d.sh("An application (or a script) asks: is render licensed here, now?",
		"airlock", "check", "render", "--verbose"); err != nil {
		return err
	}
	if _, err := d.sh("", "airlock", "status"); err != nil {
		return err
	}
	out, err := d.quiet("airlock", "status", "--json")
	if err != nil {
		return err
	}
	var st struct {
		Leases []struct {
			ID string `json:"id"`
		} `json:"leases"`
	}
	if err := json.Unmarshal([]byte(out), &st); err != nil || len(st.Leases) == 0 {
		return fmt.Errorf("airlock status --json: no lease in %q", out)
	}
	leaseID = st.Leases[0].ID
	return nil
}

func (d *demo) refresh() error {
	if _, err := d.sh("Before the lease runs out: a refresh request (it reports the meters too)",
		"airlock", "refresh", "--lease", leaseID, "-o", d.path("transfer", "refresh.req")); err != nil {
		return err
	}
	if _, err := d.sh("", "airlock-station", "issue", d.path("transfer", "refresh.req"), "-o", d.path("transfer", "refresh.receipt")); err != nil {
		return err
	}
	_, err := d.sh("", "airlock", "apply", d.path("transfer", "refresh.receipt"))
	return err
}

func (d *demo) giveBack() error {
	if _, err := d.sh("Done early: return the seat. The lease is removed here first, then the proof is written",
		"airlock", "return", "--lease", leaseID, "-o", d.path("transfer", "return.req")); err != nil {
		return err
	}
	if _, err := d.sh("The station frees the seat and answers with a deactivation receipt",
		"airlock-station", "issue", d.path("transfer", "return.req"), "-o", d.path("transfer", "deactivation.receipt")); err != nil {
		return err
	}
	if _, err := d.sh("The operator keeps it as evidence of the return",
		"airlock", "apply", d.path("transfer", "deactivation.receipt")); err != nil {
		return err
	}
	if _, err := d.sh("", "airlock", "status"); err != nil {
		return err
	}
	_, err := d.sh("The station's view: seats and who held what until when", "airlock-station", "status")
	return err
}

// listFiles names every file the exchange wrote, with its size.
func (d *demo) listFiles() {
	d.say("\n# Files written (in %s):", d.dir)
	var files []string
	filepath.WalkDir(d.dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if e.IsDir() && p == d.bin {
			return filepath.SkipDir
		}
		if !e.IsDir() {
			files = append(files, p)
		}
		return nil
	})
	sort.Strings(files)
	for _, f := range files {
		fi, err := os.Stat(f)
		if err != nil {
			continue
		}
		rel, _ := filepath.Rel(d.dir, f)
		d.say("  %-32s %6d bytes%s", rel, fi.Size(), describe(f, rel))
	}
}

// describe says what a file is; for messages it adds their binary size.
func describe(path, rel string) string {
	note := notes[filepath.ToSlash(rel)]
	if strings.HasPrefix(filepath.Base(rel), "issuer-") && strings.HasSuffix(rel, ".key") {
		note = "  issuer private key (encrypted, mode 0600)"
	}
	if strings.HasPrefix(filepath.ToSlash(rel), "transfer/") && !strings.HasSuffix(rel, ".png") {
		if data, err := os.ReadFile(path); err == nil {
			if msg, _, _, err := wire.Read(data); err == nil {
				note += fmt.Sprintf(", %d bytes binary", len(msg))
			}
		}
	}
	return note
}

var notes = map[string]string{
	"transfer/activate.req":         "  activation request (armor)",
	"transfer/activate.png":         "  the same request as a QR code",
	"transfer/activation.receipt":   "  activation receipt (armor)",
	"transfer/refresh.req":          "  refresh request",
	"transfer/refresh.receipt":      "  refresh receipt",
	"transfer/return.req":           "  return proof",
	"transfer/deactivation.receipt": "  deactivation receipt (evidence)",
	"station/issuer.pub":            "  issuer public key (PEM)",
	"station/station.db":            "  station database (SQLite)",
	"client/device.key":             "  device key (mode 0600)",
	"client/state":                  "  sealed client state",
	"client/lock":                   "  lock file",
	"station/station.db-lock":       "  lock file",
}
