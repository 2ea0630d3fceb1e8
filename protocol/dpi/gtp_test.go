package dpi

import "testing"

const (
	// GTP-U echo request with a sequence number (TS 29.281 §7.2.1).
	gtpUEcho = "32 01 0004 00000000 1234 0000"
	// GTPv2-C echo request with a recovery IE (TS 29.274 §7.1.1).
	gtpCEcho = "40 01 0009 000001 00 03 0001 00 05"
	// GTPv1-C create PDP context request header and an IMSI IE.
	gtpCv1 = "32 10 000f 00000000 0001 0000 02 1111111111111111 0e 07"
	// GTP' (version 2) echo request with a 6-byte header.
	gtpPrimeEcho = "4e 01 0000 0001"
)

func TestGTP(t *testing.T) {
	u := flowInfo(IPProtoUDP, 2152, 2152)
	c := flowInfo(IPProtoUDP, 40000, 2123)
	tests := []flowCase{
		{name: "GTP-U echo", info: u, pkts: datagrams(t, gtpUEcho), want: ProtoGTP, app: ProtoGTPU},
		{name: "GTPv2-C echo", info: c,
			pkts: datagrams(t, gtpCEcho), want: ProtoGTP, app: ProtoGTPC},
		{name: "GTPv1-C", info: c, pkts: datagrams(t, gtpCv1), want: ProtoGTP, app: ProtoGTPC},
		{name: "GTP prime", info: flowInfo(IPProtoUDP,
			40000, 3386), pkts: datagrams(t, gtpPrimeEcho),
			want: ProtoGTP, app: ProtoGTPPrime},
		{name: "off the GTP ports", info: flowInfo(IPProtoUDP,
			40000, 40001), pkts: datagrams(t, gtpUEcho)},
		{name: "length one short", info: u, pkts: datagrams(t, "32010003 00000000 1234 0000")},
		{name: "version 2 on the user plane port", info: u, pkts: datagrams(t, gtpCEcho)},
		{name: "message type 0", info: c, pkts: datagrams(t, "40 00 0009 000001 00 03 0001 00 05")},
	}
	checkFlows(t, gtpDissector(), tests)
}

func FuzzGTP(f *testing.F) {
	f.Add(unhex(f, gtpUEcho), unhex(f, gtpCEcho))
	reg := mustRegistry(f, gtpDissector())
	f.Fuzz(func(t *testing.T, a, b []byte) {
		for _, port := range []uint16{2152, 2123, 3386} {
			fuzzUDPPair(t, reg, port, a, b)
		}
	})
}

func BenchmarkGTP(b *testing.B) {
	benchFlow(b, mustRegistry(b, gtpDissector()), flowInfo(IPProtoUDP, 40000, 2123),
		datagrams(b, gtpCEcho))
}
