package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBackup(t *testing.T) {
	s := initSite(t)
	key := s.addLicense(t)
	req := armor(t, newMachine("m", "ana", "ws").activation(t, key, t0, nil))
	s.mustRun(t, t0, req, "issue", "-")

	dir := filepath.Join(s.dir, "backup")
	out, _ := s.mustRun(t, t0, "", "backup", dir)
	assert.Contains(t, out, "backed up "+s.db+" to "+dir)
	assert.Contains(t, out, "1 issuer key file(s); the copy checks out")

	keys, err := filepath.Glob(filepath.Join(dir, "issuer-*.key"))
	require.NoError(t, err)
	require.Len(t, keys, 1)
	if runtime.GOOS != "windows" {
		fi, err := os.Stat(keys[0])
		require.NoError(t, err)
		assert.Equal(t, fs.FileMode(0o600), fi.Mode().Perm())
	}

	// The copy is a working station: same license, same lease, clean audit,
	// and it signs with the copied key.
	copyDB := filepath.Join(dir, "station.db")
	status, _ := s.mustRun(t, t0, "", "status", "--json", "--db", copyDB)
	assert.Contains(t, status, `"status": "active"`)
	s.mustRun(t, t0, "", "audit", "verify", "--db", copyDB)
	req2 := armor(t, newMachine("m2", "bo", "ws2").activation(t, key, t0, nil))
	s.mustRun(t, t0, req2, "issue", "-", "--db", copyDB)

	tests := []struct {
		name string
		args []string
		want string
	}{
		{"not empty", []string{"backup", dir}, "is not empty"},
		{"no directory", []string{"backup"}, "give one backup directory"},
		{"no database", []string{"backup", filepath.Join(s.dir, "b2"), "--db", filepath.Join(s.dir, "none.db")}, "no station database"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := s.run(t, t0, "", tc.args...)
			assert.NotEqual(t, 0, code)
			assert.Contains(t, errOut, tc.want)
			assert.True(t, strings.Contains(errOut, "hint: "), errOut)
		})
		_, err := os.Stat(filepath.Join(s.dir, "b2"))
		assert.True(t, os.IsNotExist(err), "a failed backup leaves no directory behind")
	}
}
