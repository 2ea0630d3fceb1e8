package packet

import (
	"encoding/binary"
	"strconv"
)

// Tunnel names the encapsulation a packet was taken out of.
type Tunnel uint8

// Tunnel types. The values are ipfixweb's own, stable for export.
const (
	TunnelNone   Tunnel = iota // not decapsulated
	TunnelGRE                  // GRE version 0 (RFC 2784, RFC 2890), ERSPAN too
	TunnelPPTP                 // PPTP's enhanced GRE, version 1 (RFC 2637)
	TunnelVXLAN                // VXLAN, UDP port 4789 (RFC 7348)
	TunnelGeneve               // Geneve, UDP port 6081 (RFC 8926)
	TunnelGTPU                 // GTP-U, UDP port 2152 (3GPP TS 29.281)
	TunnelIPIP                 // IPv4 or IPv6 in IPv4 or IPv6 (protocols 4, 41)
)

var tunnelNames = [...]string{
	TunnelNone:   "none",
	TunnelGRE:    "gre",
	TunnelPPTP:   "pptp",
	TunnelVXLAN:  "vxlan",
	TunnelGeneve: "geneve",
	TunnelGTPU:   "gtp-u",
	TunnelIPIP:   "ip-in-ip",
}

// String returns the lowercase name of the tunnel type.
func (t Tunnel) String() string {
	if int(t) < len(tunnelNames) {
		return tunnelNames[t]
	}
	return "tunnel(" + strconv.Itoa(int(t)) + ")"
}

// Well-known UDP ports of tunnels.
const (
	portVXLAN  = 4789
	portGeneve = 6081
	portGTPU   = 2152
)

// decap decodes the packet that starts at off inside a tunnel of kind,
// whose first header is et (an EtherType, etTEB for Ethernet, etPPP, or
// etAnyIP). When it is IP, it replaces the outer packet in p; otherwise p
// keeps the outer packet. Fragments are never decapsulated: their later
// pieces carry no inner header, and a datagram must stay in one flow.
func (d *Decoder) decap(b []byte, off int, et uint16, kind Tunnel, id uint32, p *Packet,
	depth int) error {
	if d.NoDecap || depth >= maxTunnelDepth || p.Fragmented || off > len(b) {
		return nil
	}
	outer := *p
	*p = Packet{Time: outer.Time, Interface: outer.Interface,
		VLAN: outer.VLAN, InnerVLAN: outer.InnerVLAN, MPLSTop: outer.MPLSTop}
	var err error
	switch et {
	case etAnyIP:
		err = d.ipByVersion(b, off, p, depth+1)
	case etTEB:
		err = d.ethernet(b, off, p, depth+1)
	case etPPP:
		err = d.ppp(b, off, p, depth+1)
	default:
		err = d.etherType(b, off, et, p, depth+1)
	}
	if err != nil {
		*p = outer
		return nil
	}
	// Set after the inner decode, so the outermost tunnel is the one named.
	p.Tunnel, p.TunnelID = kind, id
	return nil
}

// GRE header bits (RFC 1701 layout; RFC 2784 and RFC 2637 use a subset).
const (
	greChecksum = 0x80
	greRouting  = 0x40
	greKey      = 0x20
	greSeq      = 0x10
	greAck      = 0x80 // in the second byte, version 1 only
)

// gre decodes a GRE header at off and decapsulates what it carries.
func (d *Decoder) gre(b []byte, off int, p *Packet, depth int) error {
	h := b[off:]
	if len(h) < 4 {
		return nil
	}
	flags, proto := h[0], binary.BigEndian.Uint16(h[2:])
	n, kind, id := 4, TunnelGRE, uint32(0)
	switch h[1] & 0x07 {
	case 0:
		if flags&greRouting != 0 { // RFC 1701 source routing: not followed
			return nil
		}
		if flags&greChecksum != 0 {
			n += 4 // checksum and reserved
		}
		if flags&greKey != 0 {
			if len(h) < n+4 {
				return nil
			}
			id = binary.BigEndian.Uint32(h[n:])
			n += 4
		}
		if flags&greSeq != 0 {
			n += 4
		}
		proto, n = erspan(h, n, flags, proto)
	case 1:
		if proto != etPPP || flags&greKey == 0 || len(h) < 8 {
			return nil
		}
		kind, id, n = TunnelPPTP, uint32(binary.BigEndian.Uint16(h[6:])), 8 // the call id
		if flags&greSeq != 0 {
			n += 4
		}
		if h[1]&greAck != 0 {
			n += 4
		}
	default:
		return nil
	}
	return d.decap(b, off+n, proto, kind, id, p, depth)
}

// erspan skips an ERSPAN header after the GRE header ending at n: type II
// (0x88be with a sequence number) has 8 bytes, type I (0x88be without)
// none, type III (0x22eb) 12 and an 8-byte subheader when its O bit is
// set. An Ethernet frame follows all of them.
func erspan(h []byte, n int, flags byte, proto uint16) (uint16, int) {
	switch proto {
	case etERSPAN2:
		if flags&greSeq != 0 {
			n += 8
		}
		return etTEB, n
	case etERSPAN3:
		if len(h) >= n+12 && h[n+11]&1 != 0 {
			n += 8
		}
		return etTEB, n + 12
	}
	return proto, n
}

// udpTunnel decapsulates VXLAN, Geneve and GTP-U, found by port, whose
// header starts at off (the UDP payload).
func (d *Decoder) udpTunnel(b []byte, off int, p *Packet, depth int) error {
	h := b[off:]
	switch {
	case p.DstPort == portVXLAN:
		if len(h) < 8 || h[0]&0x08 == 0 { // the I flag: a valid VNI
			return nil
		}
		vni := binary.BigEndian.Uint32(h[4:]) >> 8
		return d.decap(b, off+8, etTEB, TunnelVXLAN, vni, p, depth)
	case p.DstPort == portGeneve:
		if len(h) < 8 || h[0]>>6 != 0 { // version 0
			return nil
		}
		n := 8 + int(h[0]&0x3f)*4 // options length in 4-byte words
		vni := binary.BigEndian.Uint32(h[4:]) >> 8
		return d.decap(b, off+n, binary.BigEndian.Uint16(h[2:]), TunnelGeneve, vni, p, depth)
	case p.DstPort == portGTPU || p.SrcPort == portGTPU:
		return d.gtpu(b, off, p, depth)
	}
	return nil
}

// gtpu decodes a GTPv1-U header (3GPP TS 29.281 §5) and decapsulates a
// G-PDU (message type 255); signalling messages keep the outer packet.
func (d *Decoder) gtpu(b []byte, off int, p *Packet, depth int) error {
	h := b[off:]
	// Version 1, protocol type GTP (not GTP'), message G-PDU.
	if len(h) < 8 || h[0]>>5 != 1 || h[0]&0x10 == 0 || h[1] != 255 {
		return nil
	}
	teid := binary.BigEndian.Uint32(h[4:])
	n := 8
	if h[0]&0x07 != 0 { // E, S or PN: sequence, N-PDU number, next type
		if len(h) < 12 {
			return nil
		}
		next := h[11]
		n = 12
		for i := 0; next != 0; i++ {
			if i == maxGTPExt || len(h) <= n {
				return nil
			}
			size := int(h[n]) * 4 // in 4-byte units, with length and next type
			if size == 0 || len(h) < n+size {
				return nil
			}
			next = h[n+size-1]
			n += size
		}
	}
	return d.decap(b, off+n, etAnyIP, TunnelGTPU, teid, p, depth)
}
