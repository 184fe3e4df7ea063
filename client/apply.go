package client

import (
	"bytes"
	"errors"
	"time"

	"github.com/airlock-dev/airlock/client/internal/record"
	"github.com/airlock-dev/airlock/response"
	"github.com/airlock-dev/airlock/wire"
)

// Applied is the outcome of Apply.
type Applied struct {
	Receipt *response.Receipt
	// Already says this very receipt was applied before; nothing changed.
	Already bool
	// Replaced is the serial of the receipt a refresh or revocation
	// replaced, or that a deactivation answered.
	Replaced uint64
}

// Apply verifies a receipt (binary form) and installs it, in this order,
// changing nothing unless every step passes:
//
//  1. the issuer key is in the trust store and the signature, fields and
//     key retirement check out (doc/SPEC.md §5.1);
//  2. the message is a receipt, and one this machine can use: an
//     activation receipt answers a pending activation request of this
//     machine (its request hash, which covers the nonce); a refresh or
//     revocation receipt names an installed lease and carries a higher
//     serial; a deactivation receipt answers this machine's return proof
//     for a returned lease;
//  3. the device key is this machine's;
//  4. the fingerprint matches this machine's at the receipt's threshold;
//  5. the clock is not set back (see Tolerance);
//  6. an activation or refresh receipt is valid now (not expired, begun);
//  7. serials only go up;
//  8. a returned or revoked lease never comes back.
//
// Then one atomic write installs it: an activation or refresh replaces
// the lease's receipt (meters carry on); a revocation removes the lease
// and keeps the revocation as evidence; a deactivation is kept as the
// evidence of the return. The same receipt applied again is harmless:
// Already, and nothing changes.
func (h *Home) Apply(data []byte, now time.Time) (*Applied, error) {
	s := h.snap
	r, err := verifyReceipt(data, s.trust)
	if err != nil {
		return nil, err
	}
	if s.holds(data) {
		return &Applied{Receipt: r, Already: true}, nil
	}
	id := r.LeaseID
	inst, ended := s.installed(id), s.ended(id)
	var replaced uint64
	switch r.Type {
	case wire.ActivationReceipt:
		if s.pending(*r.RequestHash, "activation") < 0 {
			// Say the more useful thing when the request was answered
			// before: the lease is installed with a newer receipt, or ended.
			switch {
			case inst != nil && r.Serial <= inst.r.Serial:
				return nil, &SerialError{Type: r.Type, Lease: id, Got: r.Serial, Have: inst.r.Serial}
			case ended != nil:
				return nil, ended.endedError(id)
			}
			return nil, &NotPendingError{Type: r.Type, Hash: *r.RequestHash}
		}
	case wire.RefreshReceipt, wire.RevocationReceipt:
		if inst == nil {
			if ended != nil {
				return nil, ended.endedError(id)
			}
			return nil, &UnknownLeaseError{ID: id.String()}
		}
		if r.Serial <= inst.r.Serial {
			return nil, &SerialError{Type: r.Type, Lease: id, Got: r.Serial, Have: inst.r.Serial}
		}
	case wire.DeactivationReceipt:
		if ended == nil || ended.rec.Kind != returnedKind {
			return nil, notReturned(id, inst, ended)
		}
		if !bytes.Equal(hashBytes(ended.rec.Proof), r.RequestHash[:]) {
			return nil, &NotPendingError{Type: r.Type, Hash: *r.RequestHash}
		}
	}
	if err := h.b.matchMachine(r, s.st.Product); err != nil {
		return nil, err
	}
	if err := checkClock(now, s.hwm); err != nil {
		return nil, err
	}
	if err := checkIssued(now, r); err != nil {
		return nil, err
	}
	if r.Type == wire.ActivationReceipt || r.Type == wire.RefreshReceipt {
		eff := later(now, s.hwm, r.IssuedAt)
		if err := r.ValidAt(eff); err != nil {
			if errors.Is(err, ErrNotYetValid) {
				return nil, &NotYetValidError{Lease: id, NotBefore: r.NotBefore, Now: eff}
			}
			return nil, &ExpiredError{Lease: id, ExpiresAt: r.ExpiresAt, Now: eff}
		}
	}
	switch {
	case inst != nil && r.Serial <= inst.r.Serial:
		return nil, &SerialError{Type: r.Type, Lease: id, Got: r.Serial, Have: inst.r.Serial}
	case r.Type == wire.DeactivationReceipt && r.Serial <= ended.rec.Serial:
		return nil, &SerialError{Type: r.Type, Lease: id, Got: r.Serial, Have: ended.rec.Serial}
	case r.Type != wire.DeactivationReceipt && ended != nil:
		return nil, ended.endedError(id)
	}
	next := s.st.Clone()
	rec := record.Lease{ID: id.String(), Serial: r.Serial, LedgerSeq: r.LedgerSeq, Installed: now.Unix(), Receipt: data}
	switch r.Type {
	case wire.ActivationReceipt, wire.RefreshReceipt:
		if inst != nil {
			replaced, rec.Meters = inst.r.Serial, inst.rec.Meters
			next.Leases = removeLease(next.Leases, id)
		}
		next.Leases = append(next.Leases, rec)
		if r.RequestHash != nil {
			next.Pending = dropPending(next.Pending, *r.RequestHash)
		}
	case wire.RevocationReceipt:
		replaced = inst.r.Serial
		next.Leases = removeLease(next.Leases, id)
		next.Pending = dropRefreshes(next.Pending, id)
		next.Tombstones = append(next.Tombstones, record.Tombstone{
			ID: id.String(), Kind: revokedKind, At: now.Unix(), Serial: r.Serial, LedgerSeq: r.LedgerSeq,
			Meters: inst.rec.Meters, Receipt: inst.rec.Receipt, Evidence: data, EvidenceAt: now.Unix(),
		})
	case wire.DeactivationReceipt:
		for i := range next.Tombstones {
			t := &next.Tombstones[i]
			if t.ID == id.String() {
				replaced = t.Serial
				t.Serial, t.LedgerSeq, t.Evidence, t.EvidenceAt = r.Serial, r.LedgerSeq, data, now.Unix()
			}
		}
	}
	if err := h.commit(next, now, r.IssuedAt); err != nil {
		return nil, err
	}
	return &Applied{Receipt: r, Replaced: replaced}, nil
}

