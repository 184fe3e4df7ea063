package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/airlock-dev/airlock/client"
	"github.com/airlock-dev/airlock/internal/cli"
)

// statusCommand is "airlock status".
func statusCommand(a *app) *cli.Command {
	var (
		asJSON bool
		hf     homeFlag
	)
	return &cli.Command{
		Name:    "status",
		Summary: "show the leases on this machine, the clock and pending requests",
		Usage:   "[--json] [--home DIR]",
		Help: `Lists every lease installed on this machine with its status (active,
expired, not-yet-valid, wrong-machine, clock-set-back), features, expiry
and serial; leases returned or revoked here with their evidence; requests
waiting for a receipt; the clock against the latest time this machine has
seen; and the trusted issuer keys. --json prints all of it, receipts and
evidence included in armor. Opens the home read-only.

` + homeHelp,
		Examples: []string{"airlock status", "airlock status --json"},
		Flags: func(fs *flag.FlagSet) {
			fs.BoolVar(&asJSON, "json", false, "print JSON")
			hf.register(fs)
		},
		Run: func(env *cli.Env, fs *flag.FlagSet, args []string) error {
			if len(args) > 0 {
				return cli.WithHint(cli.Usagef("unexpected argument %q", args[0]), "airlock status takes no arguments")
			}
			c, err := a.openClient(env, &hf)
			if err != nil {
				return err
			}
			st, err := c.Status(a.now)
			if err != nil {
				return explain(err)
			}
			if asJSON {
				enc := json.NewEncoder(env.Stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(st)
			}
			return writeStatus(env.Stdout, st)
		},
	}
}

func writeStatus(w io.Writer, st *client.Status) error {
	var b strings.Builder
	fmt.Fprintf(&b, "home:         %s\n", st.Home)
	fmt.Fprintf(&b, "device key:   %s\n", st.DeviceKeyID)
	fmt.Fprintf(&b, "product:      %s\n", st.Product)
	if st.Fingerprint != "" {
		fmt.Fprintf(&b, "fingerprint:  %s\n", st.Fingerprint)
	}
	switch {
	case !st.Clock.OK:
		fmt.Fprintf(&b, "clock:        REFUSED: %s\n", st.Clock.Problem)
	case st.Clock.BehindSeconds > 60:
		fmt.Fprintf(&b, "clock:        %s behind the latest time seen (%s), inside the %s tolerance\n",
			time.Duration(st.Clock.BehindSeconds)*time.Second, when(st.Clock.HighWater), time.Duration(st.Clock.ToleranceSeconds)*time.Second)
	default:
		fmt.Fprintf(&b, "clock:        ok\n")
	}
	b.WriteString("\n")
	if len(st.Leases) == 0 {
		b.WriteString("no leases: 'airlock request --license KEY' asks the station for one\n")
	} else {
		tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "LEASE\tSTATUS\tFEATURES\tEXPIRES\tSERIAL")
		for _, l := range st.Leases {
			exp := when(l.Expires)
			if l.RemainingSeconds > 0 {
				exp += " (" + left(time.Duration(l.RemainingSeconds)*time.Second) + " left)"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\n", l.ID, l.Status, strings.Join(l.Features, ","), exp, l.Serial)
		}
		tw.Flush()
		for _, l := range st.Leases {
			switch {
			case l.Problem != "":
				fmt.Fprintf(&b, "  %s: %s\n", l.ID, l.Problem)
			case l.EvidenceType != "":
				fmt.Fprintf(&b, "  %s: %s at %s; evidence: %s (airlock status --json)\n", l.ID, l.Status, when(l.Ended), l.EvidenceType)
			}
		}
	}
	if len(st.Pending) > 0 {
		b.WriteString("\nwaiting for receipts:\n")
		for _, p := range st.Pending {
			what := "license " + p.License
			if p.Type == "refresh" {
				what = "lease " + p.Lease
			}
			fmt.Fprintf(&b, "  %s request %s, %s, written %s\n", p.Type, p.Hash[:8], what, when(p.Time))
		}
	}
	fmt.Fprintf(&b, "\ntrusted issuer keys (trust store version %d):\n", st.TrustVersion)
	for _, k := range st.Trust {
		retired := ""
		if !k.Retired.IsZero() {
			retired = ", retired " + when(k.Retired)
		}
		fmt.Fprintf(&b, "  %s  %s%s\n", k.ID, k.Name, retired)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
