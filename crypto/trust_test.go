package crypto

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/airlock-dev/airlock/wire"
)

var t0 = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

func TestTrustStoreRoundTrip(t *testing.T) {
	s, err := NewTrustStore("acme issuer", seededKey(t, 1).Public())
	require.NoError(t, err)
	s.Keys = append(s.Keys, TrustedKey{Name: "acme 2027 key", Key: seededKey(t, 2).Public(), RetiredAt: t0})
	s.Version = 3
	data := s.Marshal()
	back, err := ParseTrustStore(data)
	require.NoError(t, err)
	assert.Equal(t, data, back.Marshal())
	assert.Equal(t, uint64(3), back.Version)
	assert.Equal(t, t0, back.Keys[1].RetiredAt)
}

func TestParseTrustStoreErrors(t *testing.T) {
	k := seededKey(t, 1).Public()
	good, err := NewTrustStore("acme", k)
	require.NoError(t, err)
	line := "key " + k.ID().String() + " "
	tests := []struct {
		name string
		in   string
	}{
		{"empty", ""},
		{"wrong header", "airlock trust store v2\nversion 0\n" + line + "x - a\n"},
		{"no keys", "airlock trust store v1\nversion 0\n"},
		{"bad version", "airlock trust store v1\nversion x\n" + string(good.Marshal()[len("airlock trust store v1\nversion 0\n"):])},
		{"no final newline", string(good.Marshal()[:len(good.Marshal())-1])},
		{"crlf", string(good.Marshal()[:len(good.Marshal())-1]) + "\r\n"},
		{"wrong key id", "airlock trust store v1\nversion 0\nkey 0000000000000000 " + string(good.Marshal()[len("airlock trust store v1\nversion 0\nkey 0123456789abcdef "):])},
		{"duplicate key", string(good.Marshal()) + string(good.Marshal()[len("airlock trust store v1\nversion 0\n"):])},
		{"bad retired", "airlock trust store v1\nversion 0\n" + line + "AAAA yesterday a\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ParseTrustStore([]byte(tc.in))
			assert.ErrorIs(t, err, ErrMalformedTrustStore)
			assert.Nil(t, s)
		})
	}
}

func TestRollover(t *testing.T) {
	old, next, third := seededKey(t, 1), seededKey(t, 2), seededKey(t, 3)
	stranger := seededKey(t, 4)
	newStore := func(t *testing.T) *TrustStore {
		s, err := NewTrustStore("acme 2026", old.Public())
		require.NoError(t, err)
		return s
	}
	sign := func(t *testing.T, r Rollover, by *PrivateKey) []byte {
		b, err := r.Sign(by)
		require.NoError(t, err)
		return b
	}
	good := Rollover{NewKey: next.Public(), Name: "acme 2027", Version: 1, IssuedAt: t0, RetireSignerAt: t0}

	t.Run("extends the store and retires the signer", func(t *testing.T) {
		s := newStore(t)
		r, err := s.ApplyRollover(sign(t, good, old))
		require.NoError(t, err)
		assert.Equal(t, old.Public().ID(), r.SignerID)
		assert.Equal(t, uint64(1), s.Version)
		require.Len(t, s.Keys, 2)
		k, err := s.Key(next.Public().ID())
		require.NoError(t, err)
		assert.Equal(t, "acme 2027", k.Name)
		oldKey, err := s.Key(old.Public().ID())
		require.NoError(t, err)
		assert.NoError(t, oldKey.AcceptsIssuedAt(t0), "issued at retirement: still accepted")
		assert.ErrorIs(t, oldKey.AcceptsIssuedAt(t0.Add(time.Second)), ErrKeyRetired)

		// A chain: the new key introduces a third.
		_, err = s.ApplyRollover(sign(t, Rollover{NewKey: third.Public(), Name: "acme 2028", Version: 2, IssuedAt: t0.Add(time.Hour)}, next))
		require.NoError(t, err)
		assert.Len(t, s.Keys, 3)
	})

	tests := []struct {
		name    string
		prepare func(s *TrustStore)
		stmt    func(t *testing.T) []byte
		wantErr error
	}{
		{"signed by an untrusted key", nil, func(t *testing.T) []byte { return sign(t, good, stranger) }, ErrUnknownKey},
		{"same statement twice", func(s *TrustStore) { _, _ = s.ApplyRollover(sign(t, good, old)) },
			func(t *testing.T) []byte { return sign(t, good, old) }, ErrStaleRollover},
		{"version not above the store's", func(s *TrustStore) { s.Version = 5 },
			func(t *testing.T) []byte { r := good; r.Version = 5; return sign(t, r, old) }, ErrStaleRollover},
		{"signed by a retired key after retirement", func(s *TrustStore) { s.Keys[0].RetiredAt = t0.Add(-time.Hour) },
			func(t *testing.T) []byte { return sign(t, good, old) }, ErrKeyRetired},
		{"tampered", nil, func(t *testing.T) []byte { b := sign(t, good, old); b[len(b)-1] ^= 1; return b }, ErrBadSignature},
		{"not a rollover", nil, func(t *testing.T) []byte { return []byte{0xd2, 0x84} }, wire.ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			if tc.prepare != nil {
				tc.prepare(s)
			}
			before := s.Marshal()
			_, err := s.ApplyRollover(tc.stmt(t))
			assert.ErrorIs(t, err, tc.wantErr)
			assert.Equal(t, string(before), string(s.Marshal()), "a refused statement changes nothing")
		})
	}
}

func TestRolloverSignRefusesBadFields(t *testing.T) {
	k := seededKey(t, 1)
	tests := []struct {
		name string
		r    Rollover
	}{
		{"no key", Rollover{Name: "a", Version: 1, IssuedAt: t0}},
		{"no name", Rollover{NewKey: k.Public(), Version: 1, IssuedAt: t0}},
		{"version 0", Rollover{NewKey: k.Public(), Name: "a", IssuedAt: t0}},
		{"no time", Rollover{NewKey: k.Public(), Name: "a", Version: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.r.Sign(k)
			assert.ErrorIs(t, err, wire.ErrInvalidField)
		})
	}
}
