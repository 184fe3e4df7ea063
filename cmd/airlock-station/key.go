package main

import (
	"flag"
	"fmt"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/airlock-dev/airlock/crypto"
	"github.com/airlock-dev/airlock/internal/cli"
	"github.com/airlock-dev/airlock/internal/msgio"
	"github.com/airlock-dev/airlock/station"
	"github.com/airlock-dev/airlock/wire"
)

// keyCommand is "airlock-station key".
func keyCommand(a *app) *cli.Command {
	return &cli.Command{
		Name:    "key",
		Summary: "rotate, list and export the issuer keys",
		Usage:   "rotate|list|export ...",
		Sub:     []*cli.Command{keyRotateCommand(a), keyListCommand(a), keyExportCommand(a)},
	}
}

func keyRotateCommand(a *app) *cli.Command {
	var (
		db     dbFlag
		out    msgio.Output
		name   string
		wf     int
		pubOut string
	)
	return &cli.Command{
		Name:    "rotate",
		Summary: "make a new issuer key and a rollover statement signed by the old one",
		Usage:   "[-o FILE] [--format F] [--qr FILE.png] [--name NAME] [--pub-out FILE] [--kdf-work-factor N]",
		Help: `Makes a new issuer key (encrypted with the same passphrase, next to the
database) and writes a key rollover statement signed by the current key:
trust store version one above the last, retiring the current key now.
Offline machines apply it with 'airlock trust update FILE' and from then
on accept receipts signed by the new key; receipts the old key signed
before now stay valid. From now on the station signs with the new key.
The old key file is kept.

` + keyHelp + "\n\n" + dbHelp,
		Examples: []string{
			"airlock-station key rotate -o rollover.txt",
			"airlock-station key rotate -o rollover.txt --qr rollover.png --pub-out issuer-2027.pub",
		},
		Flags: func(fs *flag.FlagSet) {
			db.register(fs)
			out.Flags(fs)
			fs.StringVar(&name, "name", "", "the new key's `NAME` in trust stores (default \"airlock-station <key id>\")")
			fs.StringVar(&pubOut, "pub-out", "", "also write the new public key (PEM) to `FILE`")
			fs.IntVar(&wf, "kdf-work-factor", crypto.DefaultWorkFactor, "scrypt work factor `N` (log2) for the new key file")
		},
		Run: func(env *cli.Env, fs *flag.FlagSet, args []string) error {
			if err := out.Check(env); err != nil {
				return err
			}
			if len(args) > 0 {
				return cli.WithHint(cli.Usagef("unexpected argument %q", args[0]), "write the statement with -o FILE")
			}
			if wf < 1 || wf > maxWorkFactor {
				return cli.Usagef("--kdf-work-factor %d must be from 1 to %d", wf, maxWorkFactor)
			}
			s, err := a.open(env, &db, false)
			if err != nil {
				return err
			}
			defer s.Close()
			cur, err := s.st.CurrentKey(ctx)
			if err != nil {
				return err
			}
			pass, err := passphrase(env, "passphrase for issuer key "+cur.Key.ID().String(), false)
			if err != nil {
				return err
			}
			old, err := readIssuerKey(s.keyPath(cur.File), pass)
			if err != nil {
				return err
			}
			if err := s.st.UseSigner(ctx, old); err != nil {
				return err
			}
			next, err := crypto.GenerateKey(nil)
			if err != nil {
				return err
			}
			kid := next.Public().ID().String()
			if name == "" {
				name = "airlock-station " + kid
			}
			keyFile := "issuer-" + kid + ".key"
			if err := crypto.WriteIssuerKey(s.keyPath(keyFile), next, pass, wf); err != nil {
				return err
			}
			stmt, err := s.st.RotateKey(ctx, next, name, keyFile, a.now)
			if err != nil {
				return err
			}
			ws, err := out.Write(env, wire.KeyRollover, stmt)
			if err != nil {
				return cli.WithHint(fmt.Errorf("the key was rotated, but writing the rollover statement failed: %w", err),
					"the statement's hash is in the ledger; rotating again makes a new one signed by the new key")
			}
			msgio.Note(env, ws)
			if pubOut != "" {
				if err := crypto.WritePublicKey(pubOut, next.Public()); err != nil {
					return err
				}
				fmt.Fprintf(env.Stderr, "wrote the new public key to %s\n", pubOut)
			}
			fmt.Fprintf(env.Stderr, "rotated the issuer key: %s retired, %s (%s) signs from now on, in %s\n",
				cur.Key.ID(), kid, name, s.keyPath(keyFile))
			fmt.Fprintln(env.Stderr, "next: apply the rollover statement on every offline machine with 'airlock trust update FILE'")
			return nil
		},
	}
}

