package crypto

import (
	"compress/gzip"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// moduleDir finds a dependency's directory in the module cache.
func moduleDir(t *testing.T, module string) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", module).Output()
	require.NoError(t, err, "go list -m %s", module)
	dir := strings.TrimSpace(string(out))
	require.NotEmpty(t, dir, "module %s is not downloaded; run go mod download", module)
	return dir
}

// verifyRaw is how Airlock checks a signature given raw key bytes: parse the
// key strictly, then verify strictly.
func verifyRaw(pub, msg, sig []byte) error {
	k, err := ParsePublicKey(pub)
	if err != nil {
		return err
	}
	return k.Verify(msg, sig)
}

func TestWycheproofEd25519(t *testing.T) {
	f, err := os.Open(filepath.Join(moduleDir(t, "github.com/cloudflare/circl"), "sign/ed25519/testdata/wycheproof_Ed25519.json.gz"))
	require.NoError(t, err)
	defer f.Close()
	gz, err := gzip.NewReader(f)
	require.NoError(t, err)
	var suite struct {
		TestGroups []struct {
			Key struct {
				PK string `json:"pk"`
			} `json:"key"`
			Tests []struct {
				ID     int      `json:"tcId"`
				Msg    string   `json:"msg"`
				Sig    string   `json:"sig"`
				Result string   `json:"result"`
				Flags  []string `json:"flags"`
			} `json:"tests"`
		} `json:"testGroups"`
	}
	require.NoError(t, json.NewDecoder(gz).Decode(&suite))
	n := 0
	for _, g := range suite.TestGroups {
		pub := mustHex(t, g.Key.PK)
		for _, tc := range g.Tests {
			n++
			err := verifyRaw(pub, mustHex(t, tc.Msg), mustHex(t, tc.Sig))
			// Policy: "valid" accepted, "invalid" refused, whatever the flags
			// (SignatureMalleability: S ≥ L is refused).
			if tc.Result == "valid" {
				assert.NoError(t, err, "tcId %d %v", tc.ID, tc.Flags)
			} else {
				assert.Error(t, err, "tcId %d %v", tc.ID, tc.Flags)
			}
		}
	}
	require.Greater(t, n, 100, "too few Wycheproof vectors read")
}

// cctvPolicy is Airlock's decision for a CCTV edge-case vector, from its
// flags. Every vector's signature is valid under some verification
// formula; Airlock accepts only those that the strict rules do (doc/SPEC.md):
//   - LowOrderA, LowOrderComponentA, NonCanonicalA: the key is refused;
//   - NonCanonicalR: refused (R must be the canonical encoding);
//   - LowOrderResidue: refused (the cofactorless equation does not hold);
//   - LowOrderComponentR without LowOrderR: refused (with a key in the
//     prime-order subgroup, [S]B - [k]A has no small-order component);
//   - LowOrderR alone (R is the identity): accepted if the cofactorless
//     equation holds; only the key's owner can make such a signature.
func cctvPolicy(flags []string) bool {
	has := map[string]bool{}
	for _, f := range flags {
		has[f] = true
	}
	switch {
	case has["LowOrderA"], has["LowOrderComponentA"], has["NonCanonicalA"]:
		return false
	case has["NonCanonicalR"], has["LowOrderResidue"]:
		return false
	case has["LowOrderComponentR"] && !has["LowOrderR"]:
		return false
	}
	return true
}

func TestCCTVEd25519Vectors(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(moduleDir(t, "filippo.io/mostly-harmless/ed25519vectors"), "ed25519vectors.json"))
	require.NoError(t, err)
	var vectors []struct {
		A, R, S, M string
		Flags      []string
	}
	require.NoError(t, json.Unmarshal(data, &vectors))
	require.Greater(t, len(vectors), 700)
	accepted := map[bool]int{}
	for i, v := range vectors {
		sig := append(mustHex(t, v.R), mustHex(t, v.S)...)
		err := verifyRaw(mustHex(t, v.A), []byte(v.M), sig)
		want := cctvPolicy(v.Flags)
		accepted[err == nil]++
		if want {
			assert.NoError(t, err, "vector %d %v", i, v.Flags)
		} else {
			assert.Error(t, err, "vector %d %v", i, v.Flags)
		}
	}
	t.Logf("CCTV vectors: %d accepted, %d refused", accepted[true], accepted[false])
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	require.NoError(t, err)
	return b
}
