// Command airlock runs on the offline machine: it makes activation, refresh
// and return requests, applies the station's receipts, and answers whether a
// feature is licensed here and now. Run "airlock help" for the commands.
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
		Name:     "airlock",
		Summary:  "software licenses for machines that never touch a network",
		Commands: commands(),
	}
}

// commands lists the subcommands; each lives in its own file.
func commands() []*cli.Command {
	var cmds []*cli.Command
	for _, c := range []*cli.Command{fingerprintCommand(), qrCommand()} {
		if c != nil {
			cmds = append(cmds, c)
		}
	}
	return cmds
}
