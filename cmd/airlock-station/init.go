package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/airlock-dev/airlock/crypto"
	"github.com/airlock-dev/airlock/internal/atomicfile"
	"github.com/airlock-dev/airlock/internal/cli"
	"github.com/airlock-dev/airlock/station"
	"github.com/airlock-dev/airlock/station/sqlite"
)

// maxWorkFactor is the most scrypt work a key file may ask for and still
// open (crypto refuses more).
const maxWorkFactor = crypto.DefaultWorkFactor + 2

// initCommand is "airlock-station init".
func initCommand(a *app) *cli.Command {
	var (
		db       dbFlag
		pubOut   string
		force    bool
		wf       int
		keyName  string
		settings = station.DefaultSettings()
	)
	return &cli.Command{
		Name:    "init",
		Summary: "create the station database and its issuer key",
		Usage:   "[--db FILE] [--pub-out issuer.pub] [--force] [--kdf-work-factor N] [--key-name NAME]",
		Help: `Creates the station database and a new issuer key. The private key is
written next to the database as issuer-<key id>.key, encrypted with a
passphrase (age, scrypt); keep it and the database together, and back both
up. The public key is written as PEM to --pub-out (issuer.pub in the
current directory): give it to every offline machine ('airlock init
--trust issuer.pub'). An existing --pub-out file is never replaced without
--force.

The passphrase is read from $AIRLOCK_STATION_PASSPHRASE, else asked for
twice on the terminal. --kdf-work-factor sets the scrypt cost (log2 N);
every command that signs decrypts the key, at about a second at the
default 18. Lower values are for tests.

--request-max-age and --request-max-ahead set the request window: a new
request written longer ago than the age, or further ahead of the station's
clock than the lead, is refused (the same request bytes answered before
always get their receipt again). 'airlock-station settings' changes them.

` + dbHelp,
		Examples: []string{
			"airlock-station init",
			"airlock-station init --db /srv/airlock/station.db --pub-out /srv/airlock/issuer.pub",
		},
		Flags: func(fs *flag.FlagSet) {
			db.register(fs)
			fs.StringVar(&pubOut, "pub-out", "issuer.pub", "write the issuer public key (PEM) to `FILE`")
			fs.BoolVar(&force, "force", false, "replace an existing --pub-out file")
			fs.IntVar(&wf, "kdf-work-factor", crypto.DefaultWorkFactor, "scrypt work factor `N` (log2) for the issuer key file")
			fs.StringVar(&keyName, "key-name", "", "the issuer key's `NAME` in trust stores (default \"airlock-station <key id>\")")
			fs.Var(&durationFlag{d: &settings.MaxRequestAge}, "request-max-age", "refuse requests written longer ago than `DUR`")
			fs.Var(&durationFlag{d: &settings.MaxRequestAhead}, "request-max-ahead", "refuse requests dated more than `DUR` ahead of the station's clock")
		},
		Run: func(env *cli.Env, fs *flag.FlagSet, args []string) error {
			if len(args) > 0 {
				return cli.WithHint(cli.Usagef("unexpected argument %q", args[0]), "give the database with --db FILE")
			}
			if wf < 1 || wf > maxWorkFactor {
				return cli.Usagef("--kdf-work-factor %d must be from 1 to %d", wf, maxWorkFactor)
			}
			path, err := db.resolve(env)
			if err != nil {
				return err
			}
			if _, err := os.Lstat(pubOut); err == nil && !force {
				return cli.WithHint(fmt.Errorf("%s already exists", pubOut), "give another file with --pub-out FILE, or --force to replace it")
			}
			if err := checkNotInitialised(path); err != nil {
				return err
			}
			if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
				return fmt.Errorf("creating the database directory: %w", err)
			}
			pass, err := passphrase(env, "passphrase for the new issuer key", true)
			if err != nil {
				return err
			}
			key, err := crypto.GenerateKey(nil)
			if err != nil {
				return err
			}
			kid := key.Public().ID().String()
			if keyName == "" {
				keyName = "airlock-station " + kid
			}
			keyFile := "issuer-" + kid + ".key"
			keyPath := filepath.Join(filepath.Dir(path), keyFile)
			if err := crypto.WriteIssuerKey(keyPath, key, pass, wf); err != nil {
				return err
			}
			store, err := sqlite.Open(path, sqlite.Options{Create: true})
			if err != nil {
				return err
			}
			defer store.Close()
			err = station.Init(ctx, store, station.InitOptions{Key: key.Public(), KeyName: keyName, KeyFile: keyFile, Settings: settings}, a.now)
			if err != nil {
				return err
			}
			if err := writePublicKey(pubOut, key.Public(), force); err != nil {
				return cli.WithHint(fmt.Errorf("the station is ready, but writing the public key failed: %w", err),
					"write it again with 'airlock-station key export -o FILE'")
			}
			w := env.Stdout
			fmt.Fprintf(w, "created station database %s\n", path)
			fmt.Fprintf(w, "issuer key:  %s (%s), encrypted in %s\n", kid, keyName, keyPath)
			fmt.Fprintf(w, "public key:  %s (give it to every offline machine: airlock init --trust %s)\n", pubOut, filepath.Base(pubOut))
			fmt.Fprintf(w, "requests:    accepted up to %s old and %s ahead\n", station.HumanDuration(settings.MaxRequestAge), station.HumanDuration(settings.MaxRequestAhead))
			fmt.Fprintf(w, "next: airlock-station license add --customer NAME --product P --features a,b --seats N\n")
			return nil
		},
	}
}

// checkNotInitialised refuses a database that already holds a station.
func checkNotInitialised(path string) error {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	store, err := sqlite.Open(path, sqlite.Options{})
	if err != nil {
		return err
	}
	defer store.Close()
	_, err = station.Open(ctx, store)
	if errors.Is(err, station.ErrNotInitialised) {
		return nil
	}
	if err == nil {
		return cli.WithHint(fmt.Errorf("%s already holds a station", path), "use it as it is, or give another database with --db FILE")
	}
	return err
}

// writePublicKey writes k as PEM to path ("-" for stdout is not offered:
// the key goes to a file the vendor hands out).
func writePublicKey(path string, k crypto.PublicKey, force bool) error {
	if force {
		return atomicfile.WriteFile(path, crypto.MarshalPublicKeyPEM(k), 0o644)
	}
	return crypto.WritePublicKey(path, k)
}
