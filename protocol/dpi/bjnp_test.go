package dpi

import "testing"

// A BJNP printer discovery request and its reply (16-byte headers; the
// reply carries 16 bytes of identity).
const (
	bjnpDiscover = "424a4e50 01 01 0000 00000000 00000000"
	bjnpReply    = "424e4a42 81 01 0000 00000000 00000010 000100080000060400000000c0a80a14"
)

func TestBJNP(t *testing.T) {
	info := flowInfo(IPProtoUDP, 50000, 8611)
	tests := []flowCase{
		{name: "discovery", info: info, pkts: datagrams(t, bjnpDiscover, "<"+bjnpReply), want: ProtoBJNP},
		{name: "reply first", info: flowInfo(IPProtoUDP, 8612, 50000), pkts: datagrams(t, bjnpReply), want: ProtoBJNP},
		{name: "off its ports", info: flowInfo(IPProtoUDP, 50000, 50001), pkts: datagrams(t, bjnpDiscover)},
		{name: "length disagrees", info: info, pkts: datagrams(t, bjnpDiscover+"00")},
	}
	checkFlows(t, bjnpDissector(), tests)
}

func FuzzBJNP(f *testing.F) {
	f.Add(unhex(f, bjnpDiscover), unhex(f, bjnpReply))
	reg := mustRegistry(f, bjnpDissector())
	f.Fuzz(func(t *testing.T, a, b []byte) {
		fuzzUDPPair(t, reg, 8611, a, b)
	})
}

func BenchmarkBJNP(b *testing.B) {
	benchFlow(b, mustRegistry(b, bjnpDissector()), flowInfo(IPProtoUDP, 50000, 8611), datagrams(b, bjnpDiscover))
}
