package export

import (
	"context"
	"errors"
	"fmt"
	"net"
	"syscall"

	"golang.org/x/time/rate"
)

// udpSender sends each message as one datagram on a connected UDP
// socket, so the kernel reports ICMP port-unreachable answers to it.
type udpSender struct {
	cfg   Config
	conn  *net.UDPConn
	limit *rate.Limiter // nil without a rate cap
	st    box
}

func newUDP(cfg Config) *udpSender {
	s := &udpSender{cfg: cfg}
	if cfg.Rate > 0 {
		// A burst of a hundredth of a second keeps the pace even.
		s.limit = rate.NewLimiter(rate.Limit(cfg.Rate), max(1, int(cfg.Rate/100)))
	}
	s.st.s = Stats{Collector: cfg.URL.String(), State: StateConnecting}
	return s
}

func (s *udpSender) Open(ctx context.Context) error {
	var d net.Dialer
	c, err := d.DialContext(ctx, "udp", s.cfg.URL.Addr())
	if err != nil {
		s.st.update(func(st *Stats) { st.State, st.LastError = StateFailed, err.Error() })
		return fmt.Errorf("collector %s: %w", s.cfg.URL, err)
	}
	s.conn = c.(*net.UDPConn)
	if s.cfg.SendBuffer > 0 {
		_ = s.conn.SetWriteBuffer(s.cfg.SendBuffer) // a hint; the default works too
	}
	s.st.update(func(st *Stats) { st.State = StateConnected })
	return nil
}

// Send sends msg as one datagram. An ICMP port-unreachable report of an
// earlier datagram comes back as the error of this write, which then
// sent nothing (the kernel clears the report as it returns it): the
// report is counted and the datagram sent again, once.
func (s *udpSender) Send(ctx context.Context, msg []byte) error {
	if s.conn == nil {
		return fmt.Errorf("collector %s: not open", s.cfg.URL)
	}
	if s.limit != nil {
		if err := s.limit.Wait(ctx); err != nil {
			return ctxError(ctx, s.cfg.URL)
		}
	}
	for try := 0; ; try++ {
		_, err := s.conn.Write(msg)
		switch {
		case err == nil:
			s.st.sent(len(msg))
			return nil
		case errors.Is(err, syscall.ECONNREFUSED):
			s.st.update(func(st *Stats) {
				st.Refused++
				st.LastError = err.Error()
			})
			if try == 0 {
				continue
			}
			return nil // refused twice in a row: this datagram is lost
		default:
			s.st.fault(err)
			return fmt.Errorf("collector %s: %w", s.cfg.URL, err)
		}
	}
}

func (s *udpSender) Close(context.Context, uint32) error {
	if s.conn == nil {
		return nil
	}
	err := s.conn.Close()
	s.conn = nil
	s.st.update(func(st *Stats) { st.State = StateClosed })
	if err != nil {
		return fmt.Errorf("collector %s: %w", s.cfg.URL, err)
	}
	return nil
}

func (s *udpSender) Abort() {
	if s.conn != nil {
		_ = s.conn.Close()
		s.conn = nil
		s.st.update(func(st *Stats) { st.State = StateFailed })
	}
}

func (s *udpSender) Stats() Stats { return s.st.get() }
