package dpi

import "testing"

// Messages as tcpdump_dhcpv6-ia-na.pcap and ndpi_1kxun.pcap carry them.
const (
	// Solicit: client id (DUID-LLT), elapsed time, IA_NA.
	dhcpv6Solicit = "01 10 08 74 0001 000e 0001 0001 1c39cf88 080027fe8f95 0008 0002 0000" +
		"0003 000c 27fe8f95 00000e10 00001518"
	// Information-request: elapsed time, client id, vendor class, option request.
	dhcpv6Info = "0b 27 73 1d 0008 0002 0000 0001 000e 0001 0001 1db8e6fb 703eacf0f007" +
		"0010 000e 0000 0137 0008 4d53 4654 2035 2e30 0006 0008 0011 0017 0018 0020"
	// Relay-forward: hop count, link and peer addresses, relay message.
	dhcpv6Relay = "0c 00 20010db8000000000000000000000001 fe800000000000000000000000000002" +
		"0009 0012 01 10 08 74 0008 0002 0000 0001 0004 0003 0001"
)

func TestDHCPv6(t *testing.T) {
	info := flowInfo(IPProtoUDP, 546, 547)
	tests := []flowCase{
		{name: "solicit", info: info, pkts: datagrams(t, dhcpv6Solicit), want: ProtoDHCPV6},
		{name: "information request", info: info,
			pkts: datagrams(t, dhcpv6Info), want: ProtoDHCPV6},
		{name: "relay forward", info: flowInfo(IPProtoUDP,
			547, 547), pkts: datagrams(t, dhcpv6Relay),
			want: ProtoDHCPV6},
		{name: "off the DHCPv6 ports", info: flowInfo(IPProtoUDP, 40000, 50000),
			pkts: datagrams(t, dhcpv6Solicit)},
		{name: "options one byte short", info: info,
			pkts: datagrams(t, dhcpv6Solicit[:len(dhcpv6Solicit)-2])},
		{name: "options one byte long", info: info, pkts: datagrams(t, dhcpv6Solicit+"00")},
		{name: "no options", info: info, pkts: datagrams(t, "01 10 08 74")},
		{name: "message type 0", info: info, pkts: datagrams(t, "00"+dhcpv6Solicit[2:])},
	}
	checkFlows(t, dhcpv6Dissector(), tests)
}

func FuzzDHCPv6(f *testing.F) {
	f.Add(unhex(f, dhcpv6Solicit), unhex(f, dhcpv6Relay))
	seedDatagrams(f, "tcpdump_dhcpv6-ia-na.pcap", toPort(547), 2)
	reg := mustRegistry(f, dhcpv6Dissector())
	f.Fuzz(func(t *testing.T, a, b []byte) {
		fuzzUDPPair(t, reg, 547, a, b)
	})
}

func BenchmarkDHCPv6(b *testing.B) {
	benchFlow(b, mustRegistry(b, dhcpv6Dissector()), flowInfo(IPProtoUDP, 546, 547),
		datagrams(b, dhcpv6Info))
}
