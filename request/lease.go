package request

import (
	"github.com/airlock-dev/airlock/crypto"
	"github.com/airlock-dev/airlock/internal/envelope"
	"github.com/airlock-dev/airlock/wire"
)

// Sign signs the refresh request with the lease's device key.
func (r *Refresh) Sign(device *crypto.PrivateKey) ([]byte, error) {
	p, err := r.Header.encode(wire.RefreshRequest)
	if err != nil {
		return nil, err
	}
	if p.Lease, err = leaseSeconds(r.Lease); err != nil {
		return nil, err
	}
	if err := fillLease(&p, r.LeaseID, r.Serial, r.LedgerSeq, r.Meters); err != nil {
		return nil, err
	}
	return sign(wire.RefreshRequest, p, device)
}

// Sign signs the return proof with the lease's device key.
func (r *Return) Sign(device *crypto.PrivateKey) ([]byte, error) {
	p, err := r.Header.encode(wire.ReturnRequest)
	if err != nil {
		return nil, err
	}
	if err := fillLease(&p, r.LeaseID, r.Serial, r.LedgerSeq, r.Meters); err != nil {
		return nil, err
	}
	p.Removed = true
	return sign(wire.ReturnRequest, p, device)
}

func fillLease(p *payload, id wire.LeaseID, serial, ledgerSeq uint64, meters map[string]uint64) error {
	if serial == 0 {
		return &wire.FieldError{Field: "serial", Reason: "must be at least 1"}
	}
	if ledgerSeq == 0 {
		return &wire.FieldError{Field: "ledger sequence", Reason: "must be at least 1"}
	}
	if err := wire.CheckMeters(meters); err != nil {
		return err
	}
	p.LeaseID, p.Serial, p.LedgerSeq = id[:], serial, ledgerSeq
	if len(meters) > 0 {
		p.Meters = meters
	}
	return nil
}

// VerifyRefresh parses a refresh request and verifies it under device, the
// key of the lease it names (see Peek).
func VerifyRefresh(data []byte, device crypto.PublicKey) (*Refresh, error) {
	m, p, err := open(data, wire.RefreshRequest)
	if err != nil {
		return nil, err
	}
	if err := m.Verify(device); err != nil {
		return nil, err
	}
	r := &Refresh{Meters: p.Meters, LedgerSeq: p.LedgerSeq}
	if r.Header, err = p.header(); err != nil {
		return nil, err
	}
	if r.LeaseID, r.Serial, err = p.lease(); err != nil {
		return nil, err
	}
	if r.Lease, err = leaseDuration(p.Lease); err != nil {
		return nil, err
	}
	return r, nil
}

// VerifyReturn parses a return proof and verifies it under device, the key
// of the lease it names (see Peek).
func VerifyReturn(data []byte, device crypto.PublicKey) (*Return, error) {
	m, p, err := open(data, wire.ReturnRequest)
	if err != nil {
		return nil, err
	}
	if err := m.Verify(device); err != nil {
		return nil, err
	}
	if !p.Removed {
		return nil, &wire.FieldError{Field: "removed", Reason: "a return proof must state the lease was removed"}
	}
	r := &Return{Meters: p.Meters, LedgerSeq: p.LedgerSeq}
	if r.Header, err = p.header(); err != nil {
		return nil, err
	}
	if r.LeaseID, r.Serial, err = p.lease(); err != nil {
		return nil, err
	}
	return r, nil
}

func (p *payload) lease() (wire.LeaseID, uint64, error) {
	id, err := wire.LeaseIDFromBytes(p.LeaseID)
	if err != nil {
		return id, 0, &wire.FieldError{Field: "lease id", Err: err}
	}
	if p.Serial == 0 {
		return id, 0, &wire.FieldError{Field: "serial", Reason: "missing"}
	}
	if p.LedgerSeq == 0 {
		return id, 0, &wire.FieldError{Field: "ledger sequence", Reason: "missing"}
	}
	return id, p.Serial, wire.CheckMeters(p.Meters)
}

// Info is what can be read from a request before its signature is checked:
// enough to find the key to check it with. None of it is authenticated.
type Info struct {
	Type      wire.Type
	Hash      wire.RequestHash
	LeaseID   wire.LeaseID // refresh and return requests
	Serial    uint64       // refresh and return requests
	LedgerSeq uint64       // refresh and return requests
	DeviceKey []byte       // activation requests, unvalidated
}

// Peek reads a request's type and the lease or device key it names,
// without verifying anything but its structure.
func Peek(data []byte) (*Info, error) {
	m, err := envelope.Parse(data)
	if err != nil {
		return nil, err
	}
	if err := m.Expect(wire.ActivationRequest, wire.RefreshRequest, wire.ReturnRequest); err != nil {
		return nil, err
	}
	_, p, err := open(data, m.Type)
	if err != nil {
		return nil, err
	}
	info := &Info{Type: m.Type, Hash: Hash(data), DeviceKey: p.DeviceKey}
	if m.Type != wire.ActivationRequest {
		if info.LeaseID, info.Serial, err = p.lease(); err != nil {
			return nil, err
		}
		info.LedgerSeq = p.LedgerSeq
	}
	return info, nil
}
