package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/airlock-dev/airlock/internal/cli"
	"github.com/airlock-dev/airlock/station"
)

// licenseCommand is "airlock-station license".
func licenseCommand(a *app) *cli.Command {
	return &cli.Command{
		Name:    "license",
		Summary: "add, list, show, update and revoke licenses",
		Usage:   "add|list|show|update|revoke ...",
		Sub:     []*cli.Command{licenseAddCommand(a), licenseListCommand(a), licenseShowCommand(a), licenseUpdateCommand(a), licenseRevokeCommand(a)},
	}
}

// licenseFlags are the policy flags of license add and update.
type licenseFlags struct {
	customer, product, features, termEnd string
	seats, lowWater, threshold           int
	maxLease, defLease                   time.Duration
	offline, earlyReturn                 bool
	lists                                [6]string
	groups                               groupFlag
}

var listFlags = [6]string{"allow-users", "deny-users", "allow-groups", "deny-groups", "allow-hosts", "deny-hosts"}

func (f *licenseFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.customer, "customer", "", "the customer `NAME`")
	fs.StringVar(&f.product, "product", "", "the product `NAME` (letters, digits, '.', '_', '-')")
	fs.StringVar(&f.features, "features", "", "comma-separated `LIST` of features, each with an optional consumption limit: model,render,export=100")
	fs.IntVar(&f.seats, "seats", 0, "number of seats `N`")
	fs.Var(&durationFlag{d: &f.maxLease}, "max-lease", "longest lease `DUR`, 1h to 8760h (default 720h)")
	fs.Var(&durationFlag{d: &f.defLease}, "default-lease", "lease `DUR` when a request asks for none (default: the maximum)")
	fs.StringVar(&f.termEnd, "term-end", "", "the license's end: a `DATE` (valid through that day, UTC), an RFC 3339 time, or none")
	fs.BoolVar(&f.offline, "offline", true, "allow seats to be borrowed offline (--offline=false forbids it)")
	fs.IntVar(&f.lowWater, "low-water", 0, "seats `N` that can never be borrowed")
	fs.BoolVar(&f.earlyReturn, "early-return", true, "allow leases to be returned before they end (--early-return=false forbids it)")
	fs.IntVar(&f.threshold, "threshold", 0, "fingerprint components `N` that must match (0: all but one)")
	for i, name := range listFlags {
		what := strings.ReplaceAll(name, "-", " ")
		fs.StringVar(&f.lists[i], name, "", "comma-separated `LIST` of "+what[strings.Index(what, " ")+1:]+" to "+what[:strings.Index(what, " ")])
	}
	fs.Var(&f.groups, "group", "define a group of users: `NAME=user1,user2` (repeat for more groups)")
}

// apply sets the fields whose flags were given (all of them for add).
func (f *licenseFlags) apply(fs *flag.FlagSet, l *station.License) error {
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	if set["customer"] {
		l.Customer = strings.TrimSpace(f.customer)
	}
	if set["product"] {
		l.Product = strings.TrimSpace(f.product)
	}
	if set["features"] {
		fl, err := parseFeatures(f.features)
		if err != nil {
			return err
		}
		l.Features = fl
	}
	if set["seats"] {
		l.Seats = f.seats
	}
	if set["max-lease"] {
		l.MaxLease = f.maxLease
		if !set["default-lease"] && l.DefaultLease > l.MaxLease {
			l.DefaultLease = l.MaxLease
		}
	}
	if set["default-lease"] {
		l.DefaultLease = f.defLease
	}
	if set["term-end"] {
		t, err := parseTermEnd(f.termEnd)
		if err != nil {
			return cli.Usagef("%v", err)
		}
		l.TermEnd = t
	}
	if set["offline"] {
		l.Offline = f.offline
	}
	if set["low-water"] {
		l.LowWater = f.lowWater
	}
	if set["early-return"] {
		l.EarlyReturn = f.earlyReturn
	}
	if set["threshold"] {
		l.Threshold = f.threshold
	}
	a := &l.Access
	for i, dst := range []*[]string{&a.AllowUsers, &a.DenyUsers, &a.AllowGroups, &a.DenyGroups, &a.AllowHosts, &a.DenyHosts} {
		if set[listFlags[i]] {
			*dst = splitList(f.lists[i])
		}
	}
	if f.groups.set {
		a.Groups = f.groups.groups
	}
	return nil
}

