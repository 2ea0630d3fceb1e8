package dpi

import "testing"

// Packets of zeek_ntp_ntp.pcap: a client request (version 4, mode 3) and
// the server's reply (mode 4, stratum 4).
const (
	ntpClient = "230206ea00000bd90000063055c7d663e09ab55c12dcc914e09ab5540c60c23be09ab55413a64a3be09ab59607050baa"
	ntpServer = "240406e800000c810000124469edcf1ce09ab29cb8c778ebe09ab59607050baae09ab5960c625ccbe09ab5960c64646b"
	// A mode 6 read-variables request (ntpq -c rv), 12 bytes.
	ntpControl = "16020001000000000000 0000"
)

func TestNTP(t *testing.T) {
	info := flowInfo(IPProtoUDP, 123, 123)
	tests := []flowCase{
		{name: "client and server", info: info,
			pkts: datagrams(t, ntpClient, "<"+ntpServer), want: ProtoNTP},
		{name: "client from an ephemeral port", info: flowInfo(IPProtoUDP, 50123, 123),
			pkts: datagrams(t, ntpClient), want: ProtoNTP},
		{name: "with a key id and MD5 digest", info: info,
			pkts: datagrams(t, ntpClient+"00000001"+"00112233445566778899aabbccddeeff"), want: ProtoNTP},
		{name: "control message", info: flowInfo(IPProtoUDP,
			40000, 123), pkts: datagrams(t, ntpControl),
			want: ProtoNTP},
		{name: "not on port 123", info: flowInfo(IPProtoUDP,
			40000, 40001), pkts: datagrams(t, ntpClient)},
		{name: "version 0", info: info, pkts: datagrams(t, "03"+ntpClient[2:])},
		{name: "length not in words", info: info, pkts: datagrams(t, ntpClient+"00")},
		{name: "stratum 200", info: info, pkts: datagrams(t, "23c8"+ntpClient[4:])},
		{name: "precision 2^100", info: info, pkts: datagrams(t, "230206"+"64"+ntpClient[8:])},
		{name: "short", info: info, pkts: datagrams(t, ntpClient[:40])},
	}
	checkFlows(t, ntpDissector(), tests)
}

func FuzzNTP(f *testing.F) {
	f.Add(unhex(f, ntpClient), unhex(f, ntpServer))
	seedDatagrams(f, "zeek_ntp_ntp.pcap", toPort(123), 2)
	reg := mustRegistry(f, ntpDissector())
	f.Fuzz(func(t *testing.T, a, b []byte) {
		fuzzUDPPair(t, reg, 123, a, b)
	})
}

func BenchmarkNTP(b *testing.B) {
	benchFlow(b, mustRegistry(b, ntpDissector()), flowInfo(IPProtoUDP, 50123, 123),
		datagrams(b, ntpClient))
}
