package flow

import (
	"strings"
	"testing"
	"time"

	"github.com/ipfixweb/ipfixweb/protocol/packet"
)

// The packets below are the bug-case captures in /work/shared/bugcases as
// tshark lists them; the wanted values are those of the .expected.txt files.

// at shifts packets given in ms from baseMS.
func at(base int64, pkts ...packet.Packet) []packet.Packet {
	for i := range pkts {
		pkts[i].Time += ms(base)
	}
	return pkts
}

func b20Packets() []packet.Packet {
	c, s := client, server
	pkts := []packet.Packet{
		tcp(0, c, 40201, s, 4444, flagSYN, 40),
		udp(0, c, 40205, s, 5205, 48),
		tcp(1, s, 4444, c, 40201, flagRA, 40),
		tcp(1000, c, 40202, s, 80, flagSYN, 40),
		tcp(1010, s, 80, c, 40202, flagSA, 40),
		tcp(1020, c, 40202, s, 80, flagACK, 40),
		tcp(1030, c, 40202, s, 80, flagPA, 116),
		tcp(1040, s, 80, c, 40202, flagACK, 40),
		tcp(1050, s, 80, c, 40202, flagPA, 109),
		tcp(1060, c, 40202, s, 80, flagACK, 40),
		tcp(1070, c, 40202, s, 80, flagFA, 40),
		tcp(1080, s, 80, c, 40202, flagFA, 40),
		tcp(1090, c, 40202, s, 80, flagACK, 40),
		tcp(2000, c, 40203, s, 80, flagSYN, 40),
		tcp(2010, s, 80, c, 40203, flagSA, 40),
		tcp(2020, c, 40203, s, 80, flagACK, 40),
		tcp(2030, c, 40203, s, 80, flagPA, 116),
		tcp(2040, s, 80, c, 40203, flagACK, 40),
		tcp(2050, c, 40203, s, 80, flagFA, 40),
		tcp(2060, s, 80, c, 40203, flagACK, 40),
		udp(3000, c, 40204, s, 5204, 78),
		udp(4000, c, 40204, s, 5204, 78),
	}
	for t := int64(10_000); t <= 90_000; t += 10_000 {
		pkts = append(pkts, udp(t, c, 40205, s, 5205, 48))
	}
	pkts = append(pkts,
		tcp(99_000, c, 40206, s, 8080, flagSYN, 40),
		tcp(99_010, s, 8080, c, 40206, flagSA, 40),
		tcp(99_020, c, 40206, s, 8080, flagACK, 40),
		tcp(99_030, c, 40206, s, 8080, flagPA, 49),
		tcp(99_040, s, 8080, c, 40206, flagACK, 40),
		udp(100_000, c, 40205, s, 5205, 48),
	)
	return at(baseMS, pkts...)
}

func TestB20EndReasonsAndFlags(t *testing.T) {
	const b = baseMS
	want := []got{
		{Flow: "192.0.2.10:40201>198.51.100.20:4444/6", Packets: 1, Octets: 40, Flags: 0x02,
			StartMS: b, EndMS: b, Reason: EndOfFlow},
		{Flow: "192.0.2.10:40205>198.51.100.20:5205/17", Packets: 11, Octets: 528,
			StartMS: b, EndMS: b + 100_000, Reason: EndForced},
		{Flow: "198.51.100.20:4444>192.0.2.10:40201/6", Packets: 1, Octets: 40, Flags: 0x14,
			StartMS: b + 1, EndMS: b + 1, Reason: EndOfFlow},
		{Flow: "192.0.2.10:40202>198.51.100.20:80/6", Packets: 6, Octets: 316, Flags: 0x1b,
			StartMS: b + 1000, EndMS: b + 1090, Reason: EndOfFlow},
		{Flow: "198.51.100.20:80>192.0.2.10:40202/6", Packets: 4, Octets: 229, Flags: 0x1b,
			StartMS: b + 1010, EndMS: b + 1080, Reason: EndOfFlow},
		{Flow: "192.0.2.10:40203>198.51.100.20:80/6", Packets: 4, Octets: 236, Flags: 0x1b,
			StartMS: b + 2000, EndMS: b + 2050, Reason: EndOfFlow},
		{Flow: "198.51.100.20:80>192.0.2.10:40203/6", Packets: 3, Octets: 120, Flags: 0x12,
			StartMS: b + 2010, EndMS: b + 2060, Reason: EndOfFlow},
		{Flow: "192.0.2.10:40204>198.51.100.20:5204/17", Packets: 2, Octets: 156,
			StartMS: b + 3000, EndMS: b + 4000, Reason: EndIdle},
		{Flow: "192.0.2.10:40206>198.51.100.20:8080/6", Packets: 3, Octets: 129, Flags: 0x1a,
			StartMS: b + 99_000, EndMS: b + 99_030, Reason: EndForced},
		{Flow: "198.51.100.20:8080>192.0.2.10:40206/6", Packets: 2, Octets: 80, Flags: 0x12,
			StartMS: b + 99_010, EndMS: b + 99_040, Reason: EndForced},
	}
	for _, tc := range []struct {
		name string
		tick time.Duration
	}{
		{name: "packets only", tick: 0},
		{name: "advance every second", tick: time.Second},
		{name: "advance every 7 s", tick: 7 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkGots(t, meter(t, b20Timeouts, b20Packets(), tc.tick), want)
		})
	}
}

