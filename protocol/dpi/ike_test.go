package dpi

import "testing"

const (
	// IKEv2 IKE_SA_INIT request: SPIs, next payload SA (33), version
	// 2.0, exchange 34, flags initiator, message id 0, length 36, then an
	// empty SA payload.
	ikeV2Init = "1122334455667788 0000000000000000 21 20 22 08 00000000 00000024 00000008 00000000"
	// IKEv1 main mode: next payload SA (1), version 1.0, exchange 2.
	ikeV1Main = "8877665544332211 0000000000000000 01 10 02 00 00000000 00000020 00000004"
)

func TestIKE(t *testing.T) {
	info := flowInfo(IPProtoUDP, 500, 500)
	natt := flowInfo(IPProtoUDP, 4500, 4500)
	tests := []flowCase{
		{name: "IKEv2 SA init", info: info, pkts: datagrams(t, ikeV2Init), want: ProtoIPsec},
		{name: "IKEv1 main mode", info: info, pkts: datagrams(t, ikeV1Main), want: ProtoIPsec},
		{name: "behind NAT, after a keepalive", info: natt,
			pkts: datagrams(t, "ff", "00000000"+ikeV2Init),
			want: ProtoIPsec},
		{name: "off the IKE ports", info: flowInfo(IPProtoUDP,
			40000, 40001), pkts: datagrams(t, ikeV2Init)},
		{name: "no initiator SPI", info: info,
			pkts: datagrams(t, "0000000000000000"+ikeV2Init[16:])},
		{name: "version 3.0", info: info, pkts: []pkt{{data: patched(t, ikeV2Init, 17, 0x30)}}},
		{name: "length one long", info: info, pkts: []pkt{{data: patched(t, ikeV2Init, 27, 0x25)}}},
		{name: "ESP only", info: natt,
			pkts: datagrams(t, "c0ffee01 00000001 0102030405060708", "c0ffee01 00000002 0102030405060708",
				"c0ffee01 00000003 0102030405060708")},
	}
	checkFlows(t, ikeDissector(), tests)
}

func FuzzIKE(f *testing.F) {
	f.Add(unhex(f, ikeV2Init), unhex(f, ikeV1Main))
	reg := mustRegistry(f, ikeDissector())
	f.Fuzz(func(t *testing.T, a, b []byte) {
		fuzzUDPPair(t, reg, 500, a, b)
		fuzzUDPPair(t, reg, 4500, a, b)
	})
}

func BenchmarkIKE(b *testing.B) {
	benchFlow(b, mustRegistry(b, ikeDissector()), flowInfo(IPProtoUDP, 500, 500), datagrams(b, ikeV2Init))
}
