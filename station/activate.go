package station

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/airlock-dev/airlock/crypto"
	"github.com/airlock-dev/airlock/fingerprint"
	"github.com/airlock-dev/airlock/request"
	"github.com/airlock-dev/airlock/wire"
)

// activate answers an activation request. The signature is checked before
// the write transaction, so the write lock is held only for the database
// work, the receipt's signature and the commit.
func (s *Station) activate(ctx context.Context, data []byte, info *request.Info, now time.Time) (*Result, error) {
	a, err := request.VerifyActivation(data)
	if errors.Is(err, crypto.ErrSmallOrderKey) {
		return nil, &Refusal{Rule: ErrSmallOrderKey, Cause: err,
			Reason: "small-order device key: the request's device key is a point of small order, under which anyone can forge signatures",
			Help:   "the request was not made by an airlock client; make a new one with 'airlock request'"}
	}
	if err != nil {
		return nil, badRequest(err)
	}
	var res *Result
	err = s.store.Update(ctx, func(tx Tx) error {
		var err error
		res, err = s.activateTx(tx, data, info.Hash, a, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

func (s *Station) activateTx(tx Tx, data []byte, hash wire.RequestHash, a *request.Activation, now time.Time) (*Result, error) {
	device := a.DeviceKey.Bytes()
	if r, err := answered(tx, device, a.Header, hash); err != nil || r != nil {
		return r, err
	}
	if err := s.checkAge(a.Header, now); err != nil {
		return nil, err
	}
	lic, err := tx.LicenseByKey(a.LicenseKey)
	if errors.Is(err, ErrNotFound) {
		return nil, refuse(ErrUnknownLicense, "check the license key with whoever issued it; keys look like 7K3Q-M9XD-2HFR-W4TB",
			"unknown license: no license here has the key %s", FormatLicenseKey(a.LicenseKey))
	}
	if err != nil {
		return nil, err
	}
	if err := usable(lic, now); err != nil {
		return nil, err
	}
	expires, err := leaseEnd(lic, a.Lease, now)
	if err != nil {
		return nil, err
	}
	features, limits, err := grant(lic, a.Features)
	if err != nil {
		return nil, err
	}
	if err := lic.Access.Check(lic.ID, a.User, a.Host); err != nil {
		return nil, err
	}
	threshold, err := leaseThreshold(lic, a.Fingerprint)
	if err != nil {
		return nil, err
	}
	usage, err := tx.Usage(lic.ID, now)
	if err != nil {
		return nil, err
	}
	if err := seatFree(lic, usage); err != nil {
		return nil, err
	}
	head, signer, err := s.checkSigner(tx)
	if err != nil {
		return nil, err
	}
	led := newLedger(tx, head)
	expired := 0
	if usage.Overdue > 0 {
		if expired, err = sweep(tx, led, lic.ID, now); err != nil {
			return nil, err
		}
	}
	lease := &Lease{
		LicenseID: lic.ID, DeviceKey: a.DeviceKey, Fingerprint: a.Fingerprint, Threshold: threshold,
		User: a.User, Host: a.Host, Features: features, Limits: limits, Issued: now, Expires: expires,
		Serial: 1, LedgerSeq: led.next(), Status: StatusActive, RequestHash: hash,
	}
	if err := s.addLease(tx, lease); err != nil {
		return nil, err
	}
	receipt, err := receipt(signer, wire.ActivationReceipt, lic, lease, &hash, now, now, expires)
	if err != nil {
		return nil, err
	}
	req := &StoredRequest{Hash: hash, Type: wire.ActivationRequest, DeviceKey: device, Nonce: a.Nonce, Time: a.Time,
		Received: now, LeaseID: lease.ID, Serial: 1}
	if err := record(tx, led, EventLeaseActivate, lease, wire.ActivationReceipt, receipt, req, data, now); err != nil {
		return nil, err
	}
	usage.Active++
	if usage.NextFree.IsZero() || expires.Before(usage.NextFree) {
		usage.NextFree = expires
	}
	usage.Overdue = 0
	return &Result{Type: wire.ActivationReceipt, Receipt: receipt, Lease: lease, License: lic, Usage: usage,
		ClockBehind: a.ClockBehind(), Expired: expired}, nil
}

// addLease inserts the lease under a fresh random ID, drawing again on the
// (unlikely) clash with an existing one.
func (s *Station) addLease(tx Tx, lease *Lease) error {
	for range 8 {
		lease.ID = s.newLeaseID()
		err := tx.AddLease(lease)
		if !errors.Is(err, ErrDuplicate) {
			return err
		}
	}
	return errors.New("could not draw an unused lease id in 8 tries")
}

// leaseThreshold is the fingerprint threshold of a new lease.
func leaseThreshold(l *License, fp fingerprint.Set) (int, error) {
	n := len(fp)
	if l.Threshold == 0 {
		return fingerprint.DefaultThreshold(n), nil
	}
	if l.Threshold > n {
		return 0, refuse(ErrFingerprint,
			"make the request on a machine where 'airlock fingerprint' finds more components, or lower the license's --threshold",
			"fingerprint too small: the request has %d components, and license %d needs %d of them to match", n, l.ID, l.Threshold)
	}
	return l.Threshold, nil
}

// seatFree refuses when seats − active − low-water leaves nothing.
func seatFree(l *License, u Usage) error {
	if l.Seats-l.LowWater-u.Active > 0 {
		return nil
	}
	inUse := fmt.Sprintf("%d of %d in use", u.Active, l.Seats)
	if l.LowWater > 0 {
		inUse = fmt.Sprintf("%d of %d in use and %d kept back as low-water", u.Active, l.Seats, l.LowWater)
	}
	next := ", and none frees by itself"
	if !u.NextFree.IsZero() {
		next = ", the next frees " + Stamp(u.NextFree)
	}
	return refuse(ErrNoSeat,
		fmt.Sprintf("try again after a lease ends or is returned, or add seats (airlock-station license update %d --seats N)", l.ID),
		"no free seat: %s%s", inUse, next)
}
