// Command benchreport reads `go test -bench` output on stdin and prints
// Airlock's headline figures, one per line as "name: value", computing every
// ratio from benchmarks measured in the same run (medians over -count runs).
// With -md FILE it also writes the figures, the machine and the date as
// Markdown. bench/run is the way to call it.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"
)

// sample is one result line: metric unit → value.
type sample map[string]float64

// results maps a benchmark name (without the -GOMAXPROCS suffix) to its
// samples, and records the cpu line go test prints.
type results struct {
	runs map[string][]sample
	cpu  string
}

func parse(r io.Reader) (*results, error) {
	res := &results{runs: map[string][]sample{}}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if cpu, ok := strings.CutPrefix(line, "cpu: "); ok {
			res.cpu = strings.TrimSpace(cpu)
			continue
		}
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := f[0]
		if i := strings.LastIndex(name, "-"); i > 0 {
			if _, err := strconv.Atoi(name[i+1:]); err == nil {
				name = name[:i]
			}
		}
		s := sample{}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				break
			}
			s[f[i+1]] = v
		}
		res.runs[name] = append(res.runs[name], s)
	}
	return res, sc.Err()
}

// median of metric unit over the runs of the first benchmark whose name has
// the given prefix.
func (r *results) median(prefix, unit string) (float64, bool) {
	var names []string
	for n := range r.runs {
		if strings.HasPrefix(n, prefix) {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return 0, false
	}
	sort.Strings(names)
	var vs []float64
	for _, s := range r.runs[names[0]] {
		if v, ok := s[unit]; ok {
			vs = append(vs, v)
		}
	}
	if len(vs) == 0 {
		return 0, false
	}
	sort.Float64s(vs)
	if len(vs)%2 == 1 {
		return vs[len(vs)/2], true
	}
	return (vs[len(vs)/2-1] + vs[len(vs)/2]) / 2, true
}

// figure is one headline number with its goal.
type figure struct {
	name, value, goal string
	ok                bool
	known             bool
}

func figures(r *results) []figure {
	var out []figure
	add := func(name string, v float64, ok bool, format, goal string, meets func(float64) bool) {
		f := figure{name: name, goal: goal, known: ok}
		if ok {
			f.value = fmt.Sprintf(format, v)
			f.ok = meets == nil || meets(v)
		} else {
			f.value = "n/a"
		}
		out = append(out, f)
	}
	ratio := func(num, den string) (float64, bool) {
		a, ok1 := r.median(num, "ns/op")
		b, ok2 := r.median(den, "ns/op")
		return a / b, ok1 && ok2 && b > 0
	}
	req, ok := r.median("BenchmarkMessageSizes", "request_bytes")
	add("request_bytes", req, ok, "%.0f", "≤ 250", func(v float64) bool { return v <= 250 })
	rec, ok := r.median("BenchmarkMessageSizes", "receipt_bytes")
	add("receipt_bytes", rec, ok, "%.0f", "≤ 250", func(v float64) bool { return v <= 250 })
	v, ok := ratio("BenchmarkCheck", "BenchmarkEd25519Verify")
	add("check_over_verify", v, ok, "%.3f", "≤ 1.25", func(v float64) bool { return v <= 1.25 })
	v, ok = ratio("BenchmarkSQLiteInsertCommit", "BenchmarkIssue/concurrent")
	add("issue_over_sqlite_commit", v, ok, "%.3f", "≥ 0.6", func(v float64) bool { return v >= 0.6 })
	v, ok = ratio("BenchmarkSQLiteInsertCommit", "BenchmarkIssue/sequential")
	add("issue_sequential_over_sqlite_commit", v, ok, "%.3f", "", nil)
	v, ok = r.median("BenchmarkEncodePNG", "ns/op")
	add("qr_encode_ms", v/1e6, ok, "%.3f", "", nil)
	v, ok = r.median("BenchmarkDecode/8px", "ns/op")
	add("qr_decode_ms", v/1e6, ok, "%.3f", "", nil)
	v, ok = r.median("BenchmarkDecode/phone", "ns/op")
	add("qr_decode_photo_ms", v/1e6, ok, "%.3f", "", nil)
	v, ok = r.median("BenchmarkCheck", "ns/op")
	add("check_ns", v, ok, "%.0f", "", nil)
	v, ok = r.median("BenchmarkEd25519Verify", "ns/op")
	add("ed25519_verify_ns", v, ok, "%.0f", "", nil)
	v, ok = r.median("BenchmarkIssue/concurrent", "ns/op")
	add("issues_per_second", 1e9/v, ok, "%.0f", "", nil)
	v, ok = r.median("BenchmarkIssue/sequential", "ns/op")
	add("issues_per_second_sequential", 1e9/v, ok, "%.0f", "", nil)
	v, ok = r.median("BenchmarkSQLiteInsertCommit", "ns/op")
	add("sqlite_commits_per_second", 1e9/v, ok, "%.0f", "", nil)
	return out
}

func main() {
	md := flag.String("md", "", "also write the figures as Markdown to `FILE`")
	cmdline := flag.String("cmd", "bench/run", "the command that produced the input, for the report")
	flag.Parse()
	res, err := parse(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(1)
	}
	figs := figures(res)
	failed := false
	for _, f := range figs {
		fmt.Printf("%s: %s\n", f.name, f.value)
		if f.known && !f.ok {
			failed = true
		}
	}
	if *md != "" {
		if err := os.WriteFile(*md, []byte(markdown(res, figs, *cmdline)), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "benchreport:", err)
			os.Exit(1)
		}
	}
	if failed {
		fmt.Fprintln(os.Stderr, "benchreport: a figure misses its goal")
		os.Exit(1)
	}
}

