package export

import (
	"bytes"
	"context"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/ipfixweb/ipfixweb/protocol/flow"
	"github.com/ipfixweb/ipfixweb/protocol/ipfix"
)

// stream is an encoded export: its messages in order, and the encoder
// that made them, for the greeting of a new connection.
type stream struct {
	enc  *ipfix.Encoder
	msgs [][]byte
}

// encodeRecords encodes n distinct flow records (each its own source
// port and octet count), IPv4 and IPv6 in turn, into messages of at most
// size octets.
func encodeRecords(tb testing.TB, n, size int) *stream {
	tb.Helper()
	s := &stream{}
	s.enc = ipfix.NewEncoder(ipfix.EncoderConfig{MaxMessageSize: size, ObservationDomain: 9},
		func(m []byte) error {
			s.msgs = append(s.msgs, bytes.Clone(m))
			return nil
		})
	for i := range n {
		r := flow.Record{Key: flow.Key{Src: netip.MustParseAddr("192.0.2.1"),
			Dst: netip.MustParseAddr("198.51.100.2"), SrcPort: uint16(i), DstPort: 443, Proto: 6},
			Fwd:       flow.Counters{Start: 1.7e18, End: 1.7e18 + 1e9, Packets: 3, Octets: uint64(1000 + i)},
			EndReason: flow.EndOfFlow}
		if i%2 == 1 {
			r.Key.Src, r.Key.Dst = netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("2001:db8::2")
		}
		if err := s.enc.Add(&r); err != nil {
			tb.Fatal(err)
		}
	}
	if err := s.enc.Flush(); err != nil {
		tb.Fatal(err)
	}
	return s
}

// greeting is the Config.Greeting of the stream.
func (s *stream) greeting(next []byte) [][]byte {
	return s.enc.TemplateMessages(ipfix.MessageSequence(next))
}

// records decodes a stream strictly (a data set without its template, a
// sequence number that jumps: any warning fails tb) and returns the
// source ports of its flow records, in order.
func records(tb testing.TB, data []byte) []uint16 {
	tb.Helper()
	msgs, err := ipfix.ReadAllStrict(bytes.NewReader(data))
	if err != nil {
		tb.Fatalf("decode: %v", err)
	}
	var ports []uint16
	for _, r := range ipfix.DataRecords(msgs) {
		for _, f := range r.Fields {
			if f.IE.ID == 7 && f.IE.Enterprise == 0 {
				ports = append(ports, uint16(f.Value.(uint64)))
			}
		}
	}
	return ports
}

// freePort returns a loopback address with a port nothing listens on, of
// the network's kind.
func freePort(tb testing.TB, network string) string {
	tb.Helper()
	var addr string
	switch network {
	case "udp":
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			tb.Fatal(err)
		}
		addr = c.LocalAddr().String()
		c.Close()
	default:
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			tb.Fatal(err)
		}
		addr = l.Addr().String()
		l.Close()
	}
	return addr
}

// mustURL parses a collector URL.
func mustURL(tb testing.TB, s string) URL {
	tb.Helper()
	u, err := ParseURL(s)
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

// testContext is a context that ends with the test, or after a minute.
func testContext(tb testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	tb.Cleanup(cancel)
	return ctx
}

// eventually polls cond every 5 ms until it holds, failing tb after 20 s.
func eventually(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	for end := time.Now().Add(20 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(end) {
			tb.Fatalf("still waiting for %s", what)
		}
	}
}
