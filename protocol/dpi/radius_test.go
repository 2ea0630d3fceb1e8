package dpi

import "testing"

const (
	// Access-Request: User-Name "alice", NAS-IP-Address, User-Password.
	radiusRequest = "01 2a 0033 0f403f9473978057bd83d5cb98f4227a 0107616c696365 0406c0a80001" +
		"0212" + "11111111111111111111111111111111"
	radiusAccept = "02 2a 0014 7f1a9b6c2d3e4f5061728394a5b6c7d8"
)

func TestRADIUS(t *testing.T) {
	info := flowInfo(IPProtoUDP, 40000, 1812)
	tests := []flowCase{
		{name: "request and accept", info: info,
			pkts: datagrams(t, radiusRequest, "<"+radiusAccept),
			want: ProtoRadius},
		{name: "padding after the length", info: info,
			pkts: datagrams(t, radiusAccept+"0000"), want: ProtoRadius},
		{name: "accounting port", info: flowInfo(IPProtoUDP,
			40000, 1813), pkts: datagrams(t, radiusAccept),
			want: ProtoRadius},
		{name: "off the RADIUS ports", info: flowInfo(IPProtoUDP,
			40000, 40001), pkts: datagrams(t, radiusRequest)},
		{name: "code 6", info: info, pkts: datagrams(t, "06"+radiusAccept[2:])},
		{name: "attribute past the length", info: info,
			pkts: datagrams(t, "01 2a 0017 7f1a9b6c2d3e4f5061728394a5b6c7d8 0105 61")},
		{name: "attribute of length 1", info: info,
			pkts: datagrams(t, "01 2a 0016 7f1a9b6c2d3e4f5061728394a5b6c7d8 0101")},
		{name: "length past the datagram", info: info,
			pkts: datagrams(t, "02 2a 0030 7f1a9b6c2d3e4f5061728394a5b6c7d8")},
	}
	checkFlows(t, radiusDissector(), tests)
}

func FuzzRADIUS(f *testing.F) {
	f.Add(unhex(f, radiusRequest), unhex(f, radiusAccept))
	reg := mustRegistry(f, radiusDissector())
	f.Fuzz(func(t *testing.T, a, b []byte) {
		fuzzUDPPair(t, reg, 1812, a, b)
	})
}

func BenchmarkRADIUS(b *testing.B) {
	benchFlow(b, mustRegistry(b, radiusDissector()), flowInfo(IPProtoUDP, 40000, 1812),
		datagrams(b, radiusRequest, "<"+radiusAccept))
}
