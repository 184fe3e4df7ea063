package main

import (
	"bytes"
	"time"

	"github.com/airlock-dev/airlock/crypto"
	"github.com/airlock-dev/airlock/request"
	"github.com/airlock-dev/airlock/response"
	"github.com/airlock-dev/airlock/wire"
)

func receipt(t wire.Type) *response.Receipt {
	act := must(activation().Sign(device))
	h := request.Hash(act)
	fp := machine()
	return &response.Receipt{
		Type: t, LeaseID: leaseID, LicenseID: 17, Product: "cad",
		Features: []string{"export", "model", "render"}, DeviceKey: device.Public(),
		Fingerprint: fp, Threshold: len(fp) - 1, RequestHash: &h, Serial: 1, LedgerSeq: 1042,
		IssuedAt: tIssued, ExpiresAt: tExpires,
	}
}

func signed(r *response.Receipt, k *crypto.PrivateKey) []byte { return must(r.Sign(k)) }

func receiptVectors() []vector {
	act := receipt(wire.ActivationReceipt)
	actMsg := signed(act, issuer)
	aLabel := wire.ActivationReceipt.Label()

	limits := receipt(wire.ActivationReceipt)
	limits.Limits = map[string]uint64{"export": 100, "render": 5000}

	ref := receipt(wire.RefreshReceipt)
	refHash := request.Hash(must(refreshReq().Sign(device)))
	ref.RequestHash, ref.Serial, ref.LedgerSeq = &refHash, 2, 1300
	ref.IssuedAt = tRequest.Add(20 * 24 * time.Hour)
	ref.ExpiresAt = ref.IssuedAt.Add(720 * time.Hour)
	refMsg := signed(ref, issuer)

	pushed := receipt(wire.RefreshReceipt)
	pushed.RequestHash, pushed.Serial, pushed.LedgerSeq = nil, 2, 1100
	pushed.Features = []string{"export", "model", "render", "simulate"}
	pushed.ExpiresAt = tExpires.Add(60 * 24 * time.Hour)

	deact := receipt(wire.DeactivationReceipt)
	retHash := request.Hash(must(returnReq().Sign(device)))
	deact.RequestHash, deact.Serial, deact.LedgerSeq = &retHash, 3, 1400
	deact.IssuedAt = tRequest.Add(25 * 24 * time.Hour)
	deact.ExpiresAt = deact.IssuedAt
	deact.NotBefore = tIssued
	deactMsg := signed(deact, issuer)

	revoke := receipt(wire.RevocationReceipt)
	revoke.RequestHash, revoke.Serial, revoke.LedgerSeq = nil, 2, 1200
	revoke.ExpiresAt = tIssued.Add(time.Hour)
	revoke.NotBefore = tIssued
	revoke.IssuedAt = tIssued.Add(time.Hour)

	expired := receipt(wire.ActivationReceipt)
	expired.IssuedAt, expired.ExpiresAt = tNow.Add(-48*time.Hour), tNow.Add(-time.Hour)
	future := receipt(wire.ActivationReceipt)
	future.NotBefore = tNow.Add(24 * time.Hour)
	refExpired := receipt(wire.RefreshReceipt)
	refExpired.Serial, refExpired.IssuedAt, refExpired.ExpiresAt = 2, tNow.Add(-30*24*time.Hour), tNow

	byOld := receipt(wire.ActivationReceipt)
	byOldEarly := receipt(wire.ActivationReceipt)
	byOldEarly.IssuedAt = tRetired.Add(-time.Hour)
	byOldEarly.ExpiresAt = tNow.Add(24 * time.Hour)

	smallOrder := receipt(wire.ActivationReceipt)
	identity := append([]byte{1}, make([]byte, 31)...)

	wrongKey := func() []byte {
		p, _ := splitSign1(actMsg) // kid names the trusted issuer; stranger signs
		return resign(p.protected, p.payload, aLabel, stranger)
	}()
	flipped := bytes.Clone(actMsg)
	flipped[len(flipped)-1] ^= 1
	d := func(v vector) vector { v.detail = true; return v }
	return []vector{
		d(vector{name: "activation-receipt", expect: "success", verifyAs: wire.ActivationReceipt, msg: actMsg,
			comment: "answers the activation-request vector; serial 1; threshold 5 of 6"}),
		d(vector{name: "activation-receipt-limits", expect: "success", verifyAs: wire.ActivationReceipt, msg: signed(limits, issuer),
			comment: "export limited to 100 and render to 5000"}),
		d(vector{name: "refresh-receipt", expect: "success", verifyAs: wire.RefreshReceipt, msg: refMsg, now: ref.IssuedAt.Add(time.Hour),
			comment: "answers the refresh-request vector; serial 2"}),
		d(vector{name: "refresh-receipt-pushed", expect: "success", verifyAs: wire.RefreshReceipt, msg: signed(pushed, issuer),
			comment: "pushed by the vendor: no request hash, a fourth feature, 60 more days"}),
		d(vector{name: "deactivation-receipt", expect: "success", verifyAs: wire.DeactivationReceipt, msg: deactMsg,
			comment: "answers the return-request vector; evidence, so its past expiry does not matter"}),
		d(vector{name: "revocation-receipt", expect: "success", verifyAs: wire.RevocationReceipt, msg: signed(revoke, issuer),
			comment: "license revoked: the lease ended at expires-at"}),
		d(vector{name: "activation-receipt-old-key-before-retirement", expect: "success", verifyAs: wire.ActivationReceipt, msg: signed(byOldEarly, oldIssuer),
			comment: "signed by the retired key, issued before its retirement"}),
		{name: "activation-receipt-bad-signature", expect: "bad signature", verifyAs: wire.ActivationReceipt, msg: flipped,
			comment: "last byte of the signature flipped"},
		{name: "activation-receipt-tampered", expect: "bad signature", verifyAs: wire.ActivationReceipt,
			msg:     tamper(actMsg, func(es []entry) []entry { return set(es, 16, cUint(uint64(tExpires.Add(365*24*time.Hour).Unix()))) }),
			comment: "expires-at moved a year later after signing"},
		{name: "activation-receipt-wrong-key", expect: "wrong key", verifyAs: wire.ActivationReceipt, msg: wrongKey,
			comment: "kid names the trusted issuer key; signed by another key"},
		{name: "activation-receipt-unknown-key", expect: "unknown key", verifyAs: wire.ActivationReceipt, msg: signed(receipt(wire.ActivationReceipt), stranger),
			comment: "signed by a key that is not in the trust store"},
		{name: "activation-receipt-expired", expect: "expired", verifyAs: wire.ActivationReceipt, msg: signed(expired, issuer),
			comment: "expired an hour before now"},
		{name: "activation-receipt-not-yet-valid", expect: "not yet valid", verifyAs: wire.ActivationReceipt, msg: signed(future, issuer),
			comment: "not-before a day after now"},
		{name: "refresh-receipt-expired", expect: "expired", verifyAs: wire.RefreshReceipt, msg: signed(refExpired, issuer),
			comment: "expires-at equal to now: the window is half-open"},
		{name: "refresh-receipt-as-activation", expect: "wrong type", verifyAs: wire.ActivationReceipt, msg: refMsg,
			comment: "a valid refresh receipt verified as an activation receipt"},
		{name: "deactivation-receipt-as-activation", expect: "wrong type", verifyAs: wire.ActivationReceipt, msg: deactMsg,
			comment: "a valid deactivation receipt verified as an activation receipt"},
		{name: "activation-request-as-receipt", expect: "wrong type", verifyAs: wire.ActivationReceipt, msg: must(activation().Sign(device)),
			comment: "a request where a receipt is expected"},
		{name: "activation-receipt-retired-key", expect: "key retired", verifyAs: wire.ActivationReceipt, msg: signed(byOld, oldIssuer),
			comment: "signed by the old key, issued after its retirement"},
		{name: "activation-receipt-small-order-device-key", expect: "small-order device key", verifyAs: wire.ActivationReceipt,
			msg:     mutate(signed(smallOrder, issuer), aLabel, issuer, func(es []entry) []entry { return set(es, 8, cBytes(identity)) }),
			comment: "the issuer signed a receipt binding the identity point as device key"},
		{name: "activation-receipt-trailing-data", expect: "trailing data", verifyAs: wire.ActivationReceipt, msg: append(bytes.Clone(actMsg), 0xf6),
			comment: "a CBOR null after a valid receipt"},
		{name: "activation-receipt-oversize", expect: "oversize", verifyAs: wire.ActivationReceipt, msg: oversize(actMsg),
			comment: "65537 bytes"},
		{name: "activation-receipt-unprotected-kid", expect: "malformed cbor", verifyAs: wire.ActivationReceipt,
			msg:     unprotectedKid(actMsg),
			comment: "kid moved to the unprotected header, where it would not be signed"},
		{name: "activation-receipt-not-before-equal", expect: "invalid field", verifyAs: wire.ActivationReceipt,
			msg:     mutate(actMsg, aLabel, issuer, func(es []entry) []entry { return set(es, 15, cUint(uint64(tIssued.Unix()))) }),
			comment: "not-before present though equal to issued-at, correctly signed"},
		{name: "activation-receipt-threshold-zero", expect: "invalid field", verifyAs: wire.ActivationReceipt,
			msg:     mutate(actMsg, aLabel, issuer, func(es []entry) []entry { return set(es, 10, cUint(0)) }),
			comment: "match threshold 0, correctly signed"},
		{name: "activation-receipt-no-request-hash", expect: "invalid field", verifyAs: wire.ActivationReceipt,
			msg:     mutate(actMsg, aLabel, issuer, func(es []entry) []entry { return drop(es, 11) }),
			comment: "an activation receipt must name its request"},
		{name: "activation-receipt-long-serial", expect: "non-canonical encoding", verifyAs: wire.ActivationReceipt,
			msg:     mutate(actMsg, aLabel, issuer, func(es []entry) []entry { return set(es, 12, []byte{0x19, 0x00, 0x01}) }),
			comment: "serial 1 written in three bytes, correctly signed"},
	}
}

