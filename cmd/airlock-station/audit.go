package main

import (
	"encoding/hex"
	"flag"
	"fmt"

	"github.com/airlock-dev/airlock/internal/cli"
)

// auditCommand is "airlock-station audit".
func auditCommand(a *app) *cli.Command {
	return &cli.Command{
		Name:    "audit",
		Summary: "check the ledger",
		Usage:   "verify [--json]",
		Sub:     []*cli.Command{auditVerifyCommand(a)},
	}
}

func auditVerifyCommand(a *app) *cli.Command {
	var (
		db     dbFlag
		asJSON bool
	)
	return &cli.Command{
		Name:    "verify",
		Summary: "check the ledger's hash chain and the tables against it",
		Usage:   "[--json]",
		Help: `Recomputes the hash of every ledger entry from the first and checks each
links to the one before; then checks that every lease and license in the
database is what the last ledger entry that changed it recorded, and that
every answered request is recorded as answered (so it cannot get a second
seat). Exits 1 and names the first broken entry when anything is wrong.
The SQLite file's own integrity check runs too.

` + dbHelp,
		Examples: []string{"airlock-station audit verify", "airlock-station audit verify --json"},
		Flags: func(fs *flag.FlagSet) {
			db.register(fs)
			fs.BoolVar(&asJSON, "json", false, "print the report as JSON")
		},
		Run: func(env *cli.Env, fs *flag.FlagSet, args []string) error {
			if len(args) > 0 {
				return cli.WithHint(cli.Usagef("unexpected argument %q", args[0]), "airlock-station audit verify [--db FILE]")
			}
			s, err := a.open(env, &db, false)
			if err != nil {
				return err
			}
			defer s.Close()
			integrity, err := s.store.IntegrityCheck(ctx)
			if err != nil {
				return err
			}
			counts, err := s.store.CheckCounts(ctx)
			if err != nil {
				return err
			}
			rep, err := s.st.Audit(ctx)
			if err != nil {
				return err
			}
			ok := rep.OK() && integrity == "ok" && counts == ""
			if asJSON {
				type problem struct {
					Seq  uint64 `json:"seq,omitempty"`
					What string `json:"what"`
				}
				problems := []problem{}
				for _, p := range rep.Problems {
					problems = append(problems, problem{p.Seq, p.What})
				}
				if counts != "" {
					problems = append(problems, problem{What: "kept seat counts differ: " + counts})
				}
				err := writeJSON(env.Stdout, map[string]any{
					"ok": ok, "entries": rep.Entries, "head": map[string]any{"seq": rep.Head.Seq, "hash": hex.EncodeToString(rep.Head.Hash[:])},
					"first_broken": rep.FirstBroken, "leases": rep.Leases, "licenses": rep.Licenses, "receipts": rep.Receipts,
					"integrity_check": integrity, "problems": problems,
				})
				if err != nil {
					return err
				}
				if !ok {
					return cli.Silent{Status: cli.ExitError}
				}
				return nil
			}
			if integrity != "ok" {
				return cli.WithHint(fmt.Errorf("the database file is damaged: %s", integrity), "restore the newest good backup")
			}
			if counts != "" {
				return cli.WithHint(fmt.Errorf("kept seat counts differ from the leases: %s", counts), "the database was changed outside airlock-station; restore the newest good backup")
			}
			for _, p := range rep.Problems[min(1, len(rep.Problems)):] {
				fmt.Fprintf(env.Stderr, "problem: %s\n", p)
			}
			if err := rep.Err(); err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "ledger ok: %d entries, head %d %x\n", rep.Entries, rep.Head.Seq, rep.Head.Hash[:8])
			fmt.Fprintf(env.Stdout, "checked %d licenses, %d leases and %d receipts against it\n", rep.Licenses, rep.Leases, rep.Receipts)
			return nil
		},
	}
}
