// Command airlock runs on the offline machine: it makes activation, refresh
// and return requests, applies the station's receipts, and answers whether a
// feature is licensed here and now. Run "airlock help" for the commands.
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
// once; nothing else in airlock does.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runAt(time.Now(), args, &cli.Env{Stdin: stdin, Stdout: stdout, Stderr: stderr})
}

// runAt is run with the clock reading now. Only tests call it with another
// time: there is deliberately no flag or environment variable that sets
// the clock, which would let anyone stretch a lease.
func runAt(now time.Time, args []string, env *cli.Env) int {
	return programAt(&app{now: now}).MainEnv(args, env)
}

// program is the command with the clock read now.
func program() *cli.Program { return programAt(&app{now: time.Now()}) }

func programAt(a *app) *cli.Program {
	return &cli.Program{
		Name:     "airlock",
		Summary:  "software licenses for machines that never touch a network",
		Commands: commands(a),
	}
}

// commands lists the subcommands; each lives in its own file.
func commands(a *app) []*cli.Command {
	var cmds []*cli.Command
	for _, c := range []*cli.Command{
		initCommand(a), requestCommand(a), refreshCommand(a), returnCommand(a), applyCommand(a),
		statusCommand(a), checkCommand(a), trustCommand(a), fingerprintCommand(a), qrCommand(),
	} {
		if c != nil {
			cmds = append(cmds, c)
		}
	}
	return cmds
}
