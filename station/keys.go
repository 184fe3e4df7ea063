package station

import (
	"context"
	"time"

	"github.com/airlock-dev/airlock/crypto"
)

// RotateKey makes next the station's issuer key. It returns the rollover
// statement (binary), signed by the current key, that introduces next to
// clients (airlock trust update FILE): store version one above the last,
// issued now, retiring the old key now. The old key is kept as retired;
// from now on this Station signs with next. file is where next's encrypted
// private key is (the caller writes it first).
func (s *Station) RotateKey(ctx context.Context, next *crypto.PrivateKey, name, file string, now time.Time) ([]byte, error) {
	now = now.UTC().Truncate(time.Second)
	var stmt []byte
	err := s.store.Update(ctx, func(tx Tx) error {
		head, signer, err := s.checkSigner(tx)
		if err != nil {
			return err
		}
		keys, err := tx.IssuerKeys()
		if err != nil {
			return err
		}
		var version uint64
		var cur IssuerKey
		for _, k := range keys {
			version = max(version, k.Version)
			if k.Current {
				cur = k
			}
		}
		r := crypto.Rollover{NewKey: next.Public(), Name: name, Version: version + 1, IssuedAt: now, RetireSignerAt: now}
		if stmt, err = r.Sign(signer); err != nil {
			return err
		}
		cur.Current, cur.Retired = false, now
		if err := tx.UpdateIssuerKey(cur); err != nil {
			return err
		}
		nk := IssuerKey{Key: next.Public(), Name: name, File: file, Created: now, Current: true, Version: r.Version}
		if err := tx.AddIssuerKey(nk); err != nil {
			return err
		}
		_, err = newLedger(tx, head).append(EventKeyRotate, now, keyEvent{
			Key: nk.Key.String(), KeyID: nk.Key.ID().String(), Name: name, Version: r.Version,
			Previous: cur.Key.ID().String(), Rollover: sha256Hex(stmt),
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	s.setKey(next)
	return stmt, nil
}
