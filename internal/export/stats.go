package export

import (
	"fmt"
	"sync"
	"time"
)

// States of a stream, as [Stats.State] gives them.
const (
	StateConnecting = "connecting" // no connection yet, or between two
	StateConnected  = "connected"  // TCP connected, or UDP socket open
	StateClosed     = "closed"     // closed after the last message
	StateFailed     = "failed"     // given up, or aborted
)

// Stats is a snapshot of a stream's figures.
type Stats struct {
	Collector string // the URL
	State     string
	Messages  uint64 // messages handed to the network
	Octets    uint64 // their octets
	// Connections counts TCP connections made; a reconnection adds one.
	Connections uint64
	// Refused counts the ICMP port-unreachable reports a UDP socket
	// returned: each means at least one datagram found nobody listening.
	Refused uint64
	// PossiblyLost counts the data records (options records included)
	// of the messages a broken TCP connection held unacknowledged.
	PossiblyLost uint64
	// LastError is the latest fault of the stream, empty when none.
	LastError string
	// DownSince is when the current TCP outage began, zero when
	// connected; Attempts counts its failed connection attempts.
	DownSince time.Time
	Attempts  int
	// WaitingSince is when the write in progress began, zero when none:
	// a collector that does not read keeps it waiting.
	WaitingSince time.Time
}

// Stall describes why the stream may be holding its task up, or returns
// "" when it is not: an outage, or a write the collector has not taken
// for a second or more.
func (s Stats) Stall(now time.Time) string {
	switch {
	case !s.DownSince.IsZero():
		return fmt.Sprintf("collector %s unreachable for %s (%d attempts; last: %s)",
			s.Collector, now.Sub(s.DownSince).Round(time.Millisecond), s.Attempts, s.LastError)
	case !s.WaitingSince.IsZero() && now.Sub(s.WaitingSince) >= time.Second:
		return fmt.Sprintf("collector %s has not read for %s", s.Collector,
			now.Sub(s.WaitingSince).Round(time.Millisecond))
	}
	return ""
}

// UnreachableError ends a TCP stream whose collector stayed unreachable
// for longer than [Config.RetryFor].
type UnreachableError struct {
	Collector string
	For       time.Duration
	Attempts  int
	Err       error // the last attempt's error
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("collector %s unreachable for %s (%d attempts): %v", e.Collector,
		e.For.Round(time.Millisecond), e.Attempts, e.Err)
}

func (e *UnreachableError) Unwrap() error { return e.Err }

// box holds a stream's figures for readers on other goroutines.
type box struct {
	mu sync.Mutex
	s  Stats
}

func (b *box) get() Stats {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.s
}

func (b *box) update(fn func(s *Stats)) {
	b.mu.Lock()
	fn(&b.s)
	b.mu.Unlock()
}

func (b *box) sent(n int) {
	b.mu.Lock()
	b.s.Messages++
	b.s.Octets += uint64(n)
	b.mu.Unlock()
}

func (b *box) fault(err error) {
	b.update(func(s *Stats) { s.LastError = err.Error() })
}
