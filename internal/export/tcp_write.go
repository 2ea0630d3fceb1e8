package export

import (
	"context"
	"time"

	"github.com/ipfixweb/ipfixweb/protocol/ipfix"
)

// aLongTimeAgo is a write deadline that has passed: setting it makes a
// blocked write return at once.
var aLongTimeAgo = time.Unix(1, 0)

// write writes one message on the connection; a write that ctx ends
// returns early, having written part of msg or none.
func (s *tcpSender) write(ctx context.Context, msg []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c := s.conn
	s.st.update(func(st *Stats) { st.WaitingSince = time.Now() })
	stop := context.AfterFunc(ctx, func() { _ = c.SetWriteDeadline(aLongTimeAgo) })
	_, err := c.Write(msg)
	stop()
	s.st.update(func(st *Stats) { st.WaitingSince = time.Time{} })
	if err != nil {
		return err
	}
	s.total += uint64(len(msg))
	s.flight = append(s.flight, sentMessage{end: s.total, seq: ipfix.MessageSequence(msg)})
	s.look()
	s.st.sent(len(msg))
	return nil
}

// look measures the octets the collector's host has not acknowledged and
// forgets the messages it has.
func (s *tcpSender) look() {
	n, ok := unacked(s.conn)
	if !ok {
		s.outq = -1
		if len(s.flight) > maxFlight {
			s.flight = append(s.flight[:0], s.flight[len(s.flight)-maxFlight:]...)
		}
		return
	}
	s.outq = n
	acked := s.total - uint64(n)
	i := 0
	for i < len(s.flight)-1 && s.flight[i].end <= acked {
		i++
	}
	s.flight = append(s.flight[:0], s.flight[i:]...)
}

// possiblyLost counts the data records of the messages not acknowledged
// at the last look; nextSeq is the sequence number of the message after
// them.
func (s *tcpSender) possiblyLost(nextSeq uint32) uint64 {
	acked := uint64(0)
	if s.outq >= 0 {
		acked = s.total - uint64(s.outq)
	}
	for _, m := range s.flight {
		if m.end > acked {
			return uint64(nextSeq - m.seq)
		}
	}
	return 0
}

// broke ends a connection that failed: it counts what the collector may
// not have received and starts the outage. nextSeq is the sequence number
// of the message about to be sent again.
func (s *tcpSender) broke(err error, nextSeq uint32) {
	if n, ok := unacked(s.conn); ok {
		s.outq = n // the queue is still there: a fresher figure
	}
	lost := s.possiblyLost(nextSeq)
	s.drop()
	s.lastErr = err
	switch {
	case time.Since(s.since) >= stableAfter:
		s.backoff, s.downSince, s.attempts = 0, time.Now(), 0
	default:
		// A connection dropped this soon is a failed attempt of the outage
		// before it (if any): a collector that accepts and at once closes
		// or resets is retried with growing waits and given up on after
		// RetryFor, like one that refuses.
		s.downSince, s.attempts = s.prevDown, s.prevAttempts+1
		if s.downSince.IsZero() {
			s.downSince = time.Now()
		}
		s.backoff = min(max(2*s.backoff, s.cfg.RetryMin), s.cfg.RetryMax)
	}
	s.st.update(func(st *Stats) {
		st.PossiblyLost += lost
		st.State, st.DownSince, st.LastError = StateConnecting, s.downSince, err.Error()
		st.Attempts = s.attempts
	})
}

// drop closes the connection and waits for its watcher.
func (s *tcpSender) drop() {
	if s.conn == nil {
		return
	}
	_ = s.conn.Close()
	<-s.done
	s.conn = nil
}

// Close half-closes the connection and waits, up to Linger, for the
// collector to close its side, which it does once it has read everything.
// Whatever is then still unacknowledged counts as possibly lost.
func (s *tcpSender) Close(ctx context.Context, nextSeq uint32) error {
	if s.conn == nil {
		s.st.update(func(st *Stats) { st.State = StateClosed })
		return nil
	}
	if err := s.conn.CloseWrite(); err != nil {
		s.broke(err, nextSeq)
		s.st.update(func(st *Stats) { st.State, st.DownSince = StateClosed, time.Time{} })
		return nil
	}
	t := time.NewTimer(s.cfg.Linger)
	defer t.Stop()
	var err error
	select {
	case err = <-s.watch:
	case <-t.C:
	case <-ctx.Done():
		s.drop()
		return ctxError(ctx, s.cfg.URL)
	}
	if n, ok := unacked(s.conn); ok {
		s.outq = max(n-1, 0) // the FIN takes one sequence number
	}
	lost := s.possiblyLost(nextSeq)
	s.drop()
	s.st.update(func(st *Stats) {
		st.PossiblyLost += lost
		st.State = StateClosed
		if err != nil && err != errPeerClosed {
			st.LastError = err.Error()
		}
	})
	return nil
}

// Abort drops the connection; after Close it does nothing.
func (s *tcpSender) Abort() {
	if s.st.get().State == StateClosed {
		return
	}
	s.drop()
	s.st.update(func(st *Stats) { st.State = StateFailed })
}
