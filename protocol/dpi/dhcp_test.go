package dpi

import "testing"

// dhcpMsg returns a BOOTP message of op (1 request, 2 reply) with the
// DHCP cookie and the given options (code, then value), ended by 255.
func dhcpMsg(op byte, opts ...string) string {
	b := make([]byte, dhcpOptionsAt)
	b[0], b[1], b[2] = op, 1, 6
	copy(b[236:], "\x63\x82\x53\x63")
	for _, o := range opts {
		b = append(append(b, o[0], byte(len(o)-1)), o[1:]...)
	}
	return string(append(b, 255))
}

func TestDHCP(t *testing.T) {
	info := flowInfo(IPProtoUDP, 68, 67)
	discover, request := "\x35\x01", "\x35\x03"
	tests := []struct {
		flowCase
		typ    uint8
		vendor string
	}{
		{flowCase: flowCase{name: "request with a host name", info: info,
			pkts: []pkt{{data: dhcpMsg(1, discover, "\x0cMacBook-Air", "\x3cMSFT 5.0")}},
			want: ProtoDHCP, host: "macbook-air"}, typ: 1, vendor: "MSFT 5.0"},
		{flowCase: flowCase{name: "name from a later message of the flow", info: info,
			pkts: []pkt{{data: dhcpMsg(1, discover)}, {data: dhcpMsg(1, request, "\x0cShen\x00")}},
			want: ProtoDHCP, host: "shen"}, typ: 1},
		{flowCase: flowCase{name: "server ACK", info: flowInfo(IPProtoUDP, 67, 68),
			pkts: []pkt{{data: dhcpMsg(2, "\x35\x05")}}, want: ProtoDHCP}, typ: 5},
		{flowCase: flowCase{name: "BOOTP without options", info: info,
			pkts: []pkt{{data: dhcpMsg(1)}}, want: ProtoDHCP}},
		{flowCase: flowCase{name: "option running past the end", info: info,
			pkts: []pkt{{data: dhcpMsg(1, discover)[:dhcpOptionsAt] + "\x0c\x40ab"}},
			want: ProtoDHCP}},
		{flowCase: flowCase{name: "no cookie", info: info,
			pkts: []pkt{{data: dhcpMsg(1)[:236] + "\x00\x00\x00\x00\xff"}}}},
		{flowCase: flowCase{name: "too short", info: info, pkts: []pkt{{data: dhcpMsg(1)[:200]}}}},
		{flowCase: flowCase{name: "op 3", info: info, pkts: []pkt{{data: "\x03" + dhcpMsg(1)[1:]}}}},
	}
	reg := mustRegistry(t, dhcpDissector())
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkFlows(t, dhcpDissector(), []flowCase{tc.flowCase})
			if tc.want == ProtoUnknown {
				return
			}
			v, _ := runFlow(t, reg, tc.info, tc.pkts)
			if v.Meta.DHCP.MessageType != tc.typ || v.Meta.DHCP.VendorClass != tc.vendor {
				t.Errorf("type %d vendor %q, want %d %q", v.Meta.DHCP.MessageType,
					v.Meta.DHCP.VendorClass, tc.typ, tc.vendor)
			}
		})
	}
}

func FuzzDHCP(f *testing.F) {
	f.Add([]byte(dhcpMsg(1, "\x35\x01", "\x0chost")), []byte(dhcpMsg(2, "\x35\x02")))
	seedDatagrams(f, "ndpi_1kxun.pcap", toPort(67), 3)
	seedDatagrams(f, "zeek_dhcp_dhcp.pcap", toPort(67), 2)
	reg := mustRegistry(f, dhcpDissector())
	f.Fuzz(func(t *testing.T, a, b []byte) {
		fuzzUDPPair(t, reg, 67, a, b)
	})
}

func BenchmarkDHCP(b *testing.B) {
	benchFlow(b, mustRegistry(b, dhcpDissector()), flowInfo(IPProtoUDP, 68, 67), []pkt{
		{data: dhcpMsg(1, "\x35\x01", "\x37\x04\x01\x03\x06\x0f", "\x3cMSFT 5.0", "\x0cdesktop-42")}})
}
