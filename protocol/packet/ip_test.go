package packet

import "testing"

// set16 returns a copy of b with the big-endian v at off.
func set16(b []byte, off int, v uint16) []byte {
	b = cat(b)
	b[off], b[off+1] = byte(v>>8), byte(v)
	return b
}

func TestDecodeIPv4(t *testing.T) {
	synOpts := make([]byte, 20)
	synOpts[0] = 2 // MSS, then zeros: the decoder never reads options
	synIP := ip4{src: a4, dst: b4, proto: 6, ttl: 64, total: 1500}.
		with(tcp(40071, 80, 0x002, synOpts, nil))
	udpFrag := func(frag, id uint16, body []byte) []byte {
		return ip4{src: a4, dst: b4, proto: 17, ttl: 64, id: id, frag: frag}.with(body)
	}
	quoted := cat(ip4{src: a4, dst: b4, proto: 17, ttl: 1}.with(udp(40141, 33434, 0, nil)))
	fragWant := func(first, more bool, port bool) Packet {
		p := Packet{Src: addr(a4), Dst: addr(b4), Proto: 17, IPVersion: 4, TTL: 64,
			Fragmented: true, FirstFrag: first, MoreFrags: more, FragID: 0x2222}
		if port {
			p.SrcPort, p.DstPort = 40120, 9999
		}
		return p
	}
	first := udpFrag(0x2000, 0x2222, udp(40120, 9999, 3008, []byte("data")))
	middle := udpFrag(0x2000|185, 0x2222, []byte{0x1f, 0x90, 0x00, 0x50, 1, 2, 3, 4})
	last := udpFrag(370, 0x2222, []byte{0x1f, 0x90, 0x00, 0x50})
	runCases(t, []decodeCase{
		{name: "options", linkType: LinkIPv4,
			frame: ip4{src: a4, dst: b4, proto: 17, ttl: 64, options: []byte{1, 1, 1, 0}}.
				with(udpDgram),
			want: with(udp4Want(), func(p *Packet) { p.Octets += 4 })},
		{name: "snaplen cuts tcp options (B07)", linkType: LinkEthernet,
			frame: cat(eth(0x0800), synIP)[:54],
			want: Packet{Src: addr(a4), Dst: addr(b4), SrcPort: 40071, DstPort: 80, Proto: 6,
				IPVersion: 4, TTL: 64, TCPFlags: 0x002, TCPSeq: tcpSeqNo, Octets: 1500}},
		{name: "snaplen cuts ip options", linkType: LinkIPv4,
			frame: ip4{src: a4, dst: b4, proto: 6, ttl: 64, options: make([]byte, 8)}.
				with(tcpSeg)[:24],
			want: Packet{Src: addr(a4), Dst: addr(b4), Proto: 6, IPVersion: 4, TTL: 64,
				Octets: uint32(28 + len(tcpSeg))}},
		{name: "first fragment", linkType: LinkIPv4, frame: first,
			want: with(fragWant(true, true, true), func(p *Packet) {
				p.Octets, p.Payload = uint32(len(first)), []byte("data")
			})},
		{name: "middle fragment", linkType: LinkIPv4, frame: middle,
			want: with(fragWant(false, true, false), func(p *Packet) { p.Octets = 28 })},
		{name: "last fragment", linkType: LinkIPv4, frame: last,
			want: with(fragWant(false, false, false), func(p *Packet) { p.Octets = 24 })},
		{name: "zero total length (segmentation offload)", linkType: LinkIPv4,
			frame: set16(tcp4, 2, 0), want: tcp4Want()},
		{name: "short header", linkType: LinkEthernet, frame: cat(eth(0x0800), tcp4[:19]),
			err: ErrTruncated, layer: LayerIPv4, offset: 14},
		{name: "ihl below 5", linkType: LinkEthernet,
			frame: cat(eth(0x0800), []byte{0x44}, tcp4[1:]),
			err:   ErrMalformed, layer: LayerIPv4, offset: 14},
		{name: "total below header", linkType: LinkIPv4, frame: set16(tcp4, 2, 19),
			err: ErrMalformed, layer: LayerIPv4},
		{name: "version 6 behind 0x0800", linkType: LinkEthernet, frame: cat(eth(0x0800), udp6),
			err: ErrMalformed, layer: LayerIPv4, offset: 14},
		{name: "icmp echo", linkType: LinkIPv4,
			frame: ip4{src: a4, dst: b4, proto: 1, ttl: 64}.
				with(icmp(8, 0, []byte{0, 1, 0, 1, 'x'})),
			want: Packet{Src: addr(a4), Dst: addr(b4), DstPort: 2048, Proto: 1, IPVersion: 4,
				TTL: 64, Octets: 29, Payload: []byte("x")}},
		{name: "icmp error quoting udp (B14)", linkType: LinkIPv4,
			frame: ip4{src: "203.0.113.1", dst: a4, proto: 1, ttl: 64}.
				with(icmp(3, 3, cat(be32(0), quoted))),
			want: Packet{Src: addr("203.0.113.1"), Dst: addr(a4), DstPort: 771, Proto: 1,
				IPVersion: 4, TTL: 64, Octets: uint32(28 + len(quoted)), Payload: quoted}},
		{name: "icmp one byte", linkType: LinkIPv4,
			frame: ip4{src: a4, dst: b4, proto: 1, ttl: 64}.with([]byte{8}),
			want: Packet{Src: addr(a4), Dst: addr(b4), Proto: 1, IPVersion: 4, TTL: 64,
				Octets: 21}},
		{name: "ospf has no ports", linkType: LinkIPv4,
			frame: ip4{src: a4, dst: b4, proto: 89, ttl: 1}.with([]byte{2, 1, 0, 44}),
			want: Packet{Src: addr(a4), Dst: addr(b4), Proto: 89, IPVersion: 4, TTL: 1,
				Octets: 24, Payload: []byte{2, 1, 0, 44}}},
	})
}

