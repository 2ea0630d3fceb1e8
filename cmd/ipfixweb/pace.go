//go:build !clustertest

package main

import "github.com/ipfixweb/ipfixweb/actors"

// testTune is nil in the binary everyone runs: see pace_clustertest.go.
func testTune() func(*actors.Spec) { return nil }
