package dpi

import (
	"encoding/binary"
	"strings"
	"testing"
)

// wgMsg returns a WireGuard message of type typ and length n whose bytes
// 4 to 16 hold a and b (little endian) and the counter c.
func wgMsg(typ byte, n int, a, b uint32, c uint64) string {
	m := make([]byte, n)
	m[0] = typ
	binary.LittleEndian.PutUint32(m[4:], a)
	switch typ {
	case wgData:
		binary.LittleEndian.PutUint64(m[8:], c)
	default:
		binary.LittleEndian.PutUint32(m[8:], b)
	}
	for i := 16; i < n; i++ {
		m[i] = byte(i * 7)
	}
	return string(m)
}

func TestWireGuard(t *testing.T) {
	info := flowInfo(IPProtoUDP, 43462, 51820)
	const idx, peer = 0x30d037d8, 0xab7df406
	tests := []flowCase{
		{name: "handshake", info: info,
			pkts: []pkt{{data: wgMsg(wgInitiation, wgInitiationLen, idx, 0, 0)},
				{dir: 1, data: wgMsg(wgResponse, wgResponseLen, peer, idx, 0)}}, want: ProtoWireGuard},
		{name: "initiation retried", info: info,
			pkts: []pkt{{data: wgMsg(wgInitiation, wgInitiationLen, idx, 0, 0)},
				{data: wgMsg(wgInitiation, wgInitiationLen, idx+1, 0, 0)}}, want: ProtoWireGuard},
		{name: "data in mid flow", info: flowInfo(IPProtoUDP, 51820, 36116),
			pkts: []pkt{{data: wgMsg(wgData, 800, peer, 0, 0x6b)}, {data: wgMsg(wgData, 144, peer, 0, 0x6c)}},
			want: ProtoWireGuard},
		{name: "response naming another index", info: info,
			pkts: []pkt{{data: wgMsg(wgInitiation, wgInitiationLen, idx, 0, 0)},
				{dir: 1, data: wgMsg(wgResponse, wgResponseLen, peer, idx+1, 0)}}},
		{name: "initiation one byte long", info: info,
			pkts: []pkt{{data: wgMsg(wgInitiation, wgInitiationLen+1, idx, 0, 0)},
				{data: wgMsg(wgInitiation, wgInitiationLen+1, idx, 0, 0)}}},
		{name: "data counter going back", info: info,
			pkts: []pkt{{data: wgMsg(wgData, 96, peer, 0, 9)}, {data: wgMsg(wgData, 96, peer, 0, 8)}}},
		{name: "data of two receivers", info: info,
			pkts: []pkt{{data: wgMsg(wgData, 96, peer, 0, 9)}, {data: wgMsg(wgData, 96, peer+1, 0, 10)}}},
		{name: "data not in 16-byte blocks", info: info,
			pkts: []pkt{{data: wgMsg(wgData, 97, peer, 0, 9)}, {data: wgMsg(wgData, 97, peer, 0, 10)}}},
		{name: "reserved bytes set", info: info,
			pkts: []pkt{{data: "\x04\x01" + wgMsg(wgData, 96, peer, 0, 9)[2:]},
				{data: "\x04\x01" + wgMsg(wgData, 96, peer, 0, 10)[2:]}}},
		{name: "zeros", info: info,
			pkts: []pkt{{data: strings.Repeat("\x00", 148)}, {data: strings.Repeat("\x00", 148)}}},
	}
	checkFlows(t, wireguardDissector(), tests)
}

func FuzzWireGuard(f *testing.F) {
	f.Add([]byte(wgMsg(wgInitiation, wgInitiationLen, 1, 0, 0)), []byte(wgMsg(wgResponse, wgResponseLen, 2, 1, 0)))
	seedDatagrams(f, "ndpi_wireguard.pcap", func(*testFlow) bool { return true }, 2)
	reg := mustRegistry(f, wireguardDissector())
	f.Fuzz(func(t *testing.T, a, b []byte) {
		fuzzUDPPair(t, reg, 51820, a, b)
		fuzzUDP(t, reg, 51820, a, b)
	})
}

func BenchmarkWireGuard(b *testing.B) {
	benchFlow(b, mustRegistry(b, wireguardDissector()), flowInfo(IPProtoUDP, 43462, 51820), []pkt{
		{data: wgMsg(wgInitiation, wgInitiationLen, 1, 0, 0)}, {dir: 1, data: wgMsg(wgResponse, wgResponseLen, 2, 1, 0)}})
}
