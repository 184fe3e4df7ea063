package station

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/airlock-dev/airlock/crypto"
	"github.com/airlock-dev/airlock/wire"
)

// Station is the issuing logic over a Store. It is safe for concurrent use;
// several Stations (in one process or many) may share one database.
type Station struct {
	store Store

	mu       sync.RWMutex // guards signer and settings
	signer   *crypto.PrivateKey
	settings Settings

	newLeaseID func() wire.LeaseID
	rand       io.Reader // license keys; nil means crypto/rand
}

// Open opens the station kept in store. It signs nothing until UseSigner
// gives it the issuer key; reporting and license commands do not need it.
func Open(ctx context.Context, store Store) (*Station, error) {
	s := &Station{store: store, newLeaseID: wire.NewLeaseID}
	err := store.View(ctx, func(tx Tx) error {
		keys, err := tx.IssuerKeys()
		if err != nil {
			return err
		}
		if len(keys) == 0 {
			return refuse(ErrNotInitialised, "run 'airlock-station init' to create the station",
				"station not initialised: the database holds no issuer key")
		}
		s.settings, err = loadSettings(tx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// Store returns the station's store.
func (s *Station) Store() Store { return s.store }

// Settings returns the station's settings as they were when it was opened
// or last updated through it.
func (s *Station) Settings() Settings {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.settings
}

func (s *Station) key() *crypto.PrivateKey {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.signer
}

func (s *Station) setKey(k *crypto.PrivateKey) {
	s.mu.Lock()
	s.signer = k
	s.mu.Unlock()
}

// CurrentKey returns the station's current issuer key (public part and the
// file holding the private one).
func (s *Station) CurrentKey(ctx context.Context) (IssuerKey, error) {
	var k IssuerKey
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		k, _, err = tx.CurrentKey()
		return err
	})
	return k, err
}

// Keys returns every issuer key the station has had, oldest first.
func (s *Station) Keys(ctx context.Context) ([]IssuerKey, error) {
	var keys []IssuerKey
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		keys, err = tx.IssuerKeys()
		return err
	})
	return keys, err
}

// UseSigner gives the station its issuer key, which must be the current key
// recorded in the database.
func (s *Station) UseSigner(ctx context.Context, k *crypto.PrivateKey) error {
	cur, err := s.CurrentKey(ctx)
	if err != nil {
		return err
	}
	if !cur.Key.Equal(k.Public()) {
		return refuse(ErrKeyChanged, "load the key file the station database names (airlock-station key list)",
			"issuer key changed: the key given is %s, but the station's current key is %s", k.Public().ID(), cur.Key.ID())
	}
	s.setKey(k)
	return nil
}

// checkSigner checks, inside a write transaction, that the key this
// Station signs with is still the current one, and returns it with the
// ledger head. The transaction signs with the key returned.
func (s *Station) checkSigner(tx Tx) (Entry, *crypto.PrivateKey, error) {
	signer := s.key()
	if signer == nil {
		return Entry{}, nil, refuse(ErrNoSigner, "", "no issuer key loaded: this operation signs receipts")
	}
	cur, head, err := tx.CurrentKey()
	if err != nil {
		return Entry{}, nil, err
	}
	if !cur.Key.Equal(signer.Public()) {
		return Entry{}, nil, refuse(ErrKeyChanged, "run the command again: it loads the current key",
			"issuer key changed: this process signs with key %s, but the station's current key is now %s (rotated by another process)",
			signer.Public().ID(), cur.Key.ID())
	}
	return head, signer, nil
}

// InitOptions are what Init records.
type InitOptions struct {
	Key      crypto.PublicKey // the first issuer key
	KeyName  string           // its name in trust stores
	KeyFile  string           // where its encrypted private key is
	Settings Settings         // zero: DefaultSettings
}

// Init records a new station in an empty database: its first issuer key,
// its settings and the first ledger entry. It refuses a database that
// already holds a station (ErrInitialised).
func Init(ctx context.Context, store Store, opts InitOptions, now time.Time) error {
	now = now.UTC().Truncate(time.Second)
	if opts.Settings == (Settings{}) {
		opts.Settings = DefaultSettings()
	}
	if err := opts.Settings.validate(); err != nil {
		return err
	}
	if opts.Key.IsZero() {
		return errors.New("init: no issuer key")
	}
	return store.Update(ctx, func(tx Tx) error {
		keys, err := tx.IssuerKeys()
		if err != nil {
			return err
		}
		if len(keys) > 0 {
			return refuse(ErrInitialised, "use it as it is, or give --db another path for a new station",
				"station already initialised: the database holds issuer key %s", keys[len(keys)-1].Key.ID())
		}
		if err := putSettings(tx, opts.Settings); err != nil {
			return err
		}
		k := IssuerKey{Key: opts.Key, Name: opts.KeyName, File: opts.KeyFile, Created: now, Current: true}
		if err := tx.AddIssuerKey(k); err != nil {
			return err
		}
		head, err := tx.LedgerHead()
		if err != nil {
			return err
		}
		st := settingsBody(opts.Settings)
		_, err = newLedger(tx, head).append(EventInit, now, keyEvent{
			Key: k.Key.String(), KeyID: k.Key.ID().String(), Name: k.Name, Settings: &st,
		})
		return err
	})
}

// Setting names in the settings table.
const (
	settingMaxAge   = "max_request_age_seconds"
	settingMaxAhead = "max_request_ahead_seconds"
)

func (st Settings) validate() error {
	if st.MaxRequestAge < time.Hour || st.MaxRequestAhead < 0 || st.MaxRequestAge%time.Second != 0 || st.MaxRequestAhead%time.Second != 0 {
		return fmt.Errorf("request window: the maximum age must be at least 1h and the maximum lead at least 0, in whole seconds (got %s and %s)",
			st.MaxRequestAge, st.MaxRequestAhead)
	}
	return nil
}

func settingsBody(st Settings) settingsEvent {
	return settingsEvent{MaxRequestAge: int64(st.MaxRequestAge / time.Second), MaxRequestAhead: int64(st.MaxRequestAhead / time.Second)}
}

func loadSettings(tx Tx) (Settings, error) {
	st := DefaultSettings()
	for _, f := range []struct {
		name string
		d    *time.Duration
	}{{settingMaxAge, &st.MaxRequestAge}, {settingMaxAhead, &st.MaxRequestAhead}} {
		v, err := tx.Setting(f.name)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return st, err
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return st, fmt.Errorf("setting %s: %q is not a number of seconds", f.name, v)
		}
		*f.d = time.Duration(n) * time.Second
	}
	return st, nil
}

func putSettings(tx Tx, st Settings) error {
	if err := tx.PutSetting(settingMaxAge, strconv.FormatInt(int64(st.MaxRequestAge/time.Second), 10)); err != nil {
		return err
	}
	return tx.PutSetting(settingMaxAhead, strconv.FormatInt(int64(st.MaxRequestAhead/time.Second), 10))
}

// UpdateSettings changes the station's settings and records the change in
// the ledger.
func (s *Station) UpdateSettings(ctx context.Context, st Settings, now time.Time) error {
	now = now.UTC().Truncate(time.Second)
	if err := st.validate(); err != nil {
		return err
	}
	err := s.store.Update(ctx, func(tx Tx) error {
		if err := putSettings(tx, st); err != nil {
			return err
		}
		head, err := tx.LedgerHead()
		if err != nil {
			return err
		}
		_, err = newLedger(tx, head).append(EventSettings, now, settingsBody(st))
		return err
	})
	if err == nil {
		s.mu.Lock()
		s.settings = st
		s.mu.Unlock()
	}
	return err
}
