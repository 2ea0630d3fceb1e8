package packet

import (
	"fmt"
	"testing"
)

const (
	tunA = "203.0.113.1"
	tunB = "203.0.113.2"
)

// outer4 wraps body in an outer IPv4 header between the tunnel endpoints.
func outer4(proto uint8, body []byte) []byte {
	return ip4{src: tunA, dst: tunB, proto: proto, ttl: 255}.with(body)
}

// outerWant is the outer packet, kept when the inner one does not decode.
func outerWant(frame []byte, proto uint8, sport, dport uint16, pl []byte) Packet {
	return Packet{Src: addr(tunA), Dst: addr(tunB), SrcPort: sport, DstPort: dport,
		Proto: proto, IPVersion: 4, TTL: 255, Octets: uint32(len(frame)), Payload: pl}
}

func tunneled(p Packet, kind Tunnel, id uint32) Packet {
	p.Tunnel, p.TunnelID = kind, id
	return p
}

func vxlan(vni uint32, flags byte) []byte { return cat([]byte{flags, 0, 0, 0}, be32(vni<<8)) }

func TestDecodeGRE(t *testing.T) {
	plain := outer4(47, cat(be16(0), be16(0x0800), udp4))
	arp := outer4(47, cat(be16(0), be16(0x0806), make([]byte, 28)))
	routed := outer4(47, cat(be16(0x4000), be16(0x0800), be32(0), udp4))
	ackOnly := outer4(47, cat([]byte{0x20, 0x81}, be16(0x880b), be16(0), be16(7), be32(9)))
	fragGRE := ip4{src: tunA, dst: tunB, proto: 47, ttl: 255, frag: 0x2000, id: 3}.
		with(cat(be16(0), be16(0x0800), udp4))
	runCases(t, []decodeCase{
		{name: "ipv4 behind vlan", linkType: LinkEthernet,
			frame: cat(eth(0x8100), be16(50), be16(0x0800), plain),
			want:  with(tunneled(udp4Want(), TunnelGRE, 0), func(p *Packet) { p.VLAN = 50 })},
		{name: "checksum key sequence", linkType: LinkIPv4,
			frame: outer4(47, cat(be16(0xb000), be16(0x86dd), be32(0), be32(0x1234), be32(1),
				udp6)),
			want: tunneled(udp6Want(), TunnelGRE, 0x1234)},
		{name: "transparent ethernet keeps outer vlan", linkType: LinkEthernet,
			frame: cat(eth(0x8100), be16(50), be16(0x0800), outer4(47, cat(be16(0), be16(0x6558),
				eth(0x8100), be16(77), be16(0x0800), tcp4))),
			want: with(tunneled(tcp4Want(), TunnelGRE, 0), func(p *Packet) { p.VLAN = 50 })},
		{name: "mpls inside is not the frame's label", linkType: LinkIPv4,
			frame: outer4(47, cat(be16(0), be16(0x8847), label(99, true), tcp4)),
			want:  tunneled(tcp4Want(), TunnelGRE, 0)},
		{name: "inner arp keeps outer", linkType: LinkIPv4, frame: arp,
			want: outerWant(arp, 47, 0, 0, arp[20:])},
		{name: "source routing not followed", linkType: LinkIPv4, frame: routed,
			want: outerWant(routed, 47, 0, 0, routed[20:])},
		{name: "fragment not decapsulated", linkType: LinkIPv4, frame: fragGRE,
			want: with(outerWant(fragGRE, 47, 0, 0, fragGRE[20:]), func(p *Packet) {
				p.Fragmented, p.FirstFrag, p.MoreFrags, p.FragID = true, true, true, 3
			})},
		{name: "no decap option", linkType: LinkIPv4, frame: plain, noDecap: true,
			want: outerWant(plain, 47, 0, 0, plain[20:])},
		{name: "pptp ppp ipv4", linkType: LinkIPv4,
			frame: outer4(47, cat([]byte{0x30, 0x01}, be16(0x880b), be16(uint16(len(tcp4)+4)),
				be16(0x4000), be32(1), []byte{0xff, 0x03}, be16(0x0021), tcp4)),
			want: tunneled(tcp4Want(), TunnelPPTP, 0x4000)},
		{name: "pptp ack only", linkType: LinkIPv4, frame: ackOnly,
			want: outerWant(ackOnly, 47, 0, 0, ackOnly[20:])},
		{name: "erspan type ii", linkType: LinkIPv4,
			frame: outer4(47, cat(be16(0x1000), be16(0x88be), be32(1), be32(0x10000001), be32(0),
				eth(0x0800), tcp4)),
			want: tunneled(tcp4Want(), TunnelGRE, 0)},
		{name: "erspan type iii with subheader", linkType: LinkIPv4,
			frame: outer4(47, cat(be16(0x1000), be16(0x22eb), be32(1), be32(0x20000001), be32(0),
				be32(1), make([]byte, 8), eth(0x86dd), udp6)),
			want: tunneled(udp6Want(), TunnelGRE, 0)},
		{name: "version 2 ignored", linkType: LinkIPv4,
			frame: outer4(47, cat(be16(2), be16(0x0800), udp4)),
			want: outerWant(outer4(47, cat(be16(2), be16(0x0800), udp4)), 47, 0, 0,
				cat(be16(2), be16(0x0800), udp4))},
	})
}

