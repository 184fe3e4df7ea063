package sqlite

import (
	"context"
	"fmt"

	"github.com/airlock-dev/airlock/station"
)

// Group commit
//
// Update calls made while a write transaction is in flight share the next
// one. The first caller to find no transaction running becomes the leader:
// it takes the write lock, runs its own fn in a transaction and commits.
// Calls arriving meanwhile queue. When the commit returns, the leader
// delivers its callers' results and hands the lead to the first queued
// call, which takes every call queued (at most maxBatch) as the next batch:
// one BEGIN IMMEDIATE, each fn in its own SAVEPOINT (ROLLBACK TO and
// RELEASE when it returns an error, so its writes vanish and the others'
// stay; RELEASE when it succeeds), one COMMIT, one fsync. Nobody waits for
// a batch to fill: a batch is whatever queued while the last commit ran,
// and a lone caller runs at once, alone, with no savepoint, as before.
//
// Every fn sees the writes of those before it in the batch. Results,
// refusals included, are delivered only after the COMMIT returned; when
// the COMMIT fails, every call in the batch gets its error, since none of
// their writes is on disk.

// maxBatch bounds the Update calls one write transaction carries.
const maxBatch = 64

// update is one Update call.
type update struct {
	ctx  context.Context
	fn   func(station.Tx) error
	done chan outcome // buffered: a call gets at most the lead, then its result
}

// outcome is what a waiting call is told: lead the next batch, or its
// result.
type outcome struct {
	lead   bool
	err    error
	panic  any // fn panicked with this value; re-raised in the caller
	panics bool
}

func (u *update) finish(err error) { u.done <- outcome{err: err} }

// Update runs fn in a write transaction (BEGIN IMMEDIATE) and commits it,
// durably, before it returns; concurrent calls share one transaction and
// one commit (see Stats). When fn returns an error its writes are rolled
// back, and only its own. A call whose ctx is done before its fn starts
// returns ctx's error without running fn; once fn runs, its statements are
// not interrupted (that would roll back the writes of the whole batch).
func (s *Store) Update(ctx context.Context, fn func(station.Tx) error) error {
	u := &update{ctx: ctx, fn: fn, done: make(chan outcome, 1)}
	s.gmu.Lock()
	s.queue = append(s.queue, u)
	lead := !s.leading
	s.leading = true
	s.gmu.Unlock()
	if !lead {
		o := <-u.done
		if !o.lead {
			return o.result()
		}
	}
	s.lead()
	return (<-u.done).result()
}

func (o outcome) result() error {
	if o.panics {
		panic(o.panic)
	}
	return o.err
}

// lead runs one batch: the calls at the head of the queue, the leader's
// own first. Then it hands the lead to the next queued call, if any.
func (s *Store) lead() {
	s.gmu.Lock()
	n := min(len(s.queue), maxBatch)
	batch := make([]*update, n)
	copy(batch, s.queue)
	s.queue = append(s.queue[:0], s.queue[n:]...)
	s.gmu.Unlock()

	s.runBatch(batch)

	s.gmu.Lock()
	if len(s.queue) == 0 {
		s.leading = false
		s.gmu.Unlock()
		return
	}
	next := s.queue[0]
	s.gmu.Unlock()
	next.done <- outcome{lead: true}
}

// runBatch runs a batch under the write lock, again when the database was
// busy (another program holding SQLite's lock past the busy timeout) or a
// call broke the transaction, and delivers every result.
func (s *Store) runBatch(batch []*update) {
	unlock, err := s.writeLock()
	if err != nil {
		for _, u := range batch {
			u.finish(err)
		}
		return
	}
	defer unlock()
	busy := 0
	for len(batch) > 0 {
		again, err := s.commitBatch(batch)
		if err != nil && isBusy(err) {
			if busy++; busy < maxBusyRetries {
				batch = again
				continue
			}
			err = fmt.Errorf("database is locked by another process: %w", err)
		}
		if err != nil {
			for _, u := range again {
				u.finish(err)
			}
			return
		}
		batch = again
	}
}

