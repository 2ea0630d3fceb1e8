package flow

import (
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/ipfixweb/ipfixweb/protocol/packet"
)

func randAddr(r *rand.Rand, v6 bool) netip.Addr {
	if v6 {
		var b [16]byte
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return netip.AddrFrom16(b)
	}
	return netip.AddrFrom4([4]byte{byte(r.Uint32()), byte(r.Uint32()), byte(r.Uint32()),
		byte(r.Uint32())})
}

func TestShardOf(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{2, 3, 8, 16, 1000} {
		counts := make([]int, n)
		const flows = 20000
		for i := range flows {
			p := packet.Packet{Src: randAddr(r, i%4 == 0), Proto: protoTCP,
				SrcPort: uint16(r.Uint32()), DstPort: 443}
			p.Dst = randAddr(r, p.Src.Is6())
			s := ShardOf(&p, n)
			if s < 0 || s >= n {
				t.Fatalf("ShardOf(_, %d) = %d", n, s)
			}
			counts[s]++
			q := packet.Packet{Src: p.Dst, Dst: p.Src, SrcPort: p.DstPort, DstPort: p.SrcPort,
				Proto: protoTCP}
			if got := ShardOf(&q, n); got != s {
				t.Fatalf("not symmetric: %v->%v in %d, reverse in %d", p.Src, p.Dst, s, got)
			}
			f := packet.Packet{Src: p.Src, Dst: p.Dst, Proto: protoTCP, Fragmented: true,
				FragID: 9}
			if got := ShardOf(&f, n); got != s {
				t.Fatalf("fragment of %v->%v in shard %d, its flow in %d", p.Src, p.Dst, got, s)
			}
		}
		if n <= 16 {
			mean := flows / n
			for i, c := range counts {
				if c < mean*8/10 || c > mean*12/10 {
					t.Errorf("n=%d: shard %d holds %d flows, mean %d", n, i, c, mean)
				}
			}
		}
	}
}

func TestShardOfStable(t *testing.T) {
	// Fixed values: a change of the hash moves flows between shards of a
	// running cluster and between checkpoints, so it must be deliberate.
	p := udp(0, client, 40120, server, 9999, 100)
	q := tcp(0, "2001:db8::10", 1, "2001:db8::20", 2, 0, 60)
	for _, tc := range []struct {
		name string
		p    *packet.Packet
		n    int
		want int
	}{
		{name: "one shard", p: &p, n: 1, want: 0},
		{name: "zero shards", p: &p, n: 0, want: 0},
		{name: "v4 of 8", p: &p, n: 8, want: shardV4of8},
		{name: "v4 of 1000", p: &p, n: 1000, want: shardV4of1000},
		{name: "v6 of 8", p: &q, n: 8, want: shardV6of8},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ShardOf(tc.p, tc.n); got != tc.want {
				t.Errorf("ShardOf = %d, want %d", got, tc.want)
			}
		})
	}
}

// Shards of the fixed packets in TestShardOfStable, as first computed.
const (
	shardV4of8    = 4
	shardV4of1000 = 566
	shardV6of8    = 4
)
