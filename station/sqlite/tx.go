package sqlite

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/airlock-dev/airlock/crypto"
	"github.com/airlock-dev/airlock/station"
	"github.com/airlock-dev/airlock/wire"
)

type tx struct {
	ctx context.Context
	tx  *sql.Tx
	s   *Store
}

var _ station.Tx = (*tx)(nil)

func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, station.ErrNotFound)
	}
	return err
}

func leaseKey(id wire.LeaseID) int64 {
	var b [8]byte
	copy(b[2:], id[:])
	return int64(binary.BigEndian.Uint64(b[:]))
}

func leaseIDFromKey(k int64) wire.LeaseID {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(k))
	var id wire.LeaseID
	copy(id[:], b[2:])
	return id
}

// nullTime is NULL for the zero time, else Unix seconds.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Unix()
}

func fromNull(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return unix(n.Int64)
}

func unix(s int64) time.Time { return time.Unix(s, 0).UTC() }

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (t *tx) Setting(name string) (string, error) {
	var v string
	err := t.queryRow("settingGet", name).Scan(&v)
	return v, notFound(err, "setting "+name)
}

func (t *tx) PutSetting(name, value string) error {
	_, err := t.exec("settingPut", name, value)
	return err
}

type scanner interface{ Scan(...any) error }

// issuerKeys caches validated issuer keys: every issuance reads the
// current key, and validating a key (a scalar multiplication) costs more
// than the rest of the lookup.
var issuerKeys sync.Map // [32]byte → crypto.PublicKey

func parseIssuerKey(b []byte) (crypto.PublicKey, error) {
	var a [crypto.PublicKeySize]byte
	if len(b) == len(a) {
		copy(a[:], b)
		if k, ok := issuerKeys.Load(a); ok {
			return k.(crypto.PublicKey), nil
		}
	}
	k, err := crypto.ParsePublicKey(b)
	if err == nil {
		issuerKeys.Store(a, k)
	}
	return k, err
}

func scanKey(r scanner, extra ...any) (station.IssuerKey, error) {
	var k station.IssuerKey
	var pub []byte
	var created int64
	var retired sql.NullInt64
	var current int
	var version int64
	if err := r.Scan(append([]any{&pub, &k.Name, &k.File, &created, &retired, &current, &version}, extra...)...); err != nil {
		return k, err
	}
	key, err := parseIssuerKey(pub)
	if err != nil {
		return k, fmt.Errorf("issuer key in the database: %w", err)
	}
	k.Key, k.Created, k.Retired, k.Current, k.Version = key, unix(created), fromNull(retired), current == 1, uint64(version)
	return k, nil
}

func (t *tx) IssuerKeys() ([]station.IssuerKey, error) {
	rows, err := t.query("keysAll")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []station.IssuerKey
	for rows.Next() {
		k, err := scanKey(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

func (t *tx) CurrentKey() (station.IssuerKey, station.Entry, error) {
	var seq, at sql.NullInt64
	var kind sql.NullString
	var hash []byte
	k, err := scanKey(t.queryRow("keyCurrent"), &seq, &at, &kind, &hash)
	if err != nil {
		return k, station.Entry{}, notFound(err, "current issuer key")
	}
	var head station.Entry
	if seq.Valid {
		head = station.Entry{Seq: uint64(seq.Int64), Time: unix(at.Int64), Kind: kind.String}
		copy(head.Hash[:], hash)
	}
	return k, head, nil
}

func (t *tx) AddIssuerKey(k station.IssuerKey) error {
	_, err := t.exec("keyAdd", k.Key.Bytes(), k.Name, k.File, k.Created.Unix(), nullTime(k.Retired), boolInt(k.Current), int64(k.Version), k.Key.ID().String())
	if isUnique(err) {
		return fmt.Errorf("issuer key %s: %w", k.Key.ID(), station.ErrDuplicate)
	}
	return err
}

func (t *tx) UpdateIssuerKey(k station.IssuerKey) error {
	_, err := t.exec("keyUpdate", k.Name, k.File, nullTime(k.Retired), boolInt(k.Current), int64(k.Version), k.Key.Bytes())
	return err
}

func (t *tx) AddProduct(name string, features []string, now time.Time) error {
	if _, err := t.exec("productAdd", name, now.Unix()); err != nil {
		return err
	}
	for _, f := range features {
		if _, err := t.exec("productFeatureAdd", name, f); err != nil {
			return err
		}
	}
	return nil
}

func (t *tx) Products() (map[string][]string, error) {
	rows, err := t.query("productsAll")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var p string
		var f sql.NullString
		if err := rows.Scan(&p, &f); err != nil {
			return nil, err
		}
		if f.Valid {
			out[p] = append(out[p], f.String)
		} else if _, ok := out[p]; !ok {
			out[p] = nil
		}
	}
	return out, rows.Err()
}

func scanEntry(r scanner) (station.Entry, error) {
	var e station.Entry
	var seq, at int64
	var prev, hash []byte
	if err := r.Scan(&seq, &at, &e.Kind, &e.Body, &prev, &hash); err != nil {
		return e, err
	}
	e.Seq, e.Time = uint64(seq), unix(at)
	copy(e.Prev[:], prev)
	copy(e.Hash[:], hash)
	return e, nil
}

func (t *tx) Entry(seq uint64) (station.Entry, error) {
	e, err := scanEntry(t.queryRow("ledgerGet", int64(seq)))
	return e, notFound(err, fmt.Sprintf("ledger entry %d", seq))
}

func (t *tx) Entries(from uint64, fn func(station.Entry) error) error {
	rows, err := t.query("ledgerFrom", int64(from))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return err
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (t *tx) LedgerHead() (station.Entry, error) {
	var seq, at int64
	var e station.Entry
	var hash []byte
	err := t.queryRow("ledgerHead").Scan(&seq, &at, &e.Kind, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return station.Entry{}, nil
	}
	if err != nil {
		return e, err
	}
	e.Seq, e.Time = uint64(seq), unix(at)
	copy(e.Hash[:], hash)
	return e, nil
}

func (t *tx) AppendEntry(e station.Entry) error {
	_, err := t.exec("ledgerAdd", int64(e.Seq), e.Time.Unix(), e.Kind, e.Body, e.Prev[:], e.Hash[:])
	if isUnique(err) {
		return fmt.Errorf("ledger entry %d: %w", e.Seq, station.ErrDuplicate)
	}
	return err
}
