package cli

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testProgram has a runnable command with flags, a group with
// subcommands, and commands that fail in each way.
func testProgram(got *[]string) *Program {
	var name string
	var loud bool
	return &Program{
		Name: "demo", Summary: "a test program",
		Commands: []*Command{
			{
				Name: "greet", Summary: "say hello", Usage: "[--name N] [--loud] ARGS...",
				Help: "Greets.", Examples: []string{"demo greet --name ana"},
				Flags: func(fs *flag.FlagSet) {
					fs.StringVar(&name, "name", "world", "who to greet")
					fs.BoolVar(&loud, "loud", false, "shout")
				},
				Run: func(env *Env, fs *flag.FlagSet, args []string) error {
					*got = append([]string{name}, args...)
					if loud {
						*got = append(*got, "LOUD")
					}
					_, err := env.Stdout.Write([]byte("hello " + name + "\n"))
					return err
				},
			},
			{Name: "fail", Summary: "fail with a hint", Usage: "", Examples: []string{"demo fail"},
				Run: func(*Env, *flag.FlagSet, []string) error {
					return WithHint(errors.New("it broke"), "try again", "or not")
				}},
			{Name: "no", Summary: "answer no quietly", Usage: "", Examples: []string{"demo no"},
				Run: func(*Env, *flag.FlagSet, []string) error { return Silent{Status: ExitError} }},
			{Name: "group", Summary: "a group", Sub: []*Command{
				{Name: "sub", Summary: "a subcommand", Usage: "", Examples: []string{"demo group sub"},
					Run: func(env *Env, _ *flag.FlagSet, _ []string) error {
						*got = []string{"sub"}
						return nil
					}},
			}},
		},
	}
}

func runDemo(args ...string) (code int, stdout, stderr string, got []string) {
	var out, errb bytes.Buffer
	p := testProgram(&got)
	code = p.Main(args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String(), got
}

func TestDispatch(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantGot    []string
		wantStdout string
		wantStderr string
	}{
		{"flags before args", []string{"greet", "--name", "ana", "x"}, 0, []string{"ana", "x"}, "hello ana\n", ""},
		{"flags after args", []string{"greet", "x", "--loud", "y"}, 0, []string{"world", "x", "y", "LOUD"}, "hello world\n", ""},
		{"dash is an argument", []string{"greet", "-", "--name=bo"}, 0, []string{"bo", "-"}, "hello bo\n", ""},
		{"double dash ends flags", []string{"greet", "--", "--loud"}, 0, []string{"world", "--loud"}, "hello world\n", ""},
		{"subcommand", []string{"group", "sub"}, 0, []string{"sub"}, "", ""},
		{"error with hints", []string{"fail"}, 1, nil, "", "demo: error: it broke\nhint: try again\nhint: or not\n"},
		{"silent failure", []string{"no"}, 1, nil, "", ""},
		{"unknown command", []string{"nope"}, 2, nil, "", "demo: error: unknown command \"nope\"\nhint: run 'demo help' for the list of commands\n"},
		{"unknown subcommand", []string{"group", "nope"}, 2, nil, "", "demo: error: unknown command \"group nope\"\nhint: run 'demo help group' for its subcommands\n"},
		{"unknown flag", []string{"greet", "--bad"}, 2, nil, "", "demo: error: flag provided but not defined: -bad\nhint: run 'demo help greet' for usage\n"},
		{"flag missing value", []string{"greet", "--name"}, 2, nil, "", "demo: error: flag needs an argument: -name\nhint: run 'demo help greet' for usage\n"},
		{"no arguments", nil, 2, nil, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr, got := runDemo(tc.args...)
			assert.Equal(t, tc.wantCode, code)
			assert.Equal(t, tc.wantGot, got)
			assert.Equal(t, tc.wantStdout, stdout)
			if tc.name == "no arguments" {
				assert.Contains(t, stderr, "Usage:")
				return
			}
			assert.Equal(t, tc.wantStderr, stderr)
		})
	}
}

