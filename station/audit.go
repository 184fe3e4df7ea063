package station

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/airlock-dev/airlock/request"
)

// ErrLedgerBroken is wrapped by the error of an audit that found a problem.
var ErrLedgerBroken = errors.New("ledger check failed")

// Problem is one thing audit found wrong.
type Problem struct {
	Seq  uint64 // the ledger entry concerned; 0 when none
	What string
}

func (p Problem) String() string {
	if p.Seq > 0 {
		return fmt.Sprintf("entry %d: %s", p.Seq, p.What)
	}
	return p.What
}

// AuditReport is what Audit found.
type AuditReport struct {
	Entries  uint64 // entries checked
	Head     Entry  // the last entry
	Leases   int    // lease rows checked against the ledger
	Licenses int    // license rows checked
	Receipts int    // receipts in the ledger
	// FirstBroken is the first entry whose hash or link does not hold; 0
	// when the chain is whole.
	FirstBroken uint64
	Problems    []Problem
}

// OK reports whether nothing was found wrong.
func (r *AuditReport) OK() bool { return len(r.Problems) == 0 }

// Err is nil when the audit found nothing, else an error naming the first
// problem (wrapping ErrLedgerBroken).
func (r *AuditReport) Err() error {
	if r.OK() {
		return nil
	}
	more := ""
	if n := len(r.Problems) - 1; n > 0 {
		more = fmt.Sprintf(" (and %d more)", n)
	}
	return &Refusal{Rule: ErrLedgerBroken, Reason: fmt.Sprintf("ledger check failed: %s%s", r.Problems[0], more),
		Help: "the database was changed outside airlock-station or damaged; restore the newest good backup"}
}

// Audit checks the ledger's hash chain from the first entry (which covers
// every request answered and receipt issued, as they are in the entries),
// then checks the tables against it: every lease and license row must equal
// the record in the last ledger entry that changed it.
func (s *Station) Audit(ctx context.Context) (*AuditReport, error) {
	rep := &AuditReport{}
	err := s.store.View(ctx, func(tx Tx) error {
		*rep = AuditReport{}
		a := newAuditor(rep)
		if err := tx.Entries(1, a.entry); err != nil {
			return err
		}
		return a.tables(tx)
	})
	return rep, err
}

type digest = [sha256.Size]byte

type auditor struct {
	rep      *AuditReport
	prev     Entry
	leases   map[string]ledgerState // lease ID → its last record
	requests map[[16]byte]uint64    // request hash → the entry that answered it
	licenses map[uint64]ledgerState
}

type ledgerState struct {
	seq    uint64
	digest digest
}

func newAuditor(rep *AuditReport) *auditor {
	return &auditor{rep: rep, leases: map[string]ledgerState{}, licenses: map[uint64]ledgerState{}, requests: map[[16]byte]uint64{}}
}

func (a *auditor) problem(seq uint64, format string, args ...any) {
	a.rep.Problems = append(a.rep.Problems, Problem{Seq: seq, What: fmt.Sprintf(format, args...)})
}

func (a *auditor) broken(seq uint64, format string, args ...any) {
	if a.rep.FirstBroken == 0 {
		a.rep.FirstBroken = seq
	}
	a.problem(seq, format, args...)
}

func (a *auditor) entry(e Entry) error {
	a.rep.Entries++
	switch {
	case e.Seq != a.prev.Seq+1:
		a.broken(e.Seq, "follows entry %d: entries %d to %d are missing", a.prev.Seq, a.prev.Seq+1, e.Seq-1)
	case e.Prev != a.prev.Hash:
		a.broken(e.Seq, "its previous-hash does not match entry %d", a.prev.Seq)
	}
	if e.ComputeHash() != e.Hash {
		a.broken(e.Seq, "its hash does not match its contents (%s)", e.Kind)
	}
	a.prev = e
	a.rep.Head = e
	switch {
	case strings.HasPrefix(e.Kind, "lease."):
		var body struct {
			Lease   json.RawMessage `json:"lease"`
			Receipt []byte          `json:"receipt"`
			Request []byte          `json:"request"`
		}
		var id struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(e.Body, &body) != nil || json.Unmarshal(body.Lease, &id) != nil || id.ID == "" {
			a.problem(e.Seq, "%s entry has no lease record", e.Kind)
			return nil
		}
		a.leases[id.ID] = ledgerState{seq: e.Seq, digest: sha256.Sum256(body.Lease)}
		if len(body.Receipt) > 0 {
			a.rep.Receipts++
		}
		if len(body.Request) > 0 {
			a.requests[request.Hash(body.Request)] = e.Seq
		}
	case strings.HasPrefix(e.Kind, "license."):
		var body struct {
			License json.RawMessage `json:"license"`
		}
		var id struct {
			ID uint64 `json:"id"`
		}
		if json.Unmarshal(e.Body, &body) != nil || json.Unmarshal(body.License, &id) != nil || id.ID == 0 {
			a.problem(e.Seq, "%s entry has no license record", e.Kind)
			return nil
		}
		a.licenses[id.ID] = ledgerState{seq: e.Seq, digest: sha256.Sum256(body.License)}
	}
	return nil
}

func recordDigest(v any) digest {
	b, _ := json.Marshal(v)
	return sha256.Sum256(b)
}

func (a *auditor) tables(tx Tx) error {
	err := tx.Leases(time.Time{}, func(l *Lease) error {
		a.rep.Leases++
		id := l.ID.String()
		st, ok := a.leases[id]
		switch {
		case !ok:
			a.problem(0, "lease %s is in the database but not in the ledger", id)
		case recordDigest(leaseSnapshot(l)) != st.digest:
			a.problem(st.seq, "lease %s in the database differs from this entry, the last that changed it", id)
		}
		delete(a.leases, id)
		return nil
	})
	if err != nil {
		return err
	}
	for _, id := range slices.Sorted(maps.Keys(a.leases)) {
		a.problem(a.leases[id].seq, "records lease %s, which is not in the database", id)
	}
	lics, err := tx.Licenses()
	if err != nil {
		return err
	}
	for _, l := range lics {
		a.rep.Licenses++
		st, ok := a.licenses[l.ID]
		switch {
		case !ok:
			a.problem(0, "license %d is in the database but not in the ledger", l.ID)
		case recordDigest(licenseSnapshot(l)) != st.digest:
			a.problem(st.seq, "license %d in the database differs from this entry, the last that changed it", l.ID)
		}
		delete(a.licenses, l.ID)
	}
	for _, id := range slices.Sorted(maps.Keys(a.licenses)) {
		a.problem(a.licenses[id].seq, "records license %d, which is not in the database", id)
	}
	err = tx.Requests(func(r *StoredRequest) error {
		seq, ok := a.requests[r.Hash]
		switch {
		case !ok:
			a.problem(r.LedgerSeq, "request %s is recorded as answered, but no ledger entry holds it", r.Hash)
		case seq != r.LedgerSeq:
			a.problem(seq, "request %s is recorded as answered by entry %d, but this entry holds it", r.Hash, r.LedgerSeq)
		}
		delete(a.requests, r.Hash)
		return nil
	})
	if err != nil {
		return err
	}
	for _, h := range slices.SortedFunc(maps.Keys(a.requests), func(x, y [16]byte) int { return bytes.Compare(x[:], y[:]) }) {
		a.problem(a.requests[h], "holds request %x, which is missing from the answered requests (it could be answered again)", h)
	}
	return nil
}
