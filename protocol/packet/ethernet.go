package packet

import "encoding/binary"

// EtherTypes (and GRE protocol types) the decoder follows.
const (
	etIPv4      = 0x0800
	etIPv6      = 0x86dd
	etVLAN      = 0x8100 // 802.1Q
	etQinQ      = 0x88a8 // 802.1ad service tag
	etQinQOld   = 0x9100 // pre-802.1ad vendor QinQ tag
	etMPLS      = 0x8847
	etMPLSMulti = 0x8848
	etPPPoE     = 0x8864 // session stage; 0x8863 (discovery) carries no IP
	etTEB       = 0x6558 // transparent Ethernet bridging (GRE, Geneve)
	etPPP       = 0x880b // PPP (PPTP's enhanced GRE)
	etERSPAN2   = 0x88be // ERSPAN type I and II
	etERSPAN3   = 0x22eb // ERSPAN type III
	etAnyIP     = 0xffff // not on the wire: the IP version nibble decides
)

// ethernet decodes an Ethernet II or 802.3 header at off.
func (d *Decoder) ethernet(b []byte, off int, p *Packet, depth int) error {
	if len(b)-off < 14 {
		return d.fail(LayerEthernet, off, ErrTruncated, 0)
	}
	return d.etherType(b, off+14, binary.BigEndian.Uint16(b[off+12:]), p, depth)
}

// etherType follows the protocol et whose header starts at off: VLAN tags
// are walked in place, everything else is handed on. Link-layer fields are
// recorded only outside tunnels (depth 0).
func (d *Decoder) etherType(b []byte, off int, et uint16, p *Packet, depth int) error {
	for {
		if d.hops++; d.hops > maxLinkHops {
			return d.fail(LayerEthernet, off, ErrMalformed, 0)
		}
		switch et {
		case etIPv4:
			return d.ipv4(b, off, p, depth)
		case etIPv6:
			return d.ipv6(b, off, p, depth)
		case etMPLS, etMPLSMulti:
			return d.mpls(b, off, p, depth)
		case etPPPoE:
			return d.pppoe(b, off, p, depth)
		case etVLAN, etQinQ, etQinQOld:
			if len(b)-off < 4 {
				return d.fail(LayerVLAN, off, ErrTruncated, 0)
			}
			if depth == 0 {
				d.recordVLAN(p, binary.BigEndian.Uint16(b[off:])&0x0fff)
			}
			et = binary.BigEndian.Uint16(b[off+2:])
			off += 4
			continue
		}
		if et < 0x0600 { // an 802.3 length field: an LLC header follows
			return d.llc(b, off, p, depth)
		}
		return d.fail(LayerEthernet, off-2, ErrNotIP, uint32(et))
	}
}

// recordVLAN keeps the outer VID in VLAN and the second in InnerVLAN. A
// priority tag (VID 0) counts as a tag.
func (d *Decoder) recordVLAN(p *Packet, vid uint16) {
	switch d.tags {
	case 0:
		p.VLAN = vid
	case 1:
		p.InnerVLAN = vid
	}
	d.tags++
}

// llc decodes an 802.2 LLC header; only SNAP with an EtherType and the IP
// SAP lead to IP.
func (d *Decoder) llc(b []byte, off int, p *Packet, depth int) error {
	if len(b)-off < 3 {
		return d.fail(LayerLLC, off, ErrTruncated, 0)
	}
	switch {
	case b[off] == 0xaa && b[off+1] == 0xaa && b[off+2] == 0x03: // SNAP
		if len(b)-off < 8 {
			return d.fail(LayerLLC, off, ErrTruncated, 0)
		}
		// OUI 00-00-00 (RFC 1042) and 00-00-F8 (802.1H) carry EtherTypes;
		// other OUIs (Cisco's CDP, ...) have their own numbering.
		oui := uint32(b[off+3])<<16 | uint32(b[off+4])<<8 | uint32(b[off+5])
		et := binary.BigEndian.Uint16(b[off+6:])
		if (oui == 0 || oui == 0xf8) && et >= 0x0600 {
			return d.etherType(b, off+8, et, p, depth)
		}
		return d.fail(LayerLLC, off+3, ErrNotIP, oui<<16|uint32(et))
	case b[off] == 0x06 && b[off+1] == 0x06: // the IP SAP (RFC 948)
		return d.ipv4(b, off+3, p, depth)
	}
	return d.fail(LayerLLC, off, ErrNotIP, uint32(b[off]))
}

