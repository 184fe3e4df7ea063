//go:build !unix && !windows

package flock

import "os"

// Platforms without file locks (wasm, plan9) run one airlock at a time.
func tryLock(*os.File) (bool, error) { return true, nil }

func unlock(*os.File) error { return nil }