// holds reports whether data is a receipt this state already holds: an
// installed lease's receipt, or the evidence of an ended one.
func (s *snapshot) holds(data []byte) bool {
	for _, l := range s.leases {
		if bytes.Equal(l.rec.Receipt, data) {
			return true
		}
	}
	for _, t := range s.tombs {
		if bytes.Equal(t.rec.Evidence, data) {
			return true
		}
	}
	return false
}

// pending returns the index of the pending request with hash h and type
// typ, or -1.
func (s *snapshot) pending(h wire.RequestHash, typ string) int {
	for i, p := range s.st.Pending {
		if p.Type == typ && bytes.Equal(p.Hash, h[:]) {
			return i
		}
	}
	return -1
}

func dropPending(ps []record.Pending, h wire.RequestHash) []record.Pending {
	out := ps[:0]
	for _, p := range ps {
		if !bytes.Equal(p.Hash, h[:]) {
			out = append(out, p)
		}
	}
	return out
}

func notReturned(id wire.LeaseID, inst *lease, ended *tomb) error {
	switch {
	case inst != nil:
		return &notReturnedError{Lease: id, Installed: true}
	case ended != nil:
		return ended.endedError(id)
	}
	return &notReturnedError{Lease: id}
}

// notReturnedError is a deactivation receipt for a lease not returned
// from here.
type notReturnedError struct {
	Lease     wire.LeaseID
	Installed bool
}

func (e *notReturnedError) Error() string {
	if e.Installed {
		return "this deactivation receipt is for lease " + e.Lease.String() + ", which is still installed here: it answers a return proof this machine did not write"
	}
	return "this deactivation receipt is for lease " + e.Lease.String() + ", which was never returned from this machine"
}

func (e *notReturnedError) Unwrap() error { return ErrNotReturned }