// unprotectedKid moves the kid from the protected to the unprotected header.
func unprotectedKid(msg []byte) []byte {
	p, _ := splitSign1(msg)
	kid := p.protected[len(p.protected)-crypto.KeyIDSize:]
	out := []byte{0xd2, 0x84}
	out = append(out, cBytes(protectedHeader(nil))...)
	out = append(out, 0xa1, 0x04)
	out = append(out, cBytes(kid)...)
	out = append(out, cBytes(p.payload)...)
	return append(out, cBytes(p.sig)...)
}

func rolloverVectors() []vector {
	good := &crypto.Rollover{NewKey: nextKey.Public(), Name: "test issuer 2027", Version: 2, IssuedAt: tIssued, RetireSignerAt: tIssued}
	goodMsg := must(good.Sign(issuer))
	stale := &crypto.Rollover{NewKey: nextKey.Public(), Name: "test issuer 2027", Version: 1, IssuedAt: tIssued}
	untrusted := &crypto.Rollover{NewKey: nextKey.Public(), Name: "test issuer 2027", Version: 2, IssuedAt: tIssued}
	flipped := bytes.Clone(goodMsg)
	flipped[len(flipped)-3] ^= 0x10
	return []vector{
		{name: "key-rollover", expect: "success", verifyAs: wire.KeyRollover, msg: goodMsg, detail: true,
			comment: "the issuer introduces the next key at version 2 and retires itself at issued-at"},
		{name: "key-rollover-stale", expect: "stale rollover", verifyAs: wire.KeyRollover, msg: must(stale.Sign(issuer)),
			comment: "version 1, not above the trust store's version 1"},
		{name: "key-rollover-untrusted", expect: "unknown key", verifyAs: wire.KeyRollover, msg: must(untrusted.Sign(stranger)),
			comment: "signed by a key the trust store does not hold"},
		{name: "key-rollover-bad-signature", expect: "bad signature", verifyAs: wire.KeyRollover, msg: flipped,
			comment: "a signature bit flipped"},
		{name: "key-rollover-as-receipt", expect: "wrong type", verifyAs: wire.ActivationReceipt, msg: goodMsg,
			comment: "a rollover statement where a receipt is expected"},
	}
}
