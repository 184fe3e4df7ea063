package main

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/airlock-dev/airlock/internal/cli"
	"github.com/airlock-dev/airlock/station"
	"github.com/airlock-dev/airlock/wire"
)

var daysPattern = regexp.MustCompile(`^(\d+)d(.*)$`)

// parseDuration reads a duration as Go writes it ("720h", "1h30m") or in
// whole days, optionally followed by more ("30d", "1d12h").
func parseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	var d time.Duration
	if m := daysPattern.FindStringSubmatch(s); m != nil {
		n, err := strconv.Atoi(m[1])
		if err != nil || n > 100_000 {
			return 0, fmt.Errorf("duration %q: too many days", s)
		}
		d, s = time.Duration(n)*24*time.Hour, m[2]
		if s == "" {
			return d, nil
		}
	}
	more, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("duration %q is not like 720h, 30d or 1d12h", s)
	}
	if more < 0 {
		return 0, fmt.Errorf("duration %q is negative", s)
	}
	return d + more, nil
}

// durationFlag is a flag.Value for parseDuration.
type durationFlag struct {
	d   *time.Duration
	set bool
}

func (f *durationFlag) String() string {
	if f.d == nil || *f.d == 0 {
		return ""
	}
	return station.HumanDuration(*f.d)
}

func (f *durationFlag) Set(s string) error {
	d, err := parseDuration(s)
	if err != nil {
		return err
	}
	*f.d, f.set = d, true
	return nil
}

// splitList reads a comma-separated list, dropping blanks.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// parseFeatures reads "a,b=100,c": feature names, each with an optional
// consumption limit.
func parseFeatures(s string) ([]station.Feature, error) {
	var out []station.Feature
	seen := map[string]bool{}
	for _, p := range splitList(s) {
		name, limit, hasLimit := strings.Cut(p, "=")
		f := station.Feature{Name: strings.TrimSpace(name)}
		if err := wire.CheckName("feature", f.Name); err != nil {
			return nil, cli.Usagef("--features: %v", err)
		}
		if hasLimit {
			n, err := strconv.ParseUint(strings.TrimSpace(limit), 10, 64)
			if err != nil || n == 0 {
				return nil, cli.Usagef("--features: limit %q of %s is not a whole number above 0", limit, f.Name)
			}
			f.Limit = n
		}
		if seen[f.Name] {
			return nil, cli.Usagef("--features: %s is named twice", f.Name)
		}
		seen[f.Name] = true
		out = append(out, f)
	}
	if len(out) == 0 {
		return nil, cli.Usagef("--features: no features given")
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// parseTermEnd reads a license's end: a date (the license runs through
// that day, UTC, so it ends at the next midnight), an RFC 3339 time, or
// "none".
func parseTermEnd(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "none" || s == "" {
		return time.Time{}, nil
	}
	if d, err := time.Parse(time.DateOnly, s); err == nil {
		return d.AddDate(0, 0, 1), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("--term-end %q is not a date (2027-12-31), a time (2027-12-31T18:00:00Z) or none", s)
	}
	return t.UTC().Truncate(time.Second), nil
}

// groupFlag collects repeated --group NAME=user1,user2.
type groupFlag struct {
	groups map[string][]string
	set    bool
}

func (g *groupFlag) String() string { return "" }

func (g *groupFlag) Set(s string) error {
	name, users, ok := strings.Cut(s, "=")
	name = strings.TrimSpace(name)
	if !ok || name == "" {
		return fmt.Errorf("group %q is not NAME=user1,user2", s)
	}
	if g.groups == nil {
		g.groups = map[string][]string{}
	}
	g.groups[name] = append(g.groups[name], splitList(users)...)
	g.set = true
	return nil
}

// parseLeaseID reads a lease ID (12 hex digits).
func parseLeaseID(s string) (wire.LeaseID, error) {
	id, err := wire.ParseLeaseID(strings.ToLower(strings.TrimSpace(s)))
	if err != nil {
		return id, cli.WithHint(cli.Usagef("%v", err), "lease IDs are 12 hex digits; 'airlock-station status' lists them")
	}
	return id, nil
}
