package wire

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBase45RFC9285Examples(t *testing.T) {
	for _, tc := range []struct{ in, out string }{
		{"AB", "BB8"}, {"Hello!!", "%69 VD92EX0"}, {"base-45", "UJCLQE7W581"}, {"ietf!", "QED8WEX0"}, {"", ""},
	} {
		assert.Equal(t, tc.out, EncodeBase45([]byte(tc.in)))
		got, err := DecodeBase45(tc.out)
		require.NoError(t, err)
		assert.Equal(t, tc.in, string(got))
	}
}

func TestDecodeBase45Errors(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{"value above 65535", "GGW"},
		{"final pair above 255", "ZZ"},
		{"dangling character", "BB8A"},
		{"lower case", "bb8"},
		{"character outside alphabet", "BB#"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DecodeBase45(tc.in)
			assert.ErrorIs(t, err, ErrBase45)
			assert.Nil(t, got)
		})
	}
	_, err := UnmarshalBase45("BB8")
	assert.ErrorIs(t, err, ErrBase45, "missing prefix")
}

func TestArmor(t *testing.T) {
	msg := bytes.Repeat([]byte{0xd2, 0x84, 1, 2, 3}, 40) // 200 bytes: four lines
	s, err := MarshalArmor(ActivationReceipt, msg)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	assert.Equal(t, "-----BEGIN AIRLOCK ACTIVATION RECEIPT-----", lines[0])
	assert.Equal(t, "-----END AIRLOCK ACTIVATION RECEIPT-----", lines[len(lines)-1])
	for _, l := range lines[1 : len(lines)-1] {
		assert.LessOrEqual(t, len(l), 64)
	}
	typ, back, err := UnmarshalArmor(s)
	require.NoError(t, err)
	assert.Equal(t, ActivationReceipt, typ)
	assert.Equal(t, msg, back)

	short, _ := MarshalArmor(ActivationReceipt, []byte{0xd2, 0x84, 0})
	tests := []struct {
		name string
		in   string
	}{
		{"empty", ""},
		{"no final newline", strings.TrimSuffix(s, "\n")},
		{"crlf", strings.ReplaceAll(s, "\n", "\r\n")},
		{"header line", strings.Replace(s, "\n", "\nVersion: 1\n", 1)},
		{"blank line", strings.Replace(s, "\n", "\n\n", 1)},
		{"unknown type", strings.ReplaceAll(s, "ACTIVATION RECEIPT", "LICENSE FILE")},
		{"mismatched end", strings.Replace(s, "END AIRLOCK ACTIVATION RECEIPT", "END AIRLOCK REFRESH RECEIPT", 1)},
		{"short middle line", strings.Replace(s, lines[1]+"\n", lines[1][:60]+"\n", 1)},
		{"long line", strings.Replace(s, lines[1]+"\n"+lines[2], lines[1]+lines[2][:4]+"\n"+lines[2][4:], 1)},
		{"bad base64", strings.Replace(short, "0oQA", "0o!A", 1)},
		{"no body", "-----BEGIN AIRLOCK ACTIVATION RECEIPT-----\n-----END AIRLOCK ACTIVATION RECEIPT-----\n"},
		{"trailing text", s + "more\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, got, err := UnmarshalArmor(tc.in)
			assert.ErrorIs(t, err, ErrArmor)
			assert.Nil(t, got)
		})
	}
}

func TestReadSniffs(t *testing.T) {
	msg := []byte{0xd2, 0x84, 0x40, 0xa0, 0x40, 0x40}
	armored, err := MarshalArmor(RefreshReceipt, msg)
	require.NoError(t, err)
	tests := []struct {
		name     string
		in       []byte
		wantEnc  Encoding
		wantType Type
		wantErr  error
	}{
		{"binary", msg, Binary, 0, nil},
		{"armor", []byte(armored), Armor, RefreshReceipt, nil},
		{"armor from email", []byte("\r\n  " + strings.ReplaceAll(armored, "\n", "\r\n") + "  \r\n"), Armor, RefreshReceipt, nil},
		{"base45", []byte(MarshalBase45(msg) + "\n"), Base45, 0, nil},
		{"png", []byte("\x89PNG\r\n\x1a\n...."), 0, 0, ErrImage},
		{"jpeg", []byte{0xff, 0xd8, 0xff, 0xe0}, 0, 0, ErrImage},
		{"text", []byte("hello"), 0, 0, ErrUnrecognized},
		{"empty", nil, 0, 0, ErrUnrecognized},
		{"bad base45", []byte("AL1:abc"), Base45, 0, ErrBase45},
		{"oversize binary", append(append([]byte(nil), msg...), make([]byte, MaxMessageSize)...), Binary, 0, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, enc, typ, err := Read(tc.in)
			if tc.name == "oversize binary" {
				assert.Error(t, err)
				return
			}
			if tc.wantErr != nil {
				assert.ErrorIs(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.wantEnc, enc)
			assert.Equal(t, tc.wantType, typ)
			assert.Equal(t, msg, got)
		})
	}
}

func TestLeaseID(t *testing.T) {
	id := NewLeaseID()
	assert.Len(t, id.String(), 2*LeaseIDSize)
	back, err := ParseLeaseID(id.String())
	require.NoError(t, err)
	assert.Equal(t, id, back)
	for _, bad := range []string{"", "xyz", id.String() + "0", "zzzzzzzzzzzz"} {
		_, err := ParseLeaseID(bad)
		assert.Error(t, err, "%q", bad)
	}
	assert.NotEqual(t, NewLeaseID(), NewLeaseID())
}

func TestTypes(t *testing.T) {
	labels := map[string]bool{}
	for ty := ActivationRequest; ty <= KeyRollover; ty++ {
		assert.True(t, ty.Valid())
		assert.True(t, strings.HasPrefix(ty.Label(), "airlock/") && strings.HasSuffix(ty.Label(), "/v1"), ty.Label())
		assert.False(t, labels[ty.Label()], "labels must differ")
		labels[ty.Label()] = true
		got, ok := typeFromArmorName(ty.ArmorName())
		assert.True(t, ok)
		assert.Equal(t, ty, got)
	}
	assert.False(t, Type(0).Valid())
	assert.False(t, Type(9).Valid())
	assert.Contains(t, Type(9).String(), "unknown")
	assert.ErrorIs(t, CheckType(RefreshReceipt, ActivationReceipt), ErrWrongType)
	assert.NoError(t, CheckType(RefreshReceipt, ActivationReceipt, RefreshReceipt))
}

func TestCheckFeatures(t *testing.T) {
	tests := []struct {
		name    string
		in      []string
		wantErr bool
	}{
		{"ok", []string{"export", "model", "render"}, false},
		{"none", nil, false},
		{"unsorted", []string{"model", "export"}, true},
		{"repeated", []string{"model", "model"}, true},
		{"empty name", []string{""}, true},
		{"space", []string{"my feature"}, true},
		{"leading dash", []string{"-x"}, true},
		{"non-ascii", []string{"modèle"}, true},
		{"too long", []string{strings.Repeat("a", MaxNameLen+1)}, true},
		{"too many", func() []string {
			var fs []string
			for i := 0; i <= MaxFeatures; i++ {
				fs = append(fs, string(rune('a'+i/26))+string(rune('a'+i%26)))
			}
			return fs
		}(), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckFeatures("features", tc.in)
			if tc.wantErr {
				assert.ErrorIs(t, err, ErrInvalidField)
			} else {
				assert.NoError(t, err)
			}
		})
	}
	assert.Equal(t, []string{"a", "b"}, SortFeatures([]string{"b", "a", "b"}))
}
