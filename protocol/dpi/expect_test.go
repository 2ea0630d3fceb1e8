package dpi

import (
	"net/netip"
	"testing"
)

func TestExpectTable(t *testing.T) {
	client := netip.MustParseAddr("192.0.2.10")
	server := netip.MustParseAddr("198.51.100.20")
	e := func(port uint16, at int64) Expectation {
		return Expectation{Proto: ProtoFTPData, Initiator: client, Responder: netip.AddrPortFrom(server, port), Time: at}
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
	const sec = int64(1e9)
	tests := []struct {
		name  string
		size  int
		add   []Expectation
		flow  *FlowInfo
		now   int64
		want  Proto
		again Proto // a second Take of the same flow
	}{
		{name: "announced flow", size: 4, add: []Expectation{e(2000, 0)}, flow: flow(2000), now: sec,
			want: ProtoFTPData},
		{name: "seen the other way round", size: 4, add: []Expectation{e(2000, 0)}, flow: reversed(2000),
			now: sec, want: ProtoFTPData},
		{name: "another port", size: 4, add: []Expectation{e(2000, 0)}, flow: flow(2001), now: sec},
		{name: "from another client", size: 4, add: []Expectation{e(2000, 0)},
			flow: &FlowInfo{Initiator: netip.MustParseAddrPort("192.0.2.99:50000"),
				Responder: netip.AddrPortFrom(server, 2000)}, now: sec},
		{name: "expired", size: 4, add: []Expectation{e(2000, 0)}, flow: flow(2000),
			now: DefaultExpectTTL + 1},
		{name: "before it was announced", size: 4, add: []Expectation{e(2000, 5*sec)}, flow: flow(2000), now: sec},
		{name: "oldest dropped when full", size: 2, add: []Expectation{e(2000, 0), e(2001, 0), e(2002, 0)},
			flow: flow(2000), now: sec},
		{name: "newest kept when full", size: 2, add: []Expectation{e(2000, 0), e(2001, 0), e(2002, 0)},
			flow: flow(2002), now: sec, want: ProtoFTPData},
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
		table.Add(Expectation{Proto: ProtoFTPData, Initiator: server, Responder: netip.AddrPortFrom(server, uint16(i))})
	}
	miss := flowInfo(IPProtoTCP, 40000, 443)
	b.ReportAllocs()
	for b.Loop() {
		table.Take(&miss, 1)
	}
}