// licenseJSON is a license in --json output.
type licenseJSON struct {
	ID           uint64            `json:"id"`
	Key          string            `json:"key"`
	Customer     string            `json:"customer"`
	Product      string            `json:"product"`
	Features     []station.Feature `json:"features"`
	Seats        int               `json:"seats"`
	Active       *int              `json:"active,omitempty"`
	Free         *int              `json:"free,omitempty"`
	LowWater     int               `json:"low_water"`
	TermEnd      *time.Time        `json:"term_end,omitempty"`
	Offline      bool              `json:"offline"`
	MaxLease     int64             `json:"max_lease_seconds"`
	DefaultLease int64             `json:"default_lease_seconds"`
	EarlyReturn  bool              `json:"early_return"`
	Threshold    int               `json:"threshold"`
	Access       station.Access    `json:"access"`
	Created      time.Time         `json:"created"`
	Updated      time.Time         `json:"updated"`
	Revoked      *time.Time        `json:"revoked,omitempty"`
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func toLicenseJSON(l *station.License, u *station.Usage) licenseJSON {
	j := licenseJSON{
		ID: l.ID, Key: station.FormatLicenseKey(l.Key), Customer: l.Customer, Product: l.Product, Features: l.Features,
		Seats: l.Seats, LowWater: l.LowWater, TermEnd: timePtr(l.TermEnd), Offline: l.Offline,
		MaxLease: int64(l.MaxLease / time.Second), DefaultLease: int64(l.DefaultLease / time.Second), EarlyReturn: l.EarlyReturn,
		Threshold: l.Threshold, Access: l.Access, Created: l.Created, Updated: l.Updated, Revoked: timePtr(l.Revoked),
	}
	if u != nil {
		free := max(0, l.Seats-l.LowWater-u.Active)
		j.Active, j.Free = &u.Active, &free
	}
	return j
}

func writeJSON(w io.Writer, v any) error {
	e := json.NewEncoder(w)
	e.SetIndent("", "  ")
	return e.Encode(v)
}

// featureList writes features with their limits: "export (limit 100), model".
func featureList(fs []station.Feature) string {
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = f.Name
		if f.Limit > 0 {
			parts[i] += fmt.Sprintf(" (limit %d)", f.Limit)
		}
	}
	return strings.Join(parts, ", ")
}

func summary(l *station.License) string {
	s := fmt.Sprintf("license %d: %s, %s (%s), %d seats", l.ID, l.Customer, l.Product, strings.Join(l.FeatureNames(), ", "), l.Seats)
	if l.LowWater > 0 {
		s += fmt.Sprintf(" (%d low-water)", l.LowWater)
	}
	s += ", leases up to " + station.HumanDuration(l.MaxLease)
	if !l.TermEnd.IsZero() {
		s += ", until " + station.Stamp(l.TermEnd)
	}
	if !l.Offline {
		s += ", no offline use"
	}
	return s
}

func licenseAddCommand(a *app) *cli.Command {
	var (
		db     dbFlag
		f      licenseFlags
		asJSON bool
	)
	return &cli.Command{
		Name:    "add",
		Summary: "add a license and print its key",
		Usage:   "--customer NAME --product P --features a,b --seats N [--max-lease DUR] [--default-lease DUR] [--term-end DATE] [policy flags] [--json]",
		Help: `Adds a license and prints its new key alone on stdout (16 characters in
groups of four, like 7K3Q-M9XD-2HFR-W4TB); give the key to the customer.
With --json it prints {"id": ..., "key": ..., "license": {...}}.

Policy: leases are at most --max-lease (1h to 8760h, default 720h) and
--default-lease when a request asks for no length; --low-water seats are
never lent; --offline=false forbids borrowing, --early-return=false
forbids returning a lease before it ends; --threshold sets how many
fingerprint components must match (default: all but one).

Access lists (as in FlexLM options files): --allow-users, --deny-users,
--allow-groups, --deny-groups, --allow-hosts, --deny-hosts take
comma-separated names; --group NAME=u1,u2 defines a group. Deny wins over
allow; an empty allow list allows everyone; names compare without regard
to case.

` + dbHelp,
		Examples: []string{
			"airlock-station license add --customer 'ACME Engineering' --product cad --features model,render,export=100 --seats 5",
			"airlock-station license add --customer ACME --product cad --features model --seats 20 --low-water 5 --max-lease 168h --term-end 2027-12-31",
			"airlock-station license add --customer ACME --product cad --features model --seats 3 --group eng=ana,ben --allow-groups eng --json",
		},
		Flags: func(fs *flag.FlagSet) {
			db.register(fs)
			f.register(fs)
			fs.BoolVar(&asJSON, "json", false, "print {\"id\", \"key\", \"license\"} as JSON")
		},
		Run: func(env *cli.Env, fs *flag.FlagSet, args []string) error {
			if len(args) > 0 {
				return cli.WithHint(cli.Usagef("unexpected argument %q", args[0]), "quote a customer name with spaces: --customer 'ACME Engineering'")
			}
			for _, req := range []struct{ name, v string }{{"customer", f.customer}, {"product", f.product}, {"features", f.features}} {
				if strings.TrimSpace(req.v) == "" {
					return cli.WithHint(cli.Usagef("--%s is required", req.name), "airlock-station license add --customer NAME --product P --features a,b --seats N")
				}
			}
			if f.seats < 1 {
				return cli.WithHint(cli.Usagef("--seats is required and must be at least 1"), "airlock-station license add --customer NAME --product P --features a,b --seats N")
			}
			l := station.License{MaxLease: 720 * time.Hour, DefaultLease: 720 * time.Hour, Offline: true, EarlyReturn: true}
			if err := f.apply(fs, &l); err != nil {
				return err
			}
			s, err := a.open(env, &db, false)
			if err != nil {
				return err
			}
			defer s.Close()
			lic, err := s.st.AddLicense(ctx, l, a.now)
			if err != nil {
				return err
			}
			fmt.Fprintf(env.Stderr, "added %s\n", summary(lic))
			if asJSON {
				return writeJSON(env.Stdout, map[string]any{"id": lic.ID, "key": station.FormatLicenseKey(lic.Key), "license": toLicenseJSON(lic, nil)})
			}
			fmt.Fprintln(env.Stdout, station.FormatLicenseKey(lic.Key))
			return nil
		},
	}
}