func TestB20Streaming(t *testing.T) {
	// A's RST connection ends after its linger, B's after the FINs and the
	// last ACK, C and D on the idle timeout: all before the input ends.
	tbl := NewTable(b20Timeouts)
	pkts := b20Packets()
	var out []Record
	for i := range pkts {
		out = tbl.Add(&pkts[i], out)
	}
	if len(out) != 7 {
		t.Errorf("%d records before Flush, want 7: %+v", len(out), summarize(t, out))
	}
	if n := tbl.Len(); n != 2 {
		t.Errorf("Len = %d before Flush, want 2 (E and F)", n)
	}
	if s := tbl.Stats(); s.Packets != uint64(len(pkts)) || s.Flows != 6 || s.Records != 7 {
		t.Errorf("Stats = %+v", s)
	}
}

func TestB20Biflow(t *testing.T) {
	const b = baseMS
	cfg := b20Timeouts
	cfg.Biflow = true
	want := []got{
		{Flow: "192.0.2.10:40201>198.51.100.20:4444/6", Packets: 1, Octets: 40, Flags: 0x02,
			StartMS: b, EndMS: b + 1, Reason: EndOfFlow, RevPkts: 1, RevFlags: 0x14},
		{Flow: "192.0.2.10:40205>198.51.100.20:5205/17", Packets: 11, Octets: 528,
			StartMS: b, EndMS: b + 100_000, Reason: EndForced, FwdOnly: true},
		{Flow: "192.0.2.10:40202>198.51.100.20:80/6", Packets: 6, Octets: 316, Flags: 0x1b,
			StartMS: b + 1000, EndMS: b + 1090, Reason: EndOfFlow, RevPkts: 4, RevFlags: 0x1b},
		{Flow: "192.0.2.10:40203>198.51.100.20:80/6", Packets: 4, Octets: 236, Flags: 0x1b,
			StartMS: b + 2000, EndMS: b + 2060, Reason: EndOfFlow, RevPkts: 3, RevFlags: 0x12},
		{Flow: "192.0.2.10:40204>198.51.100.20:5204/17", Packets: 2, Octets: 156,
			StartMS: b + 3000, EndMS: b + 4000, Reason: EndIdle, FwdOnly: true},
		{Flow: "192.0.2.10:40206>198.51.100.20:8080/6", Packets: 3, Octets: 129, Flags: 0x1a,
			StartMS: b + 99_000, EndMS: b + 99_040, Reason: EndForced, RevPkts: 2,
			RevFlags: 0x12},
	}
	recs := meter(t, cfg, b20Packets(), 0)
	checkGots(t, recs, want)
	for _, r := range recs {
		if !r.Biflow {
			t.Errorf("record %s not marked Biflow", keyString(r.Key))
		}
	}
}

