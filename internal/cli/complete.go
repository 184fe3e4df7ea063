package cli

import (
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
)

// completion prints a completion script for bash, zsh or fish. The scripts
// are static: they list commands, subcommands and each command's flags.
func (p *Program) completion(env *Env, args []string) int {
	if len(args) != 1 {
		return p.fail(env, WithHint(Usagef("completion needs one shell name"),
			fmt.Sprintf("for example: source <(%s completion bash)", p.Name)))
	}
	words := p.completionWords()
	switch args[0] {
	case "bash", "zsh":
		p.bashCompletion(env.Stdout, words, args[0] == "zsh")
	case "fish":
		for path, ws := range sortedMap(words) {
			cond := "__fish_use_subcommand"
			if path != "" {
				cond = "__fish_seen_subcommand_from " + path[strings.LastIndex(path, " ")+1:]
			}
			for _, w := range ws {
				if strings.HasPrefix(w, "--") {
					fmt.Fprintf(env.Stdout, "complete -c %s -n '%s' -l %s\n", p.Name, cond, w[2:])
				} else {
					fmt.Fprintf(env.Stdout, "complete -c %s -f -n '%s' -a %s\n", p.Name, cond, w)
				}
			}
		}
	default:
		return p.fail(env, WithHint(Usagef("unknown shell %q", args[0]), "use bash, zsh or fish"))
	}
	return ExitOK
}

// completionWords maps a command path ("", "license", "license add") to the
// words that may follow it.
func (p *Program) completionWords() map[string][]string {
	out := map[string][]string{}
	var walk func(prefix string, cmds []*Command)
	walk = func(prefix string, cmds []*Command) {
		for _, c := range cmds {
			out[prefix] = append(out[prefix], c.Name)
			path := strings.TrimSpace(prefix + " " + c.Name)
			if c.Flags != nil {
				fs := flag.NewFlagSet(path, flag.ContinueOnError)
				c.Flags(fs)
				fs.VisitAll(func(f *flag.Flag) { out[path] = append(out[path], "--"+f.Name) })
			}
			walk(path, c.Sub)
		}
	}
	walk("", p.Commands)
	out[""] = append(out[""], "help", "version", "completion")
	return out
}

func (p *Program) bashCompletion(w io.Writer, words map[string][]string, zsh bool) {
	fn := "_" + strings.ReplaceAll(p.Name, "-", "_")
	if zsh {
		fmt.Fprintln(w, "autoload -U +X bashcompinit && bashcompinit")
	}
	fmt.Fprintf(w, "%s() {\n  local cur path i\n  cur=\"${COMP_WORDS[COMP_CWORD]}\"\n  path=\"\"\n", fn)
	fmt.Fprintf(w, "  for ((i=1; i<COMP_CWORD; i++)); do\n    case \"${COMP_WORDS[i]}\" in -*) ;; *) case \"$path ${COMP_WORDS[i]}\" in\n")
	for path := range sortedMap(words) {
		if path != "" {
			fmt.Fprintf(w, "      \" %s\") path=\"%s\";;\n", path, path)
		}
	}
	fmt.Fprintf(w, "    esac;; esac\n  done\n  case \"$path\" in\n")
	for path, ws := range sortedMap(words) {
		fmt.Fprintf(w, "    \"%s\") COMPREPLY=($(compgen -W \"%s\" -- \"$cur\"));;\n", path, strings.Join(ws, " "))
	}
	fmt.Fprintf(w, "  esac\n  [ ${#COMPREPLY[@]} -eq 0 ] && COMPREPLY=($(compgen -f -- \"$cur\"))\n}\ncomplete -F %s %s\n", fn, p.Name)
}

// sortedMap iterates a map in key order.
func sortedMap(m map[string][]string) func(yield func(string, []string) bool) {
	return func(yield func(string, []string) bool) {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if !yield(k, m[k]) {
				return
			}
		}
	}
}
