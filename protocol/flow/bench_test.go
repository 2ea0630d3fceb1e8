package flow

import (
	"fmt"
	"math/bits"
	"net/netip"
	"testing"

	"github.com/ipfixweb/ipfixweb/protocol/packet"
)

// benchFlows are the table sizes benchmarked: a small working set that
// fits in cache, and a million concurrent flows that does not.
var benchFlows = []int{1 << 10, 1 << 20}

// benchStream draws packets of n flows at random (uniformly, so nothing
// stays in cache at a million flows); flow i is 10.x.y.z:port ->
// 192.0.2.1:443. fill visits every flow once first.
type benchStream struct {
	n     uint64
	state uint64
	p     packet.Packet
}

func newBenchStream(n int) *benchStream {
	return &benchStream{n: uint64(n), state: 0x9e3779b97f4a7c15,
		p: packet.Packet{Time: ms(baseMS), Dst: netip.MustParseAddr("192.0.2.1"),
			DstPort: 443, Proto: protoTCP, IPVersion: 4, TTL: 64, TCPFlags: flagACK,
			Octets: 1500}}
}

// flow sets up the packet of flow f.
func (s *benchStream) flow(f uint32) *packet.Packet {
	s.p.Time += 100 // 10 M packets per second of capture time
	s.p.Src = netip.AddrFrom4([4]byte{10, byte(f >> 16), byte(f >> 8), byte(f)})
	s.p.SrcPort = uint16(1024 + f%7)
	return &s.p
}

// next sets up the packet of a random flow (xorshift64).
func (s *benchStream) next() *packet.Packet {
	s.state ^= s.state << 13
	s.state ^= s.state >> 7
	s.state ^= s.state << 17
	f, _ := bits.Mul64(s.state, s.n)
	return s.flow(uint32(f))
}

func reportRate(b *testing.B) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pkts/s")
}

// BenchmarkTableAdd meters packets of flows already in the table (the
// steady state). SetBytes(1) makes MB/s read as millions of packets/s.
func BenchmarkTableAdd(b *testing.B) {
	for _, n := range benchFlows {
		for _, biflow := range []bool{false, true} {
			b.Run(fmt.Sprintf("flows=%d/biflow=%v", n, biflow), func(b *testing.B) {
				s := newBenchStream(n)
				tbl := NewTable(Config{Biflow: biflow, MaxFlows: n})
				out := make([]Record, 0, 64)
				for f := range n {
					out = tbl.Add(s.flow(uint32(f)), out[:0])
				}
				b.SetBytes(1)
				b.ReportAllocs()
				b.ResetTimer()
				for range b.N {
					out = tbl.Add(s.next(), out[:0])
				}
				reportRate(b)
			})
		}
	}
}

// BenchmarkTableChurn meters packets of flows that are mostly new: most
// packets open a flow and, the table being full, export the oldest one.
func BenchmarkTableChurn(b *testing.B) {
	s := newBenchStream(1 << 24)
	tbl := NewTable(Config{MaxFlows: 1 << 16})
	out := make([]Record, 0, 64)
	for f := range 1 << 16 {
		out = tbl.Add(s.flow(uint32(f)), out[:0])
	}
	b.SetBytes(1)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		out = tbl.Add(s.next(), out[:0])
	}
	reportRate(b)
}

// tuple is the reference: what a plain Go map keyed on the 5-tuple costs
// for the same packets, without any flow state.
type tuple struct {
	src, dst netip.Addr
	sp, dp   uint16
	proto    uint8
}

func BenchmarkMapReference(b *testing.B) {
	for _, n := range benchFlows {
		b.Run(fmt.Sprintf("flows=%d", n), func(b *testing.B) {
			s := newBenchStream(n)
			m := make(map[tuple]struct{}, n)
			for f := range n {
				p := s.flow(uint32(f))
				m[tuple{p.Src, p.Dst, p.SrcPort, p.DstPort, p.Proto}] = struct{}{}
			}
			b.SetBytes(1)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				p := s.next()
				m[tuple{p.Src, p.Dst, p.SrcPort, p.DstPort, p.Proto}] = struct{}{}
			}
			reportRate(b)
		})
	}
}

// BenchmarkTableAddBatch is BenchmarkTableAdd through AddBatch, in
// batches of 256 packets as the shards send them.
func BenchmarkTableAddBatch(b *testing.B) {
	for _, n := range benchFlows {
		b.Run(fmt.Sprintf("flows=%d", n), func(b *testing.B) {
			s := newBenchStream(n)
			tbl := NewTable(Config{MaxFlows: n})
			out := make([]Record, 0, 64)
			for f := range n {
				out = tbl.Add(s.flow(uint32(f)), out[:0])
			}
			batch := make([]packet.Packet, 256)
			b.SetBytes(1)
			b.ReportAllocs()
			b.ResetTimer()
			for done := 0; done < b.N; done += len(batch) {
				b.StopTimer()
				for i := range batch {
					batch[i] = *s.next()
				}
				b.StartTimer()
				out = tbl.AddBatch(batch, out[:0])
			}
			reportRate(b)
		})
	}
}
