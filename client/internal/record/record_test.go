package record

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func testKey(t *testing.T, b byte) []byte {
	t.Helper()
	k, err := SealKey(bytes.Repeat([]byte{b}, 32))
	require.NoError(t, err)
	return k
}

func sample() *State {
	return &State{
		Version: Version, Generation: 3, Product: "cad", Created: 1795418804, HighWater: 1795425000,
		Trust:      "airlock trust store v1\nversion 0\n",
		Pending:    []Pending{{Hash: Hex{1, 2}, Nonce: Hex{3}, Type: "activation", License: "7K3QM9XD2HFRW4TB", Time: 5, Request: []byte{0xd2, 0x84}}},
		Leases:     []Lease{{ID: "8f130979fc08", Serial: 2, LedgerSeq: 41, Installed: 9, Meters: map[string]uint64{"render": 7, "export": 1}, Receipt: []byte{0xd2}}},
		Tombstones: []Tombstone{{ID: "3f9a12c07b4e", Kind: Returned, At: 10, Serial: 1, LedgerSeq: 40, Receipt: []byte{1}, Proof: []byte{2}}},
	}
}

func TestRoundTrip(t *testing.T) {
	key := testKey(t, 1)
	data, err := Marshal(key, sample())
	require.NoError(t, err)
	assert.True(t, bytes.HasPrefix(data, []byte("airlock state v1 hmac-sha256=")))
	assert.Contains(t, string(data), `"meters":{"export":1,"render":7}`, "map keys sorted")
	st, err := Parse(key, data)
	require.NoError(t, err)
	assert.Equal(t, sample(), st)
	assert.Equal(t, sample(), st.Clone())
}

func TestParseRefuses(t *testing.T) {
	key := testKey(t, 1)
	good, err := Marshal(key, sample())
	require.NoError(t, err)
	_, body, _ := bytes.Cut(good, []byte("\n"))
	reseal := func(body string) []byte { return Seal(key, []byte(body)) }
	tests := []struct {
		name    string
		data    []byte
		key     []byte
		wantErr error
		wantMsg string
	}{
		{"another key", good, testKey(t, 2), ErrBadSeal, "state record seal does not verify"},
		{"edited", bytes.Replace(good, []byte(`"serial":2`), []byte(`"serial":9`), 1), key, ErrBadSeal, ""},
		{"no header", body, key, ErrMalformed, "the first line is not"},
		{"upper-case mac", bytes.Replace(good, good[29:93], bytes.ToUpper(good[29:93]), 1), key, ErrMalformed, "lowercase hex"},
		{"short mac", append([]byte("airlock state v1 hmac-sha256=abcd\n"), body...), key, ErrMalformed, "64 lowercase hex digits"},
		{"spaces", reseal(string(bytes.Replace(body, []byte(`"version":1,`), []byte(`"version": 1,`), 1))), key, ErrMalformed, "canonical"},
		{"unknown field", reseal(string(bytes.Replace(body, []byte(`{"version":1,`), []byte(`{"version":1,"x":1,`), 1))), key, ErrMalformed, "unknown field"},
		{"keys reordered", reseal(string(bytes.Replace(body, []byte(`"version":1,"generation":3,`), []byte(`"generation":3,"version":1,`), 1))), key, ErrMalformed, "canonical"},
		{"repeated key", reseal(string(bytes.Replace(body, []byte(`"version":1,`), []byte(`"version":1,"version":1,`), 1))), key, ErrMalformed, "canonical"},
		{"two lines", reseal(string(body) + "{}\n"), key, ErrMalformed, "one line"},
		{"no newline", reseal(string(bytes.TrimSuffix(body, []byte("\n")))), key, ErrMalformed, "one line"},
		{"version 2", reseal(string(bytes.Replace(body, []byte(`"version":1,`), []byte(`"version":2,`), 1))), key, ErrMalformed, "version 2"},
		{"too big", make([]byte, MaxSize+1), key, ErrMalformed, "larger than any state record"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := Parse(tt.key, tt.data)
			assert.Nil(t, st)
			assert.ErrorIs(t, err, tt.wantErr)
			assert.ErrorContains(t, err, tt.wantMsg)
		})
	}
}
