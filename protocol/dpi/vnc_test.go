package dpi

import "testing"

func TestVNC(t *testing.T) {
	info := flowInfo(IPProtoTCP, 50000, 5900)
	tests := []flowCase{
		{name: "server and client versions", info: info,
			pkts: exchange(pkt{dir: 1, data: "RFB 003.008\n"}, pkt{data: "RFB 003.008\n"}), want: ProtoVNC},
		{name: "version in two segments", info: flowInfo(IPProtoTCP, 50000, 5901),
			pkts: exchange(pkt{dir: 1, data: "RFB 0"}, pkt{dir: 1, data: "03.003\n"}), want: ProtoVNC},
		{name: "no line end", info: info, pkts: exchange(pkt{dir: 1, data: "RFB 003.008 "})},
		{name: "letters for digits", info: info,
			pkts: exchange(pkt{dir: 1, data: "RFB 0x3.008\n"})},
	}
	checkFlows(t, vncDissector(), tests)
}

func FuzzVNC(f *testing.F) {
	f.Add([]byte("RFB 003.008\nRFB 003.008\n"), uint16(12))
	reg := mustRegistry(f, vncDissector())
	f.Fuzz(func(t *testing.T, data []byte, split uint16) {
		fuzzTCP(t, reg, 5900, data, split)
	})
}

func BenchmarkVNC(b *testing.B) {
	benchFlow(b, mustRegistry(b, vncDissector()), flowInfo(IPProtoTCP, 50000, 5900),
		exchange(pkt{dir: 1, data: "RFB 003.008\n"}, pkt{data: "RFB 003.008\n"}))
}