func keyListCommand(a *app) *cli.Command {
	var (
		db     dbFlag
		asJSON bool
	)
	return &cli.Command{
		Name:    "list",
		Summary: "list the issuer keys, the current one last",
		Usage:   "[--json]",
		Examples: []string{
			"airlock-station key list",
			"airlock-station key list --json",
		},
		Help: "Lists every issuer key the station has had: key ID, name, trust store version, created, retired, and the key file.\n\n" + dbHelp,
		Flags: func(fs *flag.FlagSet) {
			db.register(fs)
			fs.BoolVar(&asJSON, "json", false, "print a JSON array")
		},
		Run: func(env *cli.Env, fs *flag.FlagSet, args []string) error {
			s, err := a.open(env, &db, false)
			if err != nil {
				return err
			}
			defer s.Close()
			keys, err := s.st.Keys(ctx)
			if err != nil {
				return err
			}
			if asJSON {
				type keyJSON struct {
					KeyID   string     `json:"kid"`
					Key     string     `json:"public_key"`
					Name    string     `json:"name"`
					Version uint64     `json:"version"`
					Created time.Time  `json:"created"`
					Retired *time.Time `json:"retired,omitempty"`
					Current bool       `json:"current"`
					File    string     `json:"file"`
				}
				out := []keyJSON{}
				for _, k := range keys {
					out = append(out, keyJSON{k.Key.ID().String(), k.Key.String(), k.Name, k.Version, k.Created, timePtr(k.Retired), k.Current, s.keyPath(k.File)})
				}
				return writeJSON(env.Stdout, out)
			}
			tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "KEY ID\tNAME\tVERSION\tCREATED\tRETIRED\tFILE")
			for _, k := range keys {
				retired := "-"
				if !k.Retired.IsZero() {
					retired = station.Stamp(k.Retired)
				}
				if k.Current {
					retired = "current"
				}
				fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\n", k.Key.ID(), k.Name, k.Version, station.Stamp(k.Created), retired, filepath.Base(k.File))
			}
			return tw.Flush()
		},
	}
}

func keyExportCommand(a *app) *cli.Command {
	var (
		db  dbFlag
		out string
	)
	return &cli.Command{
		Name:     "export",
		Summary:  "write the current issuer public key as PEM",
		Usage:    "[-o FILE]",
		Help:     "Writes the current issuer public key (PEM, readable by OpenSSL) to stdout or -o FILE, which must not exist.\n\n" + dbHelp,
		Examples: []string{"airlock-station key export -o issuer.pub"},
		Flags: func(fs *flag.FlagSet) {
			db.register(fs)
			fs.StringVar(&out, "o", "-", "write to `FILE` (- for stdout)")
		},
		Run: func(env *cli.Env, fs *flag.FlagSet, args []string) error {
			s, err := a.open(env, &db, false)
			if err != nil {
				return err
			}
			defer s.Close()
			cur, err := s.st.CurrentKey(ctx)
			if err != nil {
				return err
			}
			if out == "-" || out == "" {
				_, err := env.Stdout.Write(crypto.MarshalPublicKeyPEM(cur.Key))
				return err
			}
			if err := crypto.WritePublicKey(out, cur.Key); err != nil {
				return err
			}
			fmt.Fprintf(env.Stderr, "wrote issuer public key %s to %s\n", cur.Key.ID(), out)
			return nil
		},
	}
}
