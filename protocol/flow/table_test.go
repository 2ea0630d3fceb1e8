package flow

import (
	"testing"
	"time"
	"unsafe"

	"github.com/ipfixweb/ipfixweb/protocol/packet"
)

func TestTableRules(t *testing.T) {
	const b = baseMS
	const fwd, rev = "192.0.2.10:40000>198.51.100.20:80/6", "198.51.100.20:80>192.0.2.10:40000/6"
	const u1, u2 = "192.0.2.10:1>198.51.100.20:2/17", "192.0.2.10:3>198.51.100.20:4/17"
	vlan := func(p packet.Packet, id uint16) packet.Packet { p.VLAN = id; return p }
	c, s := client, server
	for _, tc := range []struct {
		name string
		cfg  Config
		pkts []packet.Packet
		want []got
	}{
		{
			name: "VLAN is part of the key",
			cfg:  b20Timeouts,
			pkts: at(b, vlan(udp(0, c, 1, s, 2, 50), 10), vlan(udp(1, c, 1, s, 2, 60), 20),
				vlan(udp(2, s, 2, c, 1, 70), 10)),
			want: []got{
				{Flow: u1 + "@10", Packets: 1, Octets: 50, StartMS: b, EndMS: b,
					Reason: EndForced},
				{Flow: u1 + "@20", Packets: 1, Octets: 60, StartMS: b + 1, EndMS: b + 1,
					Reason: EndForced},
				{Flow: "198.51.100.20:2>192.0.2.10:1/17@10", Packets: 1, Octets: 70,
					StartMS: b + 2, EndMS: b + 2, Reason: EndForced},
			},
		},
		{
			name: "out-of-order packets widen start and end",
			cfg:  b20Timeouts,
			pkts: at(b, udp(10, c, 1, s, 2, 10), udp(30, c, 1, s, 2, 10),
				udp(5, c, 1, s, 2, 10), udp(20, c, 1, s, 2, 10)),
			want: []got{{Flow: u1, Packets: 4, Octets: 40, StartMS: b + 5, EndMS: b + 30,
				Reason: EndForced}},
		},
		{
			name: "idle is strictly more than the timeout",
			cfg:  Config{IdleTimeout: time.Second},
			pkts: at(b, udp(0, c, 1, s, 2, 10), udp(1000, c, 1, s, 2, 10),
				udp(2001, c, 1, s, 2, 10)),
			want: []got{
				{Flow: u1, Packets: 2, Octets: 20, StartMS: b, EndMS: b + 1000,
					Reason: EndIdle},
				{Flow: u1, Packets: 1, Octets: 10, StartMS: b + 2001, EndMS: b + 2001,
					Reason: EndForced},
			},
		},
		{
			name: "SYN+ACK first: its receiver is the initiator",
			cfg:  Config{Biflow: true},
			pkts: at(b, tcp(0, s, 80, c, 40000, flagSA, 40), tcp(1, c, 40000, s, 80, flagACK, 40)),
			want: []got{{Flow: fwd, Packets: 1, Octets: 40, Flags: flagACK, StartMS: b,
				EndMS: b + 1, Reason: EndForced, RevPkts: 1, RevFlags: flagSA}},
		},
		{
			name: "SYN+ACK alone: forward side empty",
			cfg:  Config{Biflow: true},
			pkts: at(b, tcp(0, s, 80, c, 40000, flagSA, 40)),
			want: []got{{Flow: fwd, StartMS: b, EndMS: b, Reason: EndForced, RevPkts: 1,
				RevFlags: flagSA}},
		},
		{
			name: "mid-stream: the first sender is the initiator",
			cfg:  Config{Biflow: true},
			pkts: at(b, tcp(0, s, 80, c, 40000, flagPA, 500),
				tcp(1, c, 40000, s, 80, flagACK, 40)),
			want: []got{{Flow: rev, Packets: 1, Octets: 500, Flags: flagPA, StartMS: b,
				EndMS: b + 1, Reason: EndForced, RevPkts: 1, RevFlags: flagACK}},
		},
		{
			name: "RST: the late ACK within the linger still counts",
			cfg:  b20Timeouts,
			pkts: at(b, tcp(0, c, 40000, s, 80, flagSYN, 40), tcp(1, s, 80, c, 40000, flagRA, 40),
				tcp(500, c, 40000, s, 80, flagACK, 40), udp(2502, c, 1, s, 2, 10)),
			want: []got{
				{Flow: fwd, Packets: 2, Octets: 80, Flags: 0x12, StartMS: b, EndMS: b + 500,
					Reason: EndOfFlow},
				{Flow: rev, Packets: 1, Octets: 40, Flags: 0x14, StartMS: b + 1, EndMS: b + 1,
					Reason: EndOfFlow},
				{Flow: u1, Packets: 1, Octets: 10, StartMS: b + 2502, EndMS: b + 2502,
					Reason: EndForced},
			},
		},
		{
			name: "packet after the linger opens a new connection",
			cfg:  b20Timeouts,
			pkts: at(b, tcp(0, c, 40000, s, 80, flagRA, 40),
				tcp(2001, c, 40000, s, 80, flagACK, 40)),
			want: []got{
				{Flow: fwd, Packets: 1, Octets: 40, Flags: 0x14, StartMS: b, EndMS: b,
					Reason: EndOfFlow},
				{Flow: fwd, Packets: 1, Octets: 40, Flags: flagACK, StartMS: b + 2001,
					EndMS: b + 2001, Reason: EndForced},
			},
		},
		{
			name: "new SYN on a closed connection starts a new one",
			cfg:  b20Timeouts,
			pkts: at(b, tcp(0, c, 40000, s, 80, flagFA, 40), tcp(1, s, 80, c, 40000, flagFA, 40),
				tcp(100, s, 80, c, 40000, flagSYN, 44)),
			want: []got{
				{Flow: fwd, Packets: 1, Octets: 40, Flags: flagFA, StartMS: b, EndMS: b,
					Reason: EndOfFlow},
				{Flow: rev, Packets: 1, Octets: 40, Flags: flagFA, StartMS: b + 1, EndMS: b + 1,
					Reason: EndOfFlow},
				{Flow: rev, Packets: 1, Octets: 44, Flags: flagSYN, StartMS: b + 100,
					EndMS: b + 100, Reason: EndForced},
			},
		},
		{
			name: "flush: closed keeps EndOfFlow, half-closed is forced",
			cfg:  b20Timeouts,
			pkts: at(b, tcp(0, c, 40000, s, 80, flagFA, 40), tcp(1, s, 80, c, 40000, flagFA, 40),
				tcp(2, c, 40001, s, 80, flagFA, 40)),
			want: []got{
				{Flow: fwd, Packets: 1, Octets: 40, Flags: flagFA, StartMS: b, EndMS: b,
					Reason: EndOfFlow},
				{Flow: rev, Packets: 1, Octets: 40, Flags: flagFA, StartMS: b + 1, EndMS: b + 1,
					Reason: EndOfFlow},
				{Flow: "192.0.2.10:40001>198.51.100.20:80/6", Packets: 1, Octets: 40,
					Flags: flagFA, StartMS: b + 2, EndMS: b + 2, Reason: EndForced},
			},
		},
		{
			name: "active timeout keeps the initiator of a biflow",
			cfg:  Config{Biflow: true, ActiveTimeout: time.Second},
			pkts: at(b, tcp(0, c, 40000, s, 80, flagSYN, 40), tcp(1, s, 80, c, 40000, flagSA, 40),
				tcp(1500, s, 80, c, 40000, flagPA, 400), tcp(1600, c, 40000, s, 80, flagACK, 40)),
			want: []got{
				{Flow: fwd, Packets: 1, Octets: 40, Flags: flagSYN, StartMS: b, EndMS: b + 1,
					Reason: EndActive, RevPkts: 1, RevFlags: flagSA},
				{Flow: fwd, Packets: 1, Octets: 40, Flags: flagACK, StartMS: b + 1500,
					EndMS: b + 1600, Reason: EndForced, RevPkts: 1, RevFlags: flagPA},
			},
		},
		{
			name: "active timeout also cuts a record while its connection lingers",
			cfg:  Config{ActiveTimeout: 100 * time.Millisecond, IdleTimeout: time.Second},
			pkts: at(b, tcp(0, c, 40000, s, 80, flagFA, 40), tcp(60, s, 80, c, 40000, flagFA, 40),
				tcp(120, c, 40000, s, 80, flagACK, 40)),
			want: []got{
				{Flow: fwd, Packets: 1, Octets: 40, Flags: flagFA, StartMS: b, EndMS: b,
					Reason: EndActive},
				{Flow: rev, Packets: 1, Octets: 40, Flags: flagFA, StartMS: b + 60, EndMS: b + 60,
					Reason: EndActive},
				{Flow: fwd, Packets: 1, Octets: 40, Flags: flagACK, StartMS: b + 120,
					EndMS: b + 120, Reason: EndOfFlow},
			},
		},
		{
			name: "MaxFlows evicts the least recently used",
			cfg:  Config{MaxFlows: 2},
			pkts: at(b, udp(0, c, 1, s, 2, 10), udp(1, c, 3, s, 4, 10),
				udp(2, c, 1, s, 2, 10), udp(3, c, 5, s, 6, 10)),
			want: []got{
				{Flow: u1, Packets: 2, Octets: 20, StartMS: b, EndMS: b + 2, Reason: EndForced},
				{Flow: u2, Packets: 1, Octets: 10, StartMS: b + 1, EndMS: b + 1,
					Reason: EndResource},
				{Flow: "192.0.2.10:5>198.51.100.20:6/17", Packets: 1, Octets: 10, StartMS: b + 3,
					EndMS: b + 3, Reason: EndForced},
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkGots(t, meter(t, tc.cfg, tc.pkts, 0), tc.want)
		})
	}
}

