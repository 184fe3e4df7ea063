// Package cli is the small command framework shared by airlock and
// airlock-station: subcommand dispatch, help text with examples, --version,
// shell completion, interspersed flags, and the error style
//
//	airlock: error: what went wrong
//	hint: what usually helps
//
// Commands never print or exit themselves; they return errors, and Main turns
// them into text on stderr and an exit status.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// Version is the release version, set at build time with
// -ldflags "-X github.com/airlock-dev/airlock/internal/cli.Version=v1.2.3".
var Version = "v0.1.0-dev"

// Exit statuses.
const (
	ExitOK    = 0
	ExitError = 1 // the command ran and failed (or, for check, the answer is no)
	ExitUsage = 2 // the command line was wrong
)

// Env is what a command may touch of the outside world.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
}

// Command is one subcommand. Subcommands may nest (Sub): "license add".
type Command struct {
	Name     string
	Summary  string // one line, lowercase, no final period
	Usage    string // arguments after the command name, e.g. "[flags] FILE"
	Help     string // paragraphs shown by help
	Examples []string
	Flags    func(fs *flag.FlagSet) // declares flags; nil for none
	Run      func(env *Env, fs *flag.FlagSet, args []string) error
	Sub      []*Command
}

// Program describes one executable.
type Program struct {
	Name     string
	Summary  string
	Commands []*Command
}

// usageError marks an error as a command-line mistake (exit status 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// Usagef returns an error reported as a usage mistake.
func Usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// hinted attaches hint lines to an error.
type hinted struct {
	err   error
	hints []string
}

func (e *hinted) Error() string { return e.err.Error() }
func (e *hinted) Unwrap() error { return e.err }

// WithHint attaches hint lines, printed after the error as "hint: ...".
func WithHint(err error, hints ...string) error {
	if err == nil {
		return nil
	}
	return &hinted{err: err, hints: hints}
}

// Hints returns the hint lines attached anywhere in err's chain, outermost
// first; an error may also carry its own hints with a Hint() string method.
func Hints(err error) []string {
	var out []string
	for e := err; e != nil; e = errors.Unwrap(e) {
		if h, ok := e.(*hinted); ok {
			out = append(out, h.hints...)
		}
		if h, ok := e.(interface{ Hint() string }); ok && h.Hint() != "" {
			out = append(out, h.Hint())
		}
	}
	return out
}

// Silent is returned by commands that already said all they had to say (a
// check that answered "no") and only need a non-zero exit status.
type Silent struct{ Status int }

func (s Silent) Error() string { return fmt.Sprintf("exit status %d", s.Status) }

// Main runs the program with args (without the program name) and returns the
// exit status.
func (p *Program) Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	env := &Env{Stdin: stdin, Stdout: stdout, Stderr: stderr, Getenv: os.Getenv}
	return p.run(env, args)
}

// MainEnv is Main with a custom environment lookup (for tests).
func (p *Program) MainEnv(args []string, env *Env) int {
	if env.Getenv == nil {
		env.Getenv = os.Getenv
	}
	return p.run(env, args)
}

func (p *Program) run(env *Env, args []string) int {
	if len(args) == 0 {
		p.printUsage(env.Stderr)
		return ExitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		if len(args) > 1 {
			if c, _ := find(p.Commands, args[1:]); c != nil {
				p.printCommandHelp(env.Stdout, c, args[1:])
				return ExitOK
			}
		}
		p.printUsage(env.Stdout)
		return ExitOK
	case "-version", "--version", "version":
		fmt.Fprintf(env.Stdout, "%s %s\n", p.Name, Version)
		return ExitOK
	case "completion":
		return p.completion(env, args[1:])
	}
	c, rest := find(p.Commands, args)
	if c == nil {
		return p.fail(env, WithHint(Usagef("unknown command %q", args[0]),
			fmt.Sprintf("run '%s help' for the list of commands", p.Name)))
	}
	path := args[:len(args)-len(rest)]
	if c.Run == nil {
		if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
			return p.fail(env, WithHint(Usagef("unknown command %q", strings.Join(append(path, rest[0]), " ")),
				fmt.Sprintf("run '%s help %s' for its subcommands", p.Name, strings.Join(path, " "))))
		}
		p.printCommandHelp(env.Stdout, c, path)
		if len(rest) > 0 && isHelp(rest[0]) {
			return ExitOK
		}
		return ExitUsage
	}
	fs := flag.NewFlagSet(p.Name+" "+strings.Join(path, " "), flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if c.Flags != nil {
		c.Flags(fs)
	}
	pos, err := parseInterspersed(fs, rest)
	if errors.Is(err, flag.ErrHelp) {
		p.printCommandHelp(env.Stdout, c, path)
		return ExitOK
	}
	if err != nil {
		return p.fail(env, WithHint(usageError{err}, fmt.Sprintf("run '%s help %s' for usage", p.Name, strings.Join(path, " "))))
	}
	return p.fail(env, c.Run(env, fs, pos))
}