func licenseListCommand(a *app) *cli.Command {
	var (
		db     dbFlag
		asJSON bool
	)
	return &cli.Command{
		Name:    "list",
		Summary: "list the licenses with their seats in use",
		Usage:   "[--json]",
		Examples: []string{
			"airlock-station license list",
			"airlock-station license list --json | jq '.[] | select(.customer == \"Acme Engineering\")'",
		},
		Help: "Lists every license: key, customer, product, seats, seats in use now, and state.\n\n" + dbHelp,
		Flags: func(fs *flag.FlagSet) {
			db.register(fs)
			fs.BoolVar(&asJSON, "json", false, "print a JSON array")
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
			lics, err := s.st.Licenses(ctx)
			if err != nil {
				return err
			}
			out := []licenseJSON{}
			for _, l := range lics {
				u, err := s.st.LicenseUsage(ctx, l.ID, a.now)
				if err != nil {
					return err
				}
				out = append(out, toLicenseJSON(l, &u))
			}
			if asJSON {
				return writeJSON(env.Stdout, out)
			}
			if len(out) == 0 {
				fmt.Fprintln(env.Stderr, "no licenses yet; add one with 'airlock-station license add'")
				return nil
			}
			tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tKEY\tCUSTOMER\tPRODUCT\tSEATS\tIN USE\tFREE\tSTATE")
			for i, j := range out {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%d\t%d\t%s\n", j.ID, j.Key, j.Customer, j.Product, j.Seats, *j.Active, *j.Free, licenseState(lics[i], a.now))
			}
			return tw.Flush()
		},
	}
}

func licenseState(l *station.License, now time.Time) string {
	switch {
	case !l.Revoked.IsZero():
		return "revoked " + station.Stamp(l.Revoked)
	case !l.TermEnd.IsZero() && !now.Before(l.TermEnd):
		return "ended " + station.Stamp(l.TermEnd)
	case !l.Offline:
		return "no offline use"
	case !l.TermEnd.IsZero():
		return "until " + station.Stamp(l.TermEnd)
	}
	return "active"
}

func licenseShowCommand(a *app) *cli.Command {
	var (
		db     dbFlag
		asJSON bool
	)
	return &cli.Command{
		Name:     "show",
		Summary:  "show one license and its policy",
		Usage:    "ID|KEY [--json]",
		Help:     "Shows a license, found by its number or its key (dashes and case do not matter).\n\n" + dbHelp,
		Examples: []string{"airlock-station license show 3", "airlock-station license show 7k3q-m9xd-2hfr-w4tb --json"},
		Flags: func(fs *flag.FlagSet) {
			db.register(fs)
			fs.BoolVar(&asJSON, "json", false, "print a JSON object")
		},
		Run: func(env *cli.Env, fs *flag.FlagSet, args []string) error {
			if len(args) != 1 {
				return cli.WithHint(cli.Usagef("give one license ID or key"), "'airlock-station license list' lists them")
			}
			s, err := a.open(env, &db, false)
			if err != nil {
				return err
			}
			defer s.Close()
			l, err := s.st.License(ctx, args[0])
			if err != nil {
				return err
			}
			u, err := s.st.LicenseUsage(ctx, l.ID, a.now)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(env.Stdout, toLicenseJSON(l, &u))
			}
			return showLicense(env.Stdout, l, u, a.now)
		},
	}
}

