package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"time"

	"github.com/airlock-dev/airlock/client"
	"github.com/airlock-dev/airlock/crypto"
	"github.com/airlock-dev/airlock/fingerprint"
	"github.com/airlock-dev/airlock/internal/cli"
	"github.com/airlock-dev/airlock/wire"
)

// app is what every command shares: the clock, read once per run.
type app struct {
	now time.Time
}

// options are the client options of every command: the fingerprint
// collector is fingerprintCollect, which tests replace.
func (a *app) options() []client.Option {
	return []client.Option{client.WithComponents(func() ([]fingerprint.Component, error) { return fingerprintCollect() })}
}

// homeHelp is the paragraph on homes every command's help ends with.
var homeHelp = fmt.Sprintf(`The home is --home DIR, else $%s, else the per-user home ("airlock" in
the configuration directory: ~/.config/airlock on Linux). On machines
shared by several users, use the system-wide home %s with --home or
$%s.`, client.EnvHome, client.SystemHome(), client.EnvHome)

// homeFlag is --home, declared by every command.
type homeFlag struct{ dir string }

func (h *homeFlag) register(fs *flag.FlagSet) {
	fs.StringVar(&h.dir, "home", "", "the airlock home `DIR` (default $"+client.EnvHome+", else the per-user home)")
}

// resolve picks the home: --home, $AIRLOCK_HOME, the per-user home.
func (h *homeFlag) resolve(env *cli.Env) (string, error) {
	if h.dir != "" {
		return h.dir, nil
	}
	if d := env.Getenv(client.EnvHome); d != "" {
		return d, nil
	}
	return client.UserHome()
}

// openHome locks the home for a command that changes it.
func (a *app) openHome(env *cli.Env, hf *homeFlag) (*client.Home, error) {
	dir, err := hf.resolve(env)
	if err != nil {
		return nil, err
	}
	h, err := client.OpenHome(dir, a.options()...)
	return h, explain(err)
}

// openClient opens the home read-only.
func (a *app) openClient(env *cli.Env, hf *homeFlag) (*client.Client, error) {
	dir, err := hf.resolve(env)
	if err != nil {
		return nil, err
	}
	c, err := client.Open(dir, a.options()...)
	return c, explain(err)
}

// explain attaches the hint that tells an operator what to do about err.
func explain(err error) error {
	if err == nil {
		return nil
	}
	if h := hint(err); h != "" {
		return cli.WithHint(err, h)
	}
	return err
}

func hint(err error) string {
	var (
		me *client.MachineError
		te *wire.TypeError
		nv *client.NotYetValidError
	)
	switch {
	case errors.Is(err, client.ErrNotInitialised):
		return "run 'airlock init --trust ISSUER.pub' to set up this machine, or give the home with --home DIR or $" + client.EnvHome
	case errors.Is(err, client.ErrAlreadyInitialised):
		return "this home already has a device key and leases; give another home with --home DIR for a second installation"
	case errors.Is(err, client.ErrStateTampered):
		return "the state was changed outside airlock; restore the home from this machine's backup, or start a new home with 'airlock init' and ask the station to release the old leases"
	case errors.Is(err, client.ErrClockTampered):
		return "set the clock to the correct time and try again"
	case errors.As(err, &me) && me.Err != nil, errors.Is(err, fingerprint.ErrNoComponents):
		return "airlock needs read access to the machine's identifiers (on Linux /etc/machine-id, /proc and /sys)"
	case errors.As(err, &me) && me.Mismatch != nil:
		return "the lease is bound to another machine's hardware; if this machine's parts changed, ask the station to issue the lease again"
	case errors.As(err, &me):
		return fmt.Sprintf("this receipt was made for another machine (device key %s); apply it there, or ask the station for a receipt for this machine (device key %s)", me.Want, me.Have)
	case errors.Is(err, client.ErrNotPending):
		return "apply a receipt on the machine that wrote its request; if it was this one, the request was forgotten: make a new one with 'airlock request'"
	case errors.Is(err, client.ErrNotReturned):
		return "a deactivation receipt answers a return proof written by 'airlock return' on this machine"
	case errors.Is(err, client.ErrUnknownLease):
		return "run 'airlock status' to list the leases on this machine"
	case errors.Is(err, client.ErrStaleSerial):
		return "a newer receipt for this lease is already installed: nothing to do; for a later one, ask the station"
	case errors.Is(err, client.ErrReturned):
		return "to use the license again, make a new request with 'airlock request'"
	case errors.Is(err, client.ErrRevoked):
		return "the vendor revoked this license; contact them"
	case errors.As(err, &nv):
		return fmt.Sprintf("the lease begins at %s; try again then, and check that the clock is right", nv.NotBefore.UTC().Format("2006-01-02 15:04 UTC"))
	case errors.Is(err, client.ErrExpired):
		return "ask the station for a new receipt: 'airlock refresh --lease ID' makes the request"
	case errors.Is(err, client.ErrNotLicensed):
		return "run 'airlock status' for the leases on this machine; 'airlock request --license KEY' asks the station for one"
	case errors.Is(err, client.ErrLimitReached):
		return "ask the station for a refresh with a higher limit ('airlock refresh --lease ID')"
	case errors.Is(err, client.ErrBusy):
		return "another airlock command is changing this home; wait for it to finish and try again"
	case errors.Is(err, crypto.ErrUnknownKey):
		return "this machine does not trust the key that signed it; if the vendor rotated its key, apply their rollover statement with 'airlock trust update FILE'"
	case errors.Is(err, crypto.ErrBadSignature):
		return "the message was changed after it was signed; get a fresh copy from the station"
	case errors.Is(err, crypto.ErrKeyRetired):
		return "the signing key was retired; ask the station for a receipt signed with its current key"
	case errors.As(err, &te) && te.Got.IsRequest():
		return "this is a request: take it to the issuing station, and apply the receipt it gives back"
	case errors.As(err, &te) && te.Got == wire.KeyRollover:
		return "this is a key rollover statement: apply it with 'airlock trust update FILE'"
	case errors.Is(err, fs.ErrPermission):
		return "run airlock as the user who owns the home, or give another home with --home DIR"
	}
	return ""
}

// when formats an instant for operators.
func when(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

// left formats a remaining duration to the minute.
func left(d time.Duration) string {
	if d >= 48*time.Hour {
		return fmt.Sprintf("%dd %dh", d/(24*time.Hour), d%(24*time.Hour)/time.Hour)
	}
	return d.Round(time.Minute).String()
}
