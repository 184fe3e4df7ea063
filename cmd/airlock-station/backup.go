package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/airlock-dev/airlock/internal/atomicfile"
	"github.com/airlock-dev/airlock/internal/cli"
	"github.com/airlock-dev/airlock/station"
	"github.com/airlock-dev/airlock/station/sqlite"
)

// backupCommand is "airlock-station backup DIR".
func backupCommand(a *app) *cli.Command {
	var db dbFlag
	return &cli.Command{
		Name:    "backup",
		Summary: "copy the database and the issuer key files to a new directory",
		Usage:   "DIR [--db FILE]",
		Help: `Writes a consistent copy of the station database to DIR/station.db while
the station keeps running (SQLite's VACUUM INTO: one snapshot, one file),
copies every issuer key file next to it (they stay encrypted with the
passphrase), then opens the copy and checks its ledger. DIR must not exist
or be empty.

To restore: stop the station, put DIR/station.db where the database
belongs and the issuer-*.key files beside it, and run 'airlock-station
audit verify'. Machines holding receipts issued after the backup will be
refused with "station database older than the request" rather than be
given seats that are already taken.

` + dbHelp,
		Examples: []string{
			"airlock-station backup /backup/station-2026-11-23",
			"airlock-station backup --db /srv/airlock/station.db /mnt/usb/airlock-backup",
		},
		Flags: db.register,
		Run: func(env *cli.Env, fs *flag.FlagSet, args []string) error {
			if len(args) != 1 {
				return cli.WithHint(cli.Usagef("give one backup directory"), "airlock-station backup DIR")
			}
			dir, err := filepath.Abs(args[0])
			if err != nil {
				return err
			}
			s, err := a.open(env, &db, false)
			if err != nil {
				return err
			}
			defer s.Close()
			if err := emptyDir(dir); err != nil {
				return err
			}
			dbCopy := filepath.Join(dir, "station.db")
			if err := s.store.Backup(ctx, dbCopy); err != nil {
				return err
			}
			keys, err := s.st.Keys(ctx)
			if err != nil {
				return err
			}
			for _, k := range keys {
				data, err := os.ReadFile(s.keyPath(k.File))
				if err != nil {
					return cli.WithHint(fmt.Errorf("issuer key %s: %w", k.Key.ID(), err),
						"the database names this key file; back it up by hand from wherever it is kept")
				}
				if err := atomicfile.CreateNew(filepath.Join(dir, filepath.Base(k.File)), data, 0o600); err != nil {
					return err
				}
			}
			entries, err := verifyBackup(dbCopy)
			if err != nil {
				return fmt.Errorf("the backup in %s does not check out: %w", dir, err)
			}
			fmt.Fprintf(env.Stdout, "backed up %s to %s: %d ledger entries, %d issuer key file(s); the copy checks out\n", s.path, dir, entries, len(keys))
			return nil
		},
	}
}

// emptyDir makes dir, or accepts it if it exists and is empty.
func emptyDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return os.MkdirAll(dir, 0o700)
	}
	if err != nil {
		return err
	}
	if len(entries) > 0 {
		return cli.WithHint(fmt.Errorf("backup directory %s is not empty", dir), "give a new directory, e.g. one named after today's date")
	}
	return nil
}

// verifyBackup opens a backup and audits its ledger.
func verifyBackup(path string) (uint64, error) {
	store, err := sqlite.Open(path, sqlite.Options{})
	if err != nil {
		return 0, err
	}
	defer store.Close()
	st, err := station.Open(ctx, store)
	if err != nil {
		return 0, err
	}
	integrity, err := store.IntegrityCheck(ctx)
	if err != nil {
		return 0, err
	}
	if integrity != "ok" {
		return 0, fmt.Errorf("integrity check: %s", integrity)
	}
	rep, err := st.Audit(ctx)
	if err != nil {
		return 0, err
	}
	if !rep.OK() {
		return 0, fmt.Errorf("ledger: %d problems, first at entry %d", len(rep.Problems), rep.FirstBroken)
	}
	return rep.Entries, nil
}
