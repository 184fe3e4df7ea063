//go:build linux

package fingerprint

// Collect reads the components of this machine; see CollectLinux for what
// it reads on Linux. The error is ErrNoComponents when nothing could be
// read.
func Collect() ([]Component, error) { return CollectLinux("/") }

// Detect reports the virtualisation facts of this machine; see DetectLinux.
func Detect() Facts { return DetectLinux("/") }
