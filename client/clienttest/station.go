// Package clienttest is a fake issuing station and fake machines, for
// testing code that uses package client without a real station: the
// station signs receipts with a test issuer key, answering the requests a
// client home writes.
package clienttest

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"time"

	"github.com/airlock-dev/airlock/crypto"
	"github.com/airlock-dev/airlock/fingerprint"
	"github.com/airlock-dev/airlock/request"
	"github.com/airlock-dev/airlock/response"
	"github.com/airlock-dev/airlock/wire"
)

// Station signs receipts like an issuing station, with none of its
// policy: every request is granted. Set the fields before answering to
// choose the terms of the next receipts. It is not safe for concurrent
// use.
type Station struct {
	Key       *crypto.PrivateKey
	Product   string
	LicenseID uint64
	// Features granted when a request names none.
	Features []string
	// Limits of the granted features, if any.
	Limits map[string]uint64
	// Length of a lease when the request asks for none.
	Length time.Duration
	// Threshold of fingerprint components that must match; 0 for the
	// default (all but one).
	Threshold int
	// Delay sets not-before this long after issued-at; 0 for none.
	Delay time.Duration
	// NewID draws lease IDs; nil for a sequence that is the same in every
	// run (set wire.NewLeaseID when several processes share a client).
	NewID func() wire.LeaseID

	seq    uint64 // ledger sequence
	ids    uint64
	leases map[wire.LeaseID]*response.Receipt // newest receipt per lease
}

// NewStation makes a station whose issuer key comes from seed, so tests
// and examples are reproducible.
func NewStation(seed byte) *Station {
	k, err := crypto.NewKeyFromSeed(bytes.Repeat([]byte{seed}, crypto.SeedSize))
	if err != nil {
		panic(err)
	}
	return &Station{
		Key: k, Product: "cad", LicenseID: 17, Features: []string{"export", "model", "render"},
		Length: 720 * time.Hour, seq: 40, leases: map[wire.LeaseID]*response.Receipt{},
	}
}

// Public is the issuer public key, to give to client.Init.
func (s *Station) Public() crypto.PublicKey { return s.Key.Public() }

// WriteIssuerKey writes the issuer public key as PEM to path, as "airlock
// init --trust" reads it.
func (s *Station) WriteIssuerKey(path string) error { return crypto.WritePublicKey(path, s.Public()) }

// Activate answers an activation request (binary) with an activation
// receipt issued at now.
func (s *Station) Activate(req []byte, now time.Time) ([]byte, error) {
	a, err := request.VerifyActivation(req)
	if err != nil {
		return nil, err
	}
	features := a.Features
	if len(features) == 0 {
		features = s.Features
	}
	h := request.Hash(req)
	r := s.terms(wire.ActivationReceipt, s.nextID(), now, a.Lease)
	r.Features, r.DeviceKey, r.Fingerprint, r.RequestHash, r.Serial = features, a.DeviceKey, a.Fingerprint, &h, 1
	r.Threshold = s.threshold(len(a.Fingerprint))
	r.Limits = limitsFor(s.Limits, features)
	return s.sign(r)
}

// Refresh answers a refresh request with a refresh receipt: the next
// serial, a new expiry.
func (s *Station) Refresh(req []byte, now time.Time) ([]byte, error) {
	info, err := request.Peek(req)
	if err != nil {
		return nil, err
	}
	prev, err := s.lease(info.LeaseID)
	if err != nil {
		return nil, err
	}
	rr, err := request.VerifyRefresh(req, prev.DeviceKey)
	if err != nil {
		return nil, err
	}
	h := request.Hash(req)
	r := s.next(prev, wire.RefreshReceipt, now, rr.Lease)
	r.RequestHash = &h
	return s.sign(r)
}

// Push makes a refresh receipt nobody asked for: the next serial, a new
// expiry.
func (s *Station) Push(id wire.LeaseID, now time.Time) ([]byte, error) {
	prev, err := s.lease(id)
	if err != nil {
		return nil, err
	}
	return s.sign(s.next(prev, wire.RefreshReceipt, now, 0))
}

// Revoke makes a revocation receipt for the lease.
func (s *Station) Revoke(id wire.LeaseID, now time.Time) ([]byte, error) {
	prev, err := s.lease(id)
	if err != nil {
		return nil, err
	}
	r := s.next(prev, wire.RevocationReceipt, now, 0)
	r.ExpiresAt = now.Add(time.Second).UTC().Truncate(time.Second)
	return s.sign(r)
}

