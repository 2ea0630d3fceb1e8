package flow

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/ipfixweb/ipfixweb/protocol/packet"
)

// Times in the bug cases are given in ms since the epoch.
func ms(v int64) int64 { return v * int64(time.Millisecond) }

// base is 2023-11-14T22:13:20Z, where most bug cases start.
const baseMS = 1_700_000_000_000

const (
	client  = "192.0.2.10"
	server  = "198.51.100.20"
	flagSA  = tcpSYN | tcpACK
	flagPA  = 0x08 | tcpACK
	flagFA  = tcpFIN | tcpACK
	flagRA  = tcpRST | tcpACK
	flagSYN = tcpSYN
	flagACK = tcpACK
)

// b20Timeouts are the settings the bug cases assume.
var b20Timeouts = Config{IdleTimeout: 30 * time.Second, ActiveTimeout: 300 * time.Second}

func mkpkt(atMS int64, src string, sp uint16, dst string, dp uint16, proto uint8,
	octets uint32) packet.Packet {
	s, d := netip.MustParseAddr(src), netip.MustParseAddr(dst)
	ver := uint8(4)
	if s.Is6() {
		ver = 6
	}
	return packet.Packet{Time: ms(atMS), Src: s, Dst: d, SrcPort: sp, DstPort: dp,
		Proto: proto, IPVersion: ver, TTL: 64, Octets: octets}
}

func tcp(atMS int64, src string, sp uint16, dst string, dp uint16, flags uint16,
	octets uint32) packet.Packet {
	p := mkpkt(atMS, src, sp, dst, dp, protoTCP, octets)
	p.TCPFlags = flags
	return p
}

func udp(atMS int64, src string, sp uint16, dst string, dp uint16, octets uint32) packet.Packet {
	return mkpkt(atMS, src, sp, dst, dp, protoUDP, octets)
}

// got is the part of a uniflow record the bug cases pin down.
type got struct {
	Flow     string // "src:port>dst:port/proto"
	Packets  uint64
	Octets   uint64
	Flags    uint16
	StartMS  int64
	EndMS    int64
	Reason   EndReason
	FwdOnly  bool // biflow: reverse empty
	RevPkts  uint64
	RevFlags uint16
}

func keyString(k Key) string {
	s := fmt.Sprintf("%s>%s/%d",
		netip.AddrPortFrom(k.Src, k.SrcPort), netip.AddrPortFrom(k.Dst, k.DstPort), k.Proto)
	if k.VLAN != 0 {
		s += fmt.Sprintf("@%d", k.VLAN)
	}
	return s
}

// summarize turns records into gots sorted by start, then flow.
func summarize(tb testing.TB, recs []Record) []got {
	tb.Helper()
	out := make([]got, 0, len(recs))
	for _, r := range recs {
		g := got{Flow: keyString(r.Key), Packets: r.Fwd.Packets, Octets: r.Fwd.Octets,
			Flags: r.Fwd.TCPFlags, StartMS: r.Start() / 1e6, EndMS: r.End() / 1e6,
			Reason: r.EndReason}
		if r.Biflow {
			g.FwdOnly = r.Rev.Packets == 0
			g.RevPkts, g.RevFlags = r.Rev.Packets, r.Rev.TCPFlags
		} else if r.Rev != (Counters{}) {
			tb.Errorf("uniflow record %s has reverse counters %+v", g.Flow, r.Rev)
		}
		out = append(out, g)
	}
	slices.SortFunc(out, func(a, b got) int {
		return cmp.Or(cmp.Compare(a.StartMS, b.StartMS), cmp.Compare(a.Flow, b.Flow))
	})
	return out
}

// meter runs pkts through a new table and flushes it with EndForced. With
// tick > 0 it also calls Advance at every multiple of tick between
// packets, as a shard does between batches.
func meter(tb testing.TB, cfg Config, pkts []packet.Packet, tick time.Duration) []Record {
	tb.Helper()
	t := NewTable(cfg)
	var out []Record
	for i := range pkts {
		if tick > 0 {
			for now := nextTick(t.Clock(), tick); now <= pkts[i].Time; now += int64(tick) {
				out = t.Advance(now, out)
			}
		}
		out = t.Add(&pkts[i], out)
	}
	out = t.Flush(EndForced, out)
	if t.Len() != 0 {
		tb.Errorf("Len after Flush = %d, want 0", t.Len())
	}
	return out
}

func nextTick(clock int64, tick time.Duration) int64 {
	if clock == minClock {
		return 1<<63 - 1 // no clock yet: no ticks before the first packet
	}
	return (clock/int64(tick) + 1) * int64(tick)
}

const minClock = -1 << 63

func checkGots(tb testing.TB, recs []Record, want []got) {
	tb.Helper()
	have := summarize(tb, recs)
	if len(have) != len(want) {
		tb.Errorf("%d records, want %d", len(have), len(want))
	}
	for i := range max(len(have), len(want)) {
		switch {
		case i >= len(have):
			tb.Errorf("missing %+v", want[i])
		case i >= len(want):
			tb.Errorf("extra %+v", have[i])
		case have[i] != want[i]:
			tb.Errorf("record %d:\n have %+v\n want %+v", i, have[i], want[i])
		}
	}
}
