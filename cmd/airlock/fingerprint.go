package main

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/airlock-dev/airlock/client"
	"github.com/airlock-dev/airlock/fingerprint"
	"github.com/airlock-dev/airlock/internal/cli"
)

// The collectors, replaceable in tests.
var (
	fingerprintCollect = fingerprint.Collect
	fingerprintDetect  = fingerprint.Detect
)

// defaultProduct salts the fingerprint when no product is named and no
// home is set up.
const defaultProduct = "airlock"

// fingerprintCommand is "airlock fingerprint".
func fingerprintCommand(a *app) *cli.Command {
	var (
		asJSON  bool
		product string
		hf      homeFlag
	)
	return &cli.Command{
		Name:    "fingerprint",
		Summary: "show this machine's fingerprint as a license would see it",
		Usage:   "[--json] [--product NAME]",
		Help: `Prints the components that tie a license to this machine — machine ID,
product UUID, board serial, physical network cards, system disk, CPU model,
host name, whichever can be read — each as its kind and a salted hash,
never the raw value. Then a short summary code to compare by eye or read
over the phone, and what was seen of virtual machines and containers.

The hashes are salted with the product name, so two products on one
machine see unrelated values. With a home set up by 'airlock init' they
are salted as that home's requests and checks salt them; --product shows
the fingerprint under another name (without a home the default is
"airlock").

A lease keeps working while enough components still match: by default all
but one, so a replaced network card or a renamed host is tolerated and a
copy of the client state to another machine is not.`,
		Examples: []string{
			"airlock fingerprint",
			"airlock fingerprint --json",
			"airlock fingerprint --product cad-suite",
		},
		Flags: func(fs *flag.FlagSet) {
			fs.BoolVar(&asJSON, "json", false, "print JSON")
			fs.StringVar(&product, "product", "", "product `NAME` whose salt to use (default: the home's, else \""+defaultProduct+"\")")
			hf.register(fs)
		},
		Run: func(env *cli.Env, fs *flag.FlagSet, args []string) error {
			if len(args) > 0 {
				return cli.WithHint(cli.Usagef("unexpected argument %q", args[0]), "airlock fingerprint takes no arguments")
			}
			given := false
			fs.Visit(func(f *flag.Flag) { given = given || f.Name == "product" })
			if given && product == "" {
				return cli.WithHint(cli.Usagef("--product must not be empty"), "name the product, or leave --product out")
			}
			if product == "" {
				var err error
				if product, err = a.homeProduct(env, &hf); err != nil {
					return err
				}
			}
			cs, err := fingerprintCollect()
			if errors.Is(err, fingerprint.ErrNoComponents) {
				return cli.WithHint(fmt.Errorf("reading this machine's fingerprint: %w", err),
					"airlock needs read access to the machine's identifiers (on Linux /etc/machine-id, /proc and /sys)")
			}
			if err != nil {
				return fmt.Errorf("reading this machine's fingerprint: %w", err)
			}
			r := newFingerprintReport(product, fingerprint.Hashes(fingerprint.ProductSalt(product), cs), fingerprintDetect())
			if asJSON {
				enc := json.NewEncoder(env.Stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(r)
			}
			return r.writeText(env.Stdout)
		},
	}
}

// homeProduct is the product of the home, or defaultProduct when there is
// no home yet.
func (a *app) homeProduct(env *cli.Env, hf *homeFlag) (string, error) {
	c, err := a.openClient(env, hf)
	if errors.Is(err, client.ErrNotInitialised) {
		return defaultProduct, nil
	}
	if err != nil {
		return "", err
	}
	return c.Product(), nil
}

// fingerprintReport is what "airlock fingerprint" prints.
type fingerprintReport struct {
	Product          string            `json:"product"`
	Components       fingerprint.Set   `json:"components"`
	Summary          string            `json:"summary"`
	ThresholdDefault int               `json:"threshold_default"`
	Virtualization   fingerprint.Facts `json:"virtualization"`
}

func newFingerprintReport(product string, s fingerprint.Set, f fingerprint.Facts) fingerprintReport {
	if f.Markers == nil {
		f.Markers = []string{}
	}
	return fingerprintReport{
		Product:          product,
		Components:       s,
		Summary:          s.Summary(),
		ThresholdDefault: fingerprint.DefaultThreshold(len(s)),
		Virtualization:   f,
	}
}

func (r fingerprintReport) writeText(w io.Writer) error {
	var b strings.Builder
	for _, h := range r.Components {
		fmt.Fprintf(&b, "%-13s %s\n", h.Kind, hex.EncodeToString(h.Sum[:]))
	}
	fmt.Fprintf(&b, "\nsummary: %s\n", r.Summary)
	fmt.Fprintf(&b, "product: %s\n", r.Product)
	fmt.Fprintf(&b, "match:   %d of %d components by default\n", r.ThresholdDefault, len(r.Components))
	f := r.Virtualization
	switch {
	case f.Hypervisor && f.HypervisorVendor != "":
		fmt.Fprintf(&b, "virtual machine: yes (%s)\n", f.HypervisorVendor)
	case f.Hypervisor:
		fmt.Fprintf(&b, "virtual machine: yes (hypervisor unknown)\n")
	default:
		fmt.Fprintf(&b, "virtual machine: no sign\n")
	}
	switch {
	case f.Container && f.ContainerKind != "":
		fmt.Fprintf(&b, "container: yes (%s)\n", f.ContainerKind)
	case f.Container:
		fmt.Fprintf(&b, "container: yes\n")
	default:
		fmt.Fprintf(&b, "container: no sign\n")
	}
	if len(f.Markers) > 0 {
		fmt.Fprintf(&b, "markers: %s\n", strings.Join(f.Markers, ", "))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
