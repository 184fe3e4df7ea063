package fingerprint

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/bits"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestKindNames(t *testing.T) {
	for k := Kind(1); k < kindLimit; k++ {
		require.True(t, k.Valid())
		got, err := ParseKind(k.String())
		require.NoError(t, err)
		assert.Equal(t, k, got)
		b, err := json.Marshal(k)
		require.NoError(t, err)
		var back Kind
		require.NoError(t, json.Unmarshal(b, &back))
		assert.Equal(t, k, back)
	}
	assert.False(t, Kind(0).Valid())
	assert.False(t, kindLimit.Valid())
	assert.Equal(t, "kind(9)", Kind(9).String())
	_, err := ParseKind("serial-number")
	require.EqualError(t, err, `unknown component kind "serial-number"`)
}

// TestKindNumbers pins the wire values: they must never change.
func TestKindNumbers(t *testing.T) {
	want := map[Kind]uint8{KindMachineID: 1, KindProductUUID: 2, KindBoardSerial: 3, KindMAC: 4, KindDiskSerial: 5, KindCPU: 6, KindHostname: 7}
	for k, n := range want {
		assert.Equal(t, n, uint8(k), k.String())
	}
}

// TestHashComponentVector pins HashComponent's output, which receipts
// already issued depend on.
func TestHashComponentVector(t *testing.T) {
	// HMAC-SHA256 keyed by "airlock fingerprint v1\x00airlock" over the
	// kind byte 0x01 and the value, first four bytes (computed independently).
	h := HashComponent([]byte("airlock"), KindMachineID, "0123456789abcdef0123456789abcdef")
	assert.Equal(t, "machine-id:ef70ef13", h.String())
	// The kind is part of the hashed input.
	other := HashComponent([]byte("airlock"), KindHostname, "0123456789abcdef0123456789abcdef")
	assert.NotEqual(t, h.Sum, other.Sum)
}

func TestSetRoundTrip(t *testing.T) {
	s := Set{
		HashComponent(nil, KindHostname, "a"),
		HashComponent(nil, KindMAC, "b"),
		HashComponent(nil, KindMAC, "c"),
		HashComponent(nil, KindMachineID, "d"),
		HashComponent(nil, KindMAC, "b"),
	}.Canonical()
	require.Len(t, s, 4)
	b, err := s.MarshalBinary()
	require.NoError(t, err)
	require.Len(t, b, 4*EntrySize)
	got, err := ParseSet(b)
	require.NoError(t, err)
	assert.Equal(t, s, got)

	_, err = Set{s[1], s[0]}.MarshalBinary()
	require.ErrorIs(t, err, ErrMalformed)
}

func TestParseSetErrors(t *testing.T) {
	entry := func(k byte, sum byte) []byte { return []byte{k, sum, 0, 0, 0} }
	cat := func(es ...[]byte) []byte { return bytes.Join(es, nil) }
	var many [][]byte
	for i := range MaxComponents + 1 {
		many = append(many, entry(byte(KindMAC), byte(i)))
	}
	tests := []struct {
		name    string
		in      []byte
		wantErr string
	}{
		{"one entry", entry(1, 0), ""},
		{"sixteen entries", cat(many[:MaxComponents]...), ""},
		{"empty", nil, "malformed fingerprint: 0 bytes is not a whole number of 5-byte entries"},
		{"short entry", []byte{1, 2, 3}, "malformed fingerprint: 3 bytes is not a whole number of 5-byte entries"},
		{"trailing byte", append(entry(1, 0), 9), "malformed fingerprint: 6 bytes is not a whole number of 5-byte entries"},
		{"kind zero", entry(0, 0), "malformed fingerprint: unknown component kind 0"},
		{"kind eight", entry(8, 0), "malformed fingerprint: unknown component kind 8"},
		{"kind 255", entry(255, 0), "malformed fingerprint: unknown component kind 255"},
		{"too many", cat(many...), "malformed fingerprint: 17 components, at most 16 allowed"},
		{"kinds out of order", cat(entry(2, 0), entry(1, 0)), "malformed fingerprint: components not in canonical order or repeated"},
		{"sums out of order", cat(entry(4, 2), entry(4, 1)), "malformed fingerprint: components not in canonical order or repeated"},
		{"repeated", cat(entry(4, 1), entry(4, 1)), "malformed fingerprint: components not in canonical order or repeated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseSet(tt.in)
			if tt.wantErr != "" {
				require.EqualError(t, err, tt.wantErr)
				require.ErrorIs(t, err, ErrMalformed)
				assert.Nil(t, s)
				return
			}
			require.NoError(t, err)
			b, err := s.MarshalBinary()
			require.NoError(t, err)
			assert.Equal(t, tt.in, b)
		})
	}
}

func TestDefaultThreshold(t *testing.T) {
	for n, want := range []int{0, 1, 1, 2, 3, 4, 5, 6, 7} {
		assert.Equal(t, want, DefaultThreshold(n), "n=%d", n)
	}
}

