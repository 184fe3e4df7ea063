package main

import (
	"flag"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/airlock-dev/airlock/client"
	"github.com/airlock-dev/airlock/crypto"
	"github.com/airlock-dev/airlock/internal/cli"
)

// initCommand is "airlock init".
func initCommand(a *app) *cli.Command {
	var (
		trustFile, product, name string
		hf                       homeFlag
	)
	return &cli.Command{
		Name:    "init",
		Summary: "set up this machine: a device key and the issuer key to trust",
		Usage:   "--trust ISSUER.pub [--product NAME] [--name NAME] [--home DIR]",
		Help: `Makes the home: a new device key (mode 0600, never overwritten) that
signs this machine's requests, and a sealed state that trusts the issuer
public key given with --trust (the PEM file the vendor or license
administrator publishes). A home that is already set up is never touched.

--product names the product whose salt the machine's fingerprint uses; by
default each vendor gets its own ("issuer-" and the issuer key's ID). It
is stored in the home, so requests and checks always use the same salt.

` + homeHelp,
		Examples: []string{
			"airlock init --trust acme-issuer.pub",
			"airlock init --trust acme-issuer.pub --product cad-suite",
			"airlock init --trust acme-issuer.pub --home /var/lib/airlock",
		},
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&trustFile, "trust", "", "the issuer public key `FILE` (PEM) to trust")
			fs.StringVar(&product, "product", "", "the product `NAME` whose fingerprint salt to use (default: issuer-<key id>)")
			fs.StringVar(&name, "name", "", "the issuer key's `NAME` in the trust store (default: the file name)")
			hf.register(fs)
		},
		Run: func(env *cli.Env, fs *flag.FlagSet, args []string) error {
			if len(args) > 0 {
				return cli.WithHint(cli.Usagef("unexpected argument %q", args[0]), "give the issuer key with --trust FILE")
			}
			if trustFile == "" {
				return cli.WithHint(cli.Usagef("--trust is required"), "give the issuer public key file the vendor sent: airlock init --trust ISSUER.pub")
			}
			issuer, err := crypto.ReadPublicKeyFile(trustFile)
			if err != nil {
				return cli.WithHint(fmt.Errorf("reading the issuer key: %w", err), "--trust takes the issuer's public key, a PEM file beginning '-----BEGIN PUBLIC KEY-----'")
			}
			if name == "" {
				name = keyName(trustFile)
			}
			dir, err := hf.resolve(env)
			if err != nil {
				return err
			}
			if err := client.Init(dir, issuer, name, product, a.now, a.options()...); err != nil {
				return explain(err)
			}
			c, err := client.Open(dir, a.options()...)
			if err != nil {
				return explain(err)
			}
			st, err := c.Status(a.now)
			if err != nil {
				return explain(err)
			}
			fmt.Fprintf(env.Stdout, "set up %s\ndevice key:    %s\ntrusted key:   %s (%s)\nproduct:       %s\n",
				dir, st.DeviceKeyID, issuer.ID(), name, st.Product)
			if st.Fingerprint != "" {
				fmt.Fprintf(env.Stdout, "fingerprint:   %s\n", st.Fingerprint)
			}
			fmt.Fprintf(env.Stdout, "next: airlock request --license KEY\n")
			return nil
		},
	}
}

// keyName names the issuer key after its file: "acme-issuer.pub" gives
// "acme-issuer".
func keyName(path string) string {
	n := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	if n == "" || len(n) > crypto.MaxKeyNameLen || strings.TrimSpace(n) != n || strings.ContainsFunc(n, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return "issuer"
	}
	return n
}
