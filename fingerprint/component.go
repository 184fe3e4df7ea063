package fingerprint

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sort"
	"strings"
)

// Component is one raw machine property as collected: a kind and its value
// (a machine ID, a MAC address, a serial...). Raw values stay on the machine:
// Component prints, logs and marshals to JSON with its value redacted, and
// only Hashes turns it into something that may travel.
type Component struct {
	Kind  Kind
	Value string
}

const redacted = "<redacted>"

// String gives the kind only, e.g. "mac:<redacted>".
func (c Component) String() string { return c.Kind.String() + ":" + redacted }

// Format makes every fmt verb (%v, %+v, %#v, %s, %q...) print String, so a
// raw value cannot reach a log line through fmt.
func (c Component) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		fmt.Fprintf(f, "%q", c.String())
		return
	}
	fmt.Fprint(f, c.String())
}

// GoString is String, for the same reason as Format.
func (c Component) GoString() string { return c.String() }

// LogValue keeps raw values out of log/slog output.
func (c Component) LogValue() slog.Value { return slog.StringValue(c.String()) }

// MarshalJSON writes the kind only: {"kind":"mac"}.
func (c Component) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Kind Kind `json:"kind"`
	}{c.Kind})
}

// ErrNoComponents is returned by the collectors when no component of the
// machine could be read at all.
var ErrNoComponents = errors.New("no machine components could be read")

// MaxMACs is the most MAC addresses a collector reports (the lowest ones), so
// that a machine with many ports still gives a set of about eight components.
const MaxMACs = 4

// ProductSalt returns the salt a client uses for the product it is licensed
// for: the UTF-8 bytes of the product name, exactly as configured. HMAC
// keying (see HashComponent) makes any byte string a sound salt; keeping it
// the plain name makes it easy to state in the specification and to
// reproduce on the station.
func ProductSalt(product string) []byte { return []byte(product) }

// Hashes salts and hashes each component into a canonical Set (sorted, with
// duplicates removed). The salt separates products: the client derives it
// from the product name, so two products on one machine see unrelated
// hashes (see ProductSalt). At most MaxComponents hashes are kept, the lowest in canonical
// order; an empty cs gives an empty Set.
func Hashes(salt []byte, cs []Component) Set {
	s := make(Set, 0, len(cs))
	for _, c := range cs {
		s = append(s, HashComponent(salt, c.Kind, c.Value))
	}
	s = s.Canonical()
	if len(s) > MaxComponents {
		s = s[:MaxComponents]
	}
	return s
}

// components accumulates collected values, dropping empty ones and
// placeholders, and returns them sorted by kind then value.
type components []Component

func (cs *components) add(k Kind, v string) {
	v = strings.TrimSpace(strings.Trim(v, "\x00"))
	if v == "" || isPlaceholder(v) {
		return
	}
	*cs = append(*cs, Component{Kind: k, Value: v})
}

// done sorts, removes duplicates, keeps at most MaxMACs MACs, and reports
// ErrNoComponents when nothing was found.
func (cs components) done() ([]Component, error) {
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].Kind != cs[j].Kind {
			return cs[i].Kind < cs[j].Kind
		}
		return cs[i].Value < cs[j].Value
	})
	out := make([]Component, 0, len(cs))
	macs := 0
	for i, c := range cs {
		if i > 0 && c == cs[i-1] {
			continue
		}
		if c.Kind == KindMAC {
			if macs == MaxMACs {
				continue
			}
			macs++
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, ErrNoComponents
	}
	return out, nil
}

// placeholders are values firmware writes when the vendor filled in nothing.
var placeholders = []string{
	"to be filled by o.e.m.", "to be filled by oem", "default string",
	"system serial number", "system product name", "base board serial number",
	"chassis serial number", "not specified", "not applicable", "not available",
	"none", "n/a", "na", "null", "unknown", "invalid", "0", "123456789",
	"0123456789", "serial", "serialnumber", "oem", "o.e.m.", "empty",
	"uninitialized", "unspecified", "xxxxxxxxxxxx",
	// Known dummy SMBIOS UUID of some boards.
	"03000200-0400-0500-0006-000700080009",
}

// isPlaceholder reports values that identify no particular machine: vendor
// fill-ins, and strings of four or more of a single repeated character once
// separators are removed (all-zero or all-F UUIDs, "00000000", "FFFFFFFF").
func isPlaceholder(v string) bool {
	l := strings.ToLower(strings.TrimSpace(v))
	for _, p := range placeholders {
		if l == p {
			return true
		}
	}
	l = strings.NewReplacer("-", "", ":", "", " ", "", ".", "").Replace(l)
	return l == "" || len(l) >= 4 && strings.Count(l, l[:1]) == len(l)
}

// normalizeUUID lowercases a UUID, so firmware tools that print it in
// either case give one hash.
func normalizeUUID(v string) string { return strings.ToLower(strings.TrimSpace(v)) }

// normalizeHostname lowercases a host name and keeps the part before the
// first dot, so a changed DNS domain is not a changed host.
func normalizeHostname(v string) string {
	v = strings.ToLower(strings.TrimSpace(v))
	v, _, _ = strings.Cut(v, ".")
	switch v {
	case "localhost", "(none)", "localhost-live":
		return ""
	}
	return v
}

// normalizeMAC parses a 6-byte MAC address and returns it lowercase with
// colons, or "" for anything that is not a unicast station address (all
// zero, broadcast, multicast, or of another length).
func normalizeMAC(v string) string {
	hw, err := net.ParseMAC(strings.TrimSpace(v))
	if err != nil {
		return ""
	}
	return macString(hw)
}

func macString(hw net.HardwareAddr) string {
	if len(hw) != 6 || hw[0]&1 != 0 || isPlaceholder(hw.String()) {
		return ""
	}
	return hw.String()
}

// locallyAdministered reports a MAC whose address was chosen by software
// rather than burnt in by the maker (the U/L bit): randomised Wi-Fi
// addresses, most virtual adapters.
func locallyAdministered(mac string) bool {
	hw, err := net.ParseMAC(mac)
	return err == nil && len(hw) > 0 && hw[0]&2 != 0
}
