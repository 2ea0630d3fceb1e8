package dpi

import (
	"net/netip"
	"testing"
)

func TestExpectTable(t *testing.T) {
	client := netip.MustParseAddr("192.0.2.10")
	server := netip.MustParseAddr("198.51.100.20")
	e := func(port uint16, at int64) Expectation {
		return Expectation{Proto: ProtoFTPData, IPProto: IPProtoTCP, Initiator: client,
			Responder: netip.AddrPortFrom(server, port), Time: at}
	}
	flow := func(port uint16) *FlowInfo {
		return &FlowInfo{IPProto: IPProtoTCP, Initiator: netip.AddrPortFrom(client, 50000),
			Responder: netip.AddrPortFrom(server, port)}
	}
	reversed := func(port uint16) *FlowInfo {
		f := flow(port)
		f.Initiator, f.Responder = f.Responder, f.Initiator
		return f
	}
	udp := func(port uint16) *FlowInfo {
		f := flow(port)
		f.IPProto = IPProtoUDP
		return f
	}
	const sec = int64(1e9)
	tests := []struct {
		name  string
		size  int
		add   []Expectation
		flow  *FlowInfo
		now   int64
		want  Proto
		again Proto // a second Take of the same flow
		left  int   // Len after both
	}{
		{name: "announced flow", size: 4, add: []Expectation{e(2000, 0)}, flow: flow(2000), now: sec,
			want: ProtoFTPData},
		{name: "seen the other way round", size: 4, add: []Expectation{e(2000, 0)}, flow: reversed(2000),
			now: sec, want: ProtoFTPData},
		{name: "another port", size: 4, add: []Expectation{e(2000, 0)}, flow: flow(2001), now: sec,
			left: 1},
		{name: "another IP protocol", size: 4, add: []Expectation{e(2000, 0)}, flow: udp(2000),
			now: sec, left: 1},
		{name: "from another client", size: 4, add: []Expectation{e(2000, 0)},
			flow: &FlowInfo{IPProto: IPProtoTCP, Initiator: netip.MustParseAddrPort("192.0.2.99:50000"),
				Responder: netip.AddrPortFrom(server, 2000)}, now: sec, left: 1},
		{name: "expired", size: 4, add: []Expectation{e(2000, 0)}, flow: flow(2000),
			now: DefaultExpectTTL + 1},
		{name: "before it was announced", size: 4, add: []Expectation{e(2000, 5*sec)}, flow: flow(2000),
			now: sec, left: 1},
		{name: "oldest dropped when full", size: 2, add: []Expectation{e(2000, 0), e(2001, 0), e(2002, 0)},
			flow: flow(2000), now: sec, left: 2},
		{name: "newest kept when full", size: 2, add: []Expectation{e(2000, 0), e(2001, 0), e(2002, 0)},
			flow: flow(2002), now: sec, want: ProtoFTPData, left: 1},
		{name: "announced twice, taken twice", size: 4, add: []Expectation{e(2000, 0), e(2000, 0)},
			flow: flow(2000), now: sec, want: ProtoFTPData, again: ProtoFTPData},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			table := NewExpectTable(tc.size, 0)
			table.Add(tc.add...)
			if got := table.Take(tc.flow, tc.now); got != tc.want {
				t.Fatalf("Take: %v, want %v", got, tc.want)
			}
			if got := table.Take(tc.flow, tc.now); got != tc.again {
				t.Fatalf("second Take: %v, want %v", got, tc.again)
			}
			if n := table.Len(); n != tc.left {
				t.Fatalf("Len %d, want %d", n, tc.left)
			}
		})
	}
}

// A session announces while a dissector that may announce is in the
// running: before anything is known and on an FTP control connection
// until its budget is spent; not once another protocol matched, and
// never on UDP.
func TestSessionAnnouncing(t *testing.T) {
	ftp := exchange(pkt{dir: 1, data: "220 FTP server ready\r\n"}, pkt{data: "USER anonymous\r\n"},
		pkt{dir: 1, data: "331 Password?\r\n"}, pkt{data: "PASS x@\r\n"})
	tests := []struct {
		name   string
		info   FlowInfo
		budget int
		pkts   []pkt
		before bool // Announcing before the first packet
		after  bool // and after the last
	}{
		{name: "FTP control", info: flowInfo(IPProtoTCP, 40000, 21), pkts: ftp, before: true,
			after: true},
		{name: "FTP control, budget spent", info: flowInfo(IPProtoTCP, 40000, 21), budget: 3,
			pkts: ftp, before: true},
		{name: "HTTP", info: flowInfo(IPProtoTCP, 40000, 80), before: true,
			pkts: exchange(pkt{data: "GET / HTTP/1.1\r\nHost: a.example\r\n\r\n"})},
		{name: "UDP", info: flowInfo(IPProtoUDP, 40000, 21), pkts: []pkt{{data: "220 x\r\n"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := NewSession(Config{Budget: tc.budget}, tc.info)
			if got := s.Announcing(); got != tc.before {
				t.Errorf("before: %v, want %v", got, tc.before)
			}
			for i, p := range tc.pkts {
				s.Add(&Segment{Dir: p.dir, Time: int64(i), Seq: []uint32{1000, 90000}[p.dir] + p.seq,
					Flags: p.flags, Payload: []byte(p.data)})
			}
			if got := s.Announcing(); got != tc.after {
				t.Errorf("after: %v, want %v (verdict %v)", got, tc.after, s.Verdict().DPI())
			}
		})
	}
}

func TestRegistryAnnounces(t *testing.T) {
	plain := testDissector("plain", TCP|UDP, func(*Input, *Result) Status { return Continue })
	announcer := plain
	announcer.Name, announcer.Transports, announcer.Announces = "announcer", TCP, true
	tests := []struct {
		name     string
		reg      *Registry
		tcp, udp bool
	}{
		{name: "default", reg: DefaultRegistry(), tcp: true},
		{name: "no announcer", reg: mustRegistry(t, plain)},
		{name: "TCP announcer", reg: mustRegistry(t, plain, announcer), tcp: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.reg.Announces(IPProtoTCP) != tc.tcp || tc.reg.Announces(IPProtoUDP) != tc.udp ||
				tc.reg.Announces(1) {
				t.Errorf("TCP %v, UDP %v, ICMP %v; want %v, %v, false", tc.reg.Announces(IPProtoTCP),
					tc.reg.Announces(IPProtoUDP), tc.reg.Announces(1), tc.tcp, tc.udp)
			}
		})
	}
}

func TestResultExpectBounded(t *testing.T) {
	var r Result
	for i := range 3 * MaxExpectations {
		r.Expect(Expectation{Proto: ProtoFTPData, Responder: netip.AddrPortFrom(netip.IPv4Unspecified(), uint16(i+1))})
	}
	if len(r.expect) != MaxExpectations {
		t.Fatalf("%d expectations kept, want %d", len(r.expect), MaxExpectations)
	}
}

func BenchmarkExpectTableTake(b *testing.B) {
	table := NewExpectTable(64, 0)
	server := netip.MustParseAddr("198.51.100.20")
	for i := range 64 {
		table.Add(Expectation{Proto: ProtoFTPData, IPProto: IPProtoTCP, Initiator: server,
			Responder: netip.AddrPortFrom(server, uint16(i))})
	}
	miss := flowInfo(IPProtoTCP, 40000, 443)
	b.ReportAllocs()
	for b.Loop() {
		table.Take(&miss, 1)
	}
}
