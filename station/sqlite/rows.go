package sqlite

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/airlock-dev/airlock/crypto"
	"github.com/airlock-dev/airlock/fingerprint"
	"github.com/airlock-dev/airlock/station"
	"github.com/airlock-dev/airlock/wire"
)

func toJSON(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

// nullJSON is NULL for an empty map.
func nullJSON(m map[string]uint64) (any, error) {
	if len(m) == 0 {
		return nil, nil
	}
	return toJSON(m)
}

func licenseArgs(l *station.License) ([]any, error) {
	features, err := toJSON(l.Features)
	if err != nil {
		return nil, err
	}
	access, err := toJSON(l.Access)
	if err != nil {
		return nil, err
	}
	return []any{l.Customer, l.Product, features, l.Seats, nullTime(l.TermEnd), boolInt(l.Offline),
		int64(l.MaxLease / time.Second), int64(l.DefaultLease / time.Second), l.LowWater, boolInt(l.EarlyReturn),
		l.Threshold, access}, nil
}

func (t *tx) AddLicense(l *station.License) error {
	args, err := licenseArgs(l)
	if err != nil {
		return err
	}
	args = append([]any{l.Key}, args...)
	args = append(args, l.Created.Unix(), l.Updated.Unix(), nullTime(l.Revoked))
	res, err := t.exec("licenseAdd", args...)
	if isUnique(err) {
		return fmt.Errorf("license key %s: %w", l.Key, station.ErrDuplicate)
	}
	if err != nil {
		return err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return err
	}
	l.ID = uint64(id)
	return nil
}

func (t *tx) UpdateLicense(l *station.License) error {
	args, err := licenseArgs(l)
	if err != nil {
		return err
	}
	args = append(args, l.Updated.Unix(), nullTime(l.Revoked), int64(l.ID))
	res, err := t.exec("licenseUpdate", args...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("license %d: %w", l.ID, station.ErrNotFound)
	}
	return nil
}

func scanLicense(r scanner) (*station.License, error) {
	l := &station.License{}
	var id, maxLease, defLease, created, updated int64
	var termEnd, revoked sql.NullInt64
	var offline, early int
	var features, access string
	err := r.Scan(&id, &l.Key, &l.Customer, &l.Product, &features, &l.Seats, &termEnd, &offline, &maxLease, &defLease,
		&l.LowWater, &early, &l.Threshold, &access, &created, &updated, &revoked)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(features), &l.Features); err != nil {
		return nil, fmt.Errorf("license %d features: %w", id, err)
	}
	if err := json.Unmarshal([]byte(access), &l.Access); err != nil {
		return nil, fmt.Errorf("license %d access lists: %w", id, err)
	}
	l.ID, l.TermEnd, l.Offline, l.EarlyReturn = uint64(id), fromNull(termEnd), offline == 1, early == 1
	l.MaxLease, l.DefaultLease = time.Duration(maxLease)*time.Second, time.Duration(defLease)*time.Second
	l.Created, l.Updated, l.Revoked = unix(created), unix(updated), fromNull(revoked)
	return l, nil
}

func (t *tx) License(id uint64) (*station.License, error) {
	l, err := scanLicense(t.queryRow("licenseByID", int64(id)))
	return l, notFound(err, fmt.Sprintf("license %d", id))
}

func (t *tx) LicenseByKey(key string) (*station.License, error) {
	l, err := scanLicense(t.queryRow("licenseByKey", key))
	return l, notFound(err, "license key "+key)
}