func markdown(r *results, figs []figure, cmdline string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Performance\n\nMeasured by `%s` on %s.\n\n", cmdline, time.Now().UTC().Format("2006-01-02"))
	fmt.Fprintf(&b, "Machine: %s, %d logical CPUs, %s, %s/%s.\n\n", orUnknown(r.cpu), runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	b.WriteString("Every value is the median over the runs; every ratio divides two benchmarks measured in the same run, so machine noise mostly cancels.\n\n")
	b.WriteString("| figure | value | goal | met |\n|---|---|---|---|\n")
	for _, f := range figs {
		met := ""
		if f.goal != "" {
			met = map[bool]string{true: "yes", false: "**no**"}[f.ok && f.known]
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", f.name, f.value, f.goal, met)
	}
	b.WriteString(`
What the figures mean:

- ` + "`request_bytes`, `receipt_bytes`" + `: a typical activation request and its receipt (three features, six fingerprint components), binary.
- ` + "`check_over_verify`" + `: one ` + "`client.Check`" + ` on an installed lease ÷ one raw Ed25519 verification (` + "`crypto/ed25519.Verify`" + `).
- ` + "`issue_over_sqlite_commit`" + `: durable issuances per second of a station serving 16 concurrent clients (` + "`BenchmarkIssue/concurrent`" + `; issuances queued during one commit share the next, group commit) ÷ raw durable SQLite insert-and-commit per second from one caller, same pragmas (WAL, synchronous=FULL). ` + "`issue_sequential_over_sqlite_commit`" + `: the same with one client issuing one request after another (` + "`BenchmarkIssue/sequential`" + `: one commit per issuance). ` + "`issues_per_second`, `issues_per_second_sequential`" + `: the two numerators.
  One client issuing one request after another is bound by each issuance's own CPU work (strict request verification, the receipt's signature, seven SQLite statements), not by the disk, so its ratio depends on how fast this machine's fsync is; [STATION.md](STATION.md) has the breakdown.
- ` + "`qr_encode_ms`" + `: a 240-byte message to a PNG QR code; ` + "`qr_decode_ms`" + `: decoding it back from a clean 8 px/module screenshot; ` + "`qr_decode_photo_ms`" + `: from a simulated phone photo (skew, rotation, blur, noise, JPEG).
`)
	return b.String()
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown CPU"
	}
	return s
}
