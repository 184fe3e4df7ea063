package envelope

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/airlock-dev/airlock/internal/vectors"
	"github.com/airlock-dev/airlock/wire"
)

type rawKey struct{ priv ed25519.PrivateKey }

func (k rawKey) Sign(msg []byte) []byte { return ed25519.Sign(k.priv, msg) }
func (k rawKey) Verify(msg, sig []byte) error {
	if !ed25519.Verify(k.priv.Public().(ed25519.PublicKey), msg, sig) {
		return errors.New("bad signature")
	}
	return nil
}

func testKey() rawKey { return rawKey{ed25519.NewKeyFromSeed(bytes.Repeat([]byte{3}, 32))} }

func TestSignParseVerify(t *testing.T) {
	payload, err := EncodePayload(map[uint64]any{1: uint64(wire.RefreshReceipt), 2: uint64(1), 3: "x"})
	require.NoError(t, err)
	kid := []byte{1, 2, 3, 4}
	msg, err := Sign(wire.RefreshReceipt, kid, payload, testKey())
	require.NoError(t, err)
	m, err := Parse(msg)
	require.NoError(t, err)
	assert.Equal(t, wire.RefreshReceipt, m.Type)
	assert.Equal(t, kid, m.KeyID)
	assert.Equal(t, msg, m.Marshal())
	require.NoError(t, m.Verify(testKey()))

	// The signature is plain Ed25519 over ToBeSigned: anyone can check it.
	assert.True(t, ed25519.Verify(testKey().priv.Public().(ed25519.PublicKey), m.ToBeSigned(), m.Signature))

	// The label is bound: the same bytes claimed as another type fail.
	m.Type = wire.ActivationReceipt
	assert.Error(t, m.Verify(testKey()))
}

func TestSignRefusesPayloadOfOtherType(t *testing.T) {
	payload, err := EncodePayload(map[uint64]any{1: uint64(wire.RefreshReceipt), 2: uint64(1)})
	require.NoError(t, err)
	_, err = Sign(wire.ActivationReceipt, nil, payload, testKey())
	assert.Error(t, err)
	_, err = Sign(wire.Type(99), nil, payload, testKey())
	assert.Error(t, err)
	_, err = Sign(wire.RefreshReceipt, []byte{1}, payload, testKey())
	assert.Error(t, err, "short kid")
}

func TestParseErrors(t *testing.T) {
	good, err := Sign(wire.RefreshReceipt, nil, mustPayload(t), testKey())
	require.NoError(t, err)
	tests := []struct {
		name    string
		in      []byte
		wantErr error
	}{
		{"empty", nil, wire.ErrMalformed},
		{"untagged", good[1:], wire.ErrMalformed},
		{"truncated", good[:len(good)-1], wire.ErrMalformed},
		{"trailing", append(bytes.Clone(good), 0), wire.ErrTrailingData},
		{"oversize", make([]byte, wire.MaxMessageSize+1), wire.ErrOversize},
		{"payload not a map", []byte{0xd2, 0x84, 0x43, 0xa1, 0x01, 0x27, 0xa0, 0x41, 0x01, 0x58, 0x40}, wire.ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Parse(tc.in)
			assert.ErrorIs(t, err, tc.wantErr)
			assert.Nil(t, m)
		})
	}
}

func mustPayload(t *testing.T) []byte {
	p, err := EncodePayload(map[uint64]any{1: uint64(wire.RefreshReceipt), 2: uint64(1)})
	require.NoError(t, err)
	return p
}

func FuzzParse(f *testing.F) {
	for _, m := range vectors.Seeds("../../testdata/vectors") {
		f.Add(m)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		m, err := Parse(in)
		if err != nil {
			if m != nil {
				t.Fatal("error with a result")
			}
			return
		}
		if !bytes.Equal(m.Marshal(), in) {
			t.Fatalf("round trip differs")
		}
	})
}