// mpls walks an MPLS label stack. No protocol field follows the stack
// (RFC 3032): the first nibble tells IPv4 from IPv6, and 0 is the
// pseudowire control word (RFC 4385) before an Ethernet frame (RFC 4448).
func (d *Decoder) mpls(b []byte, off int, p *Packet, depth int) error {
	for n := 0; ; n++ {
		if n == maxMPLSLabels {
			return d.fail(LayerMPLS, off, ErrMalformed, 0)
		}
		if len(b)-off < 4 {
			return d.fail(LayerMPLS, off, ErrTruncated, 0)
		}
		e := binary.BigEndian.Uint32(b[off:])
		if n == 0 && depth == 0 && !d.sawMPLS {
			p.MPLSTop, d.sawMPLS = e>>8, true // label, TC and S; not the TTL
		}
		off += 4
		if e&0x100 != 0 { // bottom of stack
			break
		}
	}
	if len(b)-off < 1 {
		return d.fail(LayerMPLS, off, ErrTruncated, 0)
	}
	switch b[off] >> 4 {
	case 4:
		return d.ipv4(b, off, p, depth)
	case 6:
		return d.ipv6(b, off, p, depth)
	case 0:
		if len(b)-off < 4 {
			return d.fail(LayerMPLS, off, ErrTruncated, 0)
		}
		return d.ethernet(b, off+4, p, depth)
	}
	return d.fail(LayerMPLS, off, ErrNotIP, uint32(b[off]>>4))
}

// pppoe decodes a PPPoE session header (RFC 2516) and the PPP protocol.
func (d *Decoder) pppoe(b []byte, off int, p *Packet, depth int) error {
	if len(b)-off < 6 {
		return d.fail(LayerPPPoE, off, ErrTruncated, 0)
	}
	if b[off] != 0x11 { // version 1, type 1
		return d.fail(LayerPPPoE, off, ErrMalformed, 0)
	}
	if b[off+1] != 0 { // a discovery packet (PADI, PADO, ...)
		return d.fail(LayerPPPoE, off+1, ErrNotIP, uint32(b[off+1]))
	}
	return d.ppp(b, off+6, p, depth)
}

// PPP protocol numbers (RFC 1332, RFC 5072, RFC 3032).
const (
	pppIPv4      = 0x0021
	pppIPv6      = 0x0057
	pppMPLS      = 0x0281
	pppMPLSMulti = 0x0283
)

// ppp decodes a PPP header: the optional HDLC address and control bytes,
// then a protocol of one byte (field compression) or two.
func (d *Decoder) ppp(b []byte, off int, p *Packet, depth int) error {
	if len(b)-off >= 2 && b[off] == 0xff && b[off+1] == 0x03 {
		off += 2
	}
	if len(b)-off < 1 {
		return d.fail(LayerPPP, off, ErrTruncated, 0)
	}
	proto := uint16(b[off])
	n := 1
	if proto&1 == 0 { // an odd first byte is a compressed protocol
		if len(b)-off < 2 {
			return d.fail(LayerPPP, off, ErrTruncated, 0)
		}
		proto, n = binary.BigEndian.Uint16(b[off:]), 2
	}
	switch proto {
	case pppIPv4:
		return d.ipv4(b, off+n, p, depth)
	case pppIPv6:
		return d.ipv6(b, off+n, p, depth)
	case pppMPLS, pppMPLSMulti:
		return d.mpls(b, off+n, p, depth)
	}
	return d.fail(LayerPPP, off, ErrNotIP, uint32(proto))
}
