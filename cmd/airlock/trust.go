package main

import (
	"errors"
	"flag"
	"fmt"

	"github.com/airlock-dev/airlock/crypto"
	"github.com/airlock-dev/airlock/internal/cli"
	"github.com/airlock-dev/airlock/internal/msgio"
	"github.com/airlock-dev/airlock/wire"
)

// trustCommand is "airlock trust update|show".
func trustCommand(a *app) *cli.Command {
	return &cli.Command{
		Name:    "trust",
		Summary: "show the trusted issuer keys, or apply a key rollover",
		Usage:   "update FILE | show",
		Help: `The trust store holds the issuer keys whose receipts this machine
accepts. A vendor that rotates its key publishes a rollover statement
signed by the old key; 'airlock trust update' applies it.`,
		Sub: []*cli.Command{trustUpdateCommand(a), trustShowCommand(a)},
	}
}

func trustUpdateCommand(a *app) *cli.Command {
	var hf homeFlag
	return &cli.Command{
		Name:    "update",
		Summary: "apply a key rollover statement from the vendor",
		Usage:   "FILE|-|IMAGE... [--home DIR]",
		Help: `Trusts a new issuer key, only if the statement is signed by a key this
machine already trusts, and retires the signing key if the statement says
so. One atomic write; a statement that does not verify changes nothing.
A statement already applied is harmless: it says so and exits 0. An older
statement that was never applied (its version is not above the trust
store's) is refused, exit 1.

` + homeHelp,
		Examples: []string{"airlock trust update rollover.txt"},
		Flags:    hf.register,
		Run: func(env *cli.Env, fs *flag.FlagSet, args []string) error {
			in, err := msgio.Read(env, args)
			if err != nil {
				return err
			}
			if err := in.CheckType(peekType(in.Message), wire.KeyRollover); err != nil {
				return explain(fmt.Errorf("%s: %w", in.Source, err))
			}
			h, err := a.openHome(env, &hf)
			if err != nil {
				return err
			}
			defer h.Close()
			u, err := h.UpdateTrust(in.Message, a.now)
			if errors.Is(err, crypto.ErrStaleRollover) {
				return cli.WithHint(fmt.Errorf("refusing the rollover statement from %s: %w", in.Source, err),
					"this statement is older than the trust store; ask the vendor for their latest rollover statement")
			}
			if err != nil {
				return explain(fmt.Errorf("refusing the rollover statement from %s: %w", in.Source, err))
			}
			r := u.Rollover
			if u.Already {
				fmt.Fprintf(env.Stdout, "already up to date: key %s (%s) is trusted (trust store version %d)\n", r.NewKey.ID(), r.Name, h.Trust().Version)
				return nil
			}
			fmt.Fprintf(env.Stdout, "now trusting key %s (%s), introduced by key %s; trust store version %d\n", r.NewKey.ID(), r.Name, r.SignerID, r.Version)
			if u.Retired != nil {
				fmt.Fprintf(env.Stdout, "key %s (%s) is retired at %s: receipts it issues after that are refused\n", r.SignerID, u.Retired.Name, when(r.RetireSignerAt))
			}
			return nil
		},
	}
}

func trustShowCommand(a *app) *cli.Command {
	var hf homeFlag
	return &cli.Command{
		Name:    "show",
		Summary: "list the trusted issuer keys",
		Usage:   "[--home DIR]",
		Examples: []string{
			"airlock trust show",
			"airlock trust show --home /var/lib/airlock",
		},
		Flags: hf.register,
		Run: func(env *cli.Env, fs *flag.FlagSet, args []string) error {
			if len(args) > 0 {
				return cli.Usagef("unexpected argument %q", args[0])
			}
			c, err := a.openClient(env, &hf)
			if err != nil {
				return err
			}
			st, err := c.Status(a.now)
			if err != nil {
				return explain(err)
			}
			fmt.Fprintf(env.Stdout, "trust store version %d\n", st.TrustVersion)
			for _, k := range st.Trust {
				retired := ""
				if !k.Retired.IsZero() {
					retired = "  retired " + when(k.Retired)
				}
				fmt.Fprintf(env.Stdout, "%s  %s%s\n", k.ID, k.Name, retired)
			}
			return nil
		},
	}
}

// peekType is the message's type as its envelope says, unverified; 0 if
// it does not parse as a rollover (CheckType then reports it).
func peekType(msg []byte) wire.Type {
	if _, err := crypto.ParseRollover(msg); err == nil {
		return wire.KeyRollover
	}
	var te *wire.TypeError
	if _, err := crypto.ParseRollover(msg); errors.As(err, &te) {
		return te.Got
	}
	return wire.KeyRollover // malformed: let UpdateTrust say why
}