func (t *tx) Licenses() ([]*station.License, error) {
	rows, err := t.query("licensesAll")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*station.License
	for rows.Next() {
		l, err := scanLicense(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

func (t *tx) AddLease(l *station.Lease) error {
	fp, err := l.Fingerprint.MarshalBinary()
	if err != nil {
		return err
	}
	features, err := toJSON(l.Features)
	if err != nil {
		return err
	}
	limits, err := nullJSON(l.Limits)
	if err != nil {
		return err
	}
	meters, err := nullJSON(l.Meters)
	if err != nil {
		return err
	}
	_, err = t.exec("leaseAdd", leaseKey(l.ID), int64(l.LicenseID), l.DeviceKey.Bytes(), fp, l.Threshold, l.User, l.Host,
		features, limits, l.Issued.Unix(), l.Expires.Unix(), int64(l.Serial), int64(l.LedgerSeq), string(l.Status),
		nullTime(l.Ended), meters, l.RequestHash[:])
	if isUnique(err) {
		return fmt.Errorf("lease %s: %w", l.ID, station.ErrDuplicate)
	}
	return err
}

func (t *tx) UpdateLease(l *station.Lease) error {
	features, err := toJSON(l.Features)
	if err != nil {
		return err
	}
	limits, err := nullJSON(l.Limits)
	if err != nil {
		return err
	}
	meters, err := nullJSON(l.Meters)
	if err != nil {
		return err
	}
	res, err := t.exec("leaseUpdate", features, limits, l.Expires.Unix(), int64(l.Serial), int64(l.LedgerSeq), string(l.Status),
		nullTime(l.Ended), meters, leaseKey(l.ID))
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("lease %s: %w", l.ID, station.ErrNotFound)
	}
	return nil
}

func scanLease(r scanner) (*station.Lease, error) {
	l := &station.Lease{}
	var id, license, issued, expires, serial, seq int64
	var device, fp, reqHash []byte
	var features, status string
	var limits, meters sql.NullString
	var ended sql.NullInt64
	err := r.Scan(&id, &license, &device, &fp, &l.Threshold, &l.User, &l.Host, &features, &limits,
		&issued, &expires, &serial, &seq, &status, &ended, &meters, &reqHash)
	if err != nil {
		return nil, err
	}
	l.ID = leaseIDFromKey(id)
	if l.DeviceKey, err = crypto.ParsePublicKey(device); err != nil {
		return nil, fmt.Errorf("lease %s device key: %w", l.ID, err)
	}
	if l.Fingerprint, err = fingerprint.ParseSet(fp); err != nil {
		return nil, fmt.Errorf("lease %s fingerprint: %w", l.ID, err)
	}
	if err := json.Unmarshal([]byte(features), &l.Features); err != nil {
		return nil, fmt.Errorf("lease %s features: %w", l.ID, err)
	}
	for _, m := range []struct {
		s   sql.NullString
		dst *map[string]uint64
	}{{limits, &l.Limits}, {meters, &l.Meters}} {
		if m.s.Valid {
			if err := json.Unmarshal([]byte(m.s.String), m.dst); err != nil {
				return nil, fmt.Errorf("lease %s: %w", l.ID, err)
			}
		}
	}
	l.LicenseID, l.Issued, l.Expires, l.Serial, l.LedgerSeq = uint64(license), unix(issued), unix(expires), uint64(serial), uint64(seq)
	l.Status, l.Ended = station.Status(status), fromNull(ended)
	copy(l.RequestHash[:], reqHash)
	return l, nil
}

func (t *tx) Lease(id wire.LeaseID) (*station.Lease, error) {
	l, err := scanLease(t.queryRow("leaseByID", leaseKey(id)))
	return l, notFound(err, "lease "+id.String())
}

func (t *tx) Usage(licenseID uint64, now time.Time) (station.Usage, error) {
	var u station.Usage
	var next sql.NullInt64
	err := t.queryRow("usage", int64(licenseID), now.Unix()).Scan(&u.Active, &next, &u.Overdue)
	u.NextFree = fromNull(next)
	return u, notFound(err, fmt.Sprintf("license %d", licenseID))
}

func (t *tx) leases(name string, args ...any) ([]*station.Lease, error) {
	var out []*station.Lease
	err := t.eachLease(func(l *station.Lease) error { out = append(out, l); return nil }, name, args...)
	return out, err
}

func (t *tx) eachLease(fn func(*station.Lease) error, name string, args ...any) error {
	rows, err := t.query(name, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		l, err := scanLease(rows)
		if err != nil {
			return err
		}
		if err := fn(l); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (t *tx) OverdueLeases(licenseID uint64, now time.Time) ([]*station.Lease, error) {
	if licenseID == 0 {
		return t.leases("overdueAll", now.Unix())
	}
	return t.leases("overdueOne", int64(licenseID), now.Unix())
}

func (t *tx) ActiveLeases(licenseID uint64, now time.Time) ([]*station.Lease, error) {
	return t.leases("activeOne", int64(licenseID), now.Unix())
}

func (t *tx) Leases(since time.Time, fn func(*station.Lease) error) error {
	if since.IsZero() {
		return t.eachLease(fn, "leasesAll")
	}
	return t.eachLease(fn, "leasesSince", since.Unix())
}

func scanRequest(r scanner) (*station.StoredRequest, error) {
	q := &station.StoredRequest{}
	var hash, nonce []byte
	var typ, reqTime, received, lease, serial, seq int64
	if err := r.Scan(&q.DeviceKey, &nonce, &hash, &typ, &reqTime, &received, &lease, &serial, &seq); err != nil {
		return nil, err
	}
	copy(q.Hash[:], hash)
	copy(q.Nonce[:], nonce)
	q.Type, q.Time, q.Received, q.LeaseID = wire.Type(typ), unix(reqTime), unix(received), leaseIDFromKey(lease)
	q.Serial, q.LedgerSeq = uint64(serial), uint64(seq)
	return q, nil
}

func (t *tx) Request(deviceKey []byte, nonce [8]byte) (*station.StoredRequest, error) {
	q, err := scanRequest(t.queryRow("request", deviceKey, nonce[:]))
	return q, notFound(err, "request")
}

func (t *tx) AddRequest(r *station.StoredRequest) error {
	_, err := t.exec("requestAdd", r.DeviceKey, r.Nonce[:], r.Hash[:], int64(r.Type), r.Time.Unix(), r.Received.Unix(),
		leaseKey(r.LeaseID), int64(r.Serial), int64(r.LedgerSeq))
	if isUnique(err) {
		return fmt.Errorf("request %s: %w", r.Hash, station.ErrDuplicate)
	}
	return err
}

func (t *tx) Requests(fn func(*station.StoredRequest) error) error {
	rows, err := t.query("requestsAll")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		q, err := scanRequest(rows)
		if err != nil {
			return err
		}
		if err := fn(q); err != nil {
			return err
		}
	}
	return rows.Err()
}
