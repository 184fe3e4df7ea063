package station

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/airlock-dev/airlock/wire"
)

// HashSize is the size of a ledger entry's hash.
const HashSize = sha256.Size

// Entry is one event in the station's ledger: a hash chain in which every
// entry commits to the one before it.
type Entry struct {
	Seq  uint64 // from 1, without gaps
	Time time.Time
	Kind string // see the Event constants
	Body []byte // JSON, as written (see ledgerBody types)
	Prev [HashSize]byte
	Hash [HashSize]byte
}

// Kinds of ledger events.
const (
	EventInit          = "station.init"
	EventSettings      = "station.settings"
	EventKeyRotate     = "key.rotate"
	EventLicenseAdd    = "license.add"
	EventLicenseUpdate = "license.update"
	EventLicenseRevoke = "license.revoke"
	EventLeaseActivate = "lease.activate"
	EventLeaseRefresh  = "lease.refresh"
	EventLeasePush     = "lease.push"
	EventLeaseReturn   = "lease.return"
	EventLeaseExpire   = "lease.expire"
	EventLeaseRevoke   = "lease.revoke"
)

// ledgerDomain starts every entry's hash input.
const ledgerDomain = "airlock ledger v1\x00"

// ComputeHash is the entry's hash:
//
//	SHA-256( "airlock ledger v1" 0x00
//	       ‖ prev                      32 bytes; zeros for entry 1
//	       ‖ seq                       uint64, big-endian
//	       ‖ time                      int64 Unix seconds, big-endian
//	       ‖ len(kind) ‖ kind          uint32 big-endian, UTF-8 bytes
//	       ‖ len(body) ‖ body )        uint32 big-endian, the JSON bytes
func (e *Entry) ComputeHash() [HashSize]byte {
	h := sha256.New()
	var n [8]byte
	h.Write([]byte(ledgerDomain))
	h.Write(e.Prev[:])
	binary.BigEndian.PutUint64(n[:], e.Seq)
	h.Write(n[:])
	binary.BigEndian.PutUint64(n[:], uint64(e.Time.Unix()))
	h.Write(n[:])
	binary.BigEndian.PutUint32(n[:4], uint32(len(e.Kind)))
	h.Write(n[:4])
	h.Write([]byte(e.Kind))
	binary.BigEndian.PutUint32(n[:4], uint32(len(e.Body)))
	h.Write(n[:4])
	h.Write(e.Body)
	var out [HashSize]byte
	h.Sum(out[:0])
	return out
}

// ledger appends entries within one transaction, keeping the head.
type ledger struct {
	tx   Tx
	head Entry
}

func newLedger(tx Tx, head Entry) *ledger { return &ledger{tx: tx, head: head} }

// next is the sequence number the next entry will get.
func (l *ledger) next() uint64 { return l.head.Seq + 1 }

func (l *ledger) append(kind string, now time.Time, body any) (Entry, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return Entry{}, fmt.Errorf("encoding ledger entry: %w", err)
	}
	e := Entry{Seq: l.next(), Time: now, Kind: kind, Body: b, Prev: l.head.Hash}
	e.Hash = e.ComputeHash()
	if err := l.tx.AppendEntry(e); err != nil {
		return Entry{}, fmt.Errorf("appending to the ledger: %w", err)
	}
	l.head = e
	return e, nil
}

// The JSON bodies of ledger entries. Times are Unix seconds, keys and
// hashes hex. A lease or license event carries the whole record after the
// change, so audit can check the tables against the ledger.

type licenseRecord struct {
	ID           uint64    `json:"id"`
	Key          string    `json:"key"`
	Customer     string    `json:"customer"`
	Product      string    `json:"product"`
	Features     []Feature `json:"features"`
	Seats        int       `json:"seats"`
	TermEnd      int64     `json:"term_end,omitempty"`
	Offline      bool      `json:"offline"`
	MaxLease     int64     `json:"max_lease"`
	DefaultLease int64     `json:"default_lease"`
	LowWater     int       `json:"low_water"`
	EarlyReturn  bool      `json:"early_return"`
	Threshold    int       `json:"threshold,omitempty"`
	Access       Access    `json:"access"`
	Created      int64     `json:"created"`
	Revoked      int64     `json:"revoked,omitempty"`
}

func unixOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

func licenseSnapshot(l *License) licenseRecord {
	return licenseRecord{
		ID: l.ID, Key: l.Key, Customer: l.Customer, Product: l.Product, Features: l.Features,
		Seats: l.Seats, TermEnd: unixOrZero(l.TermEnd), Offline: l.Offline,
		MaxLease: int64(l.MaxLease / time.Second), DefaultLease: int64(l.DefaultLease / time.Second),
		LowWater: l.LowWater, EarlyReturn: l.EarlyReturn, Threshold: l.Threshold, Access: l.Access,
		Created: unixOrZero(l.Created), Revoked: unixOrZero(l.Revoked),
	}
}

type leaseRecord struct {
	ID          string            `json:"id"`
	License     uint64            `json:"license"`
	DeviceKey   string            `json:"device_key"`
	Fingerprint string            `json:"fingerprint"`
	Threshold   int               `json:"threshold"`
	User        string            `json:"user,omitempty"`
	Host        string            `json:"host,omitempty"`
	Features    []string          `json:"features"`
	Limits      map[string]uint64 `json:"limits,omitempty"`
	Issued      int64             `json:"issued"`
	Expires     int64             `json:"expires"`
	Serial      uint64            `json:"serial"`
	LedgerSeq   uint64            `json:"ledger_seq"`
	Status      Status            `json:"status"`
	Ended       int64             `json:"ended,omitempty"`
	Meters      map[string]uint64 `json:"meters,omitempty"`
	RequestHash string            `json:"request_hash"`
}

func leaseSnapshot(l *Lease) leaseRecord {
	fp, _ := l.Fingerprint.MarshalBinary()
	return leaseRecord{
		ID: l.ID.String(), License: l.LicenseID, DeviceKey: l.DeviceKey.String(), Fingerprint: hex.EncodeToString(fp),
		Threshold: l.Threshold, User: l.User, Host: l.Host, Features: l.Features, Limits: l.Limits,
		Issued: l.Issued.Unix(), Expires: l.Expires.Unix(), Serial: l.Serial, LedgerSeq: l.LedgerSeq, Status: l.Status,
		Ended: unixOrZero(l.Ended), Meters: l.Meters, RequestHash: l.RequestHash.String(),
	}
}

// leaseEvent is the body of every lease.* entry. The request and receipt
// are the messages' binary bytes (base64 in the JSON), so the chain covers
// every receipt the station ever issued.
type leaseEvent struct {
	Lease       leaseRecord `json:"lease"`
	Request     []byte      `json:"request,omitempty"`
	Receipt     []byte      `json:"receipt,omitempty"`
	ReceiptType wire.Type   `json:"receipt_type,omitempty"`
}

// EntryReceipt returns the receipt an entry recorded, with its type and
// lease; ErrNotFound when the entry recorded none.
func EntryReceipt(e Entry) ([]byte, wire.Type, wire.LeaseID, error) {
	var ev leaseEvent
	if !strings.HasPrefix(e.Kind, "lease.") || json.Unmarshal(e.Body, &ev) != nil || len(ev.Receipt) == 0 {
		return nil, 0, wire.LeaseID{}, fmt.Errorf("ledger entry %d (%s) holds no receipt: %w", e.Seq, e.Kind, ErrNotFound)
	}
	id, err := wire.ParseLeaseID(ev.Lease.ID)
	return ev.Receipt, ev.ReceiptType, id, err
}

// licenseEvent is the body of every license.* entry.
type licenseEvent struct {
	License licenseRecord `json:"license"`
}

// keyEvent is the body of station.init and key.rotate entries.
type keyEvent struct {
	Key      string `json:"key"` // hex public key
	KeyID    string `json:"kid"`
	Name     string `json:"name"`
	Version  uint64 `json:"version"`
	Previous string `json:"previous,omitempty"` // kid of the retired key
	// Rollover is the SHA-256 of the rollover statement.
	Rollover string         `json:"rollover,omitempty"`
	Settings *settingsEvent `json:"settings,omitempty"`
}

type settingsEvent struct {
	MaxRequestAge   int64 `json:"max_request_age"`
	MaxRequestAhead int64 `json:"max_request_ahead"`
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
