package main

import (
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/airlock-dev/airlock/client"
	"github.com/airlock-dev/airlock/internal/cli"
	"github.com/airlock-dev/airlock/internal/msgio"
	"github.com/airlock-dev/airlock/response"
	"github.com/airlock-dev/airlock/wire"
)

// applyCommand is "airlock apply".
func applyCommand(a *app) *cli.Command {
	var hf homeFlag
	return &cli.Command{
		Name:    "apply",
		Summary: "verify a receipt from the station and install it",
		Usage:   "FILE|-|IMAGE... [--home DIR]",
		Help: `Reads a receipt — armored text, binary, Base45 text, or photos of its QR
codes — and checks, in order: the issuer key is trusted; it is a receipt;
an activation receipt answers a request this machine wrote, a refresh or
revocation names a lease installed here with a higher serial; the device
key is this machine's; the fingerprint matches; the clock is not set
back; it has not expired; serials only go up; a returned lease never
comes back. Only if all of that holds is it installed, in one atomic
write; otherwise nothing changes and the error says which rule refused
it.

A refresh replaces the lease's receipt; a revocation removes the lease; a
deactivation receipt is kept as the evidence of a return. Applying the
same receipt twice is harmless.

` + homeHelp,
		Examples: []string{
			"airlock apply receipt.txt",
			"airlock apply - < receipt.txt",
			"airlock apply photo-1.jpg photo-2.jpg",
		},
		Flags: hf.register,
		Run: func(env *cli.Env, fs *flag.FlagSet, args []string) error {
			in, err := msgio.Read(env, args)
			if err != nil {
				return err
			}
			if err := checkReceiptType(in); err != nil {
				return err
			}
			h, err := a.openHome(env, &hf)
			if err != nil {
				return err
			}
			defer h.Close()
			res, err := h.Apply(in.Message, a.now)
			if err != nil {
				return explain(fmt.Errorf("refusing the receipt from %s: %w", in.Source, err))
			}
			fmt.Fprintf(env.Stdout, "%s\n", describeApplied(res))
			fmt.Fprintf(env.Stderr, "read %s from %s\n", in.Encoding, in.Source)
			return nil
		},
	}
}

// checkReceiptType refuses what is not a receipt before the home is
// touched, and armor that names another type than the message has.
func checkReceiptType(in *msgio.Input) error {
	u, err := response.ParseUnverified(in.Message)
	var te *wire.TypeError
	if errors.As(err, &te) {
		return explain(fmt.Errorf("%s holds %s, not a receipt: %w", in.Source, article(te.Got.String()), err))
	}
	if err != nil {
		return nil // Apply reports it, in the format's order
	}
	return in.CheckType(u.Type, wire.ActivationReceipt, wire.RefreshReceipt, wire.DeactivationReceipt, wire.RevocationReceipt)
}

// article puts "a" or "an" before s.
func article(s string) string {
	if s != "" && strings.ContainsRune("aeiou", rune(s[0])) {
		return "an " + s
	}
	return "a " + s
}

func describeApplied(res *client.Applied) string {
	r := res.Receipt
	if res.Already {
		return fmt.Sprintf("already applied: this %s for lease %s (serial %d) is installed; nothing changed", r.Type, r.LeaseID, r.Serial)
	}
	features := strings.Join(r.Features, ", ")
	switch r.Type {
	case wire.ActivationReceipt:
		return fmt.Sprintf("installed lease %s: %s, valid until %s (license %d, serial %d)", r.LeaseID, features, when(r.ExpiresAt), r.LicenseID, r.Serial)
	case wire.RefreshReceipt:
		return fmt.Sprintf("refreshed lease %s: %s, valid until %s (serial %d replaces %d)", r.LeaseID, features, when(r.ExpiresAt), r.Serial, res.Replaced)
	case wire.RevocationReceipt:
		return fmt.Sprintf("lease %s was revoked by the station and is removed from this machine (serial %d); the revocation is kept as evidence", r.LeaseID, r.Serial)
	default:
		return fmt.Sprintf("the station confirmed the return of lease %s at %s; the deactivation receipt is kept as evidence (see 'airlock status')", r.LeaseID, when(r.IssuedAt))
	}
}
