package dpi

import "testing"

const (
	ssdpSearch = "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\n" +
		"MX: 1\r\nST: urn:dial-multiscreen-org:service:dial:1\r\n\r\n"
	ssdpNotify = "NOTIFY * HTTP/1.1\r\nHost: 239.255.255.250:1900\r\nNT: upnp:rootdevice\r\n" +
		"NTS: ssdp:alive\r\nUSN: uuid:2f402f80-da50-11e1-9b23-001788255acc::upnp:rootdevice\r\n\r\n"
	ssdpAnswer = "HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nST: upnp:rootdevice\r\n" +
		"USN: uuid:2f402f80-da50-11e1-9b23-001788255acc::upnp:rootdevice\r\n\r\n"
)

func TestSSDP(t *testing.T) {
	multicast := flowInfo(IPProtoUDP, 55809, 1900)
	tests := []flowCase{
		{name: "search", info: multicast, pkts: []pkt{{data: ssdpSearch}}, want: ProtoSSDP},
		{name: "announcement", info: flowInfo(IPProtoUDP,
			1900, 1900), pkts: []pkt{{data: ssdpNotify}},
			want: ProtoSSDP},
		{name: "reply to a search, on the searcher's port", info: flowInfo(IPProtoUDP, 1900, 50123),
			pkts: []pkt{{data: ssdpAnswer}}, want: ProtoSSDP},
		{name: "HTTP response without ST and USN", info: multicast,
			pkts: []pkt{{data: "HTTP/1.1 200 OK\r\nServer: x\r\n\r\n"}}},
		{name: "a search without its line end", info: multicast,
			pkts: []pkt{{data: "M-SEARCH * HTTP/1.1"}}},
		{name: "an HTTP request", info: multicast, pkts: []pkt{{data: "GET / HTTP/1.1\r\n\r\n"}}},
	}
	checkFlows(t, ssdpDissector(), tests)
}

func FuzzSSDP(f *testing.F) {
	f.Add([]byte(ssdpSearch), []byte(ssdpAnswer))
	seedDatagrams(f, "ndpi_1kxun.pcap", toPort(1900), 3)
	reg := mustRegistry(f, ssdpDissector())
	f.Fuzz(func(t *testing.T, a, b []byte) {
		fuzzUDPPair(t, reg, 1900, a, b)
	})
}

func BenchmarkSSDP(b *testing.B) {
	benchFlow(b, mustRegistry(b, ssdpDissector()), flowInfo(IPProtoUDP, 1900, 50123),
		[]pkt{{data: ssdpAnswer}})
}
