package packet

import (
	"encoding/binary"
	"net/netip"
)

// ipByVersion decodes the IP header at off as IPv4 or IPv6 by its version
// nibble: raw IP link types, MPLS-free tunnels such as GTP-U.
func (d *Decoder) ipByVersion(b []byte, off int, p *Packet, depth int) error {
	if len(b)-off < 1 {
		return d.fail(LayerLink, off, ErrTruncated, 0)
	}
	switch b[off] >> 4 {
	case 4:
		return d.ipv4(b, off, p, depth)
	case 6:
		return d.ipv6(b, off, p, depth)
	}
	return d.fail(LayerLink, off, ErrNotIP, uint32(b[off]>>4))
}

// ipv4 decodes the IPv4 header at off (RFC 791) and what it carries.
func (d *Decoder) ipv4(b []byte, off int, p *Packet, depth int) error {
	h := b[off:]
	if len(h) < 20 {
		return d.fail(LayerIPv4, off, ErrTruncated, 0)
	}
	if h[0]>>4 != 4 {
		return d.fail(LayerIPv4, off, ErrMalformed, 0)
	}
	ihl := int(h[0]&0x0f) * 4
	total := int(binary.BigEndian.Uint16(h[2:]))
	if total == 0 {
		// Captured before segmentation offload split it, the packet says
		// 0: the captured bytes are the best length there is.
		total = len(h)
	}
	if ihl < 20 || total < ihl {
		return d.fail(LayerIPv4, off, ErrMalformed, 0)
	}
	p.IPVersion = 4
	p.TOS, p.TTL, p.Proto = h[1], h[8], h[9]
	p.Src = netip.AddrFrom4([4]byte(h[12:16]))
	p.Dst = netip.AddrFrom4([4]byte(h[16:20]))
	p.Octets = uint32(total)

	frag := binary.BigEndian.Uint16(h[6:])
	fragOff := frag & 0x1fff
	if frag&0x2000 != 0 || fragOff != 0 {
		p.Fragmented, p.FirstFrag, p.MoreFrags = true, fragOff == 0, frag&0x2000 != 0
		p.FragID = uint32(binary.BigEndian.Uint16(h[4:]))
	}
	// The datagram ends at its total length: what follows is padding.
	end := off + min(len(h), total)
	if fragOff != 0 || off+ihl > end {
		return nil // a later fragment, or options cut by snaplen: no ports
	}
	return d.transport(b[:end], off+ihl, p, depth)
}

// IPv6 extension headers (RFC 8200 §4, RFC 4302, RFC 6275, RFC 7401,
// RFC 5533) and the protocols that end the walk.
const (
	ipv6HopByHop = 0
	ipv6Routing  = 43
	ipv6Fragment = 44
	ipv6AH       = 51
	ipv6NoNext   = 59
	ipv6DestOpts = 60
	ipv6Mobility = 135
	ipv6HIP      = 139
	ipv6Shim6    = 140
)

// ipv6 decodes the IPv6 header at off and walks its extension headers to
// the upper-layer protocol.
func (d *Decoder) ipv6(b []byte, off int, p *Packet, depth int) error {
	h := b[off:]
	if len(h) < 40 {
		return d.fail(LayerIPv6, off, ErrTruncated, 0)
	}
	if h[0]>>4 != 6 {
		return d.fail(LayerIPv6, off, ErrMalformed, 0)
	}
	nh := h[6]
	total := 40 + int(binary.BigEndian.Uint16(h[4:]))
	if total == 40 && nh != ipv6NoNext && len(h) > 40 {
		// A jumbogram (RFC 2675) or a packet captured before segmentation
		// offload: the captured bytes are the best length there is.
		total = len(h)
	}
	p.IPVersion = 6
	p.TOS = byte(binary.BigEndian.Uint16(h) >> 4)
	p.TTL = h[7]
	p.Src = netip.AddrFrom16([16]byte(h[8:24]))
	p.Dst = netip.AddrFrom16([16]byte(h[24:40]))
	p.Octets = uint32(total)

	end := off + min(len(h), total)
	b = b[:end]
	pos := off + 40
	for n := 0; n < maxIPv6Ext; n++ {
		var size int
		switch nh {
		case ipv6HopByHop, ipv6Routing, ipv6DestOpts, ipv6Mobility, ipv6HIP, ipv6Shim6:
			if end-pos >= 2 {
				size = (int(b[pos+1]) + 1) * 8
			}
		case ipv6AH:
			if end-pos >= 2 {
				size = (int(b[pos+1]) + 2) * 4
			}
		case ipv6Fragment:
			size = 8
		default: // the upper layer, ESP (50) or no next header (59)
			p.Proto = nh
			return d.transport(b, pos, p, depth)
		}
		if size == 0 || end-pos < size {
			// The chain was cut by snaplen: keep the best protocol known.
			p.Proto = nh
			if end-pos >= 1 {
				p.Proto = b[pos]
			}
			return nil
		}
		if nh == ipv6Fragment && fragment6(b[pos:], p) {
			p.Proto = b[pos]
			return nil // a later fragment: no ports
		}
		nh = b[pos]
		pos += size
	}
	return d.fail(LayerIPv6Ext, pos, ErrMalformed, 0)
}

// fragment6 reads an IPv6 fragment header (RFC 8200 §4.5) into p and
// reports whether this is a later fragment. An atomic fragment (offset 0,
// M clear, RFC 6946) is a whole datagram and not marked fragmented.
func fragment6(h []byte, p *Packet) bool {
	fo := binary.BigEndian.Uint16(h[2:])
	offset, more := fo>>3, fo&1 != 0
	if offset == 0 && !more {
		return false
	}
	p.Fragmented, p.FirstFrag, p.MoreFrags = true, offset == 0, more
	p.FragID = binary.BigEndian.Uint32(h[4:])
	return offset != 0
}
