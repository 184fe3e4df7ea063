package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/airlock-dev/airlock/internal/cli"
	"github.com/airlock-dev/airlock/station"
)

// statusCommand is "airlock-station status".
func statusCommand(a *app) *cli.Command {
	var (
		db     dbFlag
		asJSON bool
		all    bool
		since  time.Duration
	)
	return &cli.Command{
		Name:    "status",
		Summary: "show seats per license and who holds which lease until when",
		Usage:   "[--json] [--all | --since DUR]",
		Help: `Shows every license's seats (total, in use, free, low-water) and the
leases: who holds each (user, host, short fingerprint), when it was issued,
when it ends, the time left, and for leases that ended without being
returned how long ago. Leases that ended are shown for --since (7 days by
default; --all shows every lease ever issued). A warning names any user
holding leases on two or more machines.

Leases past their end are recorded as expired first, with their ledger
entries, so the report and the database agree.

--json prints {"now", "licenses": [...], "leases": [{"id", "status":
"active" | "returned" | "expired" | "revoked", ...}], "warnings": [...]}.

` + dbHelp,
		Examples: []string{"airlock-station status", "airlock-station status --all --json"},
		Flags: func(fs *flag.FlagSet) {
			db.register(fs)
			fs.BoolVar(&asJSON, "json", false, "print JSON")
			fs.BoolVar(&all, "all", false, "show every lease ever issued")
			since = 7 * 24 * time.Hour
			fs.Var(&durationFlag{d: &since}, "since", "show leases that ended within `DUR` (default 7d)")
		},
		Run: func(env *cli.Env, fs *flag.FlagSet, args []string) error {
			if len(args) > 0 {
				return cli.WithHint(cli.Usagef("unexpected argument %q", args[0]), "show one license with 'airlock-station license show ID'")
			}
			s, err := a.open(env, &db, false)
			if err != nil {
				return err
			}
			defer s.Close()
			from := a.now.Add(-since)
			if all {
				from = time.Time{}
			}
			rep, err := s.st.Status(ctx, a.now, from)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(env.Stdout, statusJSON(rep))
			}
			return printStatus(env.Stdout, env.Stderr, rep)
		},
	}
}

type licenseStatusJSON struct {
	ID       uint64     `json:"id"`
	Key      string     `json:"key"`
	Customer string     `json:"customer"`
	Product  string     `json:"product"`
	Seats    int        `json:"seats"`
	Active   int        `json:"active"`
	Free     int        `json:"free"`
	LowWater int        `json:"low_water"`
	NextFree *time.Time `json:"next_free,omitempty"`
	Revoked  bool       `json:"revoked"`
}

type leaseJSON struct {
	ID          string            `json:"id"`
	License     uint64            `json:"license"`
	Status      station.Status    `json:"status"`
	User        string            `json:"user"`
	Host        string            `json:"host"`
	Fingerprint string            `json:"fingerprint"`
	DeviceKey   string            `json:"device_key"`
	Features    []string          `json:"features"`
	Issued      time.Time         `json:"issued"`
	Expires     time.Time         `json:"expires"`
	Ended       *time.Time        `json:"ended,omitempty"`
	TimeLeft    int64             `json:"time_left_seconds"`
	Overdue     bool              `json:"overdue"`
	OverdueBy   int64             `json:"overdue_seconds,omitempty"`
	Serial      uint64            `json:"serial"`
	Meters      map[string]uint64 `json:"meters,omitempty"`
}

type warningJSON struct {
	User     string   `json:"user"`
	Machines int      `json:"machines"`
	Hosts    []string `json:"hosts"`
	Leases   []string `json:"leases"`
	Message  string   `json:"message"`
}

type statusOut struct {
	Now      time.Time           `json:"now"`
	Licenses []licenseStatusJSON `json:"licenses"`
	Leases   []leaseJSON         `json:"leases"`
	Warnings []warningJSON       `json:"warnings"`
	Expired  int                 `json:"recorded_expired"`
}

// overdue is how long ago a lease that ended without a return ended.
func overdue(l *station.Lease, now time.Time) (time.Duration, bool) {
	if l.StatusAt(now) != station.StatusExpired {
		return 0, false
	}
	return now.Sub(l.Expires), true
}

