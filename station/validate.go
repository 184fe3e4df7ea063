package station

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/airlock-dev/airlock/request"
	"github.com/airlock-dev/airlock/wire"
)

// Limits of license fields.
const (
	MaxSeats       = 1_000_000
	MaxCustomerLen = 128
	MaxAccessNames = 256 // names per access list or group
	MaxGroups      = 64
)

func invalid(format string, args ...any) *Refusal {
	return refuse(ErrInvalidLicense, "", format, args...)
}

// Validate checks the license's fields: names as wire.CheckName, features
// sorted and unique, seats, lease lengths, low-water, threshold and access
// lists. It returns a *Refusal wrapping ErrInvalidLicense.
func (l *License) Validate() error {
	if k, err := request.NormalizeLicenseKey(l.Key); err != nil || k != l.Key {
		return invalid("license key %q is not a normalised license key", l.Key)
	}
	if err := checkText("customer", l.Customer, MaxCustomerLen); err != nil || l.Customer == "" {
		return invalid("customer %q must be 1 to %d bytes of printable text", l.Customer, MaxCustomerLen)
	}
	if err := wire.CheckName("product", l.Product); err != nil {
		return &Refusal{Rule: ErrInvalidLicense, Reason: fmt.Sprintf("product: %v", err), Cause: err}
	}
	if len(l.Features) == 0 {
		return invalid("a license grants at least one feature")
	}
	names := l.FeatureNames()
	if err := wire.CheckFeatures("features", names); err != nil {
		return &Refusal{Rule: ErrInvalidLicense, Reason: err.Error(), Cause: err}
	}
	switch {
	case l.Seats < 1 || l.Seats > MaxSeats:
		return invalid("seats %d must be between 1 and %d", l.Seats, MaxSeats)
	case l.LowWater < 0 || l.LowWater >= l.Seats:
		return invalid("low-water %d must be at least 0 and below the %d seats", l.LowWater, l.Seats)
	case l.MaxLease < MinLease || l.MaxLease > MaxLease || l.MaxLease%time.Second != 0:
		return invalid("maximum lease %s must be whole seconds from %s to %s", l.MaxLease, MinLease, MaxLease)
	case l.DefaultLease < MinLease || l.DefaultLease > l.MaxLease || l.DefaultLease%time.Second != 0:
		return invalid("default lease %s must be whole seconds from %s to the maximum lease %s", l.DefaultLease, MinLease, l.MaxLease)
	case l.Threshold < 0 || l.Threshold > 16:
		return invalid("fingerprint threshold %d must be 0 (the default) to 16", l.Threshold)
	}
	return l.Access.validate()
}

func (a *Access) validate() error {
	lists := []struct {
		name  string
		names []string
	}{
		{"allowed users", a.AllowUsers}, {"denied users", a.DenyUsers}, {"allowed groups", a.AllowGroups},
		{"denied groups", a.DenyGroups}, {"allowed hosts", a.AllowHosts}, {"denied hosts", a.DenyHosts},
	}
	for _, l := range lists {
		if err := checkNames(l.name, l.names); err != nil {
			return err
		}
	}
	if len(a.Groups) > MaxGroups {
		return invalid("%d groups, at most %d", len(a.Groups), MaxGroups)
	}
	for g, users := range a.Groups {
		if err := checkNames("group name", []string{g}); err != nil {
			return err
		}
		if err := checkNames(fmt.Sprintf("group %q", g), users); err != nil {
			return err
		}
	}
	for _, g := range append(slices.Clone(a.AllowGroups), a.DenyGroups...) {
		if _, ok := a.Groups[g]; !ok {
			return invalid("group %q is used in an access list but not defined", g)
		}
	}
	return nil
}

func checkNames(what string, names []string) error {
	if len(names) > MaxAccessNames {
		return invalid("%s: %d names, at most %d", what, len(names), MaxAccessNames)
	}
	for _, n := range names {
		if n == "" || checkText(what, n, request.MaxTextLen) != nil || strings.ContainsAny(n, ", =") {
			return invalid("%s: %q must be 1 to %d bytes of printable text without spaces, commas or '='", what, n, request.MaxTextLen)
		}
	}
	return nil
}

func checkText(what, s string, max int) error {
	if len(s) > max || !utf8.ValidString(s) {
		return fmt.Errorf("%s is longer than %d bytes or not UTF-8", what, max)
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return fmt.Errorf("%s %q has a control character", what, s)
		}
	}
	return nil
}

func hasName(list []string, n string) bool {
	for _, x := range list {
		if strings.EqualFold(x, n) {
			return true
		}
	}
	return false
}

// groupsOf returns the groups of a that list user, sorted.
func (a *Access) groupsOf(user string) []string {
	var out []string
	for g, users := range a.Groups {
		if user != "" && hasName(users, user) {
			out = append(out, g)
		}
	}
	slices.Sort(out)
	return out
}

// Check applies the access lists to a user and host (see Access). It
// returns a *Refusal wrapping ErrAccessDenied naming the list that refused.
func (a *Access) Check(licenseID uint64, user, host string) error {
	help := fmt.Sprintf("ask the license administrator to change the access lists of license %d (airlock-station license update)", licenseID)
	groups := a.groupsOf(user)
	switch {
	case user != "" && hasName(a.DenyUsers, user):
		return refuse(ErrAccessDenied, help, "access denied: user %q is on the deny list of license %d", user, licenseID)
	case host != "" && hasName(a.DenyHosts, host):
		return refuse(ErrAccessDenied, help, "access denied: host %q is on the deny list of license %d", host, licenseID)
	}
	for _, g := range groups {
		if hasName(a.DenyGroups, g) {
			return refuse(ErrAccessDenied, help, "access denied: user %q is in group %q, which license %d denies", user, g, licenseID)
		}
	}
	if len(a.AllowUsers) > 0 || len(a.AllowGroups) > 0 {
		ok := user != "" && hasName(a.AllowUsers, user)
		for _, g := range groups {
			ok = ok || hasName(a.AllowGroups, g)
		}
		if !ok {
			if user == "" {
				return refuse(ErrAccessDenied, help+", or make the request with a user name", "access denied: the request names no user, and license %d allows only listed users and groups", licenseID)
			}
			return refuse(ErrAccessDenied, help, "access denied: user %q is not on the allow list of license %d (users %s; groups %s)",
				user, licenseID, listOrNone(a.AllowUsers), listOrNone(a.AllowGroups))
		}
	}
	if len(a.AllowHosts) > 0 && (host == "" || !hasName(a.AllowHosts, host)) {
		if host == "" {
			return refuse(ErrAccessDenied, help, "access denied: the request names no host, and license %d allows only listed hosts", licenseID)
		}
		return refuse(ErrAccessDenied, help, "access denied: host %q is not on the allow list of license %d (%s)", host, licenseID, strings.Join(a.AllowHosts, ", "))
	}
	return nil
}

func listOrNone(l []string) string {
	if len(l) == 0 {
		return "none"
	}
	return strings.Join(l, ", ")
}
