package main

import "github.com/airlock-dev/airlock/internal/cli"

// qrCommand is "airlock qr encode|decode"; nil until built.
func qrCommand() *cli.Command { return nil }
