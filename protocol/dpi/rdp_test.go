package dpi

import "testing"

const (
	// TPKT, X.224 connection request with a routing cookie and an RDP
	// negotiation request (TLS, CredSSP).
	rdpRequest = "0300002b 26 e0 0000 0000 00 436f6f6b69653a206d737473686173683d757365720d0a" +
		"0100080003000000"
	// TPKT, X.224 connection confirm with an RDP negotiation response.
	rdpConfirm = "03000013 0e d0 0000 1234 00 0200080002000000"
)

func TestRDP(t *testing.T) {
	info := flowInfo(IPProtoTCP, 50000, 3389)
	tests := []flowCase{
		{name: "connection request", info: info,
			pkts: exchange(pkt{data: string(unhex(t, rdpRequest))},
				pkt{dir: 1, data: string(unhex(t, rdpConfirm))}), want: ProtoRDP},
		{name: "confirm alone", info: info,
			pkts: exchange(pkt{dir: 1, data: string(unhex(t, rdpConfirm))}),
			want: ProtoRDP},
		{name: "TPKT cut after the version", info: info,
			pkts: exchange(pkt{data: string(unhex(t, rdpRequest))[:2]}, pkt{data: string(unhex(t, rdpRequest))[2:]}),
			want: ProtoRDP},
		{name: "length indicator off by one", info: info,
			pkts: exchange(pkt{data: patched(t, rdpRequest, 4, 0x27)})},
		{name: "data TPDU instead of a request", info: info,
			pkts: exchange(pkt{data: patched(t, rdpRequest, 5, 0xf0)})},
		{name: "TPKT version 2", info: info,
			pkts: exchange(pkt{data: patched(t, rdpRequest, 0, 2)})},
	}
	checkFlows(t, rdpDissector(), tests)
}

func FuzzRDP(f *testing.F) {
	c := unhex(f, rdpRequest)
	f.Add(append(c, unhex(f, rdpConfirm)...), uint16(len(c)))
	reg := mustRegistry(f, rdpDissector())
	f.Fuzz(func(t *testing.T, data []byte, split uint16) {
		fuzzTCP(t, reg, 3389, data, split)
	})
}

func BenchmarkRDP(b *testing.B) {
	benchFlow(b, mustRegistry(b, rdpDissector()), flowInfo(IPProtoTCP, 50000, 3389),
		exchange(pkt{data: string(unhex(b, rdpRequest))}, pkt{dir: 1, data: string(unhex(b, rdpConfirm))}))
}
