package flow

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/ipfixweb/ipfixweb/protocol/packet"
)

// streamGen makes random packet streams over few hosts and ports, so that
// connections collide, close, reopen, time out and get evicted.
type streamGen struct {
	r     *rand.Rand
	clock int64
	frags bool
}

var propHosts = [2][]netip.Addr{
	{netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2"),
		netip.MustParseAddr("198.51.100.3")},
	{netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("2001:db8::2"),
		netip.MustParseAddr("::ffff:192.0.2.1")},
}

func (g *streamGen) packet() packet.Packet {
	r := g.r
	g.clock += r.Int64N(int64(3 * time.Second))
	hosts := propHosts[r.IntN(2)]
	p := packet.Packet{
		Time: g.clock - r.Int64N(int64(200*time.Millisecond)), // slightly out of order
		Src:  hosts[r.IntN(len(hosts))], Dst: hosts[r.IntN(len(hosts))],
		Proto:   []uint8{protoTCP, protoTCP, protoUDP, protoICMP, 47}[r.IntN(5)],
		Octets:  20 + r.Uint32N(1500),
		TTL:     uint8(r.Uint32()),
		VLAN:    []uint16{0, 0, 5}[r.IntN(3)],
		SrcPort: []uint16{80, 1000, 1001}[r.IntN(3)],
		DstPort: []uint16{80, 1000, 1001}[r.IntN(3)],
	}
	if p.Proto == 47 {
		p.SrcPort, p.DstPort = 0, 0
	}
	if p.Proto == protoTCP {
		p.TCPFlags = []uint16{flagSYN, flagSA, flagACK, flagPA, flagFA, flagRA, tcpRST}[r.IntN(7)]
	}
	if g.frags && r.IntN(8) == 0 {
		p.Fragmented, p.FragID = true, r.Uint32N(4)
		p.FirstFrag, p.MoreFrags = r.IntN(3) == 0, r.IntN(2) == 0
		if !p.FirstFrag {
			p.SrcPort, p.DstPort, p.TCPFlags = 0, 0, 0
		}
	}
	return p
}

func randomConfig(r *rand.Rand) Config {
	cfg := Config{
		IdleTimeout:   time.Duration(1+r.IntN(10)) * time.Second,
		ActiveTimeout: time.Duration(2+r.IntN(20)) * time.Second,
		Biflow:        r.IntN(2) == 0,
		MaxFlows:      1 + r.IntN(20),
		MaxFragments:  1 + r.IntN(8),
	}
	if r.IntN(4) == 0 {
		cfg.Protocols, _ = ParseProtocols([]string{"tcp", "icmp"})
	}
	return cfg
}

type tally struct{ packets, octets uint64 }

func TestPropertyConservation(t *testing.T) {
	for seed := range uint64(300) {
		r := rand.New(rand.NewPCG(seed, 7))
		cfg := randomConfig(r)
		withFrags := seed%2 == 0
		t.Run(fmt.Sprintf("seed%d", seed), func(t *testing.T) {
			g := &streamGen{r: r, clock: ms(baseMS), frags: withFrags}
			tbl := NewTable(cfg)
			var out []Record
			var in tally
			perKey := map[Key]tally{} // by direction, when there are no fragments
			minT, maxT := int64(1<<63-1), int64(-1<<63)
			n := 50 + r.IntN(400)
			for range n {
				p := g.packet()
				if r.IntN(20) == 0 {
					out = tbl.Advance(g.clock+r.Int64N(int64(5*time.Second)), out)
				}
				out = tbl.Add(&p, out)
				if err := tbl.checkInvariants(); err != nil {
					t.Fatal(err)
				}
				if !cfg.Protocols.Has(p.Proto) {
					continue
				}
				in.packets++
				in.octets += uint64(p.Octets)
				minT, maxT = min(minT, p.Time), max(maxT, p.Time)
				k := Key{Src: p.Src, Dst: p.Dst, SrcPort: p.SrcPort, DstPort: p.DstPort,
					Proto: p.Proto, VLAN: p.VLAN}
				perKey[k] = tally{perKey[k].packets + 1, perKey[k].octets + uint64(p.Octets)}
			}
			out = tbl.Flush(EndForced, out)

			var sum tally
			outKey := map[Key]tally{}
			for _, rec := range out {
				checkRecord(t, &rec, cfg.Biflow, minT, maxT)
				for _, d := range []struct {
					c Counters
					k Key
				}{{rec.Fwd, rec.Key}, {rec.Rev, rec.Key.Reverse()}} {
					sum.packets += d.c.Packets
					sum.octets += d.c.Octets
					o := outKey[d.k]
					outKey[d.k] = tally{o.packets + d.c.Packets, o.octets + d.c.Octets}
				}
			}
			if sum != in {
				t.Errorf("records hold %+v, input was %+v", sum, in)
			}
			if !withFrags {
				for k, v := range perKey {
					if outKey[k] != v {
						t.Errorf("%s: records hold %+v, input was %+v", keyString(k), outKey[k], v)
					}
				}
			}
			st := tbl.Stats()
			if tbl.Len() != 0 || st.Records != uint64(len(out)) || st.Packets != uint64(n) {
				t.Errorf("after Flush: Len %d, stats %+v, %d records, %d packets",
					tbl.Len(), st, len(out), n)
			}
		})
	}
}

