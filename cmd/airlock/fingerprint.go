package main

import "github.com/airlock-dev/airlock/internal/cli"

// fingerprintCommand is "airlock fingerprint"; nil until built.
func fingerprintCommand() *cli.Command { return nil }
