package main

import (
	"errors"
	"flag"
	"fmt"
	iofs "io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/airlock-dev/airlock/internal/atomicfile"
	"github.com/airlock-dev/airlock/internal/cli"
	"github.com/airlock-dev/airlock/internal/msgio"
	"github.com/airlock-dev/airlock/request"
	"github.com/airlock-dev/airlock/station"
	"github.com/airlock-dev/airlock/wire"
)

// issueCommand is "airlock-station issue".
func issueCommand(a *app) *cli.Command {
	var (
		db  dbFlag
		out msgio.Output
	)
	return &cli.Command{
		Name:    "issue",
		Summary: "answer an activation, refresh or return request with a signed receipt",
		Usage:   "IN [-o OUT] [--format armor|binary|base45] [--qr FILE.png] [--qr-terminal]",
		Help: `Reads a request (a file, - for stdin, or QR images) and answers it:

  activation  checks the signature, the license (not revoked, in its term,
              offline use allowed), the lease length, features, access
              lists and seats, reserves a seat until the lease ends and
              writes the activation receipt
  refresh     checks it is signed by the lease's device key and names its
              newest receipt, extends the lease within the license's
              policy, records the meters, writes a refresh receipt
  return      checks the proof, frees the seat, records the final meters,
              writes the deactivation receipt

The receipt goes to stdout as armored text unless -o says otherwise; a
one-line summary goes to stderr. The same request given again gets the
same receipt, byte for byte, and never a second seat. A refused request
changes nothing; the error names the rule and what would help.

` + keyHelp + "\n\n" + dbHelp,
		Examples: []string{
			"airlock-station issue request.txt > receipt.txt",
			"airlock-station issue request.png -o receipt.txt --qr receipt.png",
			"airlock-station issue - --qr-terminal < request.txt",
		},
		Flags: func(fs *flag.FlagSet) {
			db.register(fs)
			out.Flags(fs)
		},
		Run: func(env *cli.Env, fs *flag.FlagSet, args []string) error {
			if err := out.Check(env); err != nil {
				return err
			}
			in, err := msgio.Read(env, args)
			if err != nil {
				return err
			}
			if info, err := request.Peek(in.Message); err == nil {
				if err := in.CheckType(info.Type, wire.ActivationRequest, wire.RefreshRequest, wire.ReturnRequest); err != nil {
					return err
				}
			}
			s, err := a.open(env, &db, true)
			if err != nil {
				return err
			}
			defer s.Close()
			res, err := s.st.Issue(ctx, in.Message, a.now)
			if err != nil {
				return err
			}
			ws, err := out.Write(env, res.Type, res.Receipt)
			if err != nil {
				return cli.WithHint(fmt.Errorf("the receipt was issued, but writing it failed: %w", err),
					fmt.Sprintf("write it again with 'airlock-station receipt --lease %s -o FILE'", res.Lease.ID))
			}
			msgio.Note(env, ws)
			fmt.Fprintln(env.Stderr, issueSummary(res, a.now))
			if res.ClockBehind > 0 {
				fmt.Fprintf(env.Stderr, "note: the machine's clock was %s behind the latest time it had seen when it wrote the request\n",
					station.HumanDuration(res.ClockBehind))
			}
			return nil
		},
	}
}

func issueSummary(res *station.Result, now time.Time) string {
	l, lic := res.Lease, res.License
	if res.Replayed {
		return fmt.Sprintf("answered again with the %s issued before for lease %s (the same request; no new seat)", res.Type, l.ID)
	}
	features := fmt.Sprintf("%d features", len(l.Features))
	if len(l.Features) == 1 {
		features = "1 feature"
	}
	switch res.Type {
	case wire.ActivationReceipt:
		return fmt.Sprintf("issued activation receipt for lease %s: %s, expires %s (license %d: %d of %d seats in use)",
			l.ID, features, station.Stamp(l.Expires), lic.ID, res.Usage.Active, lic.Seats)
	case wire.RefreshReceipt:
		return fmt.Sprintf("issued refresh receipt for lease %s (serial %d): %s, expires %s", l.ID, l.Serial, features, station.Stamp(l.Expires))
	case wire.DeactivationReceipt:
		return fmt.Sprintf("issued deactivation receipt for lease %s (serial %d): seat freed (license %d: %d of %d seats in use)",
			l.ID, l.Serial, lic.ID, res.Usage.Active, lic.Seats)
	}
	return fmt.Sprintf("issued %s for lease %s (serial %d)", res.Type, l.ID, l.Serial)
}

