package dpi

import "testing"

// An sFlow v5 datagram checked with tshark: IPv4 agent, one counters
// sample without records.
const sflowMsg = "00000005 00000001 c0000201 00000000 00000007 00001234 00000001" +
	"00000002 0000000c 00000001 00000003 00000000"

func TestSFlow(t *testing.T) {
	info := flowInfo(IPProtoUDP, 40000, 6343)
	tests := []flowCase{
		{name: "counters sample", info: info, pkts: datagrams(t, sflowMsg), want: ProtoSFlow},
		{name: "version 4", info: info, pkts: []pkt{{data: patched(t, sflowMsg, 3, 4)}}},
		{name: "address type 3", info: info, pkts: []pkt{{data: patched(t, sflowMsg, 7, 3)}}},
		{name: "two samples announced, one there", info: info, pkts: []pkt{{data: patched(t, sflowMsg, 27, 2)}}},
		{name: "trailing bytes", info: info, pkts: datagrams(t, sflowMsg+"00000000")},
	}
	checkFlows(t, sflowDissector(), tests)
}

func FuzzSFlow(f *testing.F) {
	f.Add(unhex(f, sflowMsg), []byte(nil))
	reg := mustRegistry(f, sflowDissector())
	f.Fuzz(func(t *testing.T, a, b []byte) {
		fuzzUDPPair(t, reg, 6343, a, b)
	})
}

func BenchmarkSFlow(b *testing.B) {
	benchFlow(b, mustRegistry(b, sflowDissector()), flowInfo(IPProtoUDP, 40000, 6343), datagrams(b, sflowMsg))
}
