package client

import (
	"errors"
	"time"

	"github.com/airlock-dev/airlock/crypto"
)

// TrustUpdate is the outcome of UpdateTrust.
type TrustUpdate struct {
	Rollover *crypto.Rollover
	// Already says the statement was applied before (its key is trusted and
	// the store is at its version or later): nothing changed.
	Already bool
	// Retired is the signing key's retirement the statement set, if any.
	Retired *crypto.TrustedKey
}

// UpdateTrust applies a key rollover statement (binary form) to the trust
// store, atomically: the new key is trusted only if a key already trusted
// signed the statement. A statement already applied is harmless
// (Already); an older one that was not is refused with
// crypto.ErrStaleRollover, as is anything else that does not verify.
func (h *Home) UpdateTrust(data []byte, now time.Time) (*TrustUpdate, error) {
	trust := h.Trust()
	r, err := trust.ApplyRollover(data)
	if errors.Is(err, crypto.ErrStaleRollover) {
		if old, perr := crypto.ParseRollover(data); perr == nil {
			if k, kerr := trust.Key(old.NewKey.ID()); kerr == nil && k.Key.Equal(old.NewKey) {
				return &TrustUpdate{Rollover: old, Already: true}, nil
			}
		}
	}
	if err != nil {
		return nil, err
	}
	u := &TrustUpdate{Rollover: r}
	if !r.RetireSignerAt.IsZero() {
		if k, err := trust.Key(r.SignerID); err == nil {
			u.Retired = &k
		}
	}
	next := h.snap.st.Clone()
	next.Trust = string(trust.Marshal())
	if err := h.commit(next, now); err != nil {
		return nil, err
	}
	return u, nil
}
