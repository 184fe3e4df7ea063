// Command gen writes Airlock's test vectors from fixed seeds. Run it with
// "go generate ./internal/vectors"; the output is byte-for-byte the same
// every time.
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/airlock-dev/airlock/crypto"
	"github.com/airlock-dev/airlock/wire"
)

// Fixed instants shared by all vectors.
var (
	tRequest = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	tIssued  = tRequest.Add(5 * time.Minute)
	tExpires = tIssued.Add(30 * 24 * time.Hour)
	tNow     = tIssued.Add(time.Hour)
	tRetired = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
)

// key derives a fixed key from a name.
func key(name string) *crypto.PrivateKey {
	seed := sha256.Sum256([]byte("airlock test vector seed: " + name))
	k, err := crypto.NewKeyFromSeed(seed[:])
	if err != nil {
		log.Fatal(err)
	}
	return k
}

var (
	issuer    = key("issuer")
	oldIssuer = key("old issuer")
	stranger  = key("stranger")
	device    = key("device")
	device2   = key("other device")
	nextKey   = key("next issuer")
)

// vector is one file to write.
type vector struct {
	name     string
	expect   string
	verifyAs wire.Type
	comment  string
	msg      []byte
	device   bool      // verify under device's key (refresh and return requests)
	detail   bool      // add payload and to-be-signed lines (success vectors)
	now      time.Time // the verifier's clock; tNow when zero
}

func main() {
	out := flag.String("out", "testdata/vectors", "directory to write the vectors to")
	flag.Parse()
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	old, err := filepath.Glob(filepath.Join(*out, "*.txt"))
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range old {
		os.Remove(f)
	}
	vs := append(requestVectors(), receiptVectors()...)
	vs = append(vs, rolloverVectors()...)
	for i, v := range vs {
		name := fmt.Sprintf("%03d-%s.txt", i+1, v.name)
		if err := os.WriteFile(filepath.Join(*out, name), v.render(), 0o644); err != nil {
			log.Fatal(err)
		}
	}
	write(*out, "issuer.pub", crypto.MarshalPublicKeyPEM(issuer.Public()))
	write(*out, "trust.txt", trustStore().Marshal())
	write(*out, "keys.txt", []byte(keysText()))
	fmt.Printf("wrote %d vectors to %s\n", len(vs), *out)
}

func write(dir, name string, data []byte) {
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
		log.Fatal(err)
	}
}

// trustStore is the store receipt vectors are verified against: the old
// issuer key, retired at tRetired, and the current issuer key.
func trustStore() *crypto.TrustStore {
	s, err := crypto.NewTrustStore("test issuer (old)", oldIssuer.Public())
	if err != nil {
		log.Fatal(err)
	}
	s.Keys[0].RetiredAt = tRetired
	s.Keys = append(s.Keys, crypto.TrustedKey{Name: "test issuer", Key: issuer.Public()})
	s.Version = 1
	return s
}

func keysText() string {
	var b strings.Builder
	b.WriteString("# Keys the vectors use. Seeds are SHA-256(\"airlock test vector seed: \" + name).\n")
	for _, k := range []struct {
		name string
		key  *crypto.PrivateKey
	}{{"issuer", issuer}, {"old issuer", oldIssuer}, {"stranger", stranger}, {"device", device}, {"other device", device2}, {"next issuer", nextKey}} {
		fmt.Fprintf(&b, "%s: seed %x public %s id %s\n", k.name, k.key.Seed(), k.key.Public(), k.key.Public().ID())
	}
	return b.String()
}

func (v *vector) render() []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "expect: %s\n", v.expect)
	fmt.Fprintf(&b, "verify-as: %s\n", v.verifyAs.Label())
	now := v.now
	if now.IsZero() {
		now = tNow
	}
	fmt.Fprintf(&b, "now: %s\n", now.Format(time.RFC3339))
	switch {
	case v.device:
		fmt.Fprintf(&b, "device-key: %s\n", device.Public())
	case !v.verifyAs.IsRequest():
		b.WriteString("trust: trust.txt\n")
	}
	fmt.Fprintf(&b, "comment: %s\n", v.comment)
	if v.detail {
		if m, ok := splitSign1(v.msg); ok {
			fmt.Fprintf(&b, "payload: %s\n", hex.EncodeToString(m.payload))
			fmt.Fprintf(&b, "to-be-signed: %s\n", hex.EncodeToString(sigStructure(m.protected, v.verifyAs.Label(), m.payload)))
		}
	}
	b.WriteString("\n")
	armored, err := wire.MarshalArmor(v.verifyAs, v.msg)
	if err != nil {
		log.Fatal(err)
	}
	b.WriteString(armored)
	return []byte(b.String())
}
