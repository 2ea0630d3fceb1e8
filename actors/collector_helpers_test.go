package actors

import (
	"testing"
	"time"

	"github.com/ipfixweb/ipfixweb/internal/collectortest"
	"github.com/ipfixweb/ipfixweb/internal/export"
)

// collectorURL parses the URL of a test collector.
func collectorURL(tb testing.TB, s string) export.URL {
	tb.Helper()
	u, err := export.ParseURL(s)
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

// tcpSink is a TCP collector that reads one connection to its end, once
// release is closed (at once when it is nil).
type tcpSink struct {
	*collectortest.TCP
	data chan []byte
}

func newTCPSink(tb testing.TB, release <-chan struct{}) *tcpSink {
	tb.Helper()
	s := &tcpSink{TCP: collectortest.ListenTCP(tb), data: make(chan []byte, 1)}
	go func() {
		if release != nil {
			<-release
		}
		b, _ := s.ReadAll() // an error leaves b short, which the test sees
		s.data <- b
	}()
	return s
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