func TestAttributesFromFirstPacket(t *testing.T) {
	p1 := udp(0, client, 1, server, 2, 10)
	p1.TOS, p1.TTL, p1.Interface, p1.InnerVLAN, p1.MPLSTop = 0x28, 60, 3, 7, 0x12345
	p2 := udp(1, client, 1, server, 2, 10)
	p2.TOS, p2.TTL, p2.Interface, p2.InnerVLAN, p2.MPLSTop = 0xb8, 50, 4, 8, 0x999
	p3 := udp(2, server, 2, client, 1, 10)
	p3.TTL = 250
	for _, tc := range []struct {
		name   string
		biflow bool
		want   []Record
	}{
		{name: "uniflow", want: []Record{
			{TOS: 0x28, TTLMin: 50, TTLMax: 60, Interface: 3, InnerVLAN: 7, MPLSTop: 0x12345},
			{TTLMin: 250, TTLMax: 250},
		}},
		{name: "biflow: forward attributes", biflow: true, want: []Record{
			{TOS: 0x28, TTLMin: 50, TTLMax: 60, Interface: 3, InnerVLAN: 7, MPLSTop: 0x12345},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			recs := meter(t, Config{Biflow: tc.biflow}, []packet.Packet{p1, p2, p3}, 0)
			if len(recs) != len(tc.want) {
				t.Fatalf("%d records, want %d", len(recs), len(tc.want))
			}
			for i, r := range recs {
				w := tc.want[i]
				if r.TOS != w.TOS || r.TTLMin != w.TTLMin || r.TTLMax != w.TTLMax ||
					r.Interface != w.Interface || r.InnerVLAN != w.InnerVLAN ||
					r.MPLSTop != w.MPLSTop || r.IPVersion != 4 {
					t.Errorf("record %d: %+v, want attributes of %+v", i, r, w)
				}
			}
		})
	}
}