func TestDecodeTransport(t *testing.T) {
	v4 := func(proto uint8, body []byte) []byte {
		return ip4{src: a4, dst: b4, proto: proto, ttl: 64}.with(body)
	}
	want := func(proto uint8, sport, dport uint16, octets int, pl []byte) Packet {
		return Packet{Src: addr(a4), Dst: addr(b4), SrcPort: sport, DstPort: dport,
			Proto: proto, IPVersion: 4, TTL: 64, Octets: uint32(octets), Payload: pl}
	}
	sctp := cat(be16(2905), be16(2944), be32(1), be32(0), []byte{0, 3, 0, 4})
	dccp := cat(be16(5001), be16(5002), []byte{4, 0, 0, 0}, make([]byte, 8), []byte("dc"))
	runCases(t, []decodeCase{
		{name: "tcp all nine flags", linkType: LinkIPv4, frame: v4(6, tcp(1, 2, 0x1ff, nil, nil)),
			want: with(want(6, 1, 2, 40, []byte{}), func(p *Packet) { p.TCPFlags, p.TCPSeq = 0x1ff, tcpSeqNo })},
		{name: "tcp ports only", linkType: LinkIPv4,
			frame: ip4{src: a4, dst: b4, proto: 6, ttl: 64, total: 60}.with(tcpSeg[:4]),
			want:  want(6, 40001, 80, 60, nil)},
		{name: "tcp bad data offset", linkType: LinkIPv4,
			frame: v4(6, cat(tcpSeg[:12], []byte{0x40, 0x02}, tcpSeg[14:])),
			want: with(want(6, 40001, 80, 20+len(tcpSeg), nil),
				func(p *Packet) { p.TCPFlags, p.TCPSeq = 2, tcpSeqNo })},
		{name: "tcp ipv6", linkType: LinkIPv6,
			frame: ip6{src: a6, dst: b6, next: 6, hops: 64, plen: -1}.
				with(tcp(5, 6, 0x011, nil, nil)),
			want: Packet{Src: addr(a6), Dst: addr(b6), SrcPort: 5, DstPort: 6, Proto: 6,
				IPVersion: 6, TTL: 64, TCPFlags: 0x011, TCPSeq: tcpSeqNo, Octets: 60, Payload: []byte{}}},
		{name: "udp length ends payload", linkType: LinkIPv4,
			frame: v4(17, udp(1, 2, 10, []byte("query"))), want: want(17, 1, 2, 33, []byte("qu"))},
		{name: "udp length zero", linkType: LinkIPv4,
			frame: v4(17, cat(be32(0x00010002), be32(0), []byte("ab"))),
			want:  want(17, 1, 2, 30, []byte("ab"))},
		{name: "udp cut", linkType: LinkIPv4,
			frame: ip4{src: a4, dst: b4, proto: 17, ttl: 64, total: 40}.with(udpDgram[:6]),
			want:  want(17, 40002, 53, 40, nil)},
		{name: "udp-lite coverage is not a length", linkType: LinkIPv4,
			frame: v4(136, udp(1, 2, 8, []byte("lite"))),
			want:  want(136, 1, 2, 32, []byte("lite"))},
		{name: "sctp", linkType: LinkIPv4, frame: v4(132, sctp),
			want: want(132, 2905, 2944, 20+len(sctp), []byte{0, 3, 0, 4})},
		{name: "dccp", linkType: LinkIPv4, frame: v4(33, dccp),
			want: want(33, 5001, 5002, 20+len(dccp), []byte("dc"))},
		{name: "icmpv6 echo", linkType: LinkIPv6,
			frame: ip6{src: a6, dst: b6, next: 58, hops: 64, plen: -1}.with(icmp(128, 0, be32(1))),
			want: Packet{Src: addr(a6), Dst: addr(b6), DstPort: 32768, Proto: 58, IPVersion: 6,
				TTL: 64, Octets: 48, Payload: []byte{}}},
	})
}