// TestCompareExhaustive changes every subset of the components of sets of
// 1 to 8 components and checks every threshold: the match is accepted
// exactly when at least k components are unchanged, and Match lists
// exactly the unchanged ones as matched and the changed ones as missing.
func TestCompareExhaustive(t *testing.T) {
	for n := 1; n <= 8; n++ {
		want := make(Set, n)
		changed := make(Set, n)
		for i := range n {
			kind := Kind(i%7 + 1)
			want[i] = HashComponent([]byte("salt"), kind, fmt.Sprint("original ", i))
			changed[i] = HashComponent([]byte("salt"), kind, fmt.Sprint("replaced ", i))
		}
		want = want.Canonical()
		require.Len(t, want, n)
		for mask := 0; mask < 1<<n; mask++ {
			var have Set
			var wantMatched, wantMissing []Hash
			for i, h := range want {
				if mask&(1<<i) != 0 {
					have = append(have, changed[i])
					wantMissing = append(wantMissing, h)
				} else {
					have = append(have, h)
					wantMatched = append(wantMatched, h)
				}
			}
			have = have.Canonical()
			still := n - bits.OnesCount(uint(mask))
			for k := 0; k <= n+1; k++ {
				m, err := Compare(want, have, k)
				assert.Equal(t, k, m.Threshold)
				assert.Equal(t, wantMatched, m.Matched, "n=%d mask=%b k=%d", n, mask, k)
				assert.Equal(t, wantMissing, m.Missing, "n=%d mask=%b k=%d", n, mask, k)
				accept := k >= 1 && still >= k
				if accept {
					require.NoError(t, err, "n=%d mask=%b k=%d", n, mask, k)
					assert.True(t, m.OK())
					continue
				}
				require.ErrorIs(t, err, ErrMismatch, "n=%d mask=%b k=%d", n, mask, k)
				var me *MismatchError
				require.ErrorAs(t, err, &me)
				assert.Equal(t, m, me.Match)
			}
		}
	}
}

func TestMismatchErrorMessage(t *testing.T) {
	mk := func(k Kind, v string) Hash { return HashComponent(nil, k, v) }
	want := Set{mk(KindMachineID, "a"), mk(KindMAC, "b"), mk(KindMAC, "c"), mk(KindCPU, "d"), mk(KindHostname, "e")}.Canonical()
	have := Set{mk(KindCPU, "d"), mk(KindMAC, "x")}.Canonical()
	_, err := Compare(want, have, DefaultThreshold(len(want)))
	require.EqualError(t, err, "fingerprint does not match this machine: 1 of 5 components match, 4 needed (changed: machine-id, mac x2, hostname)")

	_, err = Compare(want, want, 0)
	require.EqualError(t, err, "fingerprint does not match this machine: threshold 0 is not positive")
	require.ErrorIs(t, err, ErrMismatch)
}

func TestSummary(t *testing.T) {
	a := Set{HashComponent([]byte("p"), KindMachineID, "m1"), HashComponent([]byte("p"), KindHostname, "h1")}
	sum := a.Canonical().Summary()
	require.Regexp(t, `^[0-9ABCDEFGHJKMNPQRSTVWXYZ]{4}-[0-9ABCDEFGHJKMNPQRSTVWXYZ]{4}-[0-9ABCDEFGHJKMNPQRSTVWXYZ]{4}$`, sum)
	assert.Equal(t, sum, a.Summary(), "order of the entries does not matter")
	assert.Equal(t, sum, a.Canonical().Summary())

	b := Set{HashComponent([]byte("p"), KindMachineID, "m1"), HashComponent([]byte("p"), KindHostname, "h2")}
	assert.NotEqual(t, sum, b.Summary())
	assert.Empty(t, Set(nil).Summary())
}

func TestHashJSON(t *testing.T) {
	h := Hash{Kind: KindMAC, Sum: [4]byte{0x1a, 0x2b, 0x3c, 0x4d}}
	b, err := json.Marshal(h)
	require.NoError(t, err)
	assert.JSONEq(t, `{"kind":"mac","hash":"1a2b3c4d"}`, string(b))
	var back Hash
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, h, back)

	tests := []struct {
		name    string
		in      string
		wantErr string
	}{
		{"unknown kind", `{"kind":"serial","hash":"1a2b3c4d"}`, `unknown component kind "serial"`},
		{"short hash", `{"kind":"mac","hash":"1a2b3c"}`, `fingerprint hash "1a2b3c" is not 4 hex bytes`},
		{"not hex", `{"kind":"mac","hash":"zzzzzzzz"}`, `fingerprint hash "zzzzzzzz" is not 4 hex bytes`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h Hash
			require.EqualError(t, json.Unmarshal([]byte(tt.in), &h), tt.wantErr)
		})
	}
}

func TestSetString(t *testing.T) {
	s := Set{{Kind: KindMachineID, Sum: [4]byte{1, 2, 3, 4}}, {Kind: KindMAC, Sum: [4]byte{0xa, 0xb, 0xc, 0xd}}}
	assert.Equal(t, "machine-id:01020304 mac:0a0b0c0d", s.String())
}
