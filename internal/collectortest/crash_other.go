//go:build !linux

package collectortest

import "testing"

// Crash needs Linux (SIOCINQ and MSG_PEEK): elsewhere it skips tb.
func (c *TCP) Crash(tb testing.TB, keep int, blocked func() bool) ([]byte, int) {
	tb.Skip("the crashing collector needs Linux")
	return nil, 0
}
