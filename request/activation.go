package request

import (
	"fmt"

	"github.com/airlock-dev/airlock/crypto"
	"github.com/airlock-dev/airlock/fingerprint"
	"github.com/airlock-dev/airlock/wire"
)

// Sign signs the request with the device key, which it also records as
// a.DeviceKey. It returns the binary message.
func (a *Activation) Sign(device *crypto.PrivateKey) ([]byte, error) {
	a.DeviceKey = device.Public()
	p, err := a.Header.encode(wire.ActivationRequest)
	if err != nil {
		return nil, err
	}
	if err := a.check(); err != nil {
		return nil, err
	}
	if p.Lease, err = leaseSeconds(a.Lease); err != nil {
		return nil, err
	}
	if p.Fingerprint, err = a.Fingerprint.MarshalBinary(); err != nil {
		return nil, &wire.FieldError{Field: "fingerprint", Err: err}
	}
	p.LicenseKey, p.Features, p.DeviceKey, p.User, p.Host = a.LicenseKey, a.Features, a.DeviceKey.Bytes(), a.User, a.Host
	if len(p.Features) == 0 {
		p.Features = nil
	}
	return sign(wire.ActivationRequest, p, device)
}

func (a *Activation) check() error {
	if k, err := NormalizeLicenseKey(a.LicenseKey); err != nil || k != a.LicenseKey {
		return &wire.FieldError{Field: "license key", Reason: fmt.Sprintf("%q is not a normalised license key", a.LicenseKey)}
	}
	if err := wire.CheckFeatures("features", a.Features); err != nil {
		return err
	}
	if err := checkText("user", a.User); err != nil {
		return err
	}
	return checkText("host", a.Host)
}

// VerifyActivation parses an activation request and verifies it under the
// device key it carries, which must be a valid key (not small-order, not
// non-canonical). It returns the request only if all of that holds.
func VerifyActivation(data []byte) (*Activation, error) {
	m, p, err := open(data, wire.ActivationRequest)
	if err != nil {
		return nil, err
	}
	device, err := crypto.ParsePublicKey(p.DeviceKey)
	if err != nil {
		return nil, fmt.Errorf("device key: %w", err)
	}
	if err := m.Verify(device); err != nil {
		return nil, err
	}
	a := &Activation{LicenseKey: p.LicenseKey, Features: p.Features, DeviceKey: device, User: p.User, Host: p.Host}
	if a.Header, err = p.header(); err != nil {
		return nil, err
	}
	if a.Lease, err = leaseDuration(p.Lease); err != nil {
		return nil, err
	}
	if a.Fingerprint, err = fingerprint.ParseSet(p.Fingerprint); err != nil {
		return nil, &wire.FieldError{Field: "fingerprint", Err: err}
	}
	if err := a.check(); err != nil {
		return nil, err
	}
	return a, nil
}
