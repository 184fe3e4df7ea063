//go:build linux

package fingerprint

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCollectIsCollectLinuxOfRoot(t *testing.T) {
	a, err := Collect()
	require.NoError(t, err)
	b, err := CollectLinux("/")
	require.NoError(t, err)
	assert.Equal(t, a, b)
	assert.Equal(t, DetectLinux("/"), Detect())
}
