package packet

import "testing"

func sllHeader(proto uint16) []byte {
	return cat(be16(0), be16(1), be16(6), macSrc, []byte{0, 0}, be16(proto))
}

func sll2Header(proto uint16) []byte {
	return cat(be16(proto), be16(0), be32(2), be16(1), []byte{0, 6}, macSrc, []byte{0, 0})
}

func TestDecodeLinkTypes(t *testing.T) {
	le := func(v uint32) []byte {
		return []byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)}
	}
	runCases(t, []decodeCase{
		{name: "ethernet ipv4 tcp", linkType: LinkEthernet, frame: cat(eth(0x0800), tcp4),
			want: tcp4Want()},
		{name: "ethernet padding is not payload", linkType: LinkEthernet,
			frame: pad(cat(eth(0x0800), udp4)), want: udp4Want()},
		{name: "ethernet padding after tcp", linkType: LinkEthernet,
			frame: pad(cat(eth(0x0800), ip4{src: a4, dst: b4, proto: 6, ttl: 64}.
				with(tcp(1, 2, 0x018, nil, []byte("hi"))))),
			want: Packet{Src: addr(a4), Dst: addr(b4), SrcPort: 1, DstPort: 2, Proto: 6,
				IPVersion: 4, TTL: 64, TCPFlags: 0x018, TCPSeq: tcpSeqNo, Octets: 42, Payload: []byte("hi")}},
		{name: "ethernet padding after ipv6", linkType: LinkEthernet,
			frame: pad(cat(eth(0x86dd), ip6{src: a6, dst: b6, next: 99, plen: -1}.
				with([]byte("x")))),
			want: Packet{Src: addr(a6), Dst: addr(b6), Proto: 99, IPVersion: 6, Octets: 41,
				Payload: []byte("x")}},
		{name: "ethernet ipv6 udp", linkType: LinkEthernet, frame: cat(eth(0x86dd), udp6),
			want: udp6Want()},
		{name: "linux sll", linkType: LinkLinuxSLL, frame: cat(sllHeader(0x0800), tcp4),
			want: tcp4Want()},
		{name: "linux sll vlan", linkType: LinkLinuxSLL,
			frame: cat(sllHeader(0x8100), be16(12), be16(0x86dd), udp6),
			want:  with(udp6Want(), func(p *Packet) { p.VLAN = 12 })},
		{name: "linux sll netlink", linkType: LinkLinuxSLL, frame: cat(sllHeader(0x0000), tcp4),
			err: ErrNotIP, layer: LayerSLL, offset: 14},
		{name: "linux sll llc snap", linkType: LinkLinuxSLL,
			frame: cat(sllHeader(0x0004), []byte{0xaa, 0xaa, 3, 0, 0, 0}, be16(0x0800), tcp4),
			want:  tcp4Want()},
		{name: "linux sll short", linkType: LinkLinuxSLL, frame: sllHeader(0x0800)[:15],
			err: ErrTruncated, layer: LayerSLL},
		{name: "linux sll2 ipv6", linkType: LinkLinuxSLL2, frame: cat(sll2Header(0x86dd), udp6),
			want: udp6Want()},
		{name: "linux sll2 arp", linkType: LinkLinuxSLL2, frame: cat(sll2Header(0x0806), tcp4),
			err: ErrNotIP, layer: LayerEthernet, offset: 18},
		{name: "linux sll2 short", linkType: LinkLinuxSLL2, frame: make([]byte, 19),
			err: ErrTruncated, layer: LayerSLL2},
		{name: "raw 101 ipv4", linkType: LinkRaw, frame: tcp4, want: tcp4Want()},
		{name: "raw 101 ipv6", linkType: LinkRaw, frame: udp6, want: udp6Want()},
		{name: "raw 12", linkType: LinkRawBSD, frame: udp6, want: udp6Want()},
		{name: "raw 14", linkType: LinkRawOpenBSD, frame: tcp4, want: tcp4Want()},
		{name: "raw bad version", linkType: LinkRaw, frame: cat([]byte{0x50}, tcp4[1:]),
			err: ErrNotIP, layer: LayerLink},
		{name: "raw empty", linkType: LinkRaw, frame: nil, err: ErrTruncated, layer: LayerLink},
		{name: "ipv4 228", linkType: LinkIPv4, frame: tcp4, want: tcp4Want()},
		{name: "ipv4 228 holding ipv6", linkType: LinkIPv4, frame: udp6,
			err: ErrMalformed, layer: LayerIPv4},
		{name: "ipv6 229", linkType: LinkIPv6, frame: udp6, want: udp6Want()},
		{name: "null little endian inet", linkType: LinkNull, frame: cat(le(2), tcp4),
			want: tcp4Want()},
		{name: "null big endian inet", linkType: LinkNull, frame: cat(be32(2), tcp4),
			want: tcp4Want()},
		{name: "null inet6 24", linkType: LinkNull, frame: cat(le(24), udp6), want: udp6Want()},
		{name: "null inet6 28", linkType: LinkNull, frame: cat(be32(28), udp6), want: udp6Want()},
		{name: "null inet6 30", linkType: LinkNull, frame: cat(le(30), udp6), want: udp6Want()},
		{name: "null other family", linkType: LinkNull, frame: cat(le(7), tcp4),
			err: ErrNotIP, layer: LayerLoopback},
		{name: "null short", linkType: LinkNull, frame: []byte{2, 0},
			err: ErrTruncated, layer: LayerLoopback},
		{name: "loop network order", linkType: LinkLoop, frame: cat(be32(24), udp6),
			want: udp6Want()},
		{name: "ppp with address", linkType: LinkPPP,
			frame: cat([]byte{0xff, 0x03}, be16(0x0021), tcp4), want: tcp4Want()},
		{name: "ppp compressed", linkType: LinkPPP, frame: cat([]byte{0x57}, udp6),
			want: udp6Want()},
		{name: "ppp hdlc", linkType: LinkPPPHDLC,
			frame: cat([]byte{0xff, 0x03}, be16(0x0057), udp6), want: udp6Want()},
		{name: "ppp lcp", linkType: LinkPPP, frame: cat([]byte{0xff, 0x03}, be16(0xc021)),
			err: ErrNotIP, layer: LayerPPP, offset: 2},
		{name: "ppp ether", linkType: LinkPPPoE,
			frame: cat([]byte{0x11, 0}, be16(1), be16(uint16(len(tcp4)+2)), be16(0x0021), tcp4),
			want:  tcp4Want()},
		{name: "cisco hdlc", linkType: LinkCHDLC, frame: cat([]byte{0x0f, 0}, be16(0x86dd), udp6),
			want: udp6Want()},
		{name: "cisco hdlc short", linkType: LinkCHDLC, frame: []byte{0x0f, 0, 8},
			err: ErrTruncated, layer: LayerCHDLC},
		{name: "unsupported", linkType: 147, frame: tcp4, err: ErrUnsupportedLink,
			layer: LayerLink},
	})
}

