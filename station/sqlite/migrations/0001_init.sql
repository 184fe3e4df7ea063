-- Airlock station schema, version 1. Times are Unix seconds; keys, hashes
-- and messages are BLOBs in their wire form; lists and maps are JSON text.

CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE issuer_keys (
    public_key BLOB PRIMARY KEY,
    kid        TEXT NOT NULL,
    name       TEXT NOT NULL,
    file       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    retired_at INTEGER,
    is_current INTEGER NOT NULL CHECK (is_current IN (0, 1)),
    version    INTEGER NOT NULL
);
CREATE UNIQUE INDEX issuer_keys_one_current ON issuer_keys (is_current) WHERE is_current = 1;

CREATE TABLE products (
    name       TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL
);

CREATE TABLE product_features (
    product TEXT NOT NULL REFERENCES products (name),
    feature TEXT NOT NULL,
    PRIMARY KEY (product, feature)
) WITHOUT ROWID;

CREATE TABLE licenses (
    id            INTEGER PRIMARY KEY,
    license_key   TEXT NOT NULL UNIQUE,
    customer      TEXT NOT NULL,
    product       TEXT NOT NULL REFERENCES products (name),
    features      TEXT NOT NULL,
    seats         INTEGER NOT NULL CHECK (seats >= 1),
    term_end      INTEGER,
    offline       INTEGER NOT NULL,
    max_lease     INTEGER NOT NULL,
    default_lease INTEGER NOT NULL,
    low_water     INTEGER NOT NULL CHECK (low_water >= 0),
    early_return  INTEGER NOT NULL,
    threshold     INTEGER NOT NULL,
    access        TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    revoked_at    INTEGER,
    -- Leases with status 'active' (including any past their end not yet
    -- recorded as expired), kept by the triggers below so counting seats
    -- needs no scan of the leases.
    active_leases INTEGER NOT NULL DEFAULT 0 CHECK (active_leases >= 0)
);

-- The lease ID (6 bytes) is the row ID, read as a big-endian integer.
CREATE TABLE leases (
    id           INTEGER PRIMARY KEY,
    license_id   INTEGER NOT NULL REFERENCES licenses (id),
    device_key   BLOB NOT NULL,
    fingerprint  BLOB NOT NULL,
    threshold    INTEGER NOT NULL,
    user_name    TEXT NOT NULL,
    host_name    TEXT NOT NULL,
    features     TEXT NOT NULL,
    limits       TEXT,
    issued_at    INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    serial       INTEGER NOT NULL CHECK (serial >= 1),
    ledger_seq   INTEGER NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('active', 'returned', 'expired', 'revoked')),
    ended_at     INTEGER,
    meters       TEXT,
    request_hash BLOB NOT NULL
);
-- Seat counting: the active leases of a license by end.
CREATE INDEX leases_seats ON leases (license_id, status, expires_at);
CREATE INDEX leases_ended ON leases (ended_at) WHERE ended_at IS NOT NULL;

CREATE TRIGGER leases_count_insert AFTER INSERT ON leases WHEN NEW.status = 'active'
BEGIN
    UPDATE licenses SET active_leases = active_leases + 1 WHERE id = NEW.license_id;
END;
CREATE TRIGGER leases_count_end AFTER UPDATE OF status ON leases WHEN OLD.status = 'active' AND NEW.status <> 'active'
BEGIN
    UPDATE licenses SET active_leases = active_leases - 1 WHERE id = NEW.license_id;
END;
CREATE TRIGGER leases_count_restart AFTER UPDATE OF status ON leases WHEN OLD.status <> 'active' AND NEW.status = 'active'
BEGIN
    UPDATE licenses SET active_leases = active_leases + 1 WHERE id = NEW.license_id;
END;

-- Every answered request, by device key and nonce: the same bytes (the
-- same hash) get the receipt recorded in ledger entry ledger_seq again,
-- and a device key never uses a nonce for two different requests. Kept for
-- the life of the database. The request and receipt bytes themselves are
-- in the ledger entry.
CREATE TABLE requests (
    device_key   BLOB NOT NULL,
    nonce        BLOB NOT NULL,
    hash         BLOB NOT NULL,
    type         INTEGER NOT NULL,
    request_time INTEGER NOT NULL,
    received_at  INTEGER NOT NULL,
    lease_id     INTEGER NOT NULL REFERENCES leases (id),
    serial       INTEGER NOT NULL,
    ledger_seq   INTEGER NOT NULL,
    PRIMARY KEY (device_key, nonce)
) WITHOUT ROWID;

CREATE TABLE ledger (
    seq  INTEGER PRIMARY KEY,
    at   INTEGER NOT NULL,
    kind TEXT NOT NULL,
    body BLOB NOT NULL,
    prev BLOB NOT NULL,
    hash BLOB NOT NULL
);
