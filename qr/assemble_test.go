package qr

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAssemblerShuffledAndDuplicated(t *testing.T) {
	for _, n := range []int{1, 2, 5, 20} {
		text := textOfParts(t, n)
		parts, err := Split(text, 0)
		require.NoError(t, err)
		codes := append(append([]string{}, parts...), parts...) // every part twice
		rand.New(rand.NewPCG(uint64(n), 0)).Shuffle(len(codes), func(i, j int) { codes[i], codes[j] = codes[j], codes[i] })
		var a Assembler
		for _, c := range codes {
			require.NoError(t, a.Add(c))
		}
		require.True(t, a.Done())
		assert.Equal(t, n, a.Count())
		assert.Empty(t, a.Missing())
		got, err := a.Text()
		require.NoError(t, err)
		assert.Equal(t, text, got)
	}
}

func TestAssemblerMissing(t *testing.T) {
	text := textOfParts(t, 5)
	parts, err := Split(text, 0)
	require.NoError(t, err)
	var a Assembler
	require.NoError(t, a.Add(parts[2]))
	require.NoError(t, a.Add(parts[0]))
	assert.False(t, a.Done())
	assert.Equal(t, []int{1, 3}, a.Have())
	assert.Equal(t, []int{2, 4, 5}, a.Missing())
	_, err = a.Text()
	require.ErrorIs(t, err, ErrIncomplete)
	var ie *IncompleteError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, []int{2, 4, 5}, ie.Missing())
	assert.Equal(t, "incomplete multi-part message "+MessageID(text)+": have parts 1, 3 of 5; missing 2, 4, 5", err.Error())
	assert.Contains(t, ie.Hint(), "missing parts")
}

func TestAssemblerErrors(t *testing.T) {
	a2, b2 := mustSplit(t, textOfParts(t, 2)), mustSplit(t, textOfParts(t, 3))
	same := textOfParts(t, 2)
	// A forged part: right syntax and CRC, another chunk.
	f, err := ParseFrame(a2[1])
	require.NoError(t, err)
	forged := Frame{ID: f.ID, Index: f.Index, Count: f.Count, Chunk: f.Chunk + "X"}.String()
	// Same message split into a different number of parts.
	recount := Frame{ID: f.ID, Index: 1, Count: 7, Chunk: "X"}.String()
	// A whole set whose chunks do not hash to their ID.
	bad := []string{Frame{ID: f.ID, Index: 1, Count: 2, Chunk: "A"}.String(), Frame{ID: f.ID, Index: 2, Count: 2, Chunk: "B"}.String()}

	tests := []struct {
		name    string
		codes   []string
		wantAdd error // error of the last Add
		wantErr error // error of Text when all Adds succeed
	}{
		{name: "two messages", codes: []string{a2[0], b2[0]}, wantAdd: ErrMixed},
		{name: "frame then single", codes: []string{a2[0], "AL1:ABC"}, wantAdd: ErrMixed},
		{name: "single then frame", codes: []string{"AL1:ABC", a2[0]}, wantAdd: ErrMixed},
		{name: "two singles", codes: []string{"AL1:ABC", "AL1:ABD"}, wantAdd: ErrMixed},
		{name: "same single twice", codes: []string{"AL1:ABC", "AL1:ABC"}},
		{name: "conflicting part", codes: []string{a2[1], forged}, wantAdd: ErrConflict},
		{name: "conflicting count", codes: []string{a2[0], recount}, wantAdd: ErrConflict},
		{name: "bad frame", codes: []string{a2[0] + "Z"}, wantAdd: ErrBadFrame},
		{name: "empty", codes: []string{""}, wantAdd: ErrEmpty},
		{name: "checksum", codes: bad, wantErr: ErrChecksum},
		{name: "nothing", codes: nil, wantErr: ErrNoCode},
		{name: "same message", codes: mustSplit(t, same)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var a Assembler
			var err error
			for _, c := range tt.codes {
				if err = a.Add(c); err != nil {
					break
				}
			}
			if tt.wantAdd != nil {
				require.ErrorIs(t, err, tt.wantAdd)
				return
			}
			require.NoError(t, err)
			text, err := a.Text()
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				assert.Empty(t, text)
				return
			}
			require.NoError(t, err)
			assert.NotEmpty(t, text)
		})
	}
}

func TestIncompleteErrorText(t *testing.T) {
	tests := []struct {
		name string
		err  *IncompleteError
		want string
	}{
		{"one part", &IncompleteError{ID: "X", Count: 2, Have: []int{2}}, "incomplete multi-part message X: have part 2 of 2; missing 1"},
		{"none", &IncompleteError{ID: "X", Count: 3}, "incomplete multi-part message X: have no parts of 3; missing 1, 2, 3"},
		{"unreadable", &IncompleteError{ID: "X", Count: 2, Have: []int{1}, Unreadable: []int{3}},
			"incomplete multi-part message X: have part 1 of 2; missing 2; no code found in image 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.err.Error())
			assert.True(t, errors.Is(tt.err, ErrIncomplete))
			assert.NotEmpty(t, tt.err.Hint())
		})
	}
}

func mustSplit(t *testing.T, text string) []string {
	t.Helper()
	parts, err := Split(text, 0)
	require.NoError(t, err)
	return parts
}