// Deactivate answers a return proof with a deactivation receipt.
func (s *Station) Deactivate(proof []byte, now time.Time) ([]byte, error) {
	info, err := request.Peek(proof)
	if err != nil {
		return nil, err
	}
	prev, err := s.lease(info.LeaseID)
	if err != nil {
		return nil, err
	}
	if _, err := request.VerifyReturn(proof, prev.DeviceKey); err != nil {
		return nil, err
	}
	h := request.Hash(proof)
	r := s.next(prev, wire.DeactivationReceipt, now, 0)
	r.RequestHash, r.ExpiresAt = &h, now.Add(time.Second).UTC().Truncate(time.Second)
	return s.sign(r)
}

// Last returns a copy of the newest receipt made for the lease, for tests
// that craft their own variants and sign them with Sign.
func (s *Station) Last(id wire.LeaseID) (*response.Receipt, error) {
	r, err := s.lease(id)
	if err != nil {
		return nil, err
	}
	c := *r
	return &c, nil
}

// Sign signs any receipt with the issuer key, as it is: no checks beyond
// the format's.
func (s *Station) Sign(r *response.Receipt) ([]byte, error) { return r.Sign(s.Key) }

func (s *Station) sign(r *response.Receipt) ([]byte, error) {
	s.seq++
	r.LedgerSeq = s.seq
	msg, err := r.Sign(s.Key)
	if err != nil {
		return nil, err
	}
	c := *r
	s.leases[r.LeaseID] = &c
	return msg, nil
}

func (s *Station) lease(id wire.LeaseID) (*response.Receipt, error) {
	r, ok := s.leases[id]
	if !ok {
		return nil, fmt.Errorf("the station issued no lease %s", id)
	}
	return r, nil
}

func (s *Station) terms(t wire.Type, id wire.LeaseID, now time.Time, length time.Duration) *response.Receipt {
	if length == 0 {
		length = s.Length
	}
	issued := now.UTC().Truncate(time.Second)
	return &response.Receipt{
		Type: t, LeaseID: id, LicenseID: s.LicenseID, Product: s.Product,
		IssuedAt: issued, NotBefore: issued.Add(s.Delay), ExpiresAt: issued.Add(s.Delay + length),
	}
}

func (s *Station) next(prev *response.Receipt, t wire.Type, now time.Time, length time.Duration) *response.Receipt {
	r := s.terms(t, prev.LeaseID, now, length)
	r.Features, r.Limits, r.DeviceKey, r.Fingerprint, r.Threshold = prev.Features, prev.Limits, prev.DeviceKey, prev.Fingerprint, prev.Threshold
	r.Serial = prev.Serial + 1
	return r
}

func (s *Station) threshold(n int) int {
	if s.Threshold > 0 {
		return min(s.Threshold, n)
	}
	return fingerprint.DefaultThreshold(n)
}

func (s *Station) nextID() wire.LeaseID {
	if s.NewID != nil {
		return s.NewID()
	}
	s.ids++
	sum := sha256.Sum256(append(s.Key.Public().Bytes(), byte(s.ids>>8), byte(s.ids)))
	var id wire.LeaseID
	copy(id[:], sum[:])
	return id
}

func limitsFor(limits map[string]uint64, features []string) map[string]uint64 {
	out := map[string]uint64{}
	for _, f := range features {
		if v, ok := limits[f]; ok {
			out[f] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// Machine returns the components of a made-up machine called name: a
// machine ID, product UUID, board serial, MAC, disk serial and host name,
// all derived from name, and a CPU model that every made-up machine
// shares. Two names are two machines; the default threshold (six of seven)
// refuses one for the other and tolerates one changed part.
func Machine(name string) []fingerprint.Component {
	v := func(kind string) string { return fmt.Sprintf("%s-%s", name, kind) }
	return []fingerprint.Component{
		{Kind: fingerprint.KindMachineID, Value: v("machine-id")},
		{Kind: fingerprint.KindProductUUID, Value: v("uuid")},
		{Kind: fingerprint.KindBoardSerial, Value: v("board")},
		{Kind: fingerprint.KindMAC, Value: v("mac")},
		{Kind: fingerprint.KindDiskSerial, Value: v("disk")},
		{Kind: fingerprint.KindCPU, Value: "Example CPU @ 3.00GHz"},
		{Kind: fingerprint.KindHostname, Value: name},
	}
}

// Collector returns a collector of cs, for client.WithComponents.
func Collector(cs []fingerprint.Component) func() ([]fingerprint.Component, error) {
	return func() ([]fingerprint.Component, error) { return cs, nil }
}
