package dpi

import "testing"

// Packets of ndpi_openvpn.pcap.
const (
	// UDP, no tls-auth: client hard reset v2, server hard reset v2 that
	// acknowledges the client's session id, client ack.
	ovpnClientReset = "3839fded2daa10a4370000000000"
	ovpnServerReset = "409421917de7267729010000000039fded2daa10a43700000000"
	ovpnClientAck   = "2839fded2daa10a43701000000009421917de7267729"
	// TCP with tls-auth (SHA-1): length, client hard reset; the server's.
	ovpnTCPClient = "002a3892b8af4a777fc742781024c276d9a1a8c2321879a02264b3ccbc807700000001577e73b30000000000"
	ovpnTCPServer = "003640d916c4860cb1d8cfa373cfd663159fc0253b52973b189f7f6cb9df8b00000001577e737d0100000000" +
		"92b8af4a777fc74200000000"
)

func TestOpenVPN(t *testing.T) {
	udp := flowInfo(IPProtoUDP, 51146, 1194)
	tcp := flowInfo(IPProtoTCP, 60140, 443)
	tests := []flowCase{
		{name: "UDP resets", info: udp, pkts: datagrams(t, ovpnClientReset, "<"+ovpnServerReset),
			want: ProtoOpenVPN},
		{name: "UDP client alone: reset, then ack", info: udp,
			pkts: datagrams(t, ovpnClientReset, ovpnClientAck),
			want: ProtoOpenVPN},
		{name: "UDP server side first", info: flowInfo(IPProtoUDP, 443, 60201),
			pkts: datagrams(t, ovpnServerReset, "20"+ovpnServerReset[2:]), want: ProtoOpenVPN},
		{name: "TCP with tls-auth", info: tcp,
			pkts: exchange(pkt{data: string(unhex(t, ovpnTCPClient))}, pkt{dir: 1, data: string(unhex(t, ovpnTCPServer))}),
			want: ProtoOpenVPN},
		{name: "TCP, both client packets in one segment", info: tcp,
			pkts: exchange(pkt{data: string(unhex(t, ovpnTCPClient)) + "\x00\x16" + string(unhex(t, ovpnClientAck))[:1] +
				string(unhex(t, ovpnTCPClient))[3:11] + "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"}),
			want: ProtoOpenVPN},
		{name: "a reset alone", info: udp, pkts: datagrams(t, ovpnClientReset)},
		{name: "reply that acknowledges another session", info: udp,
			pkts: datagrams(t, ovpnClientReset, "<"+ovpnServerReset[:30]+"ff"+ovpnServerReset[32:])},
		{name: "first packet is data", info: udp,
			pkts: datagrams(t, "48"+ovpnClientReset[2:], ovpnClientAck)},
		{name: "key id 1 on a reset", info: udp,
			pkts: datagrams(t, "39"+ovpnClientReset[2:], ovpnClientAck)},
		{name: "TLS on 443", info: tcp,
			pkts: exchange(pkt{data: "\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00"})},
	}
	checkFlows(t, openvpnDissector(), tests)
}

func FuzzOpenVPN(f *testing.F) {
	f.Add(unhex(f, ovpnClientReset), unhex(f, ovpnServerReset))
	seedDatagrams(f, "ndpi_openvpn.pcap", func(*testFlow) bool { return true }, 3)
	reg := mustRegistry(f, openvpnDissector())
	f.Fuzz(func(t *testing.T, a, b []byte) {
		fuzzUDPPair(t, reg, 1194, a, b)
		fuzzTCP(t, reg, 1194, append(a, b...), uint16(len(a)))
	})
}

func FuzzOpenVPNTCP(f *testing.F) {
	c := unhex(f, ovpnTCPClient)
	f.Add(append(c, unhex(f, ovpnTCPServer)...), uint16(len(c)))
	seedFlows(f, "ndpi_openvpn.pcap", func(fl *testFlow) bool { return fl.key.proto == IPProtoTCP }, 2)
	reg := mustRegistry(f, openvpnDissector())
	f.Fuzz(func(t *testing.T, data []byte, split uint16) {
		fuzzTCP(t, reg, 1194, data, split)
	})
}

func BenchmarkOpenVPN(b *testing.B) {
	benchFlow(b, mustRegistry(b, openvpnDissector()), flowInfo(IPProtoUDP, 51146, 1194),
		datagrams(b, ovpnClientReset, "<"+ovpnServerReset))
}