func TestB21Timeouts(t *testing.T) {
	const b = baseMS
	var pkts []packet.Packet
	for i := range 12 {
		pkts = append(pkts, udp(int64(i)*13_000, client, 40211, server, 5211, 128))
	}
	for _, t := range []int64{500, 1500, 130_500, 131_500} {
		pkts = append(pkts, udp(t, client, 40212, server, 5212, 128))
	}
	sortByTime(pkts)
	pkts = at(b, pkts...)
	const l, m = "192.0.2.10:40211>198.51.100.20:5211/17", "192.0.2.10:40212>198.51.100.20:5212/17"
	want := []got{
		{Flow: l, Packets: 5, Octets: 640, StartMS: b, EndMS: b + 52_000, Reason: EndActive},
		{Flow: m, Packets: 2, Octets: 256, StartMS: b + 500, EndMS: b + 1500, Reason: EndIdle},
		{Flow: l, Packets: 5, Octets: 640, StartMS: b + 65_000, EndMS: b + 117_000,
			Reason: EndActive},
		{Flow: l, Packets: 2, Octets: 256, StartMS: b + 130_000, EndMS: b + 143_000,
			Reason: EndForced},
		{Flow: m, Packets: 2, Octets: 256, StartMS: b + 130_500, EndMS: b + 131_500,
			Reason: EndForced},
	}
	cfg := Config{IdleTimeout: 30 * time.Second, ActiveTimeout: 60 * time.Second}
	for _, tc := range []struct {
		name string
		tick time.Duration
	}{
		{name: "checked on packets", tick: 0},
		{name: "periodic sweep 1 s", tick: time.Second},
		{name: "periodic sweep 10 s", tick: 10 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkGots(t, meter(t, cfg, pkts, tc.tick), want)
		})
	}
}

func TestB22PacketTime(t *testing.T) {
	const b = 1_234_567_890_000
	c, s := client, server
	tcp2009 := at(b,
		tcp(0, c, 40221, s, 80, flagSYN, 40),
		tcp(10, s, 80, c, 40221, flagSA, 40),
		tcp(20, c, 40221, s, 80, flagACK, 40),
		tcp(30, c, 40221, s, 80, flagPA, 116),
		tcp(40, s, 80, c, 40221, flagACK, 40),
		tcp(50, s, 80, c, 40221, flagPA, 109),
		tcp(60, c, 40221, s, 80, flagACK, 40),
		tcp(70, c, 40221, s, 80, flagFA, 40),
		tcp(80, s, 80, c, 40221, flagFA, 40),
		tcp(90, c, 40221, s, 80, flagACK, 40),
	)
	for _, tc := range []struct {
		name string
		pkts []packet.Packet
		want []got
	}{
		{
			name: "2009",
			pkts: tcp2009,
			want: []got{
				{Flow: "192.0.2.10:40221>198.51.100.20:80/6", Packets: 6, Octets: 316,
					Flags: 0x1b, StartMS: b, EndMS: b + 90, Reason: EndOfFlow},
				{Flow: "198.51.100.20:80>192.0.2.10:40221/6", Packets: 4, Octets: 229,
					Flags: 0x1b, StartMS: b + 10, EndMS: b + 80, Reason: EndOfFlow},
			},
		},
		{
			name: "far past and future",
			pkts: []packet.Packet{
				udp(4_323_283_200_250, c, 40222, s, 5222, 60),
				udp(-82_800_000, c, 40223, s, 5223, 60),
			},
			want: []got{
				{Flow: "192.0.2.10:40223>198.51.100.20:5223/17", Packets: 1, Octets: 60,
					StartMS: -82_800_000, EndMS: -82_800_000, Reason: EndForced},
				{Flow: "192.0.2.10:40222>198.51.100.20:5222/17", Packets: 1, Octets: 60,
					StartMS: 4_323_283_200_250, EndMS: 4_323_283_200_250, Reason: EndForced},
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			recs := meter(t, b20Timeouts, tc.pkts, 0)
			checkGots(t, recs, tc.want)
			for _, r := range recs {
				if r.Fwd.Start%int64(time.Millisecond) != 0 {
					t.Errorf("start %d lost its exact ns value", r.Fwd.Start)
				}
			}
		})
	}
}

