package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/airlock-dev/airlock/fingerprint"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runFingerprint runs "airlock fingerprint" with args and returns the exit
// status, stdout and stderr.
func runFingerprint(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(append([]string{"fingerprint"}, args...), strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// rawValues are the raw identifiers of this machine that must never appear
// in the output.
func rawValues(t *testing.T) []string {
	t.Helper()
	cs, err := fingerprint.Collect()
	require.NoError(t, err)
	var vals []string
	for _, c := range cs {
		vals = append(vals, c.Value, strings.ReplaceAll(c.Value, ":", ""))
	}
	if b, err := os.ReadFile("/etc/machine-id"); err == nil {
		vals = append(vals, strings.TrimSpace(string(b)))
	}
	if h, err := os.Hostname(); err == nil {
		vals = append(vals, h)
	}
	return vals
}

// assertNoRawValue checks that no raw value appears in out: long values
// nowhere, short ones (a host called "vm") not as a word.
func assertNoRawValue(t *testing.T, out string, raw []string) {
	t.Helper()
	for _, v := range raw {
		if v == "" {
			continue
		}
		if len(v) >= 6 {
			assert.NotContains(t, strings.ToLower(out), strings.ToLower(v))
			continue
		}
		word := regexp.MustCompile(`(?i)(^|[^a-z0-9])` + regexp.QuoteMeta(v) + `([^a-z0-9]|$)`)
		assert.NotRegexp(t, word, out, "raw value %q printed", v)
	}
}

var summaryPattern = regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$`)

func TestFingerprintJSON(t *testing.T) {
	code, out, errOut := runFingerprint(t, "--json")
	require.Equal(t, 0, code, errOut)
	assert.Empty(t, errOut)

	var r struct {
		Product    string `json:"product"`
		Components []struct {
			Kind string `json:"kind"`
			Hash string `json:"hash"`
		} `json:"components"`
		Summary          string `json:"summary"`
		ThresholdDefault int    `json:"threshold_default"`
		Virtualization   struct {
			Hypervisor       *bool    `json:"hypervisor"`
			HypervisorVendor string   `json:"hypervisor_vendor"`
			Container        *bool    `json:"container"`
			ContainerKind    string   `json:"container_kind"`
			Markers          []string `json:"markers"`
		} `json:"virtualization"`
	}
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&r), out)

	assert.Equal(t, "airlock", r.Product)
	require.NotEmpty(t, r.Components)
	for _, c := range r.Components {
		_, err := fingerprint.ParseKind(c.Kind)
		assert.NoError(t, err)
		assert.Regexp(t, `^[0-9a-f]{8}$`, c.Hash)
	}
	assert.Regexp(t, summaryPattern, r.Summary)
	assert.Equal(t, fingerprint.DefaultThreshold(len(r.Components)), r.ThresholdDefault)
	require.NotNil(t, r.Virtualization.Hypervisor)
	require.NotNil(t, r.Virtualization.Container)
	assert.NotNil(t, r.Virtualization.Markers)

	// The hashes are this machine's under the "airlock" salt.
	cs, err := fingerprint.Collect()
	require.NoError(t, err)
	want := fingerprint.Hashes(fingerprint.ProductSalt("airlock"), cs)
	assert.Equal(t, want.Summary(), r.Summary)
	require.Len(t, r.Components, len(want))
	for i, h := range want {
		assert.Equal(t, h.Kind.String(), r.Components[i].Kind)
	}

	assertNoRawValue(t, out, rawValues(t))
}

func TestFingerprintText(t *testing.T) {
	code, out, errOut := runFingerprint(t)
	require.Equal(t, 0, code, errOut)
	assertNoRawValue(t, out, rawValues(t))

	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	component := regexp.MustCompile(`^[a-z-]+ +[0-9a-f]{8}$`)
	n := 0
	for n < len(lines) && component.MatchString(lines[n]) {
		n++
	}
	require.Positive(t, n, out)
	var summary string
	for _, l := range lines[n:] {
		if s, ok := strings.CutPrefix(l, "summary: "); ok {
			summary = s
		}
	}
	assert.Regexp(t, summaryPattern, summary)
	assert.Contains(t, out, "virtual machine: ")
	assert.Contains(t, out, "container: ")

	// The same summary in both forms; another product sees another one.
	_, jsonOut, _ := runFingerprint(t, "--json")
	assert.Contains(t, jsonOut, `"summary": "`+summary+`"`)
	_, other, _ := runFingerprint(t, "--product", "cad-suite")
	assert.Contains(t, other, "product: cad-suite")
	assert.NotContains(t, other, summary)
}

func TestFingerprintErrors(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		collect  func() ([]fingerprint.Component, error)
		wantCode int
		wantErr  string
	}{
		{"extra argument", []string{"now"}, nil, 2, "airlock: error: unexpected argument \"now\"\nhint: airlock fingerprint takes no arguments\n"},
		{"empty product", []string{"--product", ""}, nil, 2, "airlock: error: --product must not be empty\nhint: name the product, or leave --product out\n"},
		{"unknown flag", []string{"--raw"}, nil, 2, "airlock: error: flag provided but not defined: -raw\nhint: run 'airlock help fingerprint' for usage\n"},
		{
			"nothing readable", nil,
			func() ([]fingerprint.Component, error) { return nil, fingerprint.ErrNoComponents }, 1,
			"airlock: error: reading this machine's fingerprint: no machine components could be read\n" +
				"hint: airlock needs read access to the machine's identifiers (on Linux /etc/machine-id, /proc and /sys)\n",
		},
		{
			"collector failure", []string{"--json"},
			func() ([]fingerprint.Component, error) { return nil, errors.New("ioreg timed out") }, 1,
			"airlock: error: reading this machine's fingerprint: ioreg timed out\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.collect != nil {
				saved := fingerprintCollect
				fingerprintCollect = tt.collect
				t.Cleanup(func() { fingerprintCollect = saved })
			}
			code, out, errOut := runFingerprint(t, tt.args...)
			assert.Equal(t, tt.wantCode, code)
			assert.Empty(t, out)
			assert.Equal(t, tt.wantErr, errOut)
		})
	}
}

func TestFingerprintHelp(t *testing.T) {
	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, run([]string{"help", "fingerprint"}, strings.NewReader(""), &stdout, &stderr))
	assert.Contains(t, stdout.String(), "--product NAME")
	assert.Contains(t, stdout.String(), "airlock fingerprint --json")
	assert.Contains(t, stdout.String(), "airlock init")
}

// TestFingerprintFakeMachine drives the command with fixed components, so
// the text form and the redaction are checked against known raw values.
func TestFingerprintFakeMachine(t *testing.T) {
	raw := []fingerprint.Component{
		{Kind: fingerprint.KindMachineID, Value: "0123456789abcdef0123456789abcdef"},
		{Kind: fingerprint.KindMAC, Value: "00:1a:2b:3c:4d:5e"},
		{Kind: fingerprint.KindHostname, Value: "build-07"},
	}
	savedC, savedD := fingerprintCollect, fingerprintDetect
	fingerprintCollect = func() ([]fingerprint.Component, error) { return raw, nil }
	fingerprintDetect = func() fingerprint.Facts {
		return fingerprint.Facts{Hypervisor: true, HypervisorVendor: "qemu", Markers: []string{"dmi:sys_vendor=QEMU"}}
	}
	t.Cleanup(func() { fingerprintCollect, fingerprintDetect = savedC, savedD })

	code, out, errOut := runFingerprint(t)
	require.Equal(t, 0, code, errOut)
	s := fingerprint.Hashes(fingerprint.ProductSalt("airlock"), raw)
	want := "machine-id    " + hexSum(s[0]) + "\n" +
		"mac           " + hexSum(s[1]) + "\n" +
		"hostname      " + hexSum(s[2]) + "\n" +
		"\nsummary: " + s.Summary() + "\n" +
		"product: airlock\n" +
		"match:   2 of 3 components by default\n" +
		"virtual machine: yes (qemu)\n" +
		"container: no sign\n" +
		"markers: dmi:sys_vendor=QEMU\n"
	assert.Equal(t, want, out)
	for _, v := range []string{"0123456789abcdef", "00:1a:2b", "001a2b", "build-07"} {
		assert.NotContains(t, out, v)
	}
}

func hexSum(h fingerprint.Hash) string {
	return strings.TrimPrefix(h.String(), h.Kind.String()+":")
}
