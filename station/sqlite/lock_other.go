//go:build !unix && !windows

package sqlite

import "os"

// Without file locks, writers in several processes rely on SQLite's busy
// timeout alone.
func lockFile(*os.File) error   { return nil }
func unlockFile(*os.File) error { return nil }
