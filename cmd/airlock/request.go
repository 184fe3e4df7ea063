package main

import (
	"flag"
	"fmt"
	"os"
	"os/user"
	"strings"
	"time"

	"github.com/airlock-dev/airlock/client"
	"github.com/airlock-dev/airlock/internal/cli"
	"github.com/airlock-dev/airlock/internal/msgio"
	"github.com/airlock-dev/airlock/request"
	"github.com/airlock-dev/airlock/wire"
)

// requestCommand is "airlock request".
func requestCommand(a *app) *cli.Command {
	var (
		license, features, userName, host string
		length                            time.Duration
		out                               msgio.Output
		hf                                homeFlag
	)
	return &cli.Command{
		Name:    "request",
		Summary: "write an activation request for the issuing station",
		Usage:   "--license KEY [--features a,b] [--lease DUR] [-o FILE] [--format F] [--qr FILE.png] [--qr-terminal]",
		Help: `Writes an activation request signed by this machine's device key: the
license key, the features and lease length asked for, and this machine's
fingerprint (salted hashes, never the raw values). Take it to the issuing
station (file, USB, or QR code); apply the receipt it gives back with
'airlock apply'. The request is recorded in the home before it is written
out, so only a receipt that answers it can be applied.

The user and host names go to the station for its records; --user "" and
--host "" leave them out.

` + homeHelp,
		Examples: []string{
			"airlock request --license 7K3Q-M9XD-2HFR-W4TB > request.txt",
			"airlock request --license 7K3QM9XD2HFRW4TB --features model,render --lease 720h -o request.txt",
			"airlock request --license 7K3QM9XD2HFRW4TB --qr request.png",
		},
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&license, "license", "", "the license `KEY` (dashes and case do not matter)")
			fs.StringVar(&features, "features", "", "comma-separated `LIST` of features to ask for (default: every feature of the license)")
			fs.DurationVar(&length, "lease", 0, "lease length to ask for, e.g. 720h (default: the license's)")
			fs.StringVar(&userName, "user", currentUser(), "user `NAME` sent to the station")
			fs.StringVar(&host, "host", hostName(), "host `NAME` sent to the station")
			out.Flags(fs)
			hf.register(fs)
		},
		Run: func(env *cli.Env, fs *flag.FlagSet, args []string) error {
			if len(args) > 0 {
				return cli.WithHint(cli.Usagef("unexpected argument %q", args[0]), "give the license key with --license KEY")
			}
			if license == "" {
				return cli.WithHint(cli.Usagef("--license is required"), "give the license key from the vendor: airlock request --license KEY")
			}
			if _, err := request.NormalizeLicenseKey(license); err != nil {
				return cli.WithHint(cli.Usagef("%v", err), "a license key is 8 to 32 letters and digits; dashes and spaces do not matter")
			}
			fl, err := splitFeatures(features)
			if err != nil {
				return err
			}
			if length < 0 || length%time.Second != 0 || length > request.MaxLease {
				return cli.Usagef("--lease %s must be whole seconds up to %s", length, request.MaxLease)
			}
			if err := out.Check(env); err != nil {
				return err
			}
			h, err := a.openHome(env, &hf)
			if err != nil {
				return err
			}
			defer h.Close()
			warnClock(env, h, a.now)
			msg, err := h.Request(client.Activation{License: license, Features: fl, Lease: length, User: userName, Host: host}, a.now)
			if err != nil {
				return explain(fmt.Errorf("writing the activation request: %w", err))
			}
			return writeMessage(env, &out, wire.ActivationRequest, msg,
				"take it to the issuing station, then apply its receipt here with 'airlock apply FILE'")
		},
	}
}

// refreshCommand is "airlock refresh".
func refreshCommand(a *app) *cli.Command {
	var (
		leaseArg string
		length   time.Duration
		out      msgio.Output
		hf       homeFlag
	)
	return &cli.Command{
		Name:    "refresh",
		Summary: "write a refresh request for an installed lease",
		Usage:   "--lease ID [--length DUR] [-o FILE] [--format F] [--qr FILE.png] [--qr-terminal]",
		Help: `Writes a refresh request for a lease: it names the newest receipt held
(serial and ledger sequence) and reports the consumption meters so far.
The station answers with a refresh receipt that extends the lease; apply
it with 'airlock apply'. --lease takes the lease ID (12 hex digits, or
the first 4 or more when they name one lease); --length asks for a lease
length from now (default: the license's).

` + homeHelp,
		Examples: []string{
			"airlock refresh --lease 3f9a12c07b4e -o refresh.txt",
			"airlock refresh --lease 3f9a --length 720h --qr-terminal",
		},
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&leaseArg, "lease", "", "the lease `ID` (or a unique prefix of 4 or more hex digits)")
			fs.DurationVar(&length, "length", 0, "new lease length to ask for, from now (default: the license's)")
			out.Flags(fs)
			hf.register(fs)
		},
		Run: func(env *cli.Env, fs *flag.FlagSet, args []string) error {
			if err := leaseArgs(args, leaseArg, "refresh"); err != nil {
				return err
			}
			if length < 0 || length%time.Second != 0 || length > request.MaxLease {
				return cli.Usagef("--length %s must be whole seconds up to %s", length, request.MaxLease)
			}
			if err := out.Check(env); err != nil {
				return err
			}
			h, err := a.openHome(env, &hf)
			if err != nil {
				return err
			}
			defer h.Close()
			id, err := findLease(env, h, leaseArg)
			if err != nil {
				return err
			}
			warnClock(env, h, a.now)
			msg, err := h.Refresh(id, length, a.now)
			if err != nil {
				return explain(fmt.Errorf("writing the refresh request: %w", err))
			}
			return writeMessage(env, &out, wire.RefreshRequest, msg,
				"take it to the issuing station, then apply its receipt here with 'airlock apply FILE'")
		},
	}
}

