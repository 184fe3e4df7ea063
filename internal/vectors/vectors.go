package vectors

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/airlock-dev/airlock/wire"
)

// Vector is one test vector file: a header of "name: value" lines, a blank
// line, and the message in armor.
type Vector struct {
	Name    string
	Header  map[string]string
	Message []byte
}

// Expect is the vector's expected outcome: "success" or a failure class.
func (v *Vector) Expect() string { return v.Header["expect"] }

// Parse reads a vector file.
func Parse(name string, data []byte) (*Vector, error) {
	head, body, ok := bytes.Cut(data, []byte("\n\n"))
	if !ok {
		return nil, fmt.Errorf("%s: no blank line between header and message", name)
	}
	v := &Vector{Name: name, Header: map[string]string{}}
	sc := bufio.NewScanner(bytes.NewReader(head))
	for sc.Scan() {
		k, val, ok := strings.Cut(sc.Text(), ": ")
		if !ok {
			return nil, fmt.Errorf("%s: header line %q is not \"name: value\"", name, sc.Text())
		}
		v.Header[k] = val
	}
	if v.Expect() == "" {
		return nil, fmt.Errorf("%s: no expect: line", name)
	}
	_, msg, err := wire.UnmarshalArmor(string(body))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	v.Message = msg
	return v, nil
}

// Seeds returns the message of every vector in dir, for fuzz corpora.
func Seeds(dir string) [][]byte {
	files, _ := filepath.Glob(filepath.Join(dir, "[0-9]*.txt"))
	var out [][]byte
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		if v, err := Parse(filepath.Base(f), data); err == nil {
			out = append(out, v.Message)
		}
	}
	return out
}
