package sqlite

import (
	"database/sql"
	"fmt"
)

const (
	licenseCols = "id, license_key, customer, product, features, seats, term_end, offline, max_lease, default_lease, " +
		"low_water, early_return, threshold, access, created_at, updated_at, revoked_at"
	leaseCols = "id, license_id, device_key, fingerprint, threshold, user_name, host_name, features, limits, " +
		"issued_at, expires_at, serial, ledger_seq, status, ended_at, meters, request_hash"
	requestCols = "device_key, nonce, hash, type, request_time, received_at, lease_id, serial, ledger_seq"
	keyCols     = "public_key, name, file, created_at, retired_at, is_current, version"
)

// queries are prepared once per connection and reused by every
// transaction.
var queries = map[string]string{
	"settingGet": "SELECT value FROM settings WHERE name = ?",
	"settingPut": "INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value",

	"keysAll": "SELECT " + keyCols + " FROM issuer_keys ORDER BY created_at, rowid",
	"keyCurrent": "SELECT k.public_key, k.name, k.file, k.created_at, k.retired_at, k.is_current, k.version, h.seq, h.at, h.kind, h.hash " +
		"FROM issuer_keys k LEFT JOIN (SELECT seq, at, kind, hash FROM ledger ORDER BY seq DESC LIMIT 1) h WHERE k.is_current = 1",
	"keyAdd":    "INSERT INTO issuer_keys (" + keyCols + ", kid) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	"keyUpdate": "UPDATE issuer_keys SET name = ?, file = ?, retired_at = ?, is_current = ?, version = ? WHERE public_key = ?",

	"productAdd":        "INSERT INTO products (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
	"productFeatureAdd": "INSERT INTO product_features (product, feature) VALUES (?, ?) ON CONFLICT DO NOTHING",
	"productsAll":       "SELECT p.name, f.feature FROM products p LEFT JOIN product_features f ON f.product = p.name ORDER BY p.name, f.feature",

	"licenseAdd": "INSERT INTO licenses (license_key, customer, product, features, seats, term_end, offline, max_lease, default_lease, " +
		"low_water, early_return, threshold, access, created_at, updated_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	"licenseUpdate": "UPDATE licenses SET customer = ?, product = ?, features = ?, seats = ?, term_end = ?, offline = ?, max_lease = ?, " +
		"default_lease = ?, low_water = ?, early_return = ?, threshold = ?, access = ?, updated_at = ?, revoked_at = ? WHERE id = ?",
	"licenseByID":  "SELECT " + licenseCols + " FROM licenses WHERE id = ?",
	"licenseByKey": "SELECT " + licenseCols + " FROM licenses WHERE license_key = ?",
	"licensesAll":  "SELECT " + licenseCols + " FROM licenses ORDER BY id",

	"leaseAdd": "INSERT INTO leases (" + leaseCols + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	"leaseUpdate": "UPDATE leases SET features = ?, limits = ?, expires_at = ?, serial = ?, ledger_seq = ?, status = ?, ended_at = ?, meters = ? " +
		"WHERE id = ?",
	"leaseByID": "SELECT " + leaseCols + " FROM leases WHERE id = ?",
	// usage: active (not yet past their end), the next end, and those past
	// their end still recorded active; index seeks only.
	"usage": "SELECT l.active_leases - o.n, (SELECT min(expires_at) FROM leases WHERE license_id = ?1 AND status = 'active' AND expires_at > ?2), o.n " +
		"FROM licenses l, (SELECT count(*) AS n FROM leases WHERE license_id = ?1 AND status = 'active' AND expires_at <= ?2) o WHERE l.id = ?1",
	"countCheck": "SELECT l.id, l.active_leases, (SELECT count(*) FROM leases WHERE license_id = l.id AND status = 'active') FROM licenses l",
	"overdueOne": "SELECT " + leaseCols + " FROM leases WHERE license_id = ? AND status = 'active' AND expires_at <= ? ORDER BY expires_at, id",
	"overdueAll": "SELECT " + leaseCols + " FROM leases WHERE license_id IN (SELECT id FROM licenses) AND status = 'active' AND expires_at <= ? " +
		"ORDER BY expires_at, id",
	"activeOne":   "SELECT " + leaseCols + " FROM leases WHERE license_id = ? AND status = 'active' AND expires_at > ? ORDER BY expires_at, id",
	"leasesAll":   "SELECT " + leaseCols + " FROM leases ORDER BY issued_at, id",
	"leasesSince": "SELECT " + leaseCols + " FROM leases WHERE status = 'active' OR ended_at >= ? ORDER BY issued_at, id",

	"request":     "SELECT " + requestCols + " FROM requests WHERE device_key = ? AND nonce = ?",
	"requestAdd":  "INSERT INTO requests (" + requestCols + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
	"requestsAll": "SELECT " + requestCols + " FROM requests",

	// Group commit: each Update call of a batch in its own savepoint.
	"savepoint":  "SAVEPOINT airlock_update",
	"release":    "RELEASE airlock_update",
	"rollbackTo": "ROLLBACK TO airlock_update",

	"ledgerHead": "SELECT seq, at, kind, hash FROM ledger ORDER BY seq DESC LIMIT 1",
	"ledgerAdd":  "INSERT INTO ledger (seq, at, kind, body, prev, hash) VALUES (?, ?, ?, ?, ?, ?)",
	"ledgerGet":  "SELECT seq, at, kind, body, prev, hash FROM ledger WHERE seq = ?",
	"ledgerFrom": "SELECT seq, at, kind, body, prev, hash FROM ledger WHERE seq >= ? ORDER BY seq",
}

func (s *Store) prepare() error {
	s.stmts = make(map[string]*sql.Stmt, len(queries))
	for name, q := range queries {
		st, err := s.db.Prepare(q)
		if err != nil {
			return fmt.Errorf("preparing %s: %w", name, err)
		}
		s.stmts[name] = st
	}
	return nil
}

// stmt returns the named statement bound to the transaction.
func (t *tx) stmt(name string) *sql.Stmt {
	st, ok := t.s.stmts[name]
	if !ok {
		panic("sqlite: no statement " + name)
	}
	return t.tx.StmtContext(t.ctx, st)
}

func (t *tx) exec(name string, args ...any) (sql.Result, error) {
	return t.stmt(name).ExecContext(t.ctx, args...)
}

func (t *tx) queryRow(name string, args ...any) *sql.Row {
	return t.stmt(name).QueryRowContext(t.ctx, args...)
}

func (t *tx) query(name string, args ...any) (*sql.Rows, error) {
	return t.stmt(name).QueryContext(t.ctx, args...)
}