func TestDecodeIPv6(t *testing.T) {
	v6 := func(next uint8, plen int, body []byte) []byte {
		return ip6{src: a6, dst: b6, next: next, hops: 64, plen: plen}.with(body)
	}
	base := func(proto uint8, octets int) Packet {
		return Packet{Src: addr(a6), Dst: addr(b6), Proto: proto, IPVersion: 6, TTL: 64,
			Octets: uint32(octets)}
	}
	udpWant := func(octets int) Packet {
		return with(base(17, octets), func(p *Packet) {
			p.SrcPort, p.DstPort, p.Payload = 40002, 53, []byte("query")
		})
	}
	chain := cat(ext6(60, 8), ext6(43, 16), ext6(17, 8), udpDgram)
	ah := cat([]byte{6, 4, 0, 0}, be32(0x100), be32(1), make([]byte, 12),
		tcp(7, 8, 0x10, nil, nil))
	var tooMany []byte
	for range maxIPv6Ext + 1 {
		tooMany = append(tooMany, ext6(60, 8)...)
	}
	runCases(t, []decodeCase{
		{name: "extension chain", linkType: LinkIPv6, frame: v6(0, -1, chain),
			want: udpWant(40 + len(chain))},
		{name: "authentication header", linkType: LinkIPv6, frame: v6(51, -1, ah),
			want: with(base(6, 40+len(ah)), func(p *Packet) {
				p.SrcPort, p.DstPort, p.TCPFlags, p.TCPSeq, p.Payload = 7, 8, 0x10, tcpSeqNo, []byte{}
			})},
		{name: "first fragment", linkType: LinkIPv6,
			frame: v6(44, -1, cat(frag6(17, 0, true, 0xdeadbeef), udpDgram)),
			want: with(udpWant(40+8+len(udpDgram)), func(p *Packet) {
				p.Fragmented, p.FirstFrag, p.MoreFrags, p.FragID = true, true, true, 0xdeadbeef
			})},
		{name: "later fragment", linkType: LinkIPv6,
			frame: v6(0, -1, cat(ext6(44, 8), frag6(17, 181, false, 0xfeedf00d), []byte{0, 53})),
			want: with(base(17, 58), func(p *Packet) {
				p.Fragmented, p.FragID = true, 0xfeedf00d
			})},
		{name: "atomic fragment", linkType: LinkIPv6,
			frame: v6(44, -1, cat(frag6(17, 0, false, 5), udpDgram)),
			want:  udpWant(40 + 8 + len(udpDgram))},
		{name: "esp stops the walk", linkType: LinkIPv6,
			frame: v6(0, -1, cat(ext6(50, 8), []byte("spi+seq+data"))),
			want:  with(base(50, 60), func(p *Packet) { p.Payload = []byte("spi+seq+data") })},
		{name: "mobility then no next header", linkType: LinkIPv6,
			frame: v6(135, -1, ext6(59, 16)),
			want:  with(base(59, 56), func(p *Packet) { p.Payload = []byte{} })},
		{name: "no next header in padding", linkType: LinkEthernet,
			frame: pad(cat(eth(0x86dd), v6(59, -1, nil))),
			want:  with(base(59, 40), func(p *Packet) { p.Payload = []byte{} })},
		{name: "chain cut by snaplen", linkType: LinkIPv6,
			frame: v6(0, 100, cat(ext6(17, 16)[:10])), want: base(17, 140)},
		{name: "fragment header cut", linkType: LinkIPv6,
			frame: v6(44, 100, frag6(6, 0, true, 1)[:4]), want: base(6, 140)},
		{name: "zero payload length (jumbo or offload)", linkType: LinkIPv6,
			frame: v6(17, 0, udpDgram), want: udpWant(40 + len(udpDgram))},
		{name: "too many extension headers", linkType: LinkEthernet,
			frame: cat(eth(0x86dd), v6(60, -1, tooMany)),
			err:   ErrMalformed, layer: LayerIPv6Ext, offset: 14 + 40 + 8*maxIPv6Ext},
		{name: "short header", linkType: LinkEthernet, frame: cat(eth(0x86dd), udp6[:39]),
			err: ErrTruncated, layer: LayerIPv6, offset: 14},
		{name: "version 4 behind 0x86dd", linkType: LinkEthernet, frame: cat(eth(0x86dd), udp6[:0],
			ip4{src: a4, dst: b4, proto: 17, total: 40}.with(make([]byte, 20))),
			err: ErrMalformed, layer: LayerIPv6, offset: 14},
	})
}