// pushRefreshCommand is "airlock-station push-refresh".
func pushRefreshCommand(a *app) *cli.Command {
	var (
		db       dbFlag
		out      msgio.Output
		leaseArg string
		features string
		extend   time.Duration
	)
	return &cli.Command{
		Name:    "push-refresh",
		Summary: "write a refresh receipt for a lease without a request",
		Usage:   "--lease ID [--extend DUR] [--features a,b] [-o OUT] [--format F] [--qr FILE.png]",
		Help: `Writes a refresh receipt for an active lease that nobody asked for, like
a vendor's license refresh file: --extend adds to the lease's end (within
the license's maximum lease, counted from now, and its term), --features
replaces the lease's features (with the license's limits). Without them
the lease is re-issued as it is, with the license's current features and
limits. The receipt's serial is one higher; take it to the machine and
apply it there with 'airlock apply'.

` + keyHelp + "\n\n" + dbHelp,
		Examples: []string{
			"airlock-station push-refresh --lease 3f9a12c07b4e --extend 30d -o refresh.txt",
			"airlock-station push-refresh --lease 3f9a12c07b4e --features model,render,simulate --qr refresh.png",
		},
		Flags: func(fs *flag.FlagSet) {
			db.register(fs)
			fs.StringVar(&leaseArg, "lease", "", "the lease `ID` (12 hex digits)")
			fs.Var(&durationFlag{d: &extend}, "extend", "add `DUR` to the lease's end (720h, 30d)")
			fs.StringVar(&features, "features", "", "the lease's new features, a comma-separated `LIST`")
			out.Flags(fs)
		},
		Run: func(env *cli.Env, fs *flag.FlagSet, args []string) error {
			if err := out.Check(env); err != nil {
				return err
			}
			if len(args) > 0 {
				return cli.WithHint(cli.Usagef("unexpected argument %q", args[0]), "name the lease with --lease ID")
			}
			if leaseArg == "" {
				return cli.WithHint(cli.Usagef("--lease is required"), "'airlock-station status' lists the leases")
			}
			id, err := parseLeaseID(leaseArg)
			if err != nil {
				return err
			}
			var p station.Push
			p.Extend = extend
			if features != "" {
				p.Features = wire.SortFeatures(splitList(features))
			}
			s, err := a.open(env, &db, true)
			if err != nil {
				return err
			}
			defer s.Close()
			res, err := s.st.PushRefresh(ctx, id, p, a.now)
			if err != nil {
				return err
			}
			ws, err := out.Write(env, res.Type, res.Receipt)
			if err != nil {
				return cli.WithHint(fmt.Errorf("the receipt was issued, but writing it failed: %w", err),
					fmt.Sprintf("write it again with 'airlock-station receipt --lease %s -o FILE'", id))
			}
			msgio.Note(env, ws)
			fmt.Fprintf(env.Stderr, "pushed refresh receipt for lease %s (serial %d): %s, expires %s\n",
				id, res.Lease.Serial, strings.Join(res.Lease.Features, ", "), station.Stamp(res.Lease.Expires))
			fmt.Fprintln(env.Stderr, "next: apply it on the machine with 'airlock apply FILE'")
			return nil
		},
	}
}

// receiptCommand is "airlock-station receipt".
func receiptCommand(a *app) *cli.Command {
	var (
		db       dbFlag
		out      msgio.Output
		leaseArg string
	)
	return &cli.Command{
		Name:    "receipt",
		Summary: "write a lease's newest receipt again",
		Usage:   "--lease ID [-o OUT] [--format F] [--qr FILE.png] [--qr-terminal]",
		Help: `Writes the newest receipt of a lease again, exactly as it was issued (it
is kept in the ledger): for a receipt file that was lost, or another
format. Nothing changes.

` + dbHelp,
		Examples: []string{"airlock-station receipt --lease 3f9a12c07b4e -o receipt.txt"},
		Flags: func(fs *flag.FlagSet) {
			db.register(fs)
			fs.StringVar(&leaseArg, "lease", "", "the lease `ID` (12 hex digits)")
			out.Flags(fs)
		},
		Run: func(env *cli.Env, fs *flag.FlagSet, args []string) error {
			if err := out.Check(env); err != nil {
				return err
			}
			if len(args) > 0 || leaseArg == "" {
				return cli.WithHint(cli.Usagef("--lease is required"), "'airlock-station status' lists the leases")
			}
			id, err := parseLeaseID(leaseArg)
			if err != nil {
				return err
			}
			s, err := a.open(env, &db, false)
			if err != nil {
				return err
			}
			defer s.Close()
			data, t, err := s.st.LatestReceipt(ctx, id)
			if err != nil {
				return err
			}
			ws, err := out.Write(env, t, data)
			if err != nil {
				return err
			}
			msgio.Note(env, ws)
			return nil
		},
	}
}

