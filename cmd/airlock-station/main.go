// Command airlock-station is the issuing station: it holds the issuer key
// and the database of licenses and leases, turns requests into signed
// receipts, and keeps a hash-chained ledger of everything it did. Run
// "airlock-station help" for the commands.
package main

import (
	"io"
	"os"
	"time"

	"github.com/airlock-dev/airlock/internal/cli"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run is the whole command; tests drive it end to end. It reads the clock
// once; nothing else in the station does.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runAt(time.Now(), args, &cli.Env{Stdin: stdin, Stdout: stdout, Stderr: stderr})
}

// runAt is run with the clock reading now and the environment env (whose
// Getenv tests replace). There is deliberately no flag or variable that
// sets the clock.
func runAt(now time.Time, args []string, env *cli.Env) int {
	return programAt(&app{now: now.UTC().Truncate(time.Second)}).MainEnv(args, env)
}

// app is what every command shares: the clock, read once.
type app struct {
	now time.Time
}

func program() *cli.Program { return programAt(&app{now: time.Now().UTC().Truncate(time.Second)}) }

func programAt(a *app) *cli.Program {
	return &cli.Program{
		Name:     "airlock-station",
		Summary:  "the issuing station: licenses, seats, leases and signed receipts",
		Commands: commands(a),
	}
}

// commands lists the subcommands; each lives in its own file.
func commands(a *app) []*cli.Command {
	return []*cli.Command{
		initCommand(a), licenseCommand(a), issueCommand(a), pushRefreshCommand(a), receiptCommand(a),
		statusCommand(a), auditCommand(a), keyCommand(a), settingsCommand(a), backupCommand(a),
	}
}
