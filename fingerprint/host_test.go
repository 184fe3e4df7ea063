package fingerprint

import (
	"errors"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCollectHost runs the collector of the machine running the tests: it
// must find something, the same twice, and give a valid set.
func TestCollectHost(t *testing.T) {
	first, err := Collect()
	if errors.Is(err, ErrNoComponents) && runtime.GOOS != "linux" {
		t.Skipf("nothing readable on this %s machine", runtime.GOOS)
	}
	require.NoError(t, err)
	require.NotEmpty(t, first)
	second, err := Collect()
	require.NoError(t, err)
	assert.Equal(t, first, second, "collection is stable")

	macs := 0
	for _, c := range first {
		assert.True(t, c.Kind.Valid(), "kind %d", c.Kind)
		assert.NotEmpty(t, c.Value, c.Kind.String())
		assert.False(t, isPlaceholder(c.Value), "%s is a placeholder", c.Kind)
		if c.Kind == KindMAC {
			macs++
		}
	}
	assert.LessOrEqual(t, macs, MaxMACs)

	s := Hashes([]byte("airlock"), first)
	b, err := s.MarshalBinary()
	require.NoError(t, err)
	back, err := ParseSet(b)
	require.NoError(t, err)
	assert.Equal(t, s, back)
	_, err = Compare(s, Hashes([]byte("airlock"), second), DefaultThreshold(len(s)))
	require.NoError(t, err)
	t.Logf("%d components: %v; summary %s", len(first), first, s.Summary())
}

func TestDetectHost(t *testing.T) {
	f := Detect()
	assert.NotNil(t, f.Markers)
	assert.Equal(t, f, Detect(), "detection is stable")
	if f.HypervisorVendor != "" {
		assert.True(t, f.Hypervisor, "a vendor implies a hypervisor")
	}
	if f.Container {
		assert.NotEmpty(t, f.Markers)
	}
	t.Logf("facts: %+v", f)
}