func TestDecodeEthernet(t *testing.T) {
	snap := []byte{0xaa, 0xaa, 0x03, 0, 0, 0}
	pppoe := func(proto uint16, ip []byte) []byte {
		return cat([]byte{0x11, 0}, be16(0x1234), be16(uint16(len(ip)+2)), be16(proto), ip)
	}
	runCases(t, []decodeCase{
		{name: "802.1q", linkType: LinkEthernet, frame: cat(eth(0x8100), be16(0x2064),
			be16(0x0800), tcp4), want: with(tcp4Want(), func(p *Packet) { p.VLAN = 100 })},
		{name: "802.1ad qinq", linkType: LinkEthernet,
			frame: cat(eth(0x88a8), be16(100), tag(0x8100, 200, 0x0800), tcp4),
			want:  with(tcp4Want(), func(p *Packet) { p.VLAN, p.InnerVLAN = 100, 200 })},
		{name: "0x9100 qinq", linkType: LinkEthernet,
			frame: cat(eth(0x9100), be16(300), tag(0x8100, 400, 0x86dd), udp6),
			want:  with(udp6Want(), func(p *Packet) { p.VLAN, p.InnerVLAN = 300, 400 })},
		{name: "three tags", linkType: LinkEthernet,
			frame: cat(eth(0x88a8), be16(1), tag(0x8100, 2, 0x8100), be16(3), be16(0x0800), tcp4),
			want:  with(tcp4Want(), func(p *Packet) { p.VLAN, p.InnerVLAN = 1, 2 })},
		{name: "priority tag", linkType: LinkEthernet,
			frame: cat(eth(0x8100), be16(0xa000), be16(0x0800), tcp4), want: tcp4Want()},
		{name: "priority tag then vlan", linkType: LinkEthernet,
			frame: cat(eth(0x8100), be16(0xa000), tag(0x8100, 5, 0x0800), tcp4),
			want:  with(tcp4Want(), func(p *Packet) { p.InnerVLAN = 5 })},
		{name: "tag cut", linkType: LinkEthernet, frame: cat(eth(0x8100), []byte{0, 1}),
			err: ErrTruncated, layer: LayerVLAN, offset: 14},
		{name: "endless tags", linkType: LinkEthernet,
			frame: cat(eth(0x8100), bytesRepeat(be32(0x00018100), 70)),
			err:   ErrMalformed, layer: LayerEthernet, offset: 14 + 4*maxLinkHops},
		{name: "mpls two labels ipv4", linkType: LinkEthernet,
			frame: cat(eth(0x8847), label(16, false), label(1001, true), tcp4),
			want:  with(tcp4Want(), func(p *Packet) { p.MPLSTop = 16 << 4 })},
		{name: "mpls ipv6", linkType: LinkEthernet,
			frame: cat(eth(0x8847), label(2002, true), udp6),
			want:  with(udp6Want(), func(p *Packet) { p.MPLSTop = 2002<<4 | 1 })},
		{name: "mpls multicast behind vlan", linkType: LinkEthernet,
			frame: cat(eth(0x8100), be16(7), be16(0x8848), label(33, true), tcp4),
			want:  with(tcp4Want(), func(p *Packet) { p.VLAN, p.MPLSTop = 7, 33<<4|1 })},
		{name: "mpls pseudowire ethernet", linkType: LinkEthernet,
			frame: cat(eth(0x8847), label(40, true), be32(0), eth(0x8100), be16(9),
				be16(0x0800), tcp4),
			want: with(tcp4Want(), func(p *Packet) { p.MPLSTop, p.VLAN = 40<<4|1, 9 })},
		{name: "mpls unknown payload", linkType: LinkEthernet,
			frame: cat(eth(0x8847), label(40, true), []byte{0x95, 0}),
			err:   ErrNotIP, layer: LayerMPLS, offset: 18},
		{name: "mpls no bottom", linkType: LinkEthernet,
			frame: cat(eth(0x8847), bytesRepeat(label(5, false), 20)),
			err:   ErrMalformed, layer: LayerMPLS, offset: 14 + 4*maxMPLSLabels},
		{name: "mpls cut", linkType: LinkEthernet, frame: cat(eth(0x8847), label(5, true)),
			err: ErrTruncated, layer: LayerMPLS, offset: 18},
		{name: "pppoe ipv6", linkType: LinkEthernet, frame: cat(eth(0x8864), pppoe(0x0057, udp6)),
			want: udp6Want()},
		{name: "pppoe ipv4 behind vlan", linkType: LinkEthernet,
			frame: cat(eth(0x8100), be16(20), be16(0x8864), pppoe(0x0021, tcp4)),
			want:  with(tcp4Want(), func(p *Packet) { p.VLAN = 20 })},
		{name: "pppoe lcp", linkType: LinkEthernet,
			frame: pad(cat(eth(0x8864), pppoe(0xc021, nil))),
			err:   ErrNotIP, layer: LayerPPP, offset: 20},
		{name: "pppoe discovery code", linkType: LinkEthernet,
			frame: pad(cat(eth(0x8864), []byte{0x11, 0x09, 0, 0, 0, 0})),
			err:   ErrNotIP, layer: LayerPPPoE, offset: 15},
		{name: "pppoe bad version", linkType: LinkEthernet,
			frame: pad(cat(eth(0x8864), []byte{0x22, 0, 0, 0, 0, 0})),
			err:   ErrMalformed, layer: LayerPPPoE, offset: 14},
		{name: "802.3 llc snap", linkType: LinkEthernet,
			frame: cat(eth(uint16(len(tcp4)+8)), snap, be16(0x0800), tcp4), want: tcp4Want()},
		{name: "802.3 ip sap", linkType: LinkEthernet,
			frame: cat(eth(uint16(len(tcp4)+3)), []byte{6, 6, 3}, tcp4), want: tcp4Want()},
		{name: "802.3 stp", linkType: LinkEthernet,
			frame: pad(cat(eth(38), []byte{0x42, 0x42, 0x03, 0, 0})),
			err:   ErrNotIP, layer: LayerLLC, offset: 14},
		{name: "802.3 cdp", linkType: LinkEthernet,
			frame: pad(cat(eth(38), []byte{0xaa, 0xaa, 0x03, 0, 0, 0x0c}, be16(0x2000))),
			err:   ErrNotIP, layer: LayerLLC, offset: 17},
		{name: "arp", linkType: LinkEthernet, frame: pad(eth(0x0806)),
			err: ErrNotIP, layer: LayerEthernet, offset: 12},
		{name: "short ethernet", linkType: LinkEthernet, frame: macDst,
			err: ErrTruncated, layer: LayerEthernet},
	})
}

func bytesRepeat(b []byte, n int) []byte {
	var out []byte
	for range n {
		out = append(out, b...)
	}
	return out
}
