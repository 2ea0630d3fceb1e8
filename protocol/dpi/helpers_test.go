package dpi

import (
	"net/netip"
	"testing"
)

// funcState adapts a function to State.
type funcState func(in *Input, res *Result) Status

func (f funcState) Inspect(in *Input, res *Result) Status { return f(in, res) }

// testDissector returns a dissector whose every flow runs inspect.
func testDissector(name string, t Transport, inspect funcState) Dissector {
	return Dissector{Name: name, Transports: t,
		Start: func(*FlowInfo) State { return inspect }}
}

// mustRegistry builds a registry or fails the test.
func mustRegistry(tb testing.TB, ds ...Dissector) *Registry {
	tb.Helper()
	r, err := NewRegistry(ds...)
	if err != nil {
		tb.Fatalf("NewRegistry: %v", err)
	}
	return r
}

// flowInfo describes a flow from 192.0.2.10:cport to 198.51.100.20:sport.
func flowInfo(ipProto uint8, cport, sport uint16) FlowInfo {
	return FlowInfo{
		IPProto:   ipProto,
		Initiator: netip.AddrPortFrom(netip.MustParseAddr("192.0.2.10"), cport),
		Responder: netip.AddrPortFrom(netip.MustParseAddr("198.51.100.20"), sport),
	}
}

// pkt is one packet of a scripted flow.
type pkt struct {
	dir   Dir
	seq   uint32 // TCP: relative to the ISN of dir, 0 being the SYN
	flags uint8
	data  string
}

// runFlow feeds a session the packets of a scripted flow (TCP sequence
// numbers offset by a per-direction ISN) and returns its verdict and
// whether it said done.
func runFlow(tb testing.TB, reg *Registry, info FlowInfo, pkts []pkt) (Verdict, bool) {
	tb.Helper()
	s := NewSession(Config{Registry: reg}, info)
	isn := [2]uint32{1000, 90000}
	done := false
	for i, p := range pkts {
		seg := Segment{Dir: p.dir, Time: int64(i) * 1e6, Seq: isn[p.dir] + p.seq,
			Flags: p.flags, Payload: []byte(p.data)}
		done = s.Add(&seg)
	}
	return s.Verdict(), done
}
