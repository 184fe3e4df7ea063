package cli

import (
	"flag"
	"fmt"
	"strings"
	"unicode"
)

// Lint checks that every command follows the shared help style: a summary
// that starts in lower case and has no final period, at least one example
// for every runnable command (each running the program, directly or at the
// end of a pipe), and flags that all have usage text. It returns one line per
// problem; tests of each command assert it is empty.
func (p *Program) Lint() []string {
	var out []string
	var walk func(path string, cmds []*Command)
	walk = func(path string, cmds []*Command) {
		for _, c := range cmds {
			name := strings.TrimSpace(path + " " + c.Name)
			bad := func(format string, args ...any) {
				out = append(out, fmt.Sprintf("%s %s: %s", p.Name, name, fmt.Sprintf(format, args...)))
			}
			switch {
			case c.Summary == "":
				bad("no summary")
			case unicode.IsUpper([]rune(c.Summary)[0]) || strings.HasSuffix(c.Summary, "."):
				bad("summary %q must start in lower case and have no final period", c.Summary)
			}
			if c.Run != nil {
				if len(c.Examples) == 0 {
					bad("no examples")
				}
				for _, e := range c.Examples {
					if !strings.HasPrefix(e, p.Name+" ") && !strings.Contains(e, "| "+p.Name+" ") {
						bad("example %q does not run %q", e, p.Name)
					}
				}
			}
			if c.Flags != nil {
				fs := flag.NewFlagSet(name, flag.ContinueOnError)
				c.Flags(fs)
				fs.VisitAll(func(f *flag.Flag) {
					if strings.TrimSpace(f.Usage) == "" {
						bad("flag --%s has no usage text", f.Name)
					}
				})
			}
			walk(name, c.Sub)
		}
	}
	walk("", p.Commands)
	return out
}