func statusJSON(rep *station.Report) statusOut {
	out := statusOut{Now: rep.Now, Licenses: []licenseStatusJSON{}, Leases: []leaseJSON{}, Warnings: []warningJSON{}, Expired: rep.Expired}
	for _, ls := range rep.Licenses {
		l := ls.License
		out.Licenses = append(out.Licenses, licenseStatusJSON{ID: l.ID, Key: station.FormatLicenseKey(l.Key), Customer: l.Customer,
			Product: l.Product, Seats: l.Seats, Active: ls.Usage.Active, Free: ls.Free, LowWater: l.LowWater,
			NextFree: timePtr(ls.Usage.NextFree), Revoked: !l.Revoked.IsZero()})
	}
	for _, l := range rep.Leases {
		j := leaseJSON{ID: l.ID.String(), License: l.LicenseID, Status: l.StatusAt(rep.Now), User: l.User, Host: l.Host,
			Fingerprint: l.Fingerprint.Summary(), DeviceKey: l.DeviceKey.ID().String(), Features: l.Features,
			Issued: l.Issued, Expires: l.Expires, Ended: timePtr(l.Ended), Serial: l.Serial, Meters: l.Meters}
		if l.ActiveAt(rep.Now) {
			j.TimeLeft = int64(l.Expires.Sub(rep.Now) / time.Second)
		}
		if d, ok := overdue(l, rep.Now); ok {
			j.Overdue, j.OverdueBy = true, int64(d/time.Second)
		}
		out.Leases = append(out.Leases, j)
	}
	for _, w := range rep.Warnings {
		ids := make([]string, len(w.Leases))
		for i, id := range w.Leases {
			ids[i] = id.String()
		}
		out.Warnings = append(out.Warnings, warningJSON{User: w.User, Machines: w.Machines, Hosts: w.Hosts, Leases: ids, Message: warningText(w)})
	}
	return out
}

func warningText(w station.Warning) string {
	s := fmt.Sprintf("user %q holds %d leases on %d machines", w.User, len(w.Leases), w.Machines)
	if len(w.Hosts) > 0 {
		s += " (" + strings.Join(w.Hosts, ", ") + ")"
	}
	return s
}

func printStatus(w, errw io.Writer, rep *station.Report) error {
	if len(rep.Licenses) == 0 {
		fmt.Fprintln(errw, "no licenses yet; add one with 'airlock-station license add'")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LICENSE\tCUSTOMER\tPRODUCT\tSEATS\tIN USE\tFREE\tLOW-WATER\tNEXT FREES")
	for _, ls := range rep.Licenses {
		l := ls.License
		next := "-"
		if !ls.Usage.NextFree.IsZero() {
			next = station.Stamp(ls.Usage.NextFree)
		}
		name := fmt.Sprint(l.ID)
		if !l.Revoked.IsZero() {
			name += " (revoked)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%s\n", name, l.Customer, l.Product, l.Seats, ls.Usage.Active, ls.Free, l.LowWater, next)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(rep.Leases) > 0 {
		fmt.Fprintln(w)
		tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "LEASE\tLICENSE\tUSER\tHOST\tFINGERPRINT\tISSUED\tEXPIRES\tLEFT\tSTATUS")
		for _, l := range rep.Leases {
			left := "-"
			if l.ActiveAt(rep.Now) {
				left = station.HumanDuration(l.Expires.Sub(rep.Now))
			} else if d, ok := overdue(l, rep.Now); ok {
				left = "overdue " + station.HumanDuration(d)
			}
			st := string(l.StatusAt(rep.Now))
			if !l.Ended.IsZero() && l.Status != station.StatusExpired {
				st += " " + station.Stamp(l.Ended)
			}
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", l.ID, l.LicenseID, orDash(l.User), orDash(l.Host),
				l.Fingerprint.Summary(), station.Stamp(l.Issued), station.Stamp(l.Expires), left, st)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	for _, wn := range rep.Warnings {
		fmt.Fprintf(w, "\nwarning: %s: leases %s", warningText(wn), leaseList(wn))
	}
	if len(rep.Warnings) > 0 {
		fmt.Fprintln(w)
	}
	if rep.Expired > 0 {
		fmt.Fprintf(errw, "recorded %d leases as expired\n", rep.Expired)
	}
	return nil
}

func leaseList(w station.Warning) string {
	ids := make([]string, len(w.Leases))
	for i, id := range w.Leases {
		ids[i] = id.String()
	}
	return strings.Join(ids, ", ")
}
