package dpi

import "testing"

const (
	sipRegister = "REGISTER sip:sip.cybercity.dk SIP/2.0\r\nVia: SIP/2.0/UDP 192.168.1.2;branch=z9hG4bK1\r\n" +
		"From: <sip:voi18063@sip.cybercity.dk>;tag=1\r\nTo: <sip:voi18063@sip.cybercity.dk>\r\n" +
		"Call-ID: 578222729-4665d775@192.168.1.2\r\nCSeq: 68 REGISTER\r\nContent-Length: 0\r\n\r\n"
	sipUnauthorized = "SIP/2.0 401 Unauthorized\r\nCall-ID: 578222729-4665d775@192.168.1.2\r\n" +
		"CSeq: 68 REGISTER\r\nContent-Length: 0\r\n\r\n"
	sipInvite = "INVITE sip:97239287044@voip.brujula.net SIP/2.0\r\nVia: SIP/2.0/UDP 192.168.1.2:5060\r\n\r\n"
)

func TestSIP(t *testing.T) {
	udp := flowInfo(IPProtoUDP, 5060, 5060)
	tcp := flowInfo(IPProtoTCP, 40000, 5060)
	tests := []flowCase{
		{name: "register", info: udp,
			pkts: []pkt{{data: sipRegister}, {dir: 1, data: sipUnauthorized}},
			want: ProtoSIP},
		{name: "response first", info: udp,
			pkts: []pkt{{dir: 1, data: sipUnauthorized}}, want: ProtoSIP},
		{name: "invite off port 5060", info: flowInfo(IPProtoUDP,
			4292, 40000), pkts: []pkt{{data: sipInvite}},
			want: ProtoSIP},
		{name: "keepalive, then a request", info: udp,
			pkts: []pkt{{data: "\r\n\r\n"}, {data: sipInvite}},
			want: ProtoSIP},
		{name: "over TCP, request line split", info: tcp,
			pkts: exchange(pkt{data: sipInvite[:10]}, pkt{data: sipInvite[10:]}), want: ProtoSIP},
		{name: "tel URI", info: udp, pkts: []pkt{{data: "OPTIONS tel:+4512345678 SIP/2.0\r\n\r\n"}},
			want: ProtoSIP},
		{name: "HTTP request", info: tcp,
			pkts: exchange(pkt{data: "GET / HTTP/1.1\r\nHost: x\r\n\r\n"})},
		{name: "RTSP request", info: tcp,
			pkts: exchange(pkt{data: "OPTIONS rtsp://cam/ RTSP/1.0\r\n\r\n"})},
		{name: "unknown method", info: udp, pkts: []pkt{{data: "FETCH sip:a@b SIP/2.0\r\n\r\n"}}},
		{name: "damaged version", info: udp, pkts: []pkt{{data: "INVITE sip:a@b SIP/a.0\r\n\r\n"}}},
	}
	checkFlows(t, sipDissector(), tests)
}

func FuzzSIP(f *testing.F) {
	f.Add([]byte(sipRegister), []byte(sipUnauthorized))
	seedDatagrams(f, "ndpi_sip.pcap", toPort(5060), 2)
	reg := mustRegistry(f, sipDissector())
	f.Fuzz(func(t *testing.T, a, b []byte) {
		fuzzUDPPair(t, reg, 5060, a, b)
		fuzzTCP(t, reg, 5060, append(a, b...), uint16(len(a)))
	})
}

func BenchmarkSIP(b *testing.B) {
	benchFlow(b, mustRegistry(b, sipDissector()), flowInfo(IPProtoUDP, 5060, 5060),
		[]pkt{{data: sipRegister}, {dir: 1, data: sipUnauthorized}})
}
