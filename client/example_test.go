package client_test

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/airlock-dev/airlock/client"
	"github.com/airlock-dev/airlock/client/clienttest"
)

// An application asks whether a feature is licensed on this machine. The
// set-up (a home, a request, the station's receipt) is what "airlock init",
// "airlock request" and "airlock apply" do on a real machine; a fake
// station and a made-up machine stand in for the issuing station and the
// hardware.
func Example() {
	dir, _ := os.MkdirTemp("", "airlock-example")
	defer os.RemoveAll(dir)
	home := filepath.Join(dir, "home")
	machine := client.WithComponents(clienttest.Collector(clienttest.Machine("ws-lab-042")))
	station := clienttest.NewStation(1)
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

	// The operator's side: init, request, apply.
	if err := client.Init(home, station.Public(), "acme", "cad", now, machine); err != nil {
		panic(err)
	}
	h, err := client.OpenHome(home, machine)
	if err != nil {
		panic(err)
	}
	req, _ := h.Request(client.Activation{License: "7K3Q-M9XD-2HFR-W4TB", Features: []string{"model", "render"}}, now)
	receipt, _ := station.Activate(req, now.Add(time.Hour))
	if _, err := h.Apply(receipt, now.Add(2*time.Hour)); err != nil {
		panic(err)
	}
	h.Close()

	// The application's side: open once, check often.
	c, err := client.Open(home, machine)
	if err != nil {
		panic(err)
	}
	e, err := c.Check("render", now.Add(3*time.Hour))
	if err != nil {
		panic(err)
	}
	fmt.Println(e.Feature, "until", e.ExpiresAt.Format(time.DateOnly), "-", e.Remaining.Round(time.Hour), "left")

	_, err = c.Check("export", now.Add(3*time.Hour))
	fmt.Println(err)
	_, err = c.Check("render", now.Add(800*time.Hour))
	fmt.Println(err)
	// Output:
	// render until 2026-12-23 - 718h0m0s left
	// feature "export" is not licensed here: no installed lease grants it
	// feature "render": lease 8f130979fc08 expired at 2026-12-23 11:00 UTC, it is now 2026-12-26 18:00 UTC
}
