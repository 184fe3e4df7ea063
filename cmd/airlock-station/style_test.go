package main

import (
	"testing"

	"github.com/airlock-dev/airlock/internal/cli/clitest"
)

// TestConventions: help with examples for every command, --version,
// completion, and usage errors, in the style both commands share.
func TestConventions(t *testing.T) {
	clitest.CheckConventions(t, program(), run)
}
