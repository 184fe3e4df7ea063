package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/airlock-dev/airlock/client"
	"github.com/airlock-dev/airlock/internal/cli"
)

// checkCommand is "airlock check".
func checkCommand(a *app) *cli.Command {
	var (
		asJSON, verbose bool
		hf              homeFlag
	)
	return &cli.Command{
		Name:    "check",
		Summary: "exit 0 if a feature is licensed here and now, 1 if not (the reason on stderr)",
		Usage:   "FEATURE [--json] [--verbose] [--home DIR]",
		Help: `For scripts: exits 0 when FEATURE is licensed on this machine now, and 1
when it is not, with the reason on stderr; 2 for a wrong command line.
Prints nothing on success unless --verbose (one line) or --json (an
object on stdout, also when the answer is no). Opens the home read-only.

` + homeHelp,
		Examples: []string{
			"airlock check render && render-job start",
			"airlock check render --json",
		},
		Flags: func(fs *flag.FlagSet) {
			fs.BoolVar(&asJSON, "json", false, "print the answer as JSON on stdout")
			fs.BoolVar(&verbose, "verbose", false, "print one line when the feature is licensed")
			hf.register(fs)
		},
		Run: func(env *cli.Env, fs *flag.FlagSet, args []string) error {
			if len(args) != 1 {
				return cli.WithHint(cli.Usagef("want one FEATURE, got %d arguments", len(args)), "airlock check FEATURE")
			}
			feature := args[0]
			c, err := a.openClient(env, &hf)
			if err != nil {
				if asJSON {
					printCheckJSON(env, feature, nil, err)
				}
				return err
			}
			e, err := c.Check(feature, a.now)
			if asJSON {
				if jerr := printCheckJSON(env, feature, e, err); jerr != nil {
					return jerr
				}
			}
			if err != nil {
				return explain(err)
			}
			if verbose && !asJSON {
				fmt.Fprintf(env.Stdout, "%s: licensed by lease %s until %s (%s left)%s\n", feature, e.Lease, when(e.ExpiresAt), left(e.Remaining), limitNote(e))
			}
			return nil
		},
	}
}

func limitNote(e *client.Entitlement) string {
	if !e.Limited {
		return ""
	}
	return fmt.Sprintf(", %d of %d used", e.Used, e.Limit)
}

// checkJSON is what "check --json" prints.
type checkJSON struct {
	Feature          string    `json:"feature"`
	Licensed         bool      `json:"licensed"`
	Lease            string    `json:"lease,omitempty"`
	Expires          time.Time `json:"expires,omitzero"`
	RemainingSeconds int64     `json:"remaining_seconds,omitempty"`
	Limit            *uint64   `json:"limit,omitempty"`
	Used             *uint64   `json:"used,omitempty"`
	Reason           string    `json:"reason,omitempty"`
	Error            string    `json:"error,omitempty"` // a word for scripts: not-licensed, expired, ...
}

func printCheckJSON(env *cli.Env, feature string, e *client.Entitlement, err error) error {
	out := checkJSON{Feature: feature}
	if err != nil {
		out.Reason, out.Error = err.Error(), errorWord(err)
	} else {
		out.Licensed, out.Lease, out.Expires = true, e.Lease.String(), e.ExpiresAt
		out.RemainingSeconds = int64(e.Remaining / time.Second)
		if e.Limited {
			out.Limit, out.Used = &e.Limit, &e.Used
		}
	}
	enc := json.NewEncoder(env.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// errorWord names the kind of refusal for scripts.
func errorWord(err error) string {
	for _, w := range []struct {
		err  error
		word string
	}{
		{client.ErrNotInitialised, "not-initialised"},
		{client.ErrStateTampered, "state-tampered"},
		{client.ErrClockTampered, "clock-set-back"},
		{client.ErrWrongMachine, "wrong-machine"},
		{client.ErrRevoked, "revoked"},
		{client.ErrExpired, "expired"},
		{client.ErrNotYetValid, "not-yet-valid"},
		{client.ErrLimitReached, "limit-reached"},
		{client.ErrNotLicensed, "not-licensed"},
	} {
		if errors.Is(err, w.err) {
			return w.word
		}
	}
	return "error"
}
