package dpi

import "testing"

// A compound RTCP packet of ndpi_sip.pcap: sender report, source
// description, goodbye.
const rtcpSample = "80c800063796cb7142c907ca5efac603000024c3000000090000060c" +
	"81ca000b3796cb71011d31313839343239372d3434333261396638403139322e3136382e312e3206055349505053000" +
	"081cb00063796cb711073657373696f6e2073687574646f776e000000"

func TestRTCP(t *testing.T) {
	info := flowInfo(IPProtoUDP, 30001, 40393)
	// A receiver report with one report block, and a feedback message
	// alone (reduced-size RTCP, RFC 5506).
	rr := "81c90007 3796cb71 11223344 00000001 00000010 00000002 00000003 00000004"
	pli := "81ce0002 3796cb71 11223344"
	tests := []flowCase{
		{name: "sender report, description, bye", info: info,
			pkts: datagrams(t, rtcpSample), want: ProtoRTCP},
		{name: "receiver report", info: info, pkts: datagrams(t, rr), want: ProtoRTCP},
		{name: "two reduced-size packets", info: info,
			pkts: datagrams(t, pli, pli), want: ProtoRTCP},
		{name: "one reduced-size packet", info: info, pkts: datagrams(t, pli)},
		{name: "receiver report too short for its count", info: info,
			pkts: datagrams(t, "82c90007"+rr[8:])},
		{name: "length past the end", info: info,
			pkts: datagrams(t, rtcpSample[:len(rtcpSample)-8])},
		{name: "trailing bytes", info: info, pkts: datagrams(t, rtcpSample+"00")},
		{name: "an RTP packet", info: info, pkts: []pkt{{data: rtpPacket(8, 1, 0, 7, 160)}}},
	}
	checkFlows(t, rtcpDissector(), tests)
}

func FuzzRTCP(f *testing.F) {
	f.Add(unhex(f, rtcpSample), []byte(nil))
	seedDatagrams(f, "ndpi_sip.pcap", toPort(30001), 1)
	reg := mustRegistry(f, rtcpDissector())
	f.Fuzz(func(t *testing.T, a, b []byte) {
		fuzzUDPPair(t, reg, 40393, a, b)
	})
}

func BenchmarkRTCP(b *testing.B) {
	benchFlow(b, mustRegistry(b, rtcpDissector()), flowInfo(IPProtoUDP, 30001, 40393),
		datagrams(b, rtcpSample))
}
