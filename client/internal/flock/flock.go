// Package flock is an advisory, whole-file, exclusive lock between
// processes: flock(2) on Unix, LockFileEx on Windows. The operating system
// drops the lock when the process ends, however it ends, so a killed
// command never leaves a home locked.
package flock

import (
	"errors"
	"fmt"
	"os"
	"time"
)

// ErrBusy is returned when another process held the lock for the whole
// wait.
var ErrBusy = errors.New("locked by another process")

// Lock is a held lock.
type Lock struct{ f *os.File }

// pollInterval is how often a busy lock is tried again.
const pollInterval = 20 * time.Millisecond

// Acquire takes the lock on path, creating the file if needed, waiting up
// to wait for another holder to let go.
func Acquire(path string, wait time.Duration) (*Lock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(wait)
	for {
		ok, err := tryLock(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("locking %s: %w", path, err)
		}
		if ok {
			return &Lock{f: f}, nil
		}
		if time.Now().After(deadline) {
			f.Close()
			return nil, fmt.Errorf("%s: %w", path, ErrBusy)
		}
		time.Sleep(pollInterval)
	}
}

// Release lets go of the lock.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := unlock(l.f)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	return err
}