func TestProtocolFilter(t *testing.T) {
	udpOnly, err := ParseProtocols([]string{"udp"})
	if err != nil {
		t.Fatal(err)
	}
	pkts := b20Packets()
	tcpPkts := 0
	for _, p := range pkts {
		if p.Proto == protoTCP {
			tcpPkts++
		}
	}
	tbl := NewTable(Config{IdleTimeout: 30 * time.Second, Protocols: udpOnly})
	var out []Record
	for i := range pkts {
		out = tbl.Add(&pkts[i], out)
	}
	out = tbl.Flush(EndForced, out)
	for _, r := range out {
		if r.Key.Proto != protoUDP {
			t.Errorf("record of protocol %d passed a udp filter", r.Key.Proto)
		}
	}
	st := tbl.Stats()
	if len(out) != 2 || st.Skipped != uint64(tcpPkts) || st.Packets != uint64(len(pkts)) {
		t.Errorf("%d records, stats %+v; want 2 records, %d filtered of %d",
			len(out), st, tcpPkts, len(pkts))
	}
}

func TestInvalidPacketsCounted(t *testing.T) {
	tbl := NewTable(Config{})
	out := tbl.Add(&packet.Packet{Time: 1, Proto: protoUDP}, nil)
	mixed := udp(2, client, 1, "2001:db8::1", 2, 60)
	out = tbl.Add(&mixed, out)
	if len(out) != 0 || tbl.Len() != 0 || tbl.Stats().Invalid != 2 {
		t.Errorf("packet without addresses: %d records, Len %d, stats %+v",
			len(out), tbl.Len(), tbl.Stats())
	}
}

