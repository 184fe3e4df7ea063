package client

import (
	"errors"
	"sort"
	"time"

	"github.com/airlock-dev/airlock/wire"
)

// Status is what "airlock status" shows: the home, the clock, every lease
// installed or ended here, pending requests and trusted keys.
type Status struct {
	Home         string          `json:"home"`
	DeviceKeyID  string          `json:"device_key_id"`
	Product      string          `json:"product"`
	Fingerprint  string          `json:"fingerprint,omitempty"` // Set.Summary of this machine
	Clock        ClockStatus     `json:"clock"`
	Leases       []LeaseStatus   `json:"leases"`
	Pending      []PendingStatus `json:"pending"`
	TrustVersion uint64          `json:"trust_version"`
	Trust        []TrustStatus   `json:"trust"`
}

// ClockStatus is the clock against the high-water mark.
type ClockStatus struct {
	Now              time.Time `json:"now"`
	HighWater        time.Time `json:"high_water"`
	BehindSeconds    int64     `json:"behind_seconds"` // how far now is behind the high-water mark; 0 if not
	ToleranceSeconds int64     `json:"tolerance_seconds"`
	OK               bool      `json:"ok"`
	Problem          string    `json:"problem,omitempty"`
}

// Lease statuses.
const (
	StatusActive       = "active"
	StatusExpired      = "expired"
	StatusNotYetValid  = "not-yet-valid"
	StatusRevoked      = "revoked"
	StatusReturned     = "returned"
	StatusWrongMachine = "wrong-machine"
	StatusClock        = "clock-set-back"
	StatusInvalid      = "invalid"
)

// LeaseStatus is one lease. Receipt, ReturnProof and Evidence are armored
// messages, ready to save to a file.
type LeaseStatus struct {
	ID               string            `json:"id"`
	Status           string            `json:"status"`
	Problem          string            `json:"problem,omitempty"`
	Product          string            `json:"product"`
	LicenseID        uint64            `json:"license_id"`
	Features         []string          `json:"features"`
	Limits           map[string]uint64 `json:"limits,omitempty"`
	Meters           map[string]uint64 `json:"meters,omitempty"`
	Serial           uint64            `json:"serial"`
	LedgerSeq        uint64            `json:"ledger_seq"`
	Issued           time.Time         `json:"issued"`
	NotBefore        time.Time         `json:"not_before"`
	Expires          time.Time         `json:"expires"`
	RemainingSeconds int64             `json:"remaining_seconds"`
	Installed        time.Time         `json:"installed,omitzero"`
	Ended            time.Time         `json:"ended,omitzero"` // when it was returned or revoked here
	Receipt          string            `json:"receipt,omitempty"`
	ReturnProof      string            `json:"return_proof,omitempty"`
	Evidence         string            `json:"evidence,omitempty"` // the deactivation or revocation receipt
	EvidenceType     string            `json:"evidence_type,omitempty"`
}

// PendingStatus is a request waiting for its receipt.
type PendingStatus struct {
	Hash          string    `json:"hash"`
	Type          string    `json:"type"`
	Lease         string    `json:"lease,omitempty"`
	License       string    `json:"license,omitempty"`
	Features      []string  `json:"features,omitempty"`
	LengthSeconds int64     `json:"length_seconds,omitempty"`
	Time          time.Time `json:"time"`
}

// TrustStatus is one trusted issuer key.
type TrustStatus struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	Retired time.Time `json:"retired,omitzero"`
}

// Status reports the state at now.
func (c *Client) Status(now time.Time) (*Status, error) {
	s, err := c.current()
	if err != nil {
		return nil, err
	}
	return s.status(c.b, now, later(s.hwm, c.note(now))), nil
}

