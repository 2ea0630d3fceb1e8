package packet

import "testing"

// benchFrames are the frames of BenchmarkDecode and TestDecodeAllocs: the
// common paths, a tunnel, and an error.
var benchFrames = []struct {
	name string
	link uint16
	data []byte
}{
	{name: "ethernet-ipv4-tcp", link: LinkEthernet,
		data: cat(eth(0x0800), ip4{src: a4, dst: b4, proto: 6, ttl: 64}.
			with(tcp(40001, 443, 0x018, make([]byte, 12), make([]byte, 1200))))},
	{name: "vlan-ipv4-udp", link: LinkEthernet,
		data: cat(eth(0x8100), be16(100), be16(0x0800), ip4{src: a4, dst: b4, proto: 17, ttl: 64}.
			with(udp(40002, 53, 0, make([]byte, 60))))},
	{name: "ethernet-ipv6-tcp", link: LinkEthernet,
		data: cat(eth(0x86dd), ip6{src: a6, dst: b6, next: 6, hops: 64, plen: -1}.
			with(tcp(40003, 443, 0x010, nil, make([]byte, 1200))))},
	{name: "vxlan-ipv4-tcp", link: LinkEthernet,
		data: cat(eth(0x0800), outer4(17, udp(49152, 4789, 0, cat(vxlan(5001, 8),
			eth(0x0800), tcp4))))},
	{name: "arp-error", link: LinkEthernet, data: pad(cat(eth(0x0806), make([]byte, 28)))},
}

func BenchmarkDecode(b *testing.B) {
	for _, bf := range benchFrames {
		b.Run(bf.name, func(b *testing.B) {
			var d Decoder
			var p Packet
			b.SetBytes(int64(len(bf.data)))
			b.ReportAllocs()
			for b.Loop() {
				_ = d.Decode(bf.link, bf.data, &p)
			}
		})
	}
}

// TestDecodeAllocs makes the zero-allocation promise a failing test, not
// only a benchmark column.
func TestDecodeAllocs(t *testing.T) {
	for _, bf := range benchFrames {
		t.Run(bf.name, func(t *testing.T) {
			var d Decoder
			var p Packet
			allocs := testing.AllocsPerRun(100, func() { _ = d.Decode(bf.link, bf.data, &p) })
			if allocs != 0 {
				t.Errorf("%v allocations per Decode, want 0", allocs)
			}
		})
	}
}