func TestHelpAndVersion(t *testing.T) {
	code, out, _, _ := runDemo("help")
	assert.Equal(t, 0, code)
	for _, want := range []string{"demo — a test program", "greet", "say hello", "completion", "Run 'demo help <command>'"} {
		assert.Contains(t, out, want)
	}
	for _, args := range [][]string{{"help", "greet"}, {"greet", "--help"}, {"greet", "-h"}} {
		code, out, _, _ := runDemo(args...)
		assert.Equal(t, 0, code, "%v", args)
		for _, want := range []string{"demo greet — say hello", "Usage:\n  demo greet [--name N]", "Greets.", "--name N", "who to greet (default world)", "Examples:\n  demo greet --name ana"} {
			assert.Contains(t, out, want, "%v", args)
		}
	}
	code, out, _, _ = runDemo("group")
	assert.Equal(t, 2, code, "a group alone is a usage mistake")
	assert.Contains(t, out, "Subcommands:\n  sub")
	code, _, _, _ = runDemo("group", "--help")
	assert.Equal(t, 0, code)

	for _, v := range []string{"version", "--version", "-version"} {
		code, out, _, _ := runDemo(v)
		assert.Equal(t, 0, code)
		assert.Equal(t, "demo "+Version+"\n", out)
	}
}

func TestCompletion(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish"} {
		code, out, _, _ := runDemo("completion", shell)
		require.Equal(t, 0, code, shell)
		flagName := map[string]string{"bash": "--name", "zsh": "--name", "fish": "-l name"}[shell]
		for _, want := range []string{"greet", flagName, "group", "sub"} {
			assert.Contains(t, out, want, shell)
		}
	}
	code, _, stderr, _ := runDemo("completion", "tcsh")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "unknown shell")
	code, _, _, _ = runDemo("completion")
	assert.Equal(t, 2, code)

	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	_, out, _, _ := runDemo("completion", "bash")
	script := filepath.Join(t.TempDir(), "c.bash")
	require.NoError(t, os.WriteFile(script, []byte(out), 0o644))
	msg, err := exec.Command(bash, "-n", script).CombinedOutput()
	assert.NoError(t, err, "bash -n: %s", msg)
	// And it completes: after "demo gr" it offers "group" and "greet".
	probe := out + `
COMP_WORDS=(demo gr); COMP_CWORD=1; _demo; echo "${COMPREPLY[@]}"
COMP_WORDS=(demo greet --l); COMP_CWORD=2; _demo; echo "${COMPREPLY[@]}"
COMP_WORDS=(demo group s); COMP_CWORD=2; _demo; echo "${COMPREPLY[@]}"
`
	got, err := exec.Command(bash, "-c", probe).CombinedOutput()
	require.NoError(t, err, "%s", got)
	assert.Equal(t, "greet group\n--loud\nsub\n", string(got))
}

func TestLint(t *testing.T) {
	var got []string
	assert.Empty(t, testProgram(&got).Lint())
	bad := &Program{Name: "demo", Commands: []*Command{
		{Name: "x", Summary: "Does things.", Run: func(*Env, *flag.FlagSet, []string) error { return nil },
			Examples: []string{"other x"}, Flags: func(fs *flag.FlagSet) { fs.Bool("q", false, "") }},
	}}
	problems := bad.Lint()
	assert.Len(t, problems, 3, "%q", problems)
}

type termBuf struct{ bytes.Buffer }

func (*termBuf) IsTerminal() bool { return true }

func TestTerminal(t *testing.T) {
	assert.True(t, Terminal(&termBuf{}))
	assert.False(t, Terminal(&bytes.Buffer{}))
	f, err := os.CreateTemp(t.TempDir(), "x")
	require.NoError(t, err)
	defer f.Close()
	assert.False(t, Terminal(f), "a file is not a terminal")
}