func isHelp(s string) bool { return s == "-h" || s == "-help" || s == "--help" }

// fail prints err in the house style and returns the exit status.
func (p *Program) fail(env *Env, err error) int {
	if err == nil {
		return ExitOK
	}
	var s Silent
	if errors.As(err, &s) {
		return s.Status
	}
	fmt.Fprintf(env.Stderr, "%s: error: %s\n", p.Name, err)
	for _, h := range Hints(err) {
		fmt.Fprintf(env.Stderr, "hint: %s\n", h)
	}
	var u usageError
	if errors.As(err, &u) {
		return ExitUsage
	}
	return ExitError
}

// find walks nested commands along args and returns the deepest match and
// the arguments left after it.
func find(cmds []*Command, args []string) (*Command, []string) {
	var found *Command
	for len(args) > 0 {
		var next *Command
		for _, c := range cmds {
			if c.Name == args[0] {
				next = c
			}
		}
		if next == nil {
			break
		}
		found, cmds, args = next, next.Sub, args[1:]
	}
	return found, args
}

// parseInterspersed parses flags that may appear before, between or after
// positional arguments. "--" ends flag parsing; "-" alone is a positional
// argument (stdin or stdout).
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for len(args) > 0 {
		a := args[0]
		if a == "--" {
			return append(pos, args[1:]...), nil
		}
		if len(a) < 2 || a[0] != '-' {
			pos = append(pos, a)
			args = args[1:]
			continue
		}
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(pos, rest...), nil
		}
		args = rest
	}
	return pos, nil
}

func (p *Program) printUsage(w io.Writer) {
	fmt.Fprintf(w, "%s — %s\n\nUsage:\n  %s <command> [flags] [arguments]\n\nCommands:\n", p.Name, p.Summary, p.Name)
	tw := 0
	for _, c := range p.Commands {
		tw = max(tw, len(c.Name))
	}
	for _, c := range p.Commands {
		fmt.Fprintf(w, "  %-*s  %s\n", tw, c.Name, c.Summary)
	}
	fmt.Fprintf(w, "  %-*s  %s\n  %-*s  %s\n  %-*s  %s\n", tw, "help", "show help for a command",
		tw, "version", "print the version", tw, "completion", "print a shell completion script (bash, zsh or fish)")
	fmt.Fprintf(w, "\nRun '%s help <command>' for a command's flags and examples.\n", p.Name)
}

func (p *Program) printCommandHelp(w io.Writer, c *Command, path []string) {
	name := p.Name + " " + strings.Join(path, " ")
	fmt.Fprintf(w, "%s — %s\n\nUsage:\n  %s %s\n", name, c.Summary, name, c.Usage)
	if c.Help != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimSpace(c.Help))
	}
	if len(c.Sub) > 0 {
		fmt.Fprintf(w, "\nSubcommands:\n")
		for _, s := range c.Sub {
			fmt.Fprintf(w, "  %-10s  %s\n", s.Name, s.Summary)
		}
	}
	if c.Flags != nil {
		fs := flag.NewFlagSet(name, flag.ContinueOnError)
		c.Flags(fs)
		var names []string
		fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
		if len(names) > 0 {
			fmt.Fprintf(w, "\nFlags:\n")
			sort.Strings(names)
			for _, n := range names {
				f := fs.Lookup(n)
				arg, usage := flag.UnquoteUsage(f)
				fmt.Fprintf(w, "  --%s %s\n      %s", n, arg, usage)
				if f.DefValue != "" && f.DefValue != "false" {
					fmt.Fprintf(w, " (default %s)", f.DefValue)
				}
				fmt.Fprintln(w)
			}
		}
	}
	if len(c.Examples) > 0 {
		fmt.Fprintf(w, "\nExamples:\n")
		for _, e := range c.Examples {
			fmt.Fprintf(w, "  %s\n", e)
		}
	}
}
