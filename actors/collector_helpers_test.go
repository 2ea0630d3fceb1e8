package actors

import (
	"bytes"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/ipfixweb/ipfixweb/internal/export"
)

// udpSink is a UDP collector for tests: it keeps every datagram.
type udpSink struct {
	pc   net.PacketConn
	mu   sync.Mutex
	msgs [][]byte
}

func newUDPSink(tb testing.TB) *udpSink {
	tb.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	_ = pc.(*net.UDPConn).SetReadBuffer(8 << 20)
	s := &udpSink{pc: pc}
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

func (s *udpSink) url(tb testing.TB) export.URL {
	tb.Helper()
	u, err := export.ParseURL("udp://" + s.pc.LocalAddr().String())
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

// datagrams waits until n datagrams have come, and returns them.
func (s *udpSink) datagrams(tb testing.TB, n uint64) [][]byte {
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
	return s.msgs
}

// tcpSink is a TCP collector for tests that reads one connection to its
// end, once release is closed (at once when it is nil).
type tcpSink struct {
	ln   net.Listener
	data chan []byte
}

func newTCPSink(tb testing.TB, release <-chan struct{}) *tcpSink {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	s := &tcpSink{ln: ln, data: make(chan []byte, 1)}
	go func() {
		c, err := ln.Accept()
		if err != nil {
			s.data <- nil
			return
		}
		defer c.Close()
		if release != nil {
			<-release
		}
		b, _ := io.ReadAll(c)
		s.data <- b
	}()
	tb.Cleanup(func() { ln.Close() })
	return s
}

func (s *tcpSink) url(tb testing.TB) export.URL {
	tb.Helper()
	u, err := export.ParseURL("tcp://" + s.ln.Addr().String())
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

// stream returns what the collector read, once the connection ended.
func (s *tcpSink) stream(tb testing.TB) []byte {
	tb.Helper()
	select {
	case b := <-s.data:
		return b
	case <-time.After(30 * time.Second):
		tb.Fatal("the collector's connection did not end")
		return nil
	}
}
