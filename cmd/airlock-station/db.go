package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"golang.org/x/term"

	"github.com/airlock-dev/airlock/crypto"
	"github.com/airlock-dev/airlock/internal/cli"
	"github.com/airlock-dev/airlock/station"
	"github.com/airlock-dev/airlock/station/sqlite"
)

// Environment variables the station reads.
const (
	envDB         = "AIRLOCK_STATION_DB"
	envPassphrase = "AIRLOCK_STATION_PASSPHRASE"
)

var ctx = context.Background()

const dbHelp = `The database is --db FILE, else $AIRLOCK_STATION_DB, else station.db in
the data directory ($XDG_DATA_HOME/airlock-station or
~/.local/share/airlock-station on Linux, ~/Library/Application
Support/airlock-station on macOS, %LocalAppData%\airlock-station on
Windows).`

const keyHelp = `The issuer key is encrypted with a passphrase: it is read from
$AIRLOCK_STATION_PASSPHRASE, else asked for on the terminal.`

// dbFlag is --db, declared by every command that opens the database.
type dbFlag struct{ path string }

func (d *dbFlag) register(fs *flag.FlagSet) {
	fs.StringVar(&d.path, "db", "", "the station database `FILE` (default $"+envDB+", else station.db in the data directory)")
}

// resolve finds the database file.
func (d *dbFlag) resolve(env *cli.Env) (string, error) {
	p := d.path
	if p == "" {
		p = env.Getenv(envDB)
	}
	if p == "" {
		dir, err := dataDir(env)
		if err != nil {
			return "", err
		}
		p = filepath.Join(dir, "airlock-station", "station.db")
	}
	if strings.HasPrefix(p, "postgres://") || strings.HasPrefix(p, "postgresql://") {
		return "", cli.WithHint(fmt.Errorf("database %q: PostgreSQL is not supported yet", p), "give an SQLite database file with --db FILE")
	}
	return filepath.Abs(p)
}

// dataDir is the OS's directory for application data.
func dataDir(env *cli.Env) (string, error) {
	home := env.Getenv("HOME")
	switch runtime.GOOS {
	case "windows":
		if d := env.Getenv("LocalAppData"); d != "" {
			return d, nil
		}
		home = env.Getenv("USERPROFILE")
		if home != "" {
			return filepath.Join(home, "AppData", "Local"), nil
		}
	case "darwin":
		if home != "" {
			return filepath.Join(home, "Library", "Application Support"), nil
		}
	default:
		if d := env.Getenv("XDG_DATA_HOME"); d != "" {
			return d, nil
		}
		if home != "" {
			return filepath.Join(home, ".local", "share"), nil
		}
	}
	return "", cli.WithHint(errors.New("no data directory: the home directory is not set"), "give the database with --db FILE or $"+envDB)
}

// session is an open station.
type session struct {
	path  string
	store *sqlite.Store
	st    *station.Station
}

func (s *session) Close() error { return s.store.Close() }

// open opens the station's database; with signer, it also decrypts the
// current issuer key.
func (a *app) open(env *cli.Env, d *dbFlag, signer bool) (*session, error) {
	path, err := d.resolve(env)
	if err != nil {
		return nil, err
	}
	store, err := sqlite.Open(path, sqlite.Options{})
	if errors.Is(err, fs.ErrNotExist) {
		return nil, cli.WithHint(fmt.Errorf("no station database at %s", path),
			"run 'airlock-station init' to create one, or give the database with --db FILE or $"+envDB)
	}
	if err != nil {
		return nil, err
	}
	st, err := station.Open(ctx, store)
	if err != nil {
		store.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	s := &session{path: path, store: store, st: st}
	if signer {
		if err := s.loadSigner(env); err != nil {
			store.Close()
			return nil, err
		}
	}
	return s, nil
}

// keyPath is where an issuer key file named in the database is.
func (s *session) keyPath(file string) string {
	if filepath.IsAbs(file) {
		return file
	}
	return filepath.Join(filepath.Dir(s.path), file)
}

func (s *session) loadSigner(env *cli.Env) error {
	cur, err := s.st.CurrentKey(ctx)
	if err != nil {
		return err
	}
	pass, err := passphrase(env, "passphrase for issuer key "+cur.Key.ID().String(), false)
	if err != nil {
		return err
	}
	k, err := readIssuerKey(s.keyPath(cur.File), pass)
	if err != nil {
		return err
	}
	return s.st.UseSigner(ctx, k)
}

func readIssuerKey(path, pass string) (*crypto.PrivateKey, error) {
	k, err := crypto.ReadIssuerKey(path, pass)
	switch {
	case errors.Is(err, crypto.ErrWrongPassphrase):
		return nil, cli.WithHint(fmt.Errorf("opening the issuer key %s: %w", path, err), "check $"+envPassphrase+" or the passphrase typed")
	case errors.Is(err, fs.ErrNotExist):
		return nil, cli.WithHint(fmt.Errorf("opening the issuer key: %w", err), "the key file lives next to the database; restore it from the backup with the database")
	case err != nil:
		return nil, fmt.Errorf("opening the issuer key: %w", err)
	}
	return k, nil
}

// passphrase reads the issuer key's passphrase from the environment, else
// from the terminal (without echo; twice when confirm).
func passphrase(env *cli.Env, prompt string, confirm bool) (string, error) {
	if p := env.Getenv(envPassphrase); p != "" {
		return p, nil
	}
	f, ok := env.Stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return "", cli.WithHint(errors.New("no passphrase for the issuer key: $"+envPassphrase+" is not set and there is no terminal to ask on"),
			"set "+envPassphrase+" in the environment, or run the command in a terminal")
	}
	ask := func(p string) (string, error) {
		fmt.Fprintf(env.Stderr, "%s: ", p)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(env.Stderr)
		return string(b), err
	}
	p, err := ask(prompt)
	if err != nil {
		return "", err
	}
	if p == "" {
		return "", cli.WithHint(crypto.ErrEmptyPassphrase, "the issuer key needs a passphrase; choose one and keep it safe")
	}
	if confirm {
		again, err := ask("again")
		if err != nil {
			return "", err
		}
		if again != p {
			return "", errors.New("the passphrases differ")
		}
	}
	return p, nil
}
