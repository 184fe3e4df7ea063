package station

import (
	"context"
	"errors"

	"github.com/airlock-dev/airlock/wire"
)

// LatestReceipt returns the newest receipt issued for a lease (binary) and
// its type, as the ledger keeps it.
func (s *Station) LatestReceipt(ctx context.Context, id wire.LeaseID) ([]byte, wire.Type, error) {
	var data []byte
	var t wire.Type
	err := s.store.View(ctx, func(tx Tx) error {
		lease, err := tx.Lease(id)
		if errors.Is(err, ErrNotFound) {
			return refuse(ErrUnknownLease, "'airlock-station status --all' lists the leases", "unknown lease: this station has no lease %s", id)
		}
		if err != nil {
			return err
		}
		e, err := tx.Entry(lease.LedgerSeq)
		if err != nil {
			return err
		}
		data, t, _, err = EntryReceipt(e)
		return err
	})
	return data, t, err
}