func showLicense(w io.Writer, l *station.License, u station.Usage, now time.Time) error {
	tw := tabwriter.NewWriter(w, 0, 4, 1, ' ', 0)
	p := func(k, format string, args ...any) {
		fmt.Fprintf(tw, "%s:\t"+format+"\n", append([]any{k}, args...)...)
	}
	p("license", "%d", l.ID)
	p("key", "%s", station.FormatLicenseKey(l.Key))
	p("customer", "%s", l.Customer)
	p("product", "%s", l.Product)
	p("features", "%s", featureList(l.Features))
	p("seats", "%d, %d in use, %d free, %d low-water", l.Seats, u.Active, max(0, l.Seats-l.LowWater-u.Active), l.LowWater)
	p("state", "%s", licenseState(l, now))
	p("offline use", "%s", yesNo(l.Offline))
	p("leases", "up to %s, %s by default", station.HumanDuration(l.MaxLease), station.HumanDuration(l.DefaultLease))
	p("early return", "%s", yesNo(l.EarlyReturn))
	if l.Threshold == 0 {
		p("fingerprint", "all components but one must match")
	} else {
		p("fingerprint", "%d components must match", l.Threshold)
	}
	ac := l.Access
	for _, x := range []struct {
		k string
		v []string
	}{{"allow users", ac.AllowUsers}, {"deny users", ac.DenyUsers}, {"allow groups", ac.AllowGroups},
		{"deny groups", ac.DenyGroups}, {"allow hosts", ac.AllowHosts}, {"deny hosts", ac.DenyHosts}} {
		if len(x.v) > 0 {
			p(x.k, "%s", strings.Join(x.v, ", "))
		}
	}
	for g, users := range ac.Groups {
		p("group "+g, "%s", strings.Join(users, ", "))
	}
	p("created", "%s", station.Stamp(l.Created))
	p("updated", "%s", station.Stamp(l.Updated))
	return tw.Flush()
}

func yesNo(b bool) string {
	if b {
		return "allowed"
	}
	return "not allowed"
}

func licenseUpdateCommand(a *app) *cli.Command {
	var (
		db     dbFlag
		f      licenseFlags
		asJSON bool
	)
	return &cli.Command{
		Name:    "update",
		Summary: "change a license's seats, features, term or policy",
		Usage:   "ID|KEY [--seats N] [--features LIST] [--term-end DATE] [policy flags] [--json]",
		Help: `Changes the flags given and nothing else; the flags are those of 'license
add'. A list flag replaces the whole list; --group replaces every group.
Lowering the seats below the leases in use ends no lease: new ones wait
until enough are returned or end. Revoked licenses cannot change. Every
change is recorded in the ledger.

` + dbHelp,
		Examples: []string{
			"airlock-station license update 3 --seats 10",
			"airlock-station license update 3 --term-end 2028-06-30 --offline",
			"airlock-station license update 7K3Q-M9XD-2HFR-W4TB --deny-users mallory",
		},
		Flags: func(fs *flag.FlagSet) {
			db.register(fs)
			f.register(fs)
			fs.BoolVar(&asJSON, "json", false, "print the updated license as JSON")
		},
		Run: func(env *cli.Env, fs *flag.FlagSet, args []string) error {
			if len(args) != 1 {
				return cli.WithHint(cli.Usagef("give one license ID or key"), "airlock-station license update ID --seats N")
			}
			changes := 0
			fs.Visit(func(fl *flag.Flag) {
				if fl.Name != "db" && fl.Name != "json" {
					changes++
				}
			})
			if changes == 0 {
				return cli.WithHint(cli.Usagef("nothing to change"), "give the flags to change, e.g. --seats N; 'airlock-station help license update' lists them")
			}
			s, err := a.open(env, &db, false)
			if err != nil {
				return err
			}
			defer s.Close()
			l, err := s.st.License(ctx, args[0])
			if err != nil {
				return err
			}
			up, err := s.st.UpdateLicense(ctx, l.ID, func(l *station.License) error { return f.apply(fs, l) }, a.now)
			if err != nil {
				return err
			}
			u, err := s.st.LicenseUsage(ctx, up.ID, a.now)
			if err != nil {
				return err
			}
			fmt.Fprintf(env.Stderr, "updated %s\n", summary(up))
			if u.Active > up.Seats-up.LowWater {
				fmt.Fprintf(env.Stderr, "note: %d leases are in use, more than the %d seats that can be lent; new activations wait until enough end\n",
					u.Active, up.Seats-up.LowWater)
			}
			if asJSON {
				return writeJSON(env.Stdout, toLicenseJSON(up, &u))
			}
			return nil
		},
	}
}
