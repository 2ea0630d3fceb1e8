package dpi

import "testing"

const (
	// Binding request with USERNAME, PRIORITY and MESSAGE-INTEGRITY-less
	// ICE attributes (RFC 8445), and a binding success with
	// XOR-MAPPED-ADDRESS.
	stunRequest = "0001 0014 2112a442 0102030405060708090a0b0c 0006 0005 61626364 65000000 0024 0004 6e7f1eff"
	stunSuccess = "0101 000c 2112a442 0102030405060708090a0b0c 0020 0008 0001 a147 e112a643"
	// RFC 3489 binding request with CHANGE-REQUEST.
	stunClassicReq = "0001 0008 0a0b0c0d0e0f10111213141516171819 0003 0004 00000000"
)

func TestSTUN(t *testing.T) {
	udp := flowInfo(IPProtoUDP, 54234, 50003)
	tests := []flowCase{
		{name: "binding request and success", info: udp,
			pkts: datagrams(t, stunRequest, "<"+stunSuccess),
			want: ProtoSTUN},
		{name: "over TCP", info: flowInfo(IPProtoTCP, 50000, 3478),
			pkts: exchange(pkt{data: string(unhex(t, stunRequest))}), want: ProtoSTUN},
		{name: "RFC 3489 on its port", info: flowInfo(IPProtoUDP,
			50000, 3478), pkts: datagrams(t, stunClassicReq),
			want: ProtoSTUN},
		{name: "RFC 3489 elsewhere", info: udp, pkts: datagrams(t, stunClassicReq)},
		{name: "length not in words", info: udp,
			pkts: datagrams(t, "0001 0011 2112a442 0102030405060708090a0b0c 00")},
		{name: "attribute past the end", info: udp,
			pkts: datagrams(t, "0001 0008 2112a442 0102030405060708090a0b0c 0006 0009 61626364")},
		{name: "top bits set", info: udp, pkts: datagrams(t, "8001"+stunRequest[4:])},
	}
	checkFlows(t, stunDissector(), tests)
}

func FuzzSTUN(f *testing.F) {
	f.Add(unhex(f, stunRequest), unhex(f, stunSuccess))
	seedDatagrams(f, "ndpi_rtp.pcapng", toPort(50003), 1)
	reg := mustRegistry(f, stunDissector())
	f.Fuzz(func(t *testing.T, a, b []byte) {
		fuzzUDPPair(t, reg, 3478, a, b)
		fuzzTCP(t, reg, 3478, append(a, b...), uint16(len(a)))
	})
}

func BenchmarkSTUN(b *testing.B) {
	benchFlow(b, mustRegistry(b, stunDissector()), flowInfo(IPProtoUDP, 54234, 50003),
		datagrams(b, stunRequest, "<"+stunSuccess))
}
