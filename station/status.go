package station

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/airlock-dev/airlock/wire"
)

// LicenseStatus is one license's seats at an instant.
type LicenseStatus struct {
	License *License
	Usage   Usage
	// Free is the seats that can be borrowed now: seats − active −
	// low-water, never below 0.
	Free int
}

// Warning is a user holding leases on two or more machines at once.
type Warning struct {
	User     string
	Leases   []wire.LeaseID
	Hosts    []string // distinct host names, as the machines gave them
	Machines int      // distinct device keys
}

// Report is the station's state at an instant.
type Report struct {
	Now      time.Time
	Licenses []LicenseStatus
	// Leases are the leases active at Now and those that ended since the
	// time StatusOptions asked for, oldest first.
	Leases   []*Lease
	Warnings []Warning
	// Expired counts the leases this call recorded as expired.
	Expired int
}

// Status reports every license's seats and the leases active at now or
// ended at or after since (every lease when since is zero). Leases past
// their end are recorded as expired first, with their ledger entries, so
// the report and the database agree.
func (s *Station) Status(ctx context.Context, now, since time.Time) (*Report, error) {
	now = now.UTC().Truncate(time.Second)
	var rep *Report
	err := s.store.Update(ctx, func(tx Tx) error {
		rep = &Report{Now: now}
		head, err := tx.LedgerHead()
		if err != nil {
			return err
		}
		if rep.Expired, err = sweep(tx, newLedger(tx, head), 0, now); err != nil {
			return err
		}
		lics, err := tx.Licenses()
		if err != nil {
			return err
		}
		for _, l := range lics {
			u, err := tx.Usage(l.ID, now)
			if err != nil {
				return err
			}
			rep.Licenses = append(rep.Licenses, LicenseStatus{License: l, Usage: u, Free: max(0, l.Seats-l.LowWater-u.Active)})
		}
		return tx.Leases(since, func(l *Lease) error {
			rep.Leases = append(rep.Leases, l)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	rep.Warnings = multiMachine(rep.Leases, now)
	return rep, nil
}

// multiMachine finds users holding active leases on two or more machines
// (distinct device keys), across all licenses.
func multiMachine(leases []*Lease, now time.Time) []Warning {
	byUser := map[string]*Warning{}
	devices := map[string]map[string]bool{}
	var order []string
	for _, l := range leases {
		if l.User == "" || !l.ActiveAt(now) {
			continue
		}
		u := strings.ToLower(l.User)
		w := byUser[u]
		if w == nil {
			w = &Warning{User: l.User}
			byUser[u], devices[u] = w, map[string]bool{}
			order = append(order, u)
		}
		w.Leases = append(w.Leases, l.ID)
		devices[u][l.DeviceKey.String()] = true
		if l.Host != "" && !slices.Contains(w.Hosts, l.Host) {
			w.Hosts = append(w.Hosts, l.Host)
		}
	}
	var out []Warning
	slices.Sort(order)
	for _, u := range order {
		if n := len(devices[u]); n >= 2 {
			w := byUser[u]
			w.Machines = n
			slices.Sort(w.Hosts)
			out = append(out, *w)
		}
	}
	return out
}
