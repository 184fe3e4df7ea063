package station

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/airlock-dev/airlock/crypto"
	"github.com/airlock-dev/airlock/request"
	"github.com/airlock-dev/airlock/response"
	"github.com/airlock-dev/airlock/wire"
)

// Result is what the station did with a request or a pushed change.
type Result struct {
	Type    wire.Type // the receipt's type
	Receipt []byte    // the receipt, binary
	Lease   *Lease    // the lease after the change
	License *License
	// Usage is the license's seat use after the change (activation and
	// return only).
	Usage Usage
	// Replayed is true when the same request bytes were answered before:
	// Receipt is that answer, byte for byte, and nothing changed.
	Replayed bool
	// ClockBehind is how far the offline machine's clock was behind its
	// high-water mark when it wrote the request (a clock set back).
	ClockBehind time.Duration
	// Expired counts the leases this call recorded as expired on the way.
	Expired int
}

// Issue answers a request (activation, refresh or return; binary form)
// with a signed receipt, at the station's time now. The same request bytes
// always get the same receipt back, byte for byte, without a second seat
// or a new ledger entry. A refusal is a *Refusal naming the rule, and
// changes nothing.
func (s *Station) Issue(ctx context.Context, data []byte, now time.Time) (*Result, error) {
	now = now.UTC().Truncate(time.Second)
	info, err := request.Peek(data)
	if err != nil {
		return nil, badRequest(err)
	}
	switch info.Type {
	case wire.ActivationRequest:
		return s.activate(ctx, data, info, now)
	default:
		return s.leaseRequest(ctx, data, info, now)
	}
}

func badRequest(err error) error {
	var te *wire.TypeError
	if errors.As(err, &te) && te.Got.Valid() && !te.Got.IsRequest() {
		return &Refusal{Rule: ErrBadRequest, Cause: err,
			Reason: fmt.Sprintf("invalid request: this is %s, not a request", withArticle(te.Got.String())),
			Help:   "give issue the request file the offline machine wrote (airlock request, refresh or return)"}
	}
	return &Refusal{Rule: ErrBadRequest, Cause: err, Reason: fmt.Sprintf("invalid request: %v", err),
		Help: "ask for the request file again, exactly as the offline machine wrote it; a changed byte breaks its signature"}
}

// answered looks up the request a device key made with h's nonce. When
// it is this very request (same hash) it returns the stored answer; when
// it is another, the nonce was reused and it refuses.
func answered(tx Tx, device []byte, hdr request.Header, hash wire.RequestHash) (*Result, error) {
	prev, err := tx.Request(device, hdr.Nonce)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if prev.Hash != hash {
		return nil, refuse(ErrNonceReused,
			"make a new request on the offline machine; every request gets a fresh nonce, so a copied or altered one is refused",
			"nonce already used: this device key used nonce %x for another request, answered %s (lease %s)",
			hdr.Nonce, Stamp(prev.Received), prev.LeaseID)
	}
	e, err := tx.Entry(prev.LedgerSeq)
	if err != nil {
		return nil, fmt.Errorf("the answer to request %s: %w", hash, err)
	}
	receipt, t, _, err := EntryReceipt(e)
	if err != nil {
		return nil, err
	}
	lease, err := tx.Lease(prev.LeaseID)
	if err != nil {
		return nil, err
	}
	lic, err := tx.License(lease.LicenseID)
	if err != nil {
		return nil, err
	}
	return &Result{Type: t, Receipt: receipt, Lease: lease, License: lic, Replayed: true}, nil
}

// checkAge applies the request window of the station's settings.
func (s *Station) checkAge(h request.Header, now time.Time) error {
	st := s.Settings()
	if age := now.Sub(h.Time); age > st.MaxRequestAge {
		return refuse(ErrRequestTooOld,
			"make a new request on the offline machine; if the station's clock is wrong, set it right",
			"request too old: written %s, %s before the station's clock (at most %s is accepted)",
			Stamp(h.Time), HumanDuration(age), HumanDuration(st.MaxRequestAge))
	}
	if ahead := h.Time.Sub(now); ahead > st.MaxRequestAhead {
		return refuse(ErrRequestFromFuture,
			"set the offline machine's clock (or the station's) right and make a new request",
			"request from the future: written %s, %s ahead of the station's clock (at most %s is accepted)",
			Stamp(h.Time), HumanDuration(ahead), HumanDuration(st.MaxRequestAhead))
	}
	return nil
}

// usable refuses a license that is revoked, past its term, or not for
// offline use.
func usable(l *License, now time.Time) error {
	switch {
	case !l.Revoked.IsZero():
		return refuse(ErrLicenseRevoked, "ask the vendor for a new license",
			"license revoked: license %d (%s, %s) was revoked %s", l.ID, l.Customer, l.Product, Stamp(l.Revoked))
	case !l.TermEnd.IsZero() && !now.Before(l.TermEnd):
		return refuse(ErrLicenseEnded, "renew the license (airlock-station license update --term-end)",
			"license term ended: license %d (%s, %s) ended %s", l.ID, l.Customer, l.Product, Stamp(l.TermEnd))
	case !l.Offline:
		return refuse(ErrOfflineNotAllowed, "allow offline use with 'airlock-station license update --offline'",
			"offline use not allowed: license %d (%s, %s) does not allow seats to be borrowed offline", l.ID, l.Customer, l.Product)
	}
	return nil
}

