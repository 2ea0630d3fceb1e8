package collectortest

import (
	"bytes"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/ipfixweb/ipfixweb/protocol/ipfix"
)

// UDP is a UDP collector that keeps every datagram it receives.
type UDP struct {
	pc   net.PacketConn
	mu   sync.Mutex
	msgs [][]byte
}

// ListenUDP starts a UDP collector on a free loopback port; it stops with
// the test.
func ListenUDP(tb testing.TB) *UDP {
	tb.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	_ = pc.(*net.UDPConn).SetReadBuffer(8 << 20)
	s := &UDP{pc: pc}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 65536)
		for {
			n, _, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			s.mu.Lock()
			s.msgs = append(s.msgs, bytes.Clone(buf[:n]))
			s.mu.Unlock()
		}
	}()
	tb.Cleanup(func() {
		pc.Close()
		<-done
	})
	return s
}

// URL returns "udp://127.0.0.1:PORT".
func (s *UDP) URL() string { return "udp://" + s.pc.LocalAddr().String() }

// Datagrams waits until n datagrams have come (failing tb after 20 s) and
// returns them.
func (s *UDP) Datagrams(tb testing.TB, n uint64) [][]byte {
	tb.Helper()
	for end := time.Now().Add(20 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		s.mu.Lock()
		got := len(s.msgs)
		s.mu.Unlock()
		if uint64(got) >= n {
			break
		}
		if time.Now().After(end) {
			tb.Fatalf("%d datagrams came, %d were sent", got, n)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]byte(nil), s.msgs...)
}

// TCP is a TCP collector on a fixed loopback port.
type TCP struct {
	addr string
	ln   net.Listener
}

// ListenTCP starts a TCP collector on a free loopback port; it stops with
// the test.
func ListenTCP(tb testing.TB) *TCP {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	c := &TCP{addr: ln.Addr().String(), ln: ln}
	tb.Cleanup(func() { c.ln.Close() })
	return c
}

// URL returns "tcp://127.0.0.1:PORT".
func (c *TCP) URL() string { return "tcp://" + c.addr }

// ReadAll accepts the next connection and returns what it carried once
// the exporter closed it; the collector then closes its side. It may run
// on a goroutine of its own.
func (c *TCP) ReadAll() ([]byte, error) {
	conn, err := c.ln.Accept()
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	return io.ReadAll(conn)
}

// Restart listens again on the collector's port, after a Crash.
func (c *TCP) Restart(tb testing.TB) {
	tb.Helper()
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		tb.Fatal(err)
	}
	c.ln = ln
}

// Complete returns the longest prefix of b made of whole IPFIX messages.
func Complete(b []byte) []byte {
	n := 0
	for len(b)-n >= 4 {
		l := int(b[n+2])<<8 | int(b[n+3])
		if l < 16 || n+l > len(b) {
			break
		}
		n += l
	}
	return b[:n]
}

// DataRecords decodes a stream strictly (any warning fails tb) and
// returns its data records, options records included, in order.
func DataRecords(tb testing.TB, stream []byte) []*ipfix.Record {
	tb.Helper()
	msgs, err := ipfix.ReadAllStrict(bytes.NewReader(stream))
	if err != nil {
		tb.Fatalf("decode: %v", err)
	}
	var out []*ipfix.Record
	for _, m := range msgs {
		for i := range m.Sets {
			for j := range m.Sets[i].Records {
				out = append(out, &m.Sets[i].Records[j])
			}
		}
	}
	return out
}
