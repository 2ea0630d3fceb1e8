package packet

import "encoding/binary"

// IP protocol numbers the decoder reads.
const (
	protoICMP    = 1
	protoIPIP    = 4 // IPv4 encapsulation
	protoTCP     = 6
	protoUDP     = 17
	protoDCCP    = 33
	protoIPv6    = 41 // IPv6 encapsulation
	protoGRE     = 47
	protoICMPv6  = 58
	protoSCTP    = 132
	protoUDPLite = 136
)

// transport reads the header of p.Proto at off; b ends where the IP
// datagram ends. A transport header cut by snaplen still gives whatever
// fields were captured (B07): the packet is metered either way, so this
// layer never fails.
func (d *Decoder) transport(b []byte, off int, p *Packet, depth int) error {
	h := b[off:]
	switch p.Proto {
	case protoTCP:
		ports(h, p)
		if len(h) < 14 {
			return nil
		}
		p.TCPFlags = uint16(h[12]&1)<<8 | uint16(h[13]) // NS, then CWR..FIN
		p.TCPSeq = binary.BigEndian.Uint32(h[4:])
		if hl := int(h[12]>>4) * 4; hl >= 20 && hl <= len(h) {
			p.Payload = h[hl:]
		}
	case protoUDP, protoUDPLite:
		ports(h, p)
		if len(h) < 8 {
			return nil
		}
		pl := h[8:]
		// UDP's own length can end the payload before the IP datagram
		// does; UDP-Lite's field is a checksum coverage, not a length.
		if ul := int(binary.BigEndian.Uint16(h[4:])); p.Proto == protoUDP && ul >= 8 &&
			ul-8 < len(pl) {
			pl = pl[:ul-8]
		}
		p.Payload = pl
		if p.Proto == protoUDP {
			return d.udpTunnel(b[:off+8+len(pl)], off+8, p, depth)
		}
	case protoSCTP:
		ports(h, p)
		if len(h) >= 12 {
			p.Payload = h[12:] // the chunks
		}
	case protoDCCP:
		ports(h, p)
		if len(h) >= 5 {
			if hl := int(h[4]) * 4; hl >= 12 && hl <= len(h) {
				p.Payload = h[hl:]
			}
		}
	case protoICMP, protoICMPv6:
		// Type and code in the destination port (the IPFIX convention);
		// an error message's quoted header is never read (B14).
		if len(h) >= 2 {
			p.DstPort = uint16(h[0])<<8 | uint16(h[1])
		}
		if len(h) >= 8 {
			p.Payload = h[8:]
		}
	case protoGRE:
		p.Payload = h
		return d.gre(b, off, p, depth)
	case protoIPIP:
		p.Payload = h
		return d.decap(b, off, etIPv4, TunnelIPIP, 0, p, depth)
	case protoIPv6:
		p.Payload = h
		return d.decap(b, off, etIPv6, TunnelIPIP, 0, p, depth)
	default: // other protocols have no ports: the payload is the IP payload
		p.Payload = h
	}
	return nil
}

// ports reads source and destination port, the first 4 bytes of TCP,
// UDP, UDP-Lite, SCTP and DCCP.
func ports(h []byte, p *Packet) {
	if len(h) >= 4 {
		p.SrcPort = binary.BigEndian.Uint16(h)
		p.DstPort = binary.BigEndian.Uint16(h[2:])
	}
}
