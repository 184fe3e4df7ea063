package main

import (
	"bytes"
	"log"
	"time"

	"github.com/airlock-dev/airlock/crypto"
	"github.com/airlock-dev/airlock/fingerprint"
	"github.com/airlock-dev/airlock/request"
	"github.com/airlock-dev/airlock/wire"
)

var leaseID = wire.LeaseID{0x3f, 0x9a, 0x12, 0xc0, 0x7b, 0x4e}

// machine is the fingerprint of the test machine under product "cad".
func machine() fingerprint.Set {
	salt := []byte("cad")
	return fingerprint.Set{
		fingerprint.HashComponent(salt, fingerprint.KindMachineID, "4c4c4544004a3510804ab4c04f4e3232"),
		fingerprint.HashComponent(salt, fingerprint.KindProductUUID, "4c4c4544-004a-3510-804a-b4c04f4e3232"),
		fingerprint.HashComponent(salt, fingerprint.KindMAC, "3c:ec:ef:12:34:56"),
		fingerprint.HashComponent(salt, fingerprint.KindDiskSerial, "S4EVNF0M123456"),
		fingerprint.HashComponent(salt, fingerprint.KindCPU, "Intel(R) Xeon(R) W-2245 CPU @ 3.90GHz"),
		fingerprint.HashComponent(salt, fingerprint.KindHostname, "ws-lab-042"),
	}.Canonical()
}

func nonce(b byte) [request.NonceSize]byte {
	var n [request.NonceSize]byte
	copy(n[:], bytes.Repeat([]byte{b}, request.NonceSize))
	return n
}

func must(b []byte, err error) []byte {
	if err != nil {
		log.Fatal(err)
	}
	return b
}

func activation() *request.Activation {
	return &request.Activation{
		Header:     request.Header{Nonce: nonce(1), Time: tRequest, HighWater: tRequest},
		LicenseKey: "7K3QM9XD2HFRW4TB", Features: []string{"export", "model", "render"},
		Lease: 720 * time.Hour, Fingerprint: machine(), User: "operator", Host: "ws-lab-042",
	}
}

func refreshReq() *request.Refresh {
	return &request.Refresh{
		Header:  request.Header{Nonce: nonce(2), Time: tRequest.Add(20 * 24 * time.Hour)},
		LeaseID: leaseID, Serial: 1, LedgerSeq: 1042, Meters: map[string]uint64{"export": 12, "render": 340},
		Lease: 720 * time.Hour,
	}
}

func returnReq() *request.Return {
	return &request.Return{
		Header:  request.Header{Nonce: nonce(3), Time: tRequest.Add(25 * 24 * time.Hour)},
		LeaseID: leaseID, Serial: 2, LedgerSeq: 1300, Meters: map[string]uint64{"export": 20, "render": 511},
	}
}

