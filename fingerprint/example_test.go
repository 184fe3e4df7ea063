package fingerprint_test

import (
	"errors"
	"fmt"

	"github.com/airlock-dev/airlock/fingerprint"
)

// A client hashes its components under the product's salt and puts the set
// in its request; the receipt carries it back with a threshold, and the
// client compares it with what the machine looks like later.
func Example() {
	salt := []byte("cad-suite") // derived from the product name
	asked := []fingerprint.Component{
		{Kind: fingerprint.KindMachineID, Value: "0123456789abcdef0123456789abcdef"},
		{Kind: fingerprint.KindMAC, Value: "00:1a:2b:3c:4d:5e"},
		{Kind: fingerprint.KindCPU, Value: "Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz"},
		{Kind: fingerprint.KindHostname, Value: "build-07"},
	}
	want := fingerprint.Hashes(salt, asked)
	wire, _ := want.MarshalBinary()
	fmt.Println(len(wire), "bytes:", want)
	fmt.Println("summary:", want.Summary())
	fmt.Println("raw values never print:", asked[0])
	k := fingerprint.DefaultThreshold(len(want))

	// The network card was replaced: one change is tolerated.
	now := append([]fingerprint.Component(nil), asked...)
	now[1].Value = "00:1a:2b:3c:aa:aa"
	m, err := fingerprint.Compare(want, fingerprint.Hashes(salt, now), k)
	fmt.Println(m.OK(), err, len(m.Missing), "changed")

	// The state was copied to another machine.
	now[0].Value = "aaaabbbbccccddddeeeeffff00001111"
	now[3].Value = "build-08"
	_, err = fingerprint.Compare(want, fingerprint.Hashes(salt, now), k)
	fmt.Println(errors.Is(err, fingerprint.ErrMismatch))
	fmt.Println(err)
	// Output:
	// 20 bytes: machine-id:cf590aaa mac:606028b4 cpu:463d2b08 hostname:64d36b71
	// summary: 699J-T00Z-V3K6
	// raw values never print: machine-id:<redacted>
	// true <nil> 1 changed
	// true
	// fingerprint does not match this machine: 1 of 4 components match, 3 needed (changed: machine-id, mac, hostname)
}
