package vectors

import (
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/airlock-dev/airlock/crypto"
	"github.com/airlock-dev/airlock/request"
	"github.com/airlock-dev/airlock/response"
	"github.com/airlock-dev/airlock/wire"
)

const dir = "../../testdata/vectors"

// classes maps each expect: value to the error it must produce.
var classes = map[string]error{
	"bad signature":          crypto.ErrBadSignature,
	"wrong key":              crypto.ErrBadSignature,
	"unknown key":            crypto.ErrUnknownKey,
	"wrong type":             wire.ErrWrongType,
	"expired":                response.ErrExpired,
	"not yet valid":          response.ErrNotYetValid,
	"malformed cbor":         wire.ErrMalformed,
	"trailing data":          wire.ErrTrailingData,
	"oversize":               wire.ErrOversize,
	"non-canonical encoding": wire.ErrNonCanonical,
	"small-order device key": crypto.ErrSmallOrderKey,
	"key retired":            crypto.ErrKeyRetired,
	"unsupported version":    wire.ErrUnsupportedVersion,
	"invalid field":          wire.ErrInvalidField,
	"stale rollover":         crypto.ErrStaleRollover,
}

func loadAll(t *testing.T) []*Vector {
	files, err := filepath.Glob(filepath.Join(dir, "[0-9]*.txt"))
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(files), 40, "the format promises at least 40 vectors")
	var vs []*Vector
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		v, err := Parse(filepath.Base(f), data)
		require.NoError(t, err)
		vs = append(vs, v)
	}
	return vs
}

func typeByLabel(t *testing.T, label string) wire.Type {
	for ty := wire.ActivationRequest; ty <= wire.KeyRollover; ty++ {
		if ty.Label() == label {
			return ty
		}
	}
	t.Fatalf("unknown label %q", label)
	return 0
}

// check verifies a vector's message the way Airlock would.
func check(t *testing.T, v *Vector) error {
	as := typeByLabel(t, v.Header["verify-as"])
	now, err := time.Parse(time.RFC3339, v.Header["now"])
	require.NoError(t, err)
	var device crypto.PublicKey
	if h := v.Header["device-key"]; h != "" {
		b, err := hex.DecodeString(h)
		require.NoError(t, err)
		device, err = crypto.ParsePublicKey(b)
		require.NoError(t, err)
	}
	var trust *crypto.TrustStore
	if f := v.Header["trust"]; f != "" {
		data, err := os.ReadFile(filepath.Join(dir, f))
		require.NoError(t, err)
		trust, err = crypto.ParseTrustStore(data)
		require.NoError(t, err)
	}
	switch as {
	case wire.ActivationRequest:
		_, err = request.VerifyActivation(v.Message)
	case wire.RefreshRequest:
		_, err = request.VerifyRefresh(v.Message, device)
	case wire.ReturnRequest:
		_, err = request.VerifyReturn(v.Message, device)
	case wire.KeyRollover:
		_, err = trust.ApplyRollover(v.Message)
	default:
		_, err = response.Verify(v.Message, trust, now, as)
	}
	return err
}

func TestVectors(t *testing.T) {
	seen := map[string]int{}
	for _, v := range loadAll(t) {
		t.Run(v.Name, func(t *testing.T) {
			seen[v.Expect()]++
			err := check(t, v)
			if v.Expect() == "success" {
				require.NoError(t, err)
				return
			}
			want, ok := classes[v.Expect()]
			require.True(t, ok, "unknown expect class %q", v.Expect())
			require.Error(t, err)
			assert.ErrorIs(t, err, want, "got %v", err)
		})
	}
	for class := range classes {
		assert.NotZero(t, seen[class], "no vector for failure class %q", class)
	}
	for _, ty := range []string{"activation-request", "refresh-request", "return-request", "activation-receipt",
		"refresh-receipt", "deactivation-receipt", "revocation-receipt", "key-rollover"} {
		_, err := os.Stat(filepath.Join(dir, vectorFile(t, ty)))
		assert.NoError(t, err, "no success vector for %s", ty)
	}
}

func vectorFile(t *testing.T, suffix string) string {
	files, _ := filepath.Glob(filepath.Join(dir, "[0-9][0-9][0-9]-"+suffix+".txt"))
	if len(files) != 1 {
		t.Errorf("want one vector named %s, found %d", suffix, len(files))
		return ""
	}
	return filepath.Base(files[0])
}

// TestVectorsRoundTrip: every success vector's message re-encodes byte for
// byte, in all three encodings.
func TestVectorsRoundTrip(t *testing.T) {
	for _, v := range loadAll(t) {
		if v.Expect() != "success" {
			continue
		}
		as := typeByLabel(t, v.Header["verify-as"])
		for _, enc := range []wire.Encoding{wire.Binary, wire.Armor, wire.Base45} {
			out, err := wire.Marshal(enc, as, v.Message)
			require.NoError(t, err)
			back, gotEnc, _, err := wire.Read(out)
			require.NoError(t, err, "%s %s", v.Name, enc)
			assert.Equal(t, enc, gotEnc)
			assert.Equal(t, v.Message, back, "%s %s", v.Name, enc)
		}
	}
}

// TestVectorsUpToDate regenerates the vectors and compares them with the
// committed files.
func TestVectorsUpToDate(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the generator")
	}
	out := t.TempDir()
	cmd := exec.Command("go", "run", "./gen", "-out", out)
	msg, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", msg)
	want, err := filepath.Glob(filepath.Join(dir, "*"))
	require.NoError(t, err)
	got, err := filepath.Glob(filepath.Join(out, "*"))
	require.NoError(t, err)
	require.Equal(t, len(want), len(got), "vector count differs: run go generate ./internal/vectors")
	for _, f := range want {
		a, _ := os.ReadFile(f)
		b, err := os.ReadFile(filepath.Join(out, filepath.Base(f)))
		require.NoError(t, err)
		if !assert.Equal(t, string(a), string(b), "%s is stale: run go generate ./internal/vectors", filepath.Base(f)) {
			return
		}
	}
}

func TestVectorHeaderErrors(t *testing.T) {
	for _, tc := range []struct{ name, in string }{
		{"no blank line", "expect: success\n"},
		{"no expect", "comment: x\n\n-----BEGIN AIRLOCK KEY ROLLOVER-----\nAA==\n-----END AIRLOCK KEY ROLLOVER-----\n"},
		{"bad header line", "expect success\n\nx"},
	} {
		_, err := Parse(tc.name, []byte(tc.in))
		assert.Error(t, err, tc.name)
	}
}
