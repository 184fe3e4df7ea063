package flock

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lock")
	l, err := Acquire(path, time.Second)
	require.NoError(t, err)

	start := time.Now()
	_, err = Acquire(path, 60*time.Millisecond)
	assert.ErrorIs(t, err, ErrBusy)
	assert.GreaterOrEqual(t, time.Since(start), 60*time.Millisecond)

	// Let go while another waits: it gets the lock.
	done := make(chan error)
	go func() {
		l2, err := Acquire(path, 5*time.Second)
		if err == nil {
			err = l2.Release()
		}
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	require.NoError(t, l.Release())
	require.NoError(t, <-done)
	require.NoError(t, l.Release(), "releasing twice is harmless")

	_, err = Acquire(filepath.Join(t.TempDir(), "no", "such", "dir", "lock"), time.Second)
	assert.Error(t, err)
}
