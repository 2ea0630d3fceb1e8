//go:build clustertest

package main

import (
	"os"
	"time"

	"github.com/ipfixweb/ipfixweb/actors"
)

// testTune slows every task of a cluster node down for the multi-process
// cluster tests, which must kill, pause or drain a node in the middle of
// a task: with IPFIXWEB_TEST_PACE=50ms the reader waits that long before
// each slice of input it reads. Only a binary built with -tags
// clustertest has it.
func testTune() func(*actors.Spec) {
	d, err := time.ParseDuration(os.Getenv("IPFIXWEB_TEST_PACE"))
	if err != nil || d <= 0 {
		return nil
	}
	return func(s *actors.Spec) {
		s.Fault = func(stage string, _ uint64) {
			if stage == "reader" {
				time.Sleep(d)
			}
		}
	}
}