func TestAdvanceNeverMovesClockBack(t *testing.T) {
	tbl := NewTable(Config{IdleTimeout: time.Second})
	p := udp(baseMS, client, 1, server, 2, 10)
	out := tbl.Add(&p, nil)
	out = tbl.Advance(ms(baseMS-5000), out)
	if tbl.Clock() != ms(baseMS) || len(out) != 0 {
		t.Fatalf("clock %d, %d records after an earlier Advance", tbl.Clock(), len(out))
	}
	out = tbl.Advance(ms(baseMS+1001), out)
	if len(out) != 1 || out[0].EndReason != EndIdle || tbl.Len() != 0 {
		t.Errorf("after the idle timeout: %+v, Len %d", out, tbl.Len())
	}
}

func TestTableReusableAfterFlush(t *testing.T) {
	tbl := NewTable(Config{})
	for round := range 3 {
		var out []Record
		for i := range 100 {
			p := udp(int64(round*1000+i), client, uint16(i), server, 53, 60)
			out = tbl.Add(&p, out)
		}
		out = tbl.Flush(EndForced, out)
		if len(out) != 100 || tbl.Len() != 0 {
			t.Fatalf("round %d: %d records, Len %d", round, len(out), tbl.Len())
		}
	}
}

func TestAddDoesNotAllocate(t *testing.T) {
	const flows = 4096
	tbl := NewTable(Config{})
	pkts := make([]packet.Packet, flows)
	for i := range pkts {
		pkts[i] = tcp(baseMS, client, uint16(1024+i), server, 443, flagACK, 1500)
	}
	out := make([]Record, 0, 64)
	for i := range pkts {
		out = tbl.Add(&pkts[i], out[:0])
	}
	n := 0
	allocs := testing.AllocsPerRun(10_000, func() {
		p := &pkts[n%flows]
		p.Time += 1000
		out = tbl.Add(p, out[:0])
		n++
	})
	if allocs != 0 {
		t.Errorf("Add allocates %.2f times per packet in steady state", allocs)
	}
	allocs = testing.AllocsPerRun(100, func() {
		for i := range pkts {
			pkts[i].Time += 1000
		}
		out = tbl.AddBatch(pkts, out[:0])
	})
	if allocs != 0 {
		t.Errorf("AddBatch allocates %.2f times per batch in steady state", allocs)
	}
}

func TestEntryLayout(t *testing.T) {
	// Three cache lines; the key, last and state share the first.
	if size := unsafe.Sizeof(entry{}); size != 192 {
		t.Errorf("entry is %d bytes, want 192", size)
	}
	if off := unsafe.Offsetof(entry{}.state); off >= 64 {
		t.Errorf("entry.state at offset %d, want in the first cache line", off)
	}
}
