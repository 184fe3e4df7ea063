package station

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/airlock-dev/airlock/crypto"
	"github.com/airlock-dev/airlock/request"
	"github.com/airlock-dev/airlock/wire"
)

// leaseRequest answers a refresh or return request. A read transaction
// finds the lease's device key, the signature is checked outside any lock,
// and a write transaction checks everything again and makes the change.
func (s *Station) leaseRequest(ctx context.Context, data []byte, info *request.Info, now time.Time) (*Result, error) {
	var device crypto.PublicKey
	err := s.store.View(ctx, func(tx Tx) error {
		lease, err := findLease(tx, info)
		if err != nil {
			return err
		}
		device = lease.DeviceKey
		return nil
	})
	if err != nil {
		return nil, err
	}
	var hdr request.Header
	var meters map[string]uint64
	var asked time.Duration
	if info.Type == wire.RefreshRequest {
		r, err := request.VerifyRefresh(data, device)
		if err != nil {
			return nil, leaseSignature(err, info)
		}
		hdr, meters, asked = r.Header, r.Meters, r.Lease
	} else {
		r, err := request.VerifyReturn(data, device)
		if err != nil {
			return nil, leaseSignature(err, info)
		}
		hdr, meters = r.Header, r.Meters
	}
	var res *Result
	err = s.store.Update(ctx, func(tx Tx) error {
		lease, err := findLease(tx, info)
		if err != nil {
			return err
		}
		if !lease.DeviceKey.Equal(device) {
			return errors.New("lease device key changed during the request") // cannot happen: it is never updated
		}
		if res, err = answered(tx, device.Bytes(), hdr, info.Hash); err != nil || res != nil {
			return err
		}
		if err := s.checkAge(hdr, now); err != nil {
			return err
		}
		req := &StoredRequest{Hash: info.Hash, Type: info.Type, DeviceKey: device.Bytes(), Nonce: hdr.Nonce,
			Time: hdr.Time, Received: now, LeaseID: lease.ID}
		if info.Type == wire.RefreshRequest {
			res, err = s.refreshTx(tx, lease, info, req, data, asked, meters, now)
		} else {
			res, err = s.returnTx(tx, lease, req, data, meters, now)
		}
		if res != nil {
			res.ClockBehind = hdr.ClockBehind()
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

func leaseSignature(err error, info *request.Info) error {
	if errors.Is(err, crypto.ErrBadSignature) {
		return &Refusal{Rule: ErrBadRequest, Cause: err,
			Reason: fmt.Sprintf("invalid request: the %s is not signed by the device key of lease %s", info.Type, info.LeaseID),
			Help:   "make the request on the machine that holds the lease, and bring the file unchanged"}
	}
	return badRequest(err)
}

// findLease looks up the lease a refresh or return request names and
// refuses requests that show the database is older than the machine's
// receipts: a restored backup must not hand out seats again.
func findLease(tx Tx, info *request.Info) (*Lease, error) {
	_, head, err := tx.CurrentKey()
	if err != nil {
		return nil, err
	}
	if info.LedgerSeq > head.Seq {
		return nil, stale(fmt.Sprintf("the machine's newest receipt for lease %s was recorded at ledger entry %d, but this station's ledger ends at entry %d",
			info.LeaseID, info.LedgerSeq, head.Seq))
	}
	lease, err := tx.Lease(info.LeaseID)
	if errors.Is(err, ErrNotFound) {
		return nil, refuse(ErrUnknownLease,
			"check that the request is for this station; if its database was restored from a backup, restore the newest one and run 'airlock-station audit verify'",
			"unknown lease: this station has no lease %s", info.LeaseID)
	}
	if err != nil {
		return nil, err
	}
	if info.Serial > lease.Serial {
		return nil, stale(fmt.Sprintf("the machine holds receipt serial %d for lease %s, but this station's newest for it is serial %d",
			info.Serial, lease.ID, lease.Serial))
	}
	return lease, nil
}

func stale(what string) error {
	return refuse(ErrStaleStation,
		"restore the newest backup of the station database and check it with 'airlock-station audit verify', then issue again; do not issue from this database until then",
		"station database older than the request: %s; the database was probably restored from an old backup, and answering could hand out seats twice", what)
}

// ended refuses a request for a lease that no longer holds a seat.
func ended(lease *Lease, now time.Time, help string) error {
	st := lease.StatusAt(now)
	when := lease.Ended
	if st == StatusExpired {
		when = lease.Expires
	}
	return refuse(ErrLeaseEnded, help, "lease ended: lease %s was %s %s", lease.ID, st, Stamp(when))
}

func (s *Station) refreshTx(tx Tx, lease *Lease, info *request.Info, req *StoredRequest, data []byte, asked time.Duration, meters map[string]uint64, now time.Time) (*Result, error) {
	if !lease.ActiveAt(now) {
		return nil, ended(lease, now, "make a new activation request on the machine (airlock request)")
	}
	if info.Serial != lease.Serial {
		return nil, refuse(ErrSerialMismatch,
			fmt.Sprintf("apply the newest receipt for the lease (serial %d) on the machine first, then refresh again", lease.Serial),
			"serial mismatch: the request is based on receipt serial %d of lease %s, but the station has issued serial %d since",
			info.Serial, lease.ID, lease.Serial)
	}
	lic, err := tx.License(lease.LicenseID)
	if err != nil {
		return nil, err
	}
	if err := usable(lic, now); err != nil {
		return nil, err
	}
	if err := lic.Access.Check(lic.ID, lease.User, lease.Host); err != nil {
		return nil, err
	}
	expires, err := leaseEnd(lic, asked, now)
	if err != nil {
		return nil, err
	}
	features, limits, err := keptFeatures(lic, lease.Features)
	if err != nil {
		return nil, err
	}
	head, signer, err := s.checkSigner(tx)
	if err != nil {
		return nil, err
	}
	led := newLedger(tx, head)
	lease.Features, lease.Limits, lease.Expires = features, limits, expires
	if len(meters) > 0 {
		lease.Meters = meters
	}
	receipt, err := reissue(tx, led, signer, EventLeaseRefresh, wire.RefreshReceipt, lic, lease, req, data, now, now, expires)
	if err != nil {
		return nil, err
	}
	return &Result{Type: wire.RefreshReceipt, Receipt: receipt, Lease: lease, License: lic}, nil
}

// keptFeatures is the lease's features the license still grants, with
// the license's current limits.
func keptFeatures(lic *License, features []string) ([]string, map[string]uint64, error) {
	var kept []string
	for _, f := range features {
		if _, ok := lic.Feature(f); ok {
			kept = append(kept, f)
		}
	}
	if len(kept) == 0 {
		return nil, nil, refuse(ErrFeatureNotLicensed, "make a new activation request for features the license grants",
			"feature not licensed: license %d no longer grants any of the lease's features (%s)", lic.ID, listOrNone(features))
	}
	return grant(lic, kept)
}

func (s *Station) returnTx(tx Tx, lease *Lease, req *StoredRequest, data []byte, meters map[string]uint64, now time.Time) (*Result, error) {
	if !lease.ActiveAt(now) {
		return nil, ended(lease, now, "nothing to return: the seat is already free")
	}
	lic, err := tx.License(lease.LicenseID)
	if err != nil {
		return nil, err
	}
	if !lic.EarlyReturn {
		return nil, refuse(ErrEarlyReturn,
			fmt.Sprintf("keep the lease until it ends, or allow early return (airlock-station license update %d --early-return)", lic.ID),
			"early return not allowed: license %d does not allow returning a lease before it ends; lease %s frees its seat %s",
			lic.ID, lease.ID, Stamp(lease.Expires))
	}
	head, signer, err := s.checkSigner(tx)
	if err != nil {
		return nil, err
	}
	led := newLedger(tx, head)
	notBefore := endedWindow(lease, now)
	lease.Status, lease.Ended = StatusReturned, now
	if len(meters) > 0 {
		lease.Meters = meters
	}
	receipt, err := reissue(tx, led, signer, EventLeaseReturn, wire.DeactivationReceipt, lic, lease, req, data, notBefore, now, now)
	if err != nil {
		return nil, err
	}
	usage, err := tx.Usage(lic.ID, now)
	if err != nil {
		return nil, err
	}
	return &Result{Type: wire.DeactivationReceipt, Receipt: receipt, Lease: lease, License: lic, Usage: usage}, nil
}
