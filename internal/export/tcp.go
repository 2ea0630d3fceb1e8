package export

import (
	"context"
	"errors"
	"io"
	"net"
	"time"

	"github.com/ipfixweb/ipfixweb/protocol/ipfix"
)

// Limits of a TCP stream.
const (
	dialTimeout = 5 * time.Second
	// stableAfter is how long a connection must have lasted for its
	// break to be met by an immediate reconnection; a collector that
	// drops connections sooner is retried with backoff.
	stableAfter = time.Second
	// maxFlight bounds the messages kept to count possible losses when
	// the system cannot tell what is unacknowledged.
	maxFlight = 1024
)

// errPeerClosed is what the watcher reports when the collector closes
// its side: IPFIX collectors send nothing, so this ends the stream.
var errPeerClosed = errors.New("the collector closed the connection")

// tcpSender streams messages on one TCP connection at a time.
type tcpSender struct {
	cfg Config
	st  box

	conn   *net.TCPConn
	since  time.Time     // when conn was made
	watch  chan error    // the watcher's one report; capacity 1
	done   chan struct{} // closed when the watcher has returned
	total  uint64        // octets written on conn
	outq   int           // of them unacknowledged at the last look; -1 unknown
	flight []sentMessage // messages on conn whose octets may be unacknowledged
	spoke  bool          // a message was sent on some connection

	downSince time.Time // start of the current outage; zero when none
	attempts  int       // failed connection attempts in the outage
	// The outage conn ended and its attempts: conn resumes it if it
	// breaks before lasting stableAfter.
	prevDown     time.Time
	prevAttempts int
	lastErr      error         // of the latest attempt or break
	backoff      time.Duration // wait before the next attempt; 0 for none
}

// sentMessage is a message written on the connection: where it ends in
// the connection's octets, and its sequence number.
type sentMessage struct {
	end uint64
	seq uint32
}

func newTCP(cfg Config) *tcpSender {
	s := &tcpSender{cfg: cfg}
	s.st.s = Stats{Collector: cfg.URL.String(), State: StateConnecting}
	return s
}

func (s *tcpSender) Open(ctx context.Context) error { return s.connect(ctx) }

// Send writes msg, reconnecting as often as the collector goes away: a
// new connection gets the greeting first, then msg whole, even when part
// of it went out on the broken one.
func (s *tcpSender) Send(ctx context.Context, msg []byte) error {
	seq := ipfix.MessageSequence(msg)
	for {
		if ctx.Err() != nil {
			s.drop()
			return ctxError(ctx, s.cfg.URL)
		}
		if s.conn == nil {
			if err := s.connect(ctx); err != nil {
				return err
			}
			if err := s.greet(ctx, msg); err != nil {
				if ctx.Err() != nil {
					s.drop()
					return ctxError(ctx, s.cfg.URL)
				}
				s.broke(err, seq)
				continue
			}
		}
		if err := s.peerGone(); err != nil {
			s.broke(err, seq)
			continue
		}
		if err := s.write(ctx, msg); err != nil {
			if ctx.Err() != nil {
				s.drop()
				return ctxError(ctx, s.cfg.URL)
			}
			s.broke(err, seq)
			continue
		}
		s.spoke = true
		return nil
	}
}

// greet writes the greeting on a new connection when an earlier one
// carried messages, so the collector learns the templates first.
func (s *tcpSender) greet(ctx context.Context, next []byte) error {
	if !s.spoke || s.cfg.Greeting == nil {
		return nil
	}
	for _, m := range s.cfg.Greeting(next) {
		if err := s.write(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

// connect makes a connection, waiting between attempts, until one
// succeeds, the outage lasts RetryFor, or ctx ends.
func (s *tcpSender) connect(ctx context.Context) error {
	for {
		if !s.downSince.IsZero() {
			left := s.cfg.RetryFor - time.Since(s.downSince)
			if left <= 0 {
				return s.giveUp()
			}
			if err := sleep(ctx, min(s.backoff, left)); err != nil {
				return ctxError(ctx, s.cfg.URL)
			}
			if time.Since(s.downSince) >= s.cfg.RetryFor {
				return s.giveUp()
			}
		}
		d := net.Dialer{Timeout: dialTimeout}
		c, err := d.DialContext(ctx, "tcp", s.cfg.URL.Addr())
		if err == nil {
			s.attach(c.(*net.TCPConn))
			return nil
		}
		if ctx.Err() != nil {
			return ctxError(ctx, s.cfg.URL)
		}
		s.failed(err)
	}
}

// failed records a failed connection attempt and doubles the wait.
func (s *tcpSender) failed(err error) {
	if s.downSince.IsZero() {
		s.downSince = time.Now()
	}
	s.attempts++
	s.lastErr = err
	switch {
	case s.backoff == 0:
		s.backoff = s.cfg.RetryMin
	default:
		s.backoff = min(2*s.backoff, s.cfg.RetryMax)
	}
	s.st.update(func(st *Stats) {
		st.State, st.DownSince, st.Attempts = StateConnecting, s.downSince, s.attempts
		st.LastError = err.Error()
	})
}

func (s *tcpSender) giveUp() error {
	err := &UnreachableError{Collector: s.cfg.URL.String(), For: time.Since(s.downSince),
		Attempts: s.attempts, Err: s.lastErr}
	s.st.update(func(st *Stats) { st.State, st.LastError = StateFailed, err.Error() })
	return err
}

// attach makes c the stream's connection and starts its watcher.
func (s *tcpSender) attach(c *net.TCPConn) {
	if s.cfg.SendBuffer > 0 {
		_ = c.SetWriteBuffer(s.cfg.SendBuffer) // a hint; the default works too
	}
	s.conn, s.since, s.total, s.outq, s.flight = c, time.Now(), 0, 0, s.flight[:0]
	s.watch, s.done = make(chan error, 1), make(chan struct{})
	go watch(c, s.watch, s.done)
	s.prevDown, s.prevAttempts = s.downSince, s.attempts
	s.downSince, s.attempts = time.Time{}, 0
	s.st.update(func(st *Stats) {
		st.State, st.DownSince, st.Attempts = StateConnected, time.Time{}, 0
		st.Connections++
	})
}

// watch reads the connection until it ends and reports how: a collector
// sends nothing, so any end of its side means it went away.
func watch(c *net.TCPConn, report chan<- error, done chan<- struct{}) {
	defer close(done)
	var buf [512]byte
	for {
		if _, err := c.Read(buf[:]); err != nil {
			if errors.Is(err, net.ErrClosed) {
				err = errAborted
			} else if errors.Is(err, io.EOF) {
				err = errPeerClosed
			}
			report <- err
			return
		}
	}
}

// peerGone returns the watcher's report, if it has one.
func (s *tcpSender) peerGone() error {
	select {
	case err := <-s.watch:
		return err
	default:
		return nil
	}
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *tcpSender) Stats() Stats { return s.st.get() }
