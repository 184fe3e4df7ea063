package sqlite

import (
	"context"
	"io/fs"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/airlock-dev/airlock/station"
	"github.com/airlock-dev/airlock/wire"
)

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s.db")
	_, err := Open(path, Options{})
	assert.ErrorIs(t, err, fs.ErrNotExist, "a missing database is not created unasked")

	s, err := Open(path, Options{Create: true})
	require.NoError(t, err)
	var mode string
	require.NoError(t, s.DB().QueryRow("PRAGMA journal_mode").Scan(&mode))
	assert.Equal(t, "wal", mode)
	var sync, fk int
	require.NoError(t, s.DB().QueryRow("PRAGMA synchronous").Scan(&sync))
	require.NoError(t, s.DB().QueryRow("PRAGMA foreign_keys").Scan(&fk))
	assert.Equal(t, 2, sync, "FULL")
	assert.Equal(t, 1, fk)
	var v int
	require.NoError(t, s.DB().QueryRow("SELECT max(version) FROM schema_version").Scan(&v))
	assert.Equal(t, SchemaVersion(), v)
	ok, err := s.IntegrityCheck(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "ok", ok)
	require.NoError(t, s.Close())

	// Opening again applies nothing twice.
	s, err = Open(path, Options{})
	require.NoError(t, err)
	require.NoError(t, s.DB().QueryRow("SELECT count(*) FROM schema_version").Scan(&v))
	assert.Equal(t, SchemaVersion(), v)

	// A schema from a newer program is refused.
	_, err = s.DB().Exec("INSERT INTO schema_version (version) VALUES (99)")
	require.NoError(t, err)
	require.NoError(t, s.Close())
	_, err = Open(path, Options{})
	assert.ErrorContains(t, err, "schema version 99 is newer than this program knows")

	_, err = Open(filepath.Join(dir, "a?b.db"), Options{Create: true})
	assert.ErrorContains(t, err, "without '?'")
}

// Several processes' worth of stores opening one new file at once create
// the schema once.
func TestConcurrentCreate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			s, err := Open(path, Options{Create: true})
			if assert.NoError(t, err) {
				s.Close()
			}
		})
	}
	wg.Wait()
	s, err := Open(path, Options{})
	require.NoError(t, err)
	defer s.Close()
	var n int
	require.NoError(t, s.DB().QueryRow("SELECT count(*) FROM schema_version").Scan(&n))
	assert.Equal(t, SchemaVersion(), n)
}

func TestLeaseKey(t *testing.T) {
	for _, id := range []wire.LeaseID{{}, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, {0x3f, 0x9a, 0x12, 0xc0, 0x7b, 0x4e}} {
		k := leaseKey(id)
		assert.GreaterOrEqual(t, k, int64(0))
		assert.Equal(t, id, leaseIDFromKey(k))
	}
}

func TestNotFoundAndDuplicate(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "s.db"), Options{Create: true})
	require.NoError(t, err)
	defer s.Close()
	err = s.View(context.Background(), func(tx station.Tx) error {
		_, err := tx.Lease(wire.LeaseID{1})
		assert.ErrorIs(t, err, station.ErrNotFound)
		_, err = tx.License(3)
		assert.ErrorIs(t, err, station.ErrNotFound)
		_, err = tx.Setting("x")
		assert.ErrorIs(t, err, station.ErrNotFound)
		_, _, err = tx.CurrentKey()
		assert.ErrorIs(t, err, station.ErrNotFound)
		head, err := tx.LedgerHead()
		assert.NoError(t, err)
		assert.Zero(t, head.Seq)
		return nil
	})
	require.NoError(t, err)
}