// commitBatch runs the calls in one transaction and commits it. When all
// went well it delivers every result and returns nothing. When a call broke
// the transaction (its savepoint could not be rolled back, or it panicked),
// it rolls everything back, delivers that call's result, and returns the
// others to run again in a new transaction. When the transaction as a whole
// failed (BEGIN, a savepoint, a busy database, COMMIT) it returns the calls
// not yet answered and the error.
func (s *Store) commitBatch(batch []*update) (again []*update, err error) {
	// The batch's statements run under no caller's context: cancelling one
	// caller must not interrupt, and so roll back, the others' writes.
	bg := context.Background()
	sqlTx, err := s.db.BeginTx(bg, nil)
	if err != nil {
		return batch, fmt.Errorf("beginning a transaction: %w", err)
	}
	t := &tx{ctx: bg, tx: sqlTx, s: s}
	single := len(batch) == 1
	ran := make([]*update, 0, len(batch))
	results := make([]error, 0, len(batch))
	for i, u := range batch {
		if err := u.ctx.Err(); err != nil {
			u.finish(err) // withdrawn before it started: it changed nothing
			continue
		}
		if !single {
			if _, err := t.exec("savepoint"); err != nil {
				sqlTx.Rollback()
				return append(ran, batch[i:]...), fmt.Errorf("savepoint: %w", err)
			}
		}
		ferr, o, broke := s.call(t, u, single)
		if !broke {
			ran, results = append(ran, u), append(results, ferr)
			continue
		}
		sqlTx.Rollback()
		if !o.panics && isBusy(ferr) {
			return append(ran, batch[i:]...), ferr // nobody's fault: all again
		}
		u.done <- o
		return append(ran, batch[i+1:]...), nil
	}
	if len(ran) == 0 { // every call withdrawn
		sqlTx.Rollback()
		return nil, nil
	}
	if err := sqlTx.Commit(); err != nil {
		return ran, fmt.Errorf("committing: %w", err)
	}
	s.commits.Add(1)
	s.updates.Add(uint64(len(ran)))
	for i, u := range ran {
		u.finish(results[i])
	}
	return nil, nil
}

// call runs u's fn inside the batch's transaction, in its savepoint unless
// it is alone. It returns fn's error, and broke when the transaction
// cannot go on: fn panicked, its savepoint would not roll back, or it ran
// alone and failed (a lone call's failure rolls back the transaction, as
// its savepoint would have); o is then what to tell the caller.
func (s *Store) call(t *tx, u *update, single bool) (ferr error, o outcome, broke bool) {
	func() {
		defer func() {
			if p := recover(); p != nil {
				o, broke = outcome{panic: p, panics: true}, true
			}
		}()
		ferr = u.fn(t)
	}()
	switch {
	case broke:
		return ferr, o, true
	case ferr == nil && single:
		return nil, o, false
	case ferr == nil:
		if _, err := t.exec("release"); err != nil {
			err = fmt.Errorf("releasing a savepoint: %w", err)
			return err, outcome{err: err}, true
		}
		return nil, o, false
	case single || isBusy(ferr):
		return ferr, outcome{err: ferr}, true
	}
	if _, err := t.exec("rollbackTo"); err != nil {
		return ferr, outcome{err: ferr}, true
	}
	if _, err := t.exec("release"); err != nil {
		return ferr, outcome{err: ferr}, true
	}
	return ferr, o, false
}

// Stats counts the write transactions a Store committed and the Update
// calls they carried, refused ones included: Updates ÷ Commits is the
// average batch. Queued is the number of calls waiting for the next batch
// now.
type Stats struct {
	Commits, Updates uint64
	Queued           int
}

// Stats returns the store's counts so far, for tests and diagnostics.
func (s *Store) Stats() Stats {
	s.gmu.Lock()
	q := len(s.queue)
	s.gmu.Unlock()
	return Stats{Commits: s.commits.Load(), Updates: s.updates.Load(), Queued: q}
}