func requestVectors() []vector {
	act := must(activation().Sign(device))
	minimal := &request.Activation{Header: request.Header{Nonce: nonce(4), Time: tRequest},
		LicenseKey: "7K3QM9XD2HFRW4TB", Fingerprint: machine()}
	behind := activation()
	behind.Nonce = nonce(5)
	behind.HighWater = tRequest.Add(26 * time.Hour)
	ref := must(refreshReq().Sign(device))
	ret := must(returnReq().Sign(device))
	bareRefresh := &request.Refresh{Header: request.Header{Nonce: nonce(6), Time: tRequest}, LeaseID: leaseID, Serial: 3, LedgerSeq: 1400}

	aLabel := wire.ActivationRequest.Label()
	flipped := bytes.Clone(act)
	flipped[len(flipped)-5] ^= 0x40
	identity := append([]byte{1}, make([]byte, 31)...)
	// Under the identity key, R = identity and S = 0 satisfies crypto/ed25519
	// for every message: a forgery Airlock must refuse.
	forgery := func(es []entry) []entry { return set(es, 9, cBytes(identity)) }
	smallOrder := mutate(act, aLabel, device, forgery)
	if p, ok := splitSign1(smallOrder); ok {
		sig := append(append([]byte{1}, make([]byte, 31)...), make([]byte, 32)...)
		smallOrder = assemble(p.protected, p.payload, sig)
	}
	d := func(v vector) vector { v.detail = true; return v }
	dev := func(v vector) vector { v.device = true; return v }
	return []vector{
		d(vector{name: "activation-request", expect: "success", verifyAs: wire.ActivationRequest, msg: act,
			comment: "three features, 720h lease, six fingerprint components, user and host"}),
		d(vector{name: "activation-request-minimal", expect: "success", verifyAs: wire.ActivationRequest, msg: must(minimal.Sign(device)),
			comment: "only required fields: all features, the default lease, no user or host"}),
		d(vector{name: "activation-request-clock-behind", expect: "success", verifyAs: wire.ActivationRequest, msg: must(behind.Sign(device)),
			comment: "high-water mark 26h after the request time: the clock was set back"}),
		dev(d(vector{name: "refresh-request", expect: "success", verifyAs: wire.RefreshRequest, msg: ref,
			comment: "lease 3f9a12c07b4e at serial 1 with two meters"})),
		dev(d(vector{name: "refresh-request-bare", expect: "success", verifyAs: wire.RefreshRequest, msg: must(bareRefresh.Sign(device)),
			comment: "no meters, default lease"})),
		dev(d(vector{name: "return-request", expect: "success", verifyAs: wire.ReturnRequest, msg: ret,
			comment: "return proof with final meters"})),
		{name: "activation-request-bad-signature", expect: "bad signature", verifyAs: wire.ActivationRequest, msg: flipped,
			comment: "one bit of the signature flipped"},
		{name: "activation-request-tampered", expect: "bad signature", verifyAs: wire.ActivationRequest,
			msg:     tamper(act, func(es []entry) []entry { return set(es, 8, cUint(8760*3600)) }),
			comment: "lease raised to 8760h after signing"},
		{name: "activation-request-small-order-key", expect: "small-order device key", verifyAs: wire.ActivationRequest, msg: smallOrder,
			comment: "identity device key with the signature R = identity, S = 0 that crypto/ed25519 accepts for any message"},
		dev(vector{name: "refresh-request-wrong-key", expect: "wrong key", verifyAs: wire.RefreshRequest, msg: must(refreshReq().Sign(device2)),
			comment: "signed by another device's key, verified under the lease's device key"}),
		dev(vector{name: "return-request-wrong-key", expect: "wrong key", verifyAs: wire.ReturnRequest, msg: must(returnReq().Sign(device2)),
			comment: "signed by another device's key"}),
		dev(vector{name: "activation-request-as-refresh", expect: "wrong type", verifyAs: wire.RefreshRequest, msg: act,
			comment: "a valid activation request verified as a refresh request"}),
		dev(vector{name: "refresh-request-as-return", expect: "wrong type", verifyAs: wire.ReturnRequest, msg: ref,
			comment: "a valid refresh request verified as a return request"}),
		{name: "activation-request-truncated", expect: "malformed cbor", verifyAs: wire.ActivationRequest, msg: act[:len(act)-10],
			comment: "the last 10 bytes cut off"},
		{name: "activation-request-garbage", expect: "malformed cbor", verifyAs: wire.ActivationRequest, msg: append([]byte{0xd2, 0x84}, bytes.Repeat([]byte{0xff}, 40)...),
			comment: "the COSE_Sign1 tag followed by break codes"},
		{name: "activation-request-trailing-data", expect: "trailing data", verifyAs: wire.ActivationRequest, msg: append(bytes.Clone(act), 0x00),
			comment: "one zero byte after a valid message"},
		{name: "activation-request-oversize", expect: "oversize", verifyAs: wire.ActivationRequest, msg: oversize(act),
			comment: "65537 bytes: refused before decoding"},
		{name: "activation-request-keys-out-of-order", expect: "non-canonical encoding", verifyAs: wire.ActivationRequest,
			msg: mutate(act, aLabel, device, func(es []entry) []entry {
				es[0], es[1] = es[1], es[0]
				return es
			}), comment: "payload keys 2 before 1, correctly signed"},
		{name: "activation-request-long-integer", expect: "non-canonical encoding", verifyAs: wire.ActivationRequest,
			msg:     mutate(act, aLabel, device, func(es []entry) []entry { return set(es, 2, []byte{0x18, 0x01}) }),
			comment: "version 1 written in two bytes (0x18 0x01), correctly signed"},
		{name: "activation-request-protected-header-long", expect: "non-canonical encoding", verifyAs: wire.ActivationRequest,
			msg:     resignProtected(act, []byte{0xa1, 0x01, 0x38, 0x07}, aLabel, device),
			comment: "alg -8 written as 0x38 0x07 instead of 0x27"},
		{name: "activation-request-duplicate-key", expect: "malformed cbor", verifyAs: wire.ActivationRequest,
			msg:     mutate(act, aLabel, device, func(es []entry) []entry { return append(es, entry{12, cText("ws-lab-043")}) }),
			comment: "host (key 12) twice, correctly signed"},
		{name: "activation-request-indefinite-array", expect: "malformed cbor", verifyAs: wire.ActivationRequest,
			msg: mutate(act, aLabel, device, func(es []entry) []entry {
				ind := []byte{0x9f}
				for _, f := range []string{"export", "model", "render"} {
					ind = append(ind, cText(f)...)
				}
				return set(es, 7, append(ind, 0xff))
			}), comment: "features as an indefinite-length array, correctly signed"},
		{name: "activation-request-unknown-field", expect: "malformed cbor", verifyAs: wire.ActivationRequest,
			msg:     mutate(act, aLabel, device, func(es []entry) []entry { return set(es, 99, cUint(1)) }),
			comment: "an unknown key 99, correctly signed"},
		{name: "activation-request-version-2", expect: "unsupported version", verifyAs: wire.ActivationRequest,
			msg:     mutate(act, aLabel, device, func(es []entry) []entry { return set(es, 2, cUint(2)) }),
			comment: "format version 2, correctly signed"},
		{name: "activation-request-bad-license-key", expect: "invalid field", verifyAs: wire.ActivationRequest,
			msg:     mutate(act, aLabel, device, func(es []entry) []entry { return set(es, 6, cText("7k3q-m9xd")) }),
			comment: "license key not in normalised form, correctly signed"},
		{name: "activation-request-unsorted-features", expect: "invalid field", verifyAs: wire.ActivationRequest,
			msg: mutate(act, aLabel, device, func(es []entry) []entry {
				arr := cArray(3)
				for _, f := range []string{"render", "model", "export"} {
					arr = append(arr, cText(f)...)
				}
				return set(es, 7, arr)
			}), comment: "features not sorted, correctly signed"},
		{name: "return-request-not-removed", expect: "invalid field", verifyAs: wire.ReturnRequest, device: true,
			msg:     mutate(ret, wire.ReturnRequest.Label(), device, func(es []entry) []entry { return drop(es, 16) }),
			comment: "return proof without the removed statement, correctly signed"},
	}
}

// tamper changes the payload without signing again.
func tamper(msg []byte, fn func([]entry) []entry) []byte {
	p, _ := splitSign1(msg)
	return assemble(p.protected, encodeMap(fn(entries(p.payload))), p.sig)
}

func resignProtected(msg, protected []byte, label string, k *crypto.PrivateKey) []byte {
	p, _ := splitSign1(msg)
	return resign(protected, p.payload, label, k)
}

// oversize pads a message to one byte over the limit.
func oversize(msg []byte) []byte {
	out := bytes.Clone(msg)
	return append(out, make([]byte, wire.MaxMessageSize+1-len(out))...)
}