// leaseEnd is when a lease of length asked (0: the default) from now
// ends, capped at the license's term.
func leaseEnd(l *License, asked time.Duration, now time.Time) (time.Time, error) {
	if asked == 0 {
		asked = l.DefaultLease
	}
	if asked > l.MaxLease {
		return time.Time{}, refuse(ErrLeaseTooLong, fmt.Sprintf("ask for at most %s (airlock request --lease %s)", HumanDuration(l.MaxLease), hoursFlag(l.MaxLease)),
			"lease too long: %s asked, license %d allows at most %s", HumanDuration(asked), l.ID, HumanDuration(l.MaxLease))
	}
	end := now.Add(asked)
	if !l.TermEnd.IsZero() && end.After(l.TermEnd) {
		end = l.TermEnd
	}
	return end, nil
}

func hoursFlag(d time.Duration) string { return fmt.Sprintf("%dh", int(d/time.Hour)) }

// grant returns the features (asked, or all when none asked) with their
// limits, refusing any the license does not have.
func grant(l *License, asked []string) ([]string, map[string]uint64, error) {
	if len(asked) == 0 {
		asked = l.FeatureNames()
	}
	var limits map[string]uint64
	for _, name := range asked {
		f, ok := l.Feature(name)
		if !ok {
			return nil, nil, refuse(ErrFeatureNotLicensed, "ask only for features the license grants, or ask the vendor to add this one",
				"feature not licensed: license %d (%s) has no feature %q; it grants %s", l.ID, l.Product, name, listOrNone(l.FeatureNames()))
		}
		if f.Limit > 0 {
			if limits == nil {
				limits = map[string]uint64{}
			}
			limits[name] = f.Limit
		}
	}
	return wire.SortFeatures(asked), limits, nil
}

// receipt signs a receipt of type t for lease at ledger entry seq.
func receipt(signer *crypto.PrivateKey, t wire.Type, l *License, lease *Lease, req *wire.RequestHash, notBefore, now, expires time.Time) ([]byte, error) {
	r := &response.Receipt{
		Type: t, LeaseID: lease.ID, LicenseID: l.ID, Product: l.Product, Features: lease.Features, Limits: lease.Limits,
		DeviceKey: lease.DeviceKey, Fingerprint: lease.Fingerprint, Threshold: lease.Threshold, RequestHash: req,
		Serial: lease.Serial, LedgerSeq: lease.LedgerSeq, IssuedAt: now, NotBefore: notBefore, ExpiresAt: expires,
	}
	b, err := r.Sign(signer)
	if err != nil {
		return nil, fmt.Errorf("signing the %s: %w", t, err)
	}
	return b, nil
}

// endedWindow is the not-before of a receipt that ends a lease now
// (deactivation, revocation): the lease's start, or a second before now
// when it began this very second, since expires-at must follow it.
func endedWindow(lease *Lease, now time.Time) time.Time {
	if lease.Issued.Before(now) {
		return lease.Issued
	}
	return now.Add(-time.Second)
}

// reissue moves an existing lease on to its next receipt: serial + 1, the
// ledger entry about to be appended as its sequence, the row updated, the
// receipt of type t signed, and the change recorded under kind with its
// request (nil for pushed refreshes and revocations).
func reissue(tx Tx, led *ledger, signer *crypto.PrivateKey, kind string, t wire.Type, lic *License, lease *Lease,
	req *StoredRequest, reqData []byte, notBefore, now, expires time.Time) ([]byte, error) {
	lease.Serial++
	lease.LedgerSeq = led.next()
	if err := tx.UpdateLease(lease); err != nil {
		return nil, err
	}
	var hash *wire.RequestHash
	if req != nil {
		hash, req.Serial = &req.Hash, lease.Serial
	}
	rc, err := receipt(signer, t, lic, lease, hash, notBefore, now, expires)
	if err != nil {
		return nil, err
	}
	return rc, record(tx, led, kind, lease, t, rc, req, reqData, now)
}

// record stores a lease change with its request, and appends the ledger
// entry holding the request and receipt. lease.LedgerSeq must already be
// led.next() when there is a receipt (activate and reissue see to it).
func record(tx Tx, led *ledger, kind string, lease *Lease, t wire.Type, receipt []byte, req *StoredRequest, reqData []byte, now time.Time) error {
	body := leaseEvent{Lease: leaseSnapshot(lease), Request: reqData, Receipt: receipt}
	if receipt != nil {
		body.ReceiptType = t
	}
	if req != nil {
		req.LedgerSeq = led.next()
		if err := tx.AddRequest(req); err != nil {
			return err
		}
	}
	_, err := led.append(kind, now, body)
	return err
}

// sweep records as expired the leases of a license (0: all) that are past
// their end but still recorded active.
func sweep(tx Tx, led *ledger, licenseID uint64, now time.Time) (int, error) {
	leases, err := tx.OverdueLeases(licenseID, now)
	if err != nil {
		return 0, err
	}
	for _, l := range leases {
		l.Status, l.Ended = StatusExpired, l.Expires
		if err := tx.UpdateLease(l); err != nil {
			return 0, err
		}
		if err := record(tx, led, EventLeaseExpire, l, 0, nil, nil, nil, now); err != nil {
			return 0, err
		}
	}
	return len(leases), nil
}

// withArticle puts "a" or "an" before s.
func withArticle(s string) string {
	if s != "" && strings.ContainsRune("aeiou", rune(s[0])) {
		return "an " + s
	}
	return "a " + s
}
