package dpi

import "testing"

func TestTelnet(t *testing.T) {
	info := flowInfo(IPProtoTCP, 11001, 23)
	other := flowInfo(IPProtoTCP, 40000, 2323)
	// DO SUPPRESS-GO-AHEAD, WILL NAWS, WILL TOGGLE-FLOW-CONTROL, as in
	// zeek_mixed-vlan-mpls.pcap; a terminal type subnegotiation.
	neg := "\xff\xfd\x03\xff\xfb\x1f\xff\xfb\x21"
	sb := "\xff\xfa\x18\x00xterm\xff\xf0"
	tests := []flowCase{
		{name: "negotiation", info: info, pkts: exchange(pkt{data: neg}), want: ProtoTelnet},
		{name: "server first, off port 23", info: other,
			pkts: exchange(pkt{dir: 1, data: "\xff\xfd\x18\xff\xfd\x20"}), want: ProtoTelnet},
		{name: "subnegotiation then a command", info: other,
			pkts: exchange(pkt{data: sb + "\xff\xfc\x01"}),
			want: ProtoTelnet},
		{name: "one command on port 23", info: info,
			pkts: exchange(pkt{data: "\xff\xfb\x01"}), want: ProtoTelnet},
		{name: "commands one by one", info: other,
			pkts: exchange(pkt{data: "\xff\xfd"}, pkt{data: "\x01"}, pkt{data: "\xff\xfb\x03"}), want: ProtoTelnet},
		{name: "one command off port 23", info: other, pkts: exchange(pkt{data: "\xff\xfb\x01"})},
		{name: "one command, then text", info: other,
			pkts: exchange(pkt{data: "\xff\xfb\x01login: "})},
		{name: "a banner", info: info, pkts: exchange(pkt{dir: 1, data: "Welcome\r\nlogin: "})},
		{name: "IAC then junk", info: other, pkts: exchange(pkt{data: "\xff\x10\x20\xff\xfb\x01"})},
	}
	checkFlows(t, telnetDissector(), tests)
}

func FuzzTelnet(f *testing.F) {
	f.Add([]byte("\xff\xfd\x03\xff\xfb\x1f\xff\xfd\x01"), uint16(6))
	seedFlows(f, "zeek_mixed-vlan-mpls.pcap", toPort(23), 1)
	reg := mustRegistry(f, telnetDissector())
	f.Fuzz(func(t *testing.T, data []byte, split uint16) {
		fuzzTCP(t, reg, 23, data, split)
	})
}

func BenchmarkTelnet(b *testing.B) {
	benchFlow(b, mustRegistry(b, telnetDissector()), flowInfo(IPProtoTCP, 11001, 23),
		exchange(pkt{data: "\xff\xfd\x03\xff\xfb\x1f\xff\xfb\x21"}, pkt{dir: 1, data: "\xff\xfd\x18\xff\xfd\x20"}))
}