func (s *snapshot) status(b *base, now, hwm time.Time) *Status {
	st := &Status{
		Home: b.dir, DeviceKeyID: b.device.Public().ID().String(), Product: s.st.Product,
		Clock: ClockStatus{
			Now: now.UTC(), HighWater: hwm.UTC(), ToleranceSeconds: int64(Tolerance / time.Second), OK: true,
		},
		Leases: []LeaseStatus{}, Pending: []PendingStatus{}, TrustVersion: s.trust.Version,
	}
	if fp, err := b.fingerprint(s.st.Product); err == nil {
		st.Fingerprint = fp.Summary()
	}
	if hwm.After(now) {
		st.Clock.BehindSeconds = int64(hwm.Sub(now) / time.Second)
	}
	if err := checkClock(now, hwm); err != nil {
		st.Clock.OK, st.Clock.Problem = false, err.Error()
	}
	for _, l := range s.leases {
		ls := leaseStatus(l.r.LeaseID, l.r.Product, l.r.LicenseID, l.r.Features, l.r.Limits, l.rec.Meters)
		ls.setReceipt(l.r.Serial, l.r.LedgerSeq, l.r.IssuedAt, l.r.NotBefore, l.r.ExpiresAt)
		ls.Installed = unix(l.rec.Installed)
		ls.Receipt = armor(l.r.Type, l.rec.Receipt)
		ls.Status, ls.Problem = StatusActive, ""
		if _, err := l.entitle(l.r.Features[0], now, hwm); err != nil {
			ls.Status, ls.Problem = statusOf(err), err.Error()
		} else if err := checkClock(now, hwm); err != nil {
			ls.Status, ls.Problem = StatusClock, err.Error()
		}
		if ls.Status == StatusActive || ls.Status == StatusClock {
			ls.RemainingSeconds = int64(l.r.ExpiresAt.Sub(later(now, hwm)) / time.Second)
		}
		st.Leases = append(st.Leases, ls)
	}
	for _, t := range s.tombs {
		st.Leases = append(st.Leases, t.status())
	}
	for _, p := range s.st.Pending {
		st.Pending = append(st.Pending, PendingStatus{
			Hash: p.Hash.String(), Type: p.Type, Lease: p.Lease, License: p.License,
			Features: p.Features, LengthSeconds: p.Length, Time: unix(p.Time),
		})
	}
	for _, k := range s.trust.Keys {
		st.Trust = append(st.Trust, TrustStatus{ID: k.Key.ID().String(), Name: k.Name, Retired: k.RetiredAt})
	}
	sort.SliceStable(st.Leases, func(i, j int) bool { return rank(st.Leases[i].Status) < rank(st.Leases[j].Status) })
	return st
}

func (t *tomb) status() LeaseStatus {
	ls := LeaseStatus{ID: t.rec.ID, Meters: t.rec.Meters, Serial: t.rec.Serial, LedgerSeq: t.rec.LedgerSeq}
	if r := t.r; r != nil {
		ls = leaseStatus(r.LeaseID, r.Product, r.LicenseID, r.Features, r.Limits, t.rec.Meters)
		ls.setReceipt(t.rec.Serial, t.rec.LedgerSeq, r.IssuedAt, r.NotBefore, r.ExpiresAt)
		ls.Receipt = armor(r.Type, t.rec.Receipt)
	}
	ls.Ended = unix(t.rec.At)
	ls.Status = StatusReturned
	evType := wire.DeactivationReceipt
	if t.rec.Kind == revokedKind {
		ls.Status, evType = StatusRevoked, wire.RevocationReceipt
	}
	if len(t.rec.Proof) > 0 {
		ls.ReturnProof = armor(wire.ReturnRequest, t.rec.Proof)
	}
	if len(t.rec.Evidence) > 0 {
		ls.Evidence, ls.EvidenceType = armor(evType, t.rec.Evidence), evType.String()
	} else if t.rec.Kind == returnedKind {
		ls.Problem = "waiting for the station's deactivation receipt: take the return proof to the station and apply its answer"
	}
	return ls
}

func leaseStatus(id wire.LeaseID, product string, license uint64, features []string, limits, meters map[string]uint64) LeaseStatus {
	return LeaseStatus{ID: id.String(), Product: product, LicenseID: license, Features: features, Limits: limits, Meters: meters}
}

func (ls *LeaseStatus) setReceipt(serial, seq uint64, issued, nb, exp time.Time) {
	ls.Serial, ls.LedgerSeq, ls.Issued, ls.NotBefore, ls.Expires = serial, seq, issued, nb, exp
}

func armor(t wire.Type, msg []byte) string {
	s, err := wire.MarshalArmor(t, msg)
	if err != nil {
		return ""
	}
	return s
}

func statusOf(err error) string {
	switch {
	case errors.Is(err, ErrExpired):
		return StatusExpired
	case errors.Is(err, ErrNotYetValid):
		return StatusNotYetValid
	case errors.Is(err, ErrWrongMachine):
		return StatusWrongMachine
	case errors.Is(err, ErrClockTampered):
		return StatusClock
	case errors.Is(err, ErrLimitReached):
		return StatusActive
	}
	return StatusInvalid
}

// rank orders statuses for display: usable leases first, ended ones last.
func rank(s string) int {
	switch s {
	case StatusActive:
		return 0
	case StatusReturned, StatusRevoked:
		return 2
	}
	return 1
}
