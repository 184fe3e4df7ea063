package station_test

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/airlock-dev/airlock/request"
	"github.com/airlock-dev/airlock/station"
	"github.com/airlock-dev/airlock/station/sqlite"
)

// Durable issuance is measured next to a raw SQLite insert-and-commit loop
// with the same pragmas, in the same run, so the ratio says how close one
// issuance (a whole write transaction: replay and nonce checks, license,
// seat count, lease, receipt, request and ledger rows, the receipt's
// signature, and one synchronous commit) comes to the cheapest durable
// commit the disk allows:
//
//	go test -run '^$' -bench 'Issue|SQLiteInsertCommit' -benchtime 3s ./station/...
//
// BenchmarkIssue issues one request after another, verification included.
// BenchmarkIssueParallel issues from several goroutines, as a station
// serving many clients does: request verification overlaps with other
// issuances' commits, while the commits themselves stay one at a time.

// benchRequests makes n activation requests from n machines.
func benchRequests(b *testing.B, key string, n int) [][]byte {
	reqs := make([][]byte, n)
	for i := range reqs {
		m := newMachine(fmt.Sprintf("bench-%d", i), "user", "host")
		reqs[i] = m.activation(b, key, t0, func(a *request.Activation) { a.Features = []string{"model", "render"} })
	}
	return reqs
}

func benchStation(b *testing.B) (*fixture, *station.License) {
	f := newFixture(b)
	lic := f.addLicense(func(l *station.License) { l.Seats = station.MaxSeats })
	return f, lic
}

func BenchmarkIssue(b *testing.B) {
	f, lic := benchStation(b)
	reqs := benchRequests(b, lic.Key, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := f.st.Issue(ctx, reqs[i], t0); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkIssueParallel(b *testing.B) {
	f, lic := benchStation(b)
	reqs := benchRequests(b, lic.Key, b.N)
	var next atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := f.st.Issue(ctx, reqs[next.Add(1)-1], t0); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// rawStore opens a database with the station's DSN and one table.
func rawStore(b *testing.B) (*sql.DB, *sql.Stmt) {
	db, err := sql.Open("sqlite", sqlite.DSN(filepath.Join(b.TempDir(), "raw.db"), 0))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if _, err := db.Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, data BLOB NOT NULL)"); err != nil {
		b.Fatal(err)
	}
	st, err := db.Prepare("INSERT INTO t (data) VALUES (?)")
	if err != nil {
		b.Fatal(err)
	}
	return db, st
}

func insertCommit(db *sql.DB, st *sql.Stmt, data []byte) error {
	tx, err := db.Begin() // BEGIN IMMEDIATE, as the station's writes
	if err != nil {
		return err
	}
	if _, err := tx.Stmt(st).Exec(data); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// BenchmarkSQLiteInsertCommit is the floor: one 250-byte row (a receipt's
// size) inserted and committed durably per iteration.
func BenchmarkSQLiteInsertCommit(b *testing.B) {
	db, st := rawStore(b)
	data := make([]byte, 250)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := insertCommit(db, st, data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSQLiteInsertCommitParallel is the same from several goroutines,
// queued on a mutex as the station's writers are.
func BenchmarkSQLiteInsertCommitParallel(b *testing.B) {
	db, st := rawStore(b)
	data := make([]byte, 250)
	var mu sync.Mutex
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			mu.Lock()
			err := insertCommit(db, st, data)
			mu.Unlock()
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
}
