// Command airlock-station is the issuing station: it holds the issuer key
// and the database of licenses and leases, turns requests into signed
// receipts, and keeps a hash-chained ledger of everything it did. Run
// "airlock-station help" for the commands.
package main

import (
	"io"
	"os"

	"github.com/airlock-dev/airlock/internal/cli"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run is the whole command; tests drive it end to end.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return program().Main(args, stdin, stdout, stderr)
}

func program() *cli.Program {
	return &cli.Program{
		Name:     "airlock-station",
		Summary:  "the issuing station: licenses, seats, leases and signed receipts",
		Commands: commands(),
	}
}

func commands() []*cli.Command {
	return nil
}
