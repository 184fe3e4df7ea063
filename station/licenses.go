package station

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// AddLicense records a new license. Its key is drawn at random unless l.Key
// is set; ID, Created and Updated are set by the station. The license is
// validated (Validate) and its product and features join the catalogue.
func (s *Station) AddLicense(ctx context.Context, l License, now time.Time) (*License, error) {
	now = now.UTC().Truncate(time.Second)
	l.normalize()
	l.ID, l.Created, l.Updated, l.Revoked = 0, now, now, time.Time{}
	drawn := l.Key == ""
	if drawn {
		k, err := NewLicenseKey(s.rand)
		if err != nil {
			return nil, err
		}
		l.Key = k
	}
	if err := l.Validate(); err != nil {
		return nil, err
	}
	var out *License
	err := s.store.Update(ctx, func(tx Tx) error {
		c := l
		if err := tx.AddProduct(c.Product, c.FeatureNames(), now); err != nil {
			return err
		}
		for try := 0; ; try++ {
			err := tx.AddLicense(&c)
			if err == nil {
				break
			}
			if !errors.Is(err, ErrDuplicate) {
				return err
			}
			if !drawn || try == 8 {
				return refuse(ErrInvalidLicense, "leave the key out to have one drawn", "invalid license: key %s is already in use", FormatLicenseKey(c.Key))
			}
			if c.Key, err = NewLicenseKey(s.rand); err != nil {
				return err
			}
		}
		head, err := tx.LedgerHead()
		if err != nil {
			return err
		}
		if _, err := newLedger(tx, head).append(EventLicenseAdd, now, licenseEvent{License: licenseSnapshot(&c)}); err != nil {
			return err
		}
		out = &c
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// normalize sorts what the format wants sorted and drops repeats.
func (l *License) normalize() {
	slices.SortFunc(l.Features, func(a, b Feature) int { return strings.Compare(a.Name, b.Name) })
	a := &l.Access
	for _, list := range []*[]string{&a.AllowUsers, &a.DenyUsers, &a.AllowGroups, &a.DenyGroups, &a.AllowHosts, &a.DenyHosts} {
		*list = sortedUnique(*list)
	}
	for g, users := range a.Groups {
		a.Groups[g] = sortedUnique(users)
	}
	if len(a.Groups) == 0 {
		a.Groups = nil
	}
}

func sortedUnique(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	out := slices.Clone(s)
	slices.Sort(out)
	return slices.Compact(out)
}

// UpdateLicense changes a license: change edits a copy, and the result is
// validated and recorded with a ledger entry. The ID, key and creation
// time cannot change, and a revoked license cannot change at all. Lowering
// the seats below the leases in use ends no lease; new ones wait for seats.
func (s *Station) UpdateLicense(ctx context.Context, id uint64, change func(*License) error, now time.Time) (*License, error) {
	now = now.UTC().Truncate(time.Second)
	var out *License
	err := s.store.Update(ctx, func(tx Tx) error {
		old, err := licenseByID(tx, id)
		if err != nil {
			return err
		}
		if !old.Revoked.IsZero() {
			return refuse(ErrLicenseRevoked, "add a new license instead", "license revoked: license %d was revoked %s and cannot change", id, Stamp(old.Revoked))
		}
		l := *old
		l.Features = slices.Clone(old.Features)
		if err := change(&l); err != nil {
			return err
		}
		l.ID, l.Key, l.Created, l.Revoked, l.Updated = old.ID, old.Key, old.Created, old.Revoked, now
		l.normalize()
		if err := l.Validate(); err != nil {
			return err
		}
		if err := tx.AddProduct(l.Product, l.FeatureNames(), now); err != nil {
			return err
		}
		if err := tx.UpdateLicense(&l); err != nil {
			return err
		}
		head, err := tx.LedgerHead()
		if err != nil {
			return err
		}
		if _, err := newLedger(tx, head).append(EventLicenseUpdate, now, licenseEvent{License: licenseSnapshot(&l)}); err != nil {
			return err
		}
		out = &l
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// License finds a license by its ID ("17") or its key, typed any way
// people type it ("7k3q-m9xd-2hfr-w4tb").
func (s *Station) License(ctx context.Context, ref string) (*License, error) {
	var out *License
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		out, err = findLicense(tx, ref)
		return err
	})
	return out, err
}

func findLicense(tx Tx, ref string) (*License, error) {
	ref = strings.TrimSpace(ref)
	if id, err := strconv.ParseUint(ref, 10, 64); err == nil && len(ref) < 8 {
		return licenseByID(tx, id)
	}
	key, err := ParseLicenseKey(ref)
	if err != nil {
		return nil, &Refusal{Rule: ErrUnknownLicense, Cause: err, Reason: fmt.Sprintf("unknown license: %q is neither a license ID nor a license key", ref),
			Help: "give the license's number (airlock-station license list) or its key"}
	}
	lic, err := tx.LicenseByKey(key)
	if errors.Is(err, ErrNotFound) {
		return nil, refuse(ErrUnknownLicense, "list the licenses with 'airlock-station license list'", "unknown license: no license has the key %s", FormatLicenseKey(key))
	}
	return lic, err
}

// Licenses returns every license, by ID.
func (s *Station) Licenses(ctx context.Context) ([]*License, error) {
	var out []*License
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		out, err = tx.Licenses()
		return err
	})
	return out, err
}

// LicenseUsage returns a license's seat use at now.
func (s *Station) LicenseUsage(ctx context.Context, id uint64, now time.Time) (Usage, error) {
	var u Usage
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		u, err = tx.Usage(id, now)
		return err
	})
	return u, err
}