func TestDecodeUDPTunnels(t *testing.T) {
	noI := outer4(17, udp(49152, 4789, 0, cat(vxlan(5001, 0), eth(0x0800), tcp4)))
	arp := outer4(17, udp(49152, 4789, 0, cat(vxlan(5001, 8), eth(0x0806), make([]byte, 28))))
	cut := outer4(17, udp(49152, 4789, 0, cat(vxlan(5001, 8), eth(0x0800), tcp4[:19])))
	geneve := cat([]byte{0x01, 0}, be16(0x6558), be32(77<<8), be32(0x01020304))
	gtpExt := cat([]byte{0x34, 255}, be16(uint16(len(tcp4)+8)), be32(0xabcdef01),
		be16(0), []byte{0, 0x85}, []byte{1, 0x10, 0x05, 0})
	echo := outer4(17, udp(2152, 2152, 0, cat([]byte{0x32, 1}, be16(4), be32(0), be32(0))))
	runCases(t, []decodeCase{
		{name: "vxlan", linkType: LinkIPv4,
			frame: outer4(17, udp(49152, 4789, 0, cat(vxlan(5001, 8), eth(0x0800), tcp4))),
			want:  tunneled(tcp4Want(), TunnelVXLAN, 5001)},
		{name: "vxlan without vni flag", linkType: LinkIPv4, frame: noI,
			want: outerWant(noI, 17, 49152, 4789, noI[28:])},
		{name: "vxlan inner arp", linkType: LinkIPv4, frame: arp,
			want: outerWant(arp, 17, 49152, 4789, arp[28:])},
		{name: "vxlan inner ip cut", linkType: LinkIPv4, frame: cut,
			want: outerWant(cut, 17, 49152, 4789, cut[28:])},
		{name: "vxlan source port only", linkType: LinkIPv4,
			frame: outer4(17, udp(4789, 5000, 0, cat(vxlan(1, 8), eth(0x0800), tcp4))),
			want: outerWant(outer4(17, udp(4789, 5000, 0, cat(vxlan(1, 8), eth(0x0800), tcp4))),
				17, 4789, 5000, cat(vxlan(1, 8), eth(0x0800), tcp4))},
		{name: "geneve with option", linkType: LinkIPv4,
			frame: outer4(17, udp(1000, 6081, 0, cat(geneve, eth(0x86dd), udp6))),
			want:  tunneled(udp6Want(), TunnelGeneve, 77)},
		{name: "gtp-u with extension header", linkType: LinkIPv4,
			frame: outer4(17, udp(2152, 2152, 0, cat(gtpExt, tcp4))),
			want:  tunneled(tcp4Want(), TunnelGTPU, 0xabcdef01)},
		{name: "gtp-u plain ipv6", linkType: LinkIPv4,
			frame: outer4(17, udp(40000, 2152, 0, cat([]byte{0x30, 255}, be16(uint16(len(udp6))),
				be32(5), udp6))),
			want: tunneled(udp6Want(), TunnelGTPU, 5)},
		{name: "gtp-u echo request", linkType: LinkIPv4, frame: echo,
			want: outerWant(echo, 17, 2152, 2152, echo[28:])},
		{name: "vxlan carrying gre names vxlan", linkType: LinkIPv4,
			frame: outer4(17, udp(1, 4789, 0, cat(vxlan(9, 8), eth(0x0800),
				ip4{src: "10.0.0.1", dst: "10.0.0.2", proto: 47, ttl: 9}.
					with(cat(be16(0x2000), be16(0x0800), be32(3), tcp4))))),
			want: tunneled(tcp4Want(), TunnelVXLAN, 9)},
	})
}

func TestDecodeIPInIP(t *testing.T) {
	runCases(t, []decodeCase{
		{name: "ipv4 in ipv4", linkType: LinkIPv4, frame: outer4(4, tcp4),
			want: tunneled(tcp4Want(), TunnelIPIP, 0)},
		{name: "ipv6 in ipv4", linkType: LinkIPv4, frame: outer4(41, udp6),
			want: tunneled(udp6Want(), TunnelIPIP, 0)},
		{name: "ipv6 in ipv6", linkType: LinkIPv6,
			frame: ip6{src: "2001:db8:1::1", dst: "2001:db8:1::2", next: 41, plen: -1}.with(udp6),
			want:  tunneled(udp6Want(), TunnelIPIP, 0)},
		{name: "ipv4 in ipv6", linkType: LinkIPv6,
			frame: ip6{src: "2001:db8:1::1", dst: "2001:db8:1::2", next: 4, plen: -1}.with(tcp4),
			want:  tunneled(tcp4Want(), TunnelIPIP, 0)},
		{name: "ipv4 in ipv4 carrying ipv6", linkType: LinkIPv4, frame: outer4(4, udp6),
			want: outerWant(outer4(4, udp6), 4, 0, 0, udp6)},
	})
}

func TestDecodeNestingIsBounded(t *testing.T) {
	const levels = 12
	frame := tcp4
	for i := levels - 1; i >= 0; i-- {
		frame = ip4{src: fmt.Sprintf("10.0.0.%d", i), dst: fmt.Sprintf("10.0.1.%d", i),
			proto: 4, ttl: 64}.with(frame)
	}
	var d Decoder
	var p Packet
	if err := d.Decode(LinkIPv4, frame, &p); err != nil {
		t.Fatal(err)
	}
	// The outer header is depth 0; the last one followed is depth 8.
	wantSrc := fmt.Sprintf("10.0.0.%d", maxTunnelDepth)
	if p.Src != addr(wantSrc) || p.Proto != 4 || p.Tunnel != TunnelIPIP {
		t.Errorf("got %v proto %d tunnel %v, want %s proto 4 ip-in-ip", p.Src, p.Proto,
			p.Tunnel, wantSrc)
	}
}