// returnCommand is "airlock return".
func returnCommand(a *app) *cli.Command {
	var (
		leaseArg string
		out      msgio.Output
		hf       homeFlag
	)
	return &cli.Command{
		Name:    "return",
		Summary: "remove a lease from this machine and write the return proof",
		Usage:   "--lease ID [-o FILE] [--format F] [--qr FILE.png] [--qr-terminal]",
		Help: `Removes the lease from this machine first — from then on nothing here can
use it — and then writes the return proof, signed by the device key, with
the final consumption meters. Take the proof to the station, which frees
the seat and gives back a deactivation receipt; apply that here with
'airlock apply' to keep it as evidence of the return.

If writing the proof fails, run the same command again: it writes the
same proof again. A returned lease can never come back.

` + homeHelp,
		Examples: []string{
			"airlock return --lease 3f9a12c07b4e -o return.txt",
			"airlock return --lease 3f9a --qr return.png",
		},
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&leaseArg, "lease", "", "the lease `ID` (or a unique prefix of 4 or more hex digits)")
			out.Flags(fs)
			hf.register(fs)
		},
		Run: func(env *cli.Env, fs *flag.FlagSet, args []string) error {
			if err := leaseArgs(args, leaseArg, "return"); err != nil {
				return err
			}
			if err := out.Check(env); err != nil {
				return err
			}
			h, err := a.openHome(env, &hf)
			if err != nil {
				return err
			}
			defer h.Close()
			id, err := findLease(env, h, leaseArg)
			if err != nil {
				return err
			}
			r, err := h.Return(id, a.now)
			if err != nil {
				return explain(fmt.Errorf("returning lease %s: %w", id, err))
			}
			if r.Again {
				fmt.Fprintf(env.Stderr, "lease %s was already removed from this machine; writing its return proof again\n", id)
			} else {
				fmt.Fprintf(env.Stderr, "lease %s is removed from this machine\n", id)
			}
			return writeMessage(env, &out, wire.ReturnRequest, r.Proof,
				"take the return proof to the issuing station, then apply its deactivation receipt here with 'airlock apply FILE' as evidence")
		},
	}
}

// writeMessage writes msg as out asks and says what was written and what
// to do next, on stderr.
func writeMessage(env *cli.Env, out *msgio.Output, t wire.Type, msg []byte, next string) error {
	ws, err := out.Write(env, t, msg)
	if err != nil {
		return err
	}
	msgio.Note(env, ws)
	fmt.Fprintf(env.Stderr, "next: %s\n", next)
	return nil
}

func leaseArgs(args []string, lease, cmd string) error {
	if len(args) > 0 {
		return cli.WithHint(cli.Usagef("unexpected argument %q", args[0]), fmt.Sprintf("name the lease with --lease ID: airlock %s --lease ID", cmd))
	}
	if lease == "" {
		return cli.WithHint(cli.Usagef("--lease is required"), "run 'airlock status' to list the leases on this machine")
	}
	return nil
}

// findLease resolves --lease, saying which lease a prefix matched.
func findLease(env *cli.Env, h *client.Home, s string) (wire.LeaseID, error) {
	id, err := h.FindLease(s)
	if err != nil {
		return id, explain(err)
	}
	if !strings.EqualFold(strings.TrimSpace(s), id.String()) {
		fmt.Fprintf(env.Stderr, "--lease %s matched lease %s\n", strings.TrimSpace(s), id)
	}
	return id, nil
}

// warnClock says when the clock is behind the latest time seen: the
// request reports it to the station.
func warnClock(env *cli.Env, h *client.Home, now time.Time) {
	if hw := h.HighWater(); hw.Sub(now) > time.Minute {
		fmt.Fprintf(env.Stderr, "warning: the clock reads %s, %s behind the latest time this machine has seen (%s); the request tells the station\n",
			when(now), hw.Sub(now).Round(time.Minute), when(hw))
	}
}

func splitFeatures(s string) ([]string, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []string
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if err := wire.CheckName("features", f); err != nil {
			return nil, cli.WithHint(cli.Usagef("--features: %v", err), "list feature names separated by commas: --features model,render")
		}
		out = append(out, f)
	}
	fs := wire.SortFeatures(out)
	if len(fs) > wire.MaxFeatures {
		return nil, cli.Usagef("--features lists %d features, at most %d", len(fs), wire.MaxFeatures)
	}
	return fs, nil
}

// currentUser is the login name, if it makes a valid request field.
func currentUser() string {
	u, err := user.Current()
	if err != nil {
		return ""
	}
	return textField(u.Username)
}

func hostName() string {
	h, err := os.Hostname()
	if err != nil {
		return ""
	}
	return textField(h)
}

// textField keeps s only if a request can carry it.
func textField(s string) string {
	if len(s) > request.MaxTextLen || strings.ContainsFunc(s, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return ""
	}
	return s
}
