package station

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/airlock-dev/airlock/wire"
)

// Push is a change the station pushes to a lease without a request, like a
// vendor's license refresh file.
type Push struct {
	// Extend is added to the lease's end; 0 keeps it.
	Extend time.Duration
	// Features replaces the lease's features; nil keeps them (as far as
	// the license still grants them). The license's current limits apply.
	Features []string
}

// PushRefresh writes a refresh receipt for an active lease with no request
// behind it: new term or entitlements, serial one higher.
func (s *Station) PushRefresh(ctx context.Context, id wire.LeaseID, p Push, now time.Time) (*Result, error) {
	now = now.UTC().Truncate(time.Second)
	if p.Extend < 0 || p.Extend%time.Second != 0 {
		return nil, fmt.Errorf("extension %s must be whole seconds, not negative", p.Extend)
	}
	var res *Result
	err := s.store.Update(ctx, func(tx Tx) error {
		lease, err := tx.Lease(id)
		if errors.Is(err, ErrNotFound) {
			return refuse(ErrUnknownLease, "list the leases with 'airlock-station status'", "unknown lease: this station has no lease %s", id)
		}
		if err != nil {
			return err
		}
		if !lease.ActiveAt(now) {
			return ended(lease, now, "only an active lease can be refreshed; the machine needs a new activation")
		}
		lic, err := tx.License(lease.LicenseID)
		if err != nil {
			return err
		}
		if err := usable(lic, now); err != nil {
			return err
		}
		var features []string
		var limits map[string]uint64
		if p.Features != nil {
			features, limits, err = grant(lic, p.Features)
		} else {
			features, limits, err = keptFeatures(lic, lease.Features)
		}
		if err != nil {
			return err
		}
		expires := lease.Expires.Add(p.Extend)
		if left := expires.Sub(now); left > lic.MaxLease {
			help := fmt.Sprintf("extend by at most %s", HumanDuration(lic.MaxLease-lease.Expires.Sub(now)))
			if room := lic.MaxLease - lease.Expires.Sub(now); room < time.Minute {
				help = fmt.Sprintf("the lease already runs as long as the license allows; raise it with 'airlock-station license update %d --max-lease DUR'", lic.ID)
			}
			return refuse(ErrLeaseTooLong, help,
				"lease too long: extending lease %s by %s would end it %s, %s from now; license %d allows at most %s",
				lease.ID, HumanDuration(p.Extend), Stamp(expires), HumanDuration(left), lic.ID, HumanDuration(lic.MaxLease))
		}
		if !lic.TermEnd.IsZero() && expires.After(lic.TermEnd) {
			expires = lic.TermEnd
		}
		head, signer, err := s.checkSigner(tx)
		if err != nil {
			return err
		}
		led := newLedger(tx, head)
		lease.Features, lease.Limits, lease.Expires = features, limits, expires
		receipt, err := reissue(tx, led, signer, EventLeasePush, wire.RefreshReceipt, lic, lease, nil, nil, now, now, expires)
		if err != nil {
			return err
		}
		res = &Result{Type: wire.RefreshReceipt, Receipt: receipt, Lease: lease, License: lic}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// Revocation is what RevokeLicense did: the license, and one revocation
// receipt for each lease that was active.
type Revocation struct {
	License  *License
	Receipts []*Result
	Expired  int // leases recorded as expired on the way
}

// RevokeLicense revokes a license: no lease is issued or refreshed on it
// again, and every lease holding a seat ends now, each with a revocation
// receipt (serial one higher, expires-at now) to carry to its machine.
func (s *Station) RevokeLicense(ctx context.Context, id uint64, now time.Time) (*Revocation, error) {
	now = now.UTC().Truncate(time.Second)
	var rev *Revocation
	err := s.store.Update(ctx, func(tx Tx) error {
		rev = &Revocation{}
		lic, err := licenseByID(tx, id)
		if err != nil {
			return err
		}
		if !lic.Revoked.IsZero() {
			return refuse(ErrLicenseRevoked, "", "license revoked: license %d was already revoked %s", lic.ID, Stamp(lic.Revoked))
		}
		head, signer, err := s.checkSigner(tx)
		if err != nil {
			return err
		}
		led := newLedger(tx, head)
		if rev.Expired, err = sweep(tx, led, lic.ID, now); err != nil {
			return err
		}
		lic.Revoked, lic.Updated = now, now
		if err := tx.UpdateLicense(lic); err != nil {
			return err
		}
		if _, err := led.append(EventLicenseRevoke, now, licenseEvent{License: licenseSnapshot(lic)}); err != nil {
			return err
		}
		rev.License = lic
		leases, err := tx.ActiveLeases(lic.ID, now)
		if err != nil {
			return err
		}
		for _, lease := range leases {
			notBefore := endedWindow(lease, now)
			lease.Status, lease.Ended = StatusRevoked, now
			receipt, err := reissue(tx, led, signer, EventLeaseRevoke, wire.RevocationReceipt, lic, lease, nil, nil, notBefore, now, now)
			if err != nil {
				return err
			}
			rev.Receipts = append(rev.Receipts, &Result{Type: wire.RevocationReceipt, Receipt: receipt, Lease: lease, License: lic})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return rev, nil
}

func licenseByID(tx Tx, id uint64) (*License, error) {
	lic, err := tx.License(id)
	if errors.Is(err, ErrNotFound) {
		return nil, refuse(ErrUnknownLicense, "list the licenses with 'airlock-station license list'", "unknown license: no license %d", id)
	}
	return lic, err
}
