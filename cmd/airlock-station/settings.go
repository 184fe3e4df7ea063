package main

import (
	"flag"
	"fmt"
	"time"

	"github.com/airlock-dev/airlock/internal/cli"
	"github.com/airlock-dev/airlock/station"
)

// settingsCommand is "airlock-station settings".
func settingsCommand(a *app) *cli.Command {
	var (
		db           dbFlag
		asJSON       bool
		age, ahead   time.Duration
		ageF, aheadF = durationFlag{d: &age}, durationFlag{d: &ahead}
	)
	return &cli.Command{
		Name:    "settings",
		Summary: "show or change the request window",
		Usage:   "[--request-max-age DUR] [--request-max-ahead DUR] [--json]",
		Help: `Shows the station's settings, or changes those given. A new request is
refused when it was written more than --request-max-age before the
station's clock (default 30d) or more than --request-max-ahead after it
(default 24h). The same request bytes answered before always get their
receipt again, whatever their age. Changes are recorded in the ledger.

` + dbHelp,
		Examples: []string{"airlock-station settings", "airlock-station settings --request-max-age 60d"},
		Flags: func(fs *flag.FlagSet) {
			db.register(fs)
			fs.BoolVar(&asJSON, "json", false, "print JSON")
			fs.Var(&ageF, "request-max-age", "refuse requests written longer ago than `DUR`")
			fs.Var(&aheadF, "request-max-ahead", "refuse requests dated more than `DUR` ahead of the station's clock")
		},
		Run: func(env *cli.Env, fs *flag.FlagSet, args []string) error {
			if len(args) > 0 {
				return cli.WithHint(cli.Usagef("unexpected argument %q", args[0]), "airlock-station settings --request-max-age DUR")
			}
			s, err := a.open(env, &db, false)
			if err != nil {
				return err
			}
			defer s.Close()
			st := s.st.Settings()
			if ageF.set || aheadF.set {
				if ageF.set {
					st.MaxRequestAge = age
				}
				if aheadF.set {
					st.MaxRequestAhead = ahead
				}
				if err := s.st.UpdateSettings(ctx, st, a.now); err != nil {
					return cli.WithHint(cli.Usagef("%v", err), "the maximum age must be at least 1h")
				}
				fmt.Fprintln(env.Stderr, "updated the settings")
			}
			if asJSON {
				return writeJSON(env.Stdout, map[string]any{
					"request_max_age_seconds":   int64(st.MaxRequestAge / time.Second),
					"request_max_ahead_seconds": int64(st.MaxRequestAhead / time.Second),
				})
			}
			fmt.Fprintf(env.Stdout, "request-max-age:   %s\nrequest-max-ahead: %s\n", station.HumanDuration(st.MaxRequestAge), station.HumanDuration(st.MaxRequestAhead))
			return nil
		},
	}
}
