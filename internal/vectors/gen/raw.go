package main

import (
	"encoding/binary"
	"log"
	"sort"

	"github.com/fxamacker/cbor/v2"

	"github.com/airlock-dev/airlock/crypto"
)

// The helpers here write CBOR by hand, so vectors can hold encodings the
// real encoder never makes (out-of-order keys, long integers, duplicates),
// signed correctly so that only the intended rule fails.

// head is a CBOR initial byte and argument in shortest form.
func head(major byte, n uint64) []byte {
	m := major << 5
	switch {
	case n < 24:
		return []byte{m | byte(n)}
	case n <= 0xff:
		return []byte{m | 24, byte(n)}
	case n <= 0xffff:
		return binary.BigEndian.AppendUint16([]byte{m | 25}, uint16(n))
	case n <= 0xffffffff:
		return binary.BigEndian.AppendUint32([]byte{m | 26}, uint32(n))
	}
	return binary.BigEndian.AppendUint64([]byte{m | 27}, n)
}

func cUint(n uint64) []byte  { return head(0, n) }
func cBytes(b []byte) []byte { return append(head(2, uint64(len(b))), b...) }
func cText(s string) []byte  { return append(head(3, uint64(len(s))), s...) }
func cArray(n int) []byte    { return head(4, uint64(n)) }
func cMap(n int) []byte      { return head(5, uint64(n)) }

// entry is one map pair with its value already encoded.
type entry struct {
	k uint64
	v []byte
}

func encodeMap(es []entry) []byte {
	out := cMap(len(es))
	for _, e := range es {
		out = append(out, cUint(e.k)...)
		out = append(out, e.v...)
	}
	return out
}

// sign1Parts are the fields of a COSE_Sign1.
type sign1Parts struct {
	protected, payload, sig []byte
}

func splitSign1(msg []byte) (sign1Parts, bool) {
	if len(msg) < 2 || msg[0] != 0xd2 {
		return sign1Parts{}, false
	}
	var s struct {
		_           struct{} `cbor:",toarray"`
		Protected   []byte
		Unprotected cbor.RawMessage
		Payload     []byte
		Signature   []byte
	}
	if err := cbor.Unmarshal(msg[1:], &s); err != nil {
		return sign1Parts{}, false
	}
	return sign1Parts{s.Protected, s.Payload, s.Signature}, true
}

// entries decodes a canonical payload into its pairs, in order.
func entries(payload []byte) []entry {
	var m map[uint64]cbor.RawMessage
	if err := cbor.Unmarshal(payload, &m); err != nil {
		log.Fatal(err)
	}
	var es []entry
	for k, v := range m {
		es = append(es, entry{k, v})
	}
	sort.Slice(es, func(i, j int) bool { return es[i].k < es[j].k })
	return es
}

func sigStructure(protected []byte, label string, payload []byte) []byte {
	out := cArray(4)
	out = append(out, cText("Signature1")...)
	out = append(out, cBytes(protected)...)
	out = append(out, cBytes([]byte(label))...)
	return append(out, cBytes(payload)...)
}

func assemble(protected, payload, sig []byte) []byte {
	out := []byte{0xd2, 0x84}
	out = append(out, cBytes(protected)...)
	out = append(out, 0xa0)
	out = append(out, cBytes(payload)...)
	return append(out, cBytes(sig)...)
}

// protectedHeader is {1: -8} or {1: -8, 4: kid}.
func protectedHeader(kid []byte) []byte {
	if kid == nil {
		return []byte{0xa1, 0x01, 0x27}
	}
	return append([]byte{0xa2, 0x01, 0x27, 0x04}, cBytes(kid)...)
}

// resign signs payload under the given protected header and label.
func resign(protected, payload []byte, label string, k *crypto.PrivateKey) []byte {
	return assemble(protected, payload, k.Sign(sigStructure(protected, label, payload)))
}

// mutate rewrites a message's payload pairs with fn and signs the result
// again with k, keeping the protected header.
func mutate(msg []byte, label string, k *crypto.PrivateKey, fn func([]entry) []entry) []byte {
	p, ok := splitSign1(msg)
	if !ok {
		log.Fatal("mutate: not a COSE_Sign1")
	}
	return resign(p.protected, encodeMap(fn(entries(p.payload))), label, k)
}

// set replaces or adds pair k.
func set(es []entry, k uint64, v []byte) []entry {
	out := append([]entry(nil), es...)
	for i := range out {
		if out[i].k == k {
			out[i].v = v
			return out
		}
	}
	out = append(out, entry{k, v})
	sort.Slice(out, func(i, j int) bool { return out[i].k < out[j].k })
	return out
}

// drop removes pair k.
func drop(es []entry, k uint64) []entry {
	var out []entry
	for _, e := range es {
		if e.k != k {
			out = append(out, e)
		}
	}
	return out
}