// licenseRevokeCommand is "airlock-station license revoke".
func licenseRevokeCommand(a *app) *cli.Command {
	var (
		db     dbFlag
		outDir string
		format string
		asJSON bool
	)
	return &cli.Command{
		Name:    "revoke",
		Summary: "revoke a license and write a revocation receipt for each active lease",
		Usage:   "ID|KEY [--out-dir DIR] [--format armor|binary|base45] [--json]",
		Help: `Revokes a license: no lease is issued or refreshed on it again, and every
lease holding a seat ends now. Each gets a revocation receipt, written to
DIR/revocation-<lease id>.txt (.bin for binary, .b45 for Base45); the
file names are printed, one a line, with the user and host of each lease
on stderr. Take each to its machine and apply it there. A lost file can
be written again with 'airlock-station receipt --lease ID'.

` + keyHelp + "\n\n" + dbHelp,
		Examples: []string{
			"airlock-station license revoke 3",
			"airlock-station license revoke 7K3Q-M9XD-2HFR-W4TB --out-dir revocations --json",
		},
		Flags: func(fs *flag.FlagSet) {
			db.register(fs)
			fs.StringVar(&outDir, "out-dir", ".", "write the revocation receipts into `DIR`")
			fs.StringVar(&format, "format", "armor", "receipt encoding: `armor`, binary or base45")
			fs.BoolVar(&asJSON, "json", false, "print the revocation as JSON")
		},
		Run: func(env *cli.Env, fs *flag.FlagSet, args []string) error {
			if len(args) != 1 {
				return cli.WithHint(cli.Usagef("give one license ID or key"), "airlock-station license revoke ID")
			}
			enc, err := wire.ParseEncoding(format)
			if err != nil {
				return cli.Usagef("%v", err)
			}
			if err := os.MkdirAll(outDir, 0o755); err != nil {
				return err
			}
			s, err := a.open(env, &db, true)
			if err != nil {
				return err
			}
			defer s.Close()
			l, err := s.st.License(ctx, args[0])
			if err != nil {
				return err
			}
			rev, err := s.st.RevokeLicense(ctx, l.ID, a.now)
			if err != nil {
				return err
			}
			ext := map[wire.Encoding]string{wire.Armor: ".txt", wire.Binary: ".bin", wire.Base45: ".b45"}[enc]
			type written struct {
				Lease string `json:"lease"`
				File  string `json:"file"`
				User  string `json:"user,omitempty"`
				Host  string `json:"host,omitempty"`
			}
			files := []written{}
			var failed []string
			for _, r := range rev.Receipts {
				name := filepath.Join(outDir, "revocation-"+r.Lease.ID.String()+ext)
				data, err := wire.Marshal(enc, r.Type, r.Receipt)
				if err == nil {
					err = atomicfile.CreateNew(name, data, 0o644)
				}
				if err != nil {
					if errors.Is(err, iofs.ErrExist) {
						err = fmt.Errorf("%s already exists", name)
					}
					failed = append(failed, fmt.Sprintf("lease %s: %v", r.Lease.ID, err))
					continue
				}
				files = append(files, written{Lease: r.Lease.ID.String(), File: name, User: r.Lease.User, Host: r.Lease.Host})
			}
			fmt.Fprintf(env.Stderr, "revoked license %d (%s, %s): %d active leases ended\n", rev.License.ID, rev.License.Customer, rev.License.Product, len(rev.Receipts))
			if asJSON {
				err = writeJSON(env.Stdout, map[string]any{"license": rev.License.ID, "revoked": rev.License.Revoked, "receipts": files})
			} else {
				for _, w := range files {
					fmt.Fprintln(env.Stdout, w.File)
					fmt.Fprintf(env.Stderr, "lease %s (user %s, host %s): %s\n", w.Lease, orDash(w.User), orDash(w.Host), w.File)
				}
			}
			if len(failed) > 0 {
				return cli.WithHint(fmt.Errorf("the license is revoked, but %d receipts were not written: %s", len(failed), strings.Join(failed, "; ")),
					"write them with 'airlock-station receipt --lease ID -o FILE'")
			}
			if len(files) > 0 {
				fmt.Fprintln(env.Stderr, "next: apply each on its machine with 'airlock apply FILE'")
			}
			return err
		},
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
