package client

import (
	"fmt"
	"maps"
	"time"

	"github.com/airlock-dev/airlock/client/internal/record"
	"github.com/airlock-dev/airlock/request"
	"github.com/airlock-dev/airlock/wire"
)

// Activation is what an activation request asks for.
type Activation struct {
	License  string        // as typed; normalised by Request
	Features []string      // empty: every feature of the license
	Lease    time.Duration // 0: the license's default
	User     string        // for the station's records; may be empty
	Host     string
}

// Request signs an activation request with the device key and records it
// as pending (its hash and nonce), durably, before returning it: the
// receipt that answers it can then be applied. It returns the request in
// binary form.
func (h *Home) Request(a Activation, now time.Time) ([]byte, error) {
	key, err := request.NormalizeLicenseKey(a.License)
	if err != nil {
		return nil, err
	}
	features := wire.SortFeatures(a.Features)
	if err := wire.CheckFeatures("features", features); err != nil {
		return nil, err
	}
	fp, err := h.b.fingerprint(h.snap.st.Product)
	if err != nil {
		return nil, err
	}
	req := &request.Activation{
		Header:     h.header(now),
		LicenseKey: key, Features: features, Lease: a.Lease,
		Fingerprint: fp, User: a.User, Host: a.Host,
	}
	msg, err := req.Sign(h.b.device)
	if err != nil {
		return nil, err
	}
	p := record.Pending{
		Hash: hashBytes(msg), Nonce: req.Nonce[:], Type: "activation", License: key,
		Features: features, Length: int64(a.Lease / time.Second), Time: now.Unix(), Request: msg,
	}
	if len(p.Features) == 0 {
		p.Features = nil
	}
	if err := h.addPending(p, now); err != nil {
		return nil, err
	}
	return msg, nil
}

// Refresh signs a refresh request for lease id: the serial and ledger
// sequence of the receipt held, the meters so far, and length, the new
// lease length asked for (0: the license's default). It is recorded as
// pending before it is returned.
func (h *Home) Refresh(id wire.LeaseID, length time.Duration, now time.Time) ([]byte, error) {
	l, err := h.mustInstalled(id)
	if err != nil {
		return nil, err
	}
	req := &request.Refresh{
		Header: h.header(now), LeaseID: id, Serial: l.r.Serial, LedgerSeq: l.r.LedgerSeq,
		Meters: maps.Clone(l.rec.Meters), Lease: length,
	}
	msg, err := req.Sign(h.b.device)
	if err != nil {
		return nil, err
	}
	p := record.Pending{
		Hash: hashBytes(msg), Nonce: req.Nonce[:], Type: "refresh", Lease: id.String(),
		Length: int64(length / time.Second), Time: now.Unix(), Request: msg,
	}
	if err := h.addPending(p, now); err != nil {
		return nil, err
	}
	return msg, nil
}

// Returned is the outcome of Return.
type Returned struct {
	Lease wire.LeaseID
	Proof []byte // the return proof, binary
	// Again says the lease had already been removed by an earlier return:
	// Proof is the same proof, byte for byte.
	Again  bool
	Meters map[string]uint64 // final meters
}

// Return removes lease id and records its tombstone — with the return
// proof, signed by the device key, carrying the final meters — in one
// atomic write, and only then returns the proof to be written out. If
// writing it out fails, Return again gives the same proof from the
// tombstone.
func (h *Home) Return(id wire.LeaseID, now time.Time) (*Returned, error) {
	if t := h.snap.ended(id); t != nil {
		if t.rec.Kind != returnedKind || len(t.rec.Proof) == 0 {
			return nil, t.endedError(id)
		}
		return &Returned{Lease: id, Proof: t.rec.Proof, Again: true, Meters: t.rec.Meters}, nil
	}
	l, err := h.mustInstalled(id)
	if err != nil {
		return nil, err
	}
	req := &request.Return{
		Header: h.header(now), LeaseID: id, Serial: l.r.Serial, LedgerSeq: l.r.LedgerSeq,
		Meters: maps.Clone(l.rec.Meters),
	}
	proof, err := req.Sign(h.b.device)
	if err != nil {
		return nil, err
	}
	next := h.snap.st.Clone()
	next.Leases = removeLease(next.Leases, id)
	next.Pending = dropRefreshes(next.Pending, id)
	next.Tombstones = append(next.Tombstones, record.Tombstone{
		ID: id.String(), Kind: returnedKind, At: now.Unix(), Serial: l.rec.Serial, LedgerSeq: l.rec.LedgerSeq,
		Meters: l.rec.Meters, Receipt: l.rec.Receipt, Proof: proof,
	})
	if err := h.commit(next, now); err != nil {
		return nil, err
	}
	return &Returned{Lease: id, Proof: proof, Meters: l.rec.Meters}, nil
}

// header is the request header at now: the clock, and the high-water
// mark so the station sees a clock set back.
func (h *Home) header(now time.Time) request.Header {
	return request.Header{Time: now.UTC(), HighWater: later(now, h.snap.hwm).UTC()}
}

func (h *Home) mustInstalled(id wire.LeaseID) (*lease, error) {
	if l := h.snap.installed(id); l != nil {
		return l, nil
	}
	if t := h.snap.ended(id); t != nil {
		return nil, t.endedError(id)
	}
	return nil, &UnknownLeaseError{ID: id.String()}
}

func (h *Home) addPending(p record.Pending, now time.Time) error {
	next := h.snap.st.Clone()
	next.Pending = append(next.Pending, p)
	if n := len(next.Pending); n > maxPending {
		next.Pending = next.Pending[n-maxPending:]
	}
	if err := h.commit(next, now); err != nil {
		return fmt.Errorf("recording the request: %w", err)
	}
	return nil
}

func hashBytes(msg []byte) record.Hex {
	h := request.Hash(msg)
	return h[:]
}

func removeLease(ls []record.Lease, id wire.LeaseID) []record.Lease {
	out := ls[:0]
	for _, l := range ls {
		if l.ID != id.String() {
			out = append(out, l)
		}
	}
	return out
}

func dropRefreshes(ps []record.Pending, id wire.LeaseID) []record.Pending {
	out := ps[:0]
	for _, p := range ps {
		if p.Lease != id.String() {
			out = append(out, p)
		}
	}
	return out
}