func TestB28IdleOnPacketTime(t *testing.T) {
	var pkts []packet.Packet
	for i := range 7 {
		sp := uint16(40280 + i)
		start := int64(i) * 40_000
		pkts = append(pkts, udp(start, client, sp, server, 5280, 58),
			udp(start+1000, client, sp, server, 5280, 58))
	}
	pkts = at(baseMS, pkts...)
	tbl := NewTable(b20Timeouts)
	var out []Record
	for i := range pkts {
		out = tbl.Add(&pkts[i], out)
	}
	streamed := len(out)
	out = tbl.Flush(EndForced, out)
	if streamed != 6 || len(out) != 7 {
		t.Fatalf("%d records while reading and %d in all, want 6 and 7", streamed, len(out))
	}
	for i, r := range out {
		want := EndIdle
		if i == 6 {
			want = EndForced
		}
		if r.Fwd.Packets != 2 || r.Fwd.Octets != 116 || r.EndReason != want ||
			r.Key.SrcPort != uint16(40280+i) {
			t.Errorf("record %d: %+v, want port %d, 2 packets, 116 octets, reason %d",
				i, summarize(t, out[i:i+1])[0], 40280+i, want)
		}
	}
}

func TestB14ICMPKeys(t *testing.T) {
	const b = baseMS
	icmp := func(atMS int64, src, dst string, typeCode uint16, octets uint32) packet.Packet {
		proto := uint8(protoICMP)
		if strings.Contains(dst, ":") {
			proto = protoICMPv6
		}
		return mkpkt(atMS, src, 0, dst, typeCode, proto, octets)
	}
	pkts := at(b,
		icmp(0, client, server, 8<<8, 84),
		icmp(5, server, client, 0, 84),
		icmp(1000, client, server, 8<<8, 84),
		icmp(1005, server, client, 0, 84),
		udp(2000, client, 40141, server, 33434, 52),
		icmp(2001, "203.0.113.1", client, 3<<8|3, 56),
		icmp(2002, "203.0.113.2", client, 11<<8, 56),
		icmp(3000, "2001:db8::10", "2001:db8::20", 128<<8, 80),
		icmp(3005, "2001:db8::20", "2001:db8::10", 129<<8, 80),
	)
	want := []got{
		{Flow: "192.0.2.10:0>198.51.100.20:2048/1", Packets: 2, Octets: 168,
			StartMS: b, EndMS: b + 1000, Reason: EndForced},
		{Flow: "198.51.100.20:0>192.0.2.10:0/1", Packets: 2, Octets: 168,
			StartMS: b + 5, EndMS: b + 1005, Reason: EndForced},
		{Flow: "192.0.2.10:40141>198.51.100.20:33434/17", Packets: 1, Octets: 52,
			StartMS: b + 2000, EndMS: b + 2000, Reason: EndForced},
		{Flow: "203.0.113.1:0>192.0.2.10:771/1", Packets: 1, Octets: 56,
			StartMS: b + 2001, EndMS: b + 2001, Reason: EndForced},
		{Flow: "203.0.113.2:0>192.0.2.10:2816/1", Packets: 1, Octets: 56,
			StartMS: b + 2002, EndMS: b + 2002, Reason: EndForced},
		{Flow: "[2001:db8::10]:0>[2001:db8::20]:32768/58", Packets: 1, Octets: 80,
			StartMS: b + 3000, EndMS: b + 3000, Reason: EndForced},
		{Flow: "[2001:db8::20]:0>[2001:db8::10]:33024/58", Packets: 1, Octets: 80,
			StartMS: b + 3005, EndMS: b + 3005, Reason: EndForced},
	}
	recs := meter(t, b20Timeouts, pkts, 0)
	checkGots(t, recs, want)
	for _, r := range recs {
		if wantV := uint8(4 + 2*btoi(r.Key.Src.Is6())); r.IPVersion != wantV {
			t.Errorf("%s: IPVersion %d, want %d", keyString(r.Key), r.IPVersion, wantV)
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func sortByTime(pkts []packet.Packet) {
	for i := 1; i < len(pkts); i++ {
		for j := i; j > 0 && pkts[j].Time < pkts[j-1].Time; j-- {
			pkts[j], pkts[j-1] = pkts[j-1], pkts[j]
		}
	}
}
