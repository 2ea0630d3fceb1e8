package dpi

import (
	"strings"
	"testing"
)

// flowCase is one flow of a label dissector's table test.
type flowCase struct {
	name string
	info FlowInfo
	pkts []pkt // for TCP, made by exchange
	want Proto // the DPI verdict; ProtoUnknown for a flow that must not match
	app  Proto
	host string // Verdict.Host
}

// checkFlows runs each case through a registry of the dissector alone
// and, for the cases that match, through DefaultRegistry too: no other
// built-in dissector may claim the flow first.
func checkFlows(t *testing.T, d Dissector, tests []flowCase) {
	t.Helper()
	alone := mustRegistry(t, d)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			regs := []*Registry{alone}
			if tc.want != ProtoUnknown {
				regs = append(regs, DefaultRegistry())
			}
			for i, reg := range regs {
				v, _ := runFlow(t, reg, tc.info, tc.pkts)
				if v.DPI() != tc.want || v.App != tc.app || v.Host() != tc.host {
					t.Fatalf("registry %d: %v app %v host %q, want %v app %v host %q",
						i, v.DPI(), v.App, v.Host(), tc.want, tc.app, tc.host)
				}
				checkVerdict(t, v)
			}
		})
	}
}

// exchange returns the packets of a TCP flow: the handshake, then each
// message of msgs in one segment, sequence numbers counted per direction.
func exchange(msgs ...pkt) []pkt {
	out := []pkt{{flags: FlagSYN}, {dir: 1, flags: FlagSYN}}
	next := [2]uint32{1, 1}
	for _, m := range msgs {
		out = append(out, pkt{dir: m.dir, seq: next[m.dir], data: m.data})
		next[m.dir] += uint32(len(m.data))
	}
	return out
}

// datagrams returns UDP packets from alternating or given directions:
// each string is hex, and a leading "<" sends it from the responder.
func datagrams(tb testing.TB, hexes ...string) []pkt {
	tb.Helper()
	out := make([]pkt, 0, len(hexes))
	for _, h := range hexes {
		var d Dir
		if rest, ok := strings.CutPrefix(h, "<"); ok {
			d, h = FromResponder, rest
		}
		out = append(out, pkt{dir: d, data: string(unhex(tb, h))})
	}
	return out
}

// seedDatagrams adds to a fuzz target the first two payloads of up to max
// UDP flows of a corpus capture that keep accepts.
func seedDatagrams(f *testing.F, file string, keep func(*testFlow) bool, max int) {
	n := 0
	for _, fl := range corpusFlows(f, file) {
		if n >= max || fl.key.proto != IPProtoUDP || !keep(fl) {
			continue
		}
		var two [2][]byte
		k := 0
		for _, s := range fl.segs {
			if len(s.Payload) > 0 && k < 2 {
				two[k] = s.Payload
				k++
			}
		}
		f.Add(two[0], two[1])
		n++
	}
}

// fuzzUDPPair feeds a session of reg a from the initiator, b from the
// responder and a again, and checks the verdict's invariants.
func fuzzUDPPair(t *testing.T, reg *Registry, port uint16, a, b []byte) {
	s := NewSession(Config{Registry: reg}, flowInfo(IPProtoUDP, 40000, port))
	for i, d := range [][]byte{a, b, a} {
		s.Add(&Segment{Dir: Dir(i & 1), Payload: d})
	}
	checkVerdict(t, s.Verdict())
}

// toPort keeps corpus flows with port at either end.
func toPort(port uint16) func(*testFlow) bool {
	return func(fl *testFlow) bool { return fl.key.src.Port() == port || fl.key.dst.Port() == port }
}

// patched returns the bytes of hex h with byte i set to v.
func patched(tb testing.TB, h string, i int, v byte) string {
	tb.Helper()
	b := unhex(tb, h)
	b[i] = v
	return string(b)
}