func checkRecord(tb testing.TB, r *Record, biflow bool, minT, maxT int64) {
	tb.Helper()
	if r.Fwd.Packets+r.Rev.Packets == 0 {
		tb.Errorf("empty record %+v", r)
	}
	if r.Biflow != biflow || !biflow && r.Rev != (Counters{}) {
		tb.Errorf("record %+v in biflow=%v mode", r, biflow)
	}
	for _, c := range []Counters{r.Fwd, r.Rev} {
		if c.Packets != 0 && (c.Start > c.End || c.Start < minT || c.End > maxT) {
			tb.Errorf("counters %+v outside [%d, %d] or start after end", c, minT, maxT)
		}
	}
	if r.Start() > r.End() || r.EndReason < EndIdle || r.EndReason > EndResource {
		tb.Errorf("record %+v: start after end or bad reason", r)
	}
	if r.EndReason == EndOfFlow && r.Key.Proto != protoTCP {
		tb.Errorf("non-TCP record ended with EndOfFlow: %+v", r)
	}
	if want := uint8(4 + 2*btoi(r.Key.Src.Is6())); r.IPVersion != want {
		tb.Errorf("IPVersion %d for %s", r.IPVersion, keyString(r.Key))
	}
}

func TestIndexChurn(t *testing.T) {
	// Thousands of flows, opened and idled out continually: the index
	// grows, and deletions shift runs back, while every flow stays found.
	r := rand.New(rand.NewPCG(3, 4))
	tbl := NewTable(Config{IdleTimeout: time.Second, MaxFlows: 3000})
	var out []Record
	var packets uint64
	now := ms(baseMS)
	for i := range 40_000 {
		now += int64(50 * time.Microsecond)
		p := udp(0, client, uint16(r.IntN(5000)), server, 53, 60)
		p.Time = now
		out = tbl.Add(&p, out[:0])
		packets++
		for _, rec := range out {
			packets -= rec.Fwd.Packets
		}
		if i%1000 == 0 {
			if err := tbl.checkInvariants(); err != nil {
				t.Fatalf("after %d packets: %v", i, err)
			}
		}
	}
	if tbl.Stats().Evicted == 0 || tbl.Len() < 2000 {
		t.Errorf("churn did not fill the table: Len %d, stats %+v", tbl.Len(), tbl.Stats())
	}
	out = tbl.Flush(EndForced, out[:0])
	for _, rec := range out {
		packets -= rec.Fwd.Packets
	}
	if packets != 0 {
		t.Errorf("%d packets missing from the records", packets)
	}
}

func TestAddBatchSameAsAdd(t *testing.T) {
	for seed := range uint64(100) {
		r := rand.New(rand.NewPCG(seed, 11))
		cfg := randomConfig(r)
		g := &streamGen{r: r, clock: ms(baseMS), frags: seed%2 == 0}
		pkts := make([]packet.Packet, 50+r.IntN(600))
		for i := range pkts {
			pkts[i] = g.packet()
		}
		one, batched := NewTable(cfg), NewTable(cfg)
		var want, have []Record
		var wantLast, haveLast []Conn
		for i := range pkts {
			want = one.Add(&pkts[i], want)
			c, _ := one.Last()
			wantLast = append(wantLast, c)
		}
		for rest := pkts; len(rest) > 0; {
			n := min(len(rest), r.IntN(40))
			if seed%2 == 0 {
				have = batched.AddBatch(rest[:n], have)
				rest = rest[n:]
				continue
			}
			have = batched.AddBatchFunc(rest[:n], have, func(i int, out []Record) []Record {
				c, _ := batched.Last()
				haveLast = append(haveLast, c)
				return out
			})
			rest = rest[n:]
		}
		if seed%2 == 1 && !slices.Equal(haveLast, wantLast) {
			t.Fatalf("seed %d: Last during AddBatchFunc differs from Last after Add", seed)
		}
		want = one.Flush(EndForced, want)
		have = batched.Flush(EndForced, have)
		if len(have) != len(want) || one.Stats() != batched.Stats() {
			t.Fatalf("seed %d: %d records, stats %+v; Add gave %d, %+v",
				seed, len(have), batched.Stats(), len(want), one.Stats())
		}
		for i := range want {
			if have[i] != want[i] {
				t.Fatalf("seed %d record %d:\n have %+v\n want %+v", seed, i, have[i], want[i])
			}
		}
	}
}

// TestFlushSomeSameAsFlush flushes random tables a few connections at a
// time, with packets metered between the pieces by a twin table flushed
// the same way: the records are those of Flush, in its order, and the
// table works on after.
func TestFlushSomeSameAsFlush(t *testing.T) {
	for seed := range uint64(100) {
		r := rand.New(rand.NewPCG(seed, 12))
		cfg := randomConfig(r)
		cfg.MaxFlows = 1 + r.IntN(3000)
		g := &streamGen{r: r, clock: ms(baseMS), frags: seed%2 == 0}
		whole, pieces := NewTable(cfg), NewTable(cfg)
		var want, have []Record
		for range 2 {
			for range 50 + r.IntN(2000) {
				p := g.packet()
				want = whole.Add(&p, want)
				have = pieces.Add(&p, have)
			}
			want = whole.Flush(EndForced, want)
			for done := false; !done; {
				have, done = pieces.FlushSome(EndForced, 1+r.IntN(50), have)
				if err := pieces.checkInvariants(); err != nil {
					t.Fatalf("seed %d: %v", seed, err)
				}
			}
			if pieces.Len() != 0 {
				t.Fatalf("seed %d: %d connections left after the flush", seed, pieces.Len())
			}
		}
		if len(have) != len(want) || whole.Stats() != pieces.Stats() {
			t.Fatalf("seed %d: %d records, stats %+v; Flush gave %d, %+v",
				seed, len(have), pieces.Stats(), len(want), whole.Stats())
		}
		for i := range want {
			if have[i] != want[i] {
				t.Fatalf("seed %d record %d:\n have %+v\n want %+v", seed, i, have[i], want[i])
			}
		}
	}
}
