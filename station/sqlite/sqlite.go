// Package sqlite is the station's default storage: one SQLite file, opened
// with the pure-Go driver modernc.org/sqlite (so stations cross-compile for
// Windows without cgo).
//
// Every connection runs in WAL mode with synchronous=FULL (a commit is on
// disk when it returns), foreign keys on, and a busy timeout, so several
// station processes can share one database file. Write transactions begin
// with BEGIN IMMEDIATE: they take the write lock at once, so two writers
// never both read and then collide at commit. Within one process writers
// also queue on a mutex, and across processes on an exclusive lock on the
// file PATH-lock (flock, LockFileEx) taken before BEGIN IMMEDIATE: the
// kernel wakes a waiting writer as soon as the lock is free, where SQLite's
// busy handler would poll, sleeping up to 100 ms between tries. The busy
// timeout remains for other programs writing the file.
//
// Concurrent Update calls share write transactions (group commit): the
// calls that queue while one transaction commits run together in the next,
// each in its own SAVEPOINT, rolled back alone when its fn fails, and all
// are answered after one COMMIT and one fsync. A lone call runs at once,
// alone. Stats counts commits and the calls they carried.
//
// The schema is created and upgraded by embedded migrations, recorded in
// the schema_version table.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/airlock-dev/airlock/station"
)

// DefaultBusyTimeout is how long a connection waits for another process's
// write lock before giving up.
const DefaultBusyTimeout = 30 * time.Second

// Options tune Open.
type Options struct {
	// Create makes the database file when it does not exist. Without it a
	// missing file is an error wrapping fs.ErrNotExist.
	Create bool
	// BusyTimeout is how long to wait for the write lock; 0 means
	// DefaultBusyTimeout.
	BusyTimeout time.Duration
}

// Store is a station.Store on one SQLite file.
type Store struct {
	db    *sql.DB
	path  string
	wmu   sync.Mutex // one writer at a time in this process
	lockf *os.File   // PATH-lock: one writer at a time across processes
	stmts map[string]*sql.Stmt

	// Group commit (group.go): Update calls waiting for a transaction, and
	// whether one of them leads a batch now.
	gmu     sync.Mutex
	queue   []*update
	leading bool

	commits, updates atomic.Uint64
}

var _ station.Store = (*Store)(nil)

// DSN is the driver data source name for path with the station's pragmas:
// WAL, synchronous=FULL, foreign keys, the busy timeout, and BEGIN
// IMMEDIATE for write transactions.
func DSN(path string, busy time.Duration) string {
	if busy <= 0 {
		busy = DefaultBusyTimeout
	}
	return path + "?_pragma=busy_timeout(" + fmt.Sprint(busy.Milliseconds()) + ")" +
		"&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)&_txlock=immediate"
}

// Open opens (or with opts.Create, creates) the database at path and
// brings its schema up to date.
func Open(path string, opts Options) (*Store, error) {
	if strings.ContainsAny(path, "?#") || path == "" || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("database path %q: must be a file name without '?' or '#'", path)
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) && !opts.Create {
		return nil, fmt.Errorf("database %q does not exist: %w", path, fs.ErrNotExist)
	}
	lockf, err := os.OpenFile(path+"-lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening the database's lock file: %w", err)
	}
	db, err := sql.Open("sqlite", DSN(path, opts.BusyTimeout))
	if err != nil {
		lockf.Close()
		return nil, fmt.Errorf("opening database %q: %w", path, err)
	}
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
	db.SetConnMaxIdleTime(0)
	s := &Store{db: db, path: path, lockf: lockf}
	if err := s.migrate(context.Background()); err != nil {
		s.Close()
		return nil, fmt.Errorf("database %q: %w", path, err)
	}
	if err := s.prepare(); err != nil {
		s.Close()
		return nil, fmt.Errorf("database %q: %w", path, err)
	}
	return s, nil
}

// Path is the database file.
func (s *Store) Path() string { return s.path }

// DB is the underlying handle, for tests and diagnostics (PRAGMA
// integrity_check). Never write through it.
func (s *Store) DB() *sql.DB { return s.db }

// Close closes the database.
func (s *Store) Close() error {
	for _, st := range s.stmts {
		st.Close()
	}
	err := s.db.Close()
	s.lockf.Close()
	return err
}

// IntegrityCheck runs PRAGMA integrity_check and returns its report ("ok"
// when the file is sound).
func (s *Store) IntegrityCheck(ctx context.Context) (string, error) {
	rows, err := s.db.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var l string
		if err := rows.Scan(&l); err != nil {
			return "", err
		}
		lines = append(lines, l)
	}
	return strings.Join(lines, "\n"), rows.Err()
}

// CheckCounts compares each license's kept count of active leases with
// the leases table and describes any difference ("" when they agree).
func (s *Store) CheckCounts(ctx context.Context) (string, error) {
	rows, err := s.db.QueryContext(ctx, queries["countCheck"])
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var bad []string
	for rows.Next() {
		var id, kept, counted int64
		if err := rows.Scan(&id, &kept, &counted); err != nil {
			return "", err
		}
		if kept != counted {
			bad = append(bad, fmt.Sprintf("license %d: %d active leases counted, %d kept", id, counted, kept))
		}
	}
	return strings.Join(bad, "; "), rows.Err()
}

// maxBusyRetries is how often Update starts a batch over when the database
// stays locked past the busy timeout.
const maxBusyRetries = 3

// writeLock takes the in-process mutex and the cross-process file lock.
func (s *Store) writeLock() (func(), error) {
	s.wmu.Lock()
	if err := lockFile(s.lockf); err != nil {
		s.wmu.Unlock()
		return nil, fmt.Errorf("locking %s-lock: %w", s.path, err)
	}
	return func() {
		unlockFile(s.lockf)
		s.wmu.Unlock()
	}, nil
}

// View runs fn in a read transaction: one snapshot, no write lock.
func (s *Store) View(ctx context.Context, fn func(station.Tx) error) error {
	return s.run(ctx, true, fn)
}

func (s *Store) run(ctx context.Context, readOnly bool, fn func(station.Tx) error) error {
	sqlTx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: readOnly})
	if err != nil {
		return fmt.Errorf("beginning a transaction: %w", err)
	}
	t := &tx{ctx: ctx, tx: sqlTx, s: s}
	if err := fn(t); err != nil {
		sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("committing: %w", err)
	}
	return nil
}

func sqliteCode(err error) int {
	var e *msqlite.Error
	if errors.As(err, &e) {
		return e.Code()
	}
	return 0
}

func isBusy(err error) bool {
	c := sqliteCode(err)
	return c&0xff == sqlite3.SQLITE_BUSY || c&0xff == sqlite3.SQLITE_LOCKED
}

func isUnique(err error) bool {
	c := sqliteCode(err)
	return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY ||
		(c&0xff == sqlite3.SQLITE_CONSTRAINT && strings.Contains(err.Error(), "UNIQUE constraint failed"))
}

// Backup writes a consistent copy of the database to path (SQLite's VACUUM
// INTO), safe while other processes keep issuing: the copy is one
// snapshot, compacted into a single self-contained file. path must not
// exist.
func (s *Store) Backup(ctx context.Context, path string) error {
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("backup %q: %w", path, fs.ErrExist)
	}
	if _, err := s.db.ExecContext(ctx, "VACUUM INTO ?", path); err != nil {
		os.Remove(path)
		return fmt.Errorf("backup to %q: %w", path, err)
	}
	return nil
}
