package packet

import "encoding/binary"

// Link types (LINKTYPE_* values of pcap and pcapng) that [Decoder.Decode]
// understands.
const (
	LinkNull       uint16 = 0   // BSD loopback: 4-byte address family, host order
	LinkEthernet   uint16 = 1   // Ethernet II / 802.3
	LinkPPP        uint16 = 9   // PPP, optionally with HDLC address and control
	LinkRawBSD     uint16 = 12  // raw IP, the DLT_RAW value of most BSDs and Linux
	LinkRawOpenBSD uint16 = 14  // raw IP, the DLT_RAW value of OpenBSD
	LinkPPPHDLC    uint16 = 50  // PPP in HDLC-like framing
	LinkPPPoE      uint16 = 51  // PPPoE session header, then PPP (LINKTYPE_PPP_ETHER)
	LinkRaw        uint16 = 101 // raw IP, the version nibble decides
	LinkCHDLC      uint16 = 104 // Cisco HDLC
	LinkLoop       uint16 = 108 // OpenBSD loopback: address family, network order
	LinkLinuxSLL   uint16 = 113 // Linux cooked capture v1
	LinkIPv4       uint16 = 228 // raw IPv4
	LinkIPv6       uint16 = 229 // raw IPv6
	LinkLinuxSLL2  uint16 = 276 // Linux cooked capture v2
)

// Bounds on what crafted input can make the decoder walk.
const (
	maxTunnelDepth = 8  // nested tunnels followed; deeper ones keep the outer packet
	maxLinkHops    = 64 // EtherType steps (tags, LLC, MPLS, PPPoE) in one frame
	maxMPLSLabels  = 16 // label stack entries
	maxIPv6Ext     = 16 // IPv6 extension headers
	maxGTPExt      = 16 // GTP-U extension headers
)

// LinkTypeSupported reports whether [Decoder.Decode] knows the link type,
// so a reader can refuse a capture it cannot meter before decoding it.
func LinkTypeSupported(linkType uint16) bool {
	switch linkType {
	case LinkNull, LinkEthernet, LinkPPP, LinkRawBSD, LinkRawOpenBSD, LinkPPPHDLC,
		LinkPPPoE, LinkRaw, LinkCHDLC, LinkLoop, LinkLinuxSLL, LinkIPv4, LinkIPv6,
		LinkLinuxSLL2:
		return true
	}
	return false
}

// Decoder decodes frames into [Packet] values. Its zero value is ready to
// use and decapsulates tunnels. A Decoder holds scratch state, so it is
// not safe for concurrent use.
type Decoder struct {
	// NoDecap keeps tunnelled traffic as it is on the wire: the outer
	// packet (GRE, UDP to the VXLAN port, ...) is the flow.
	NoDecap bool

	err      DecodeError // returned by pointer, so errors cost no allocation
	linkType uint16      // of the frame being decoded
	hops     int         // EtherType steps taken in this frame
	tags     int         // VLAN tags recorded in this frame
	sawMPLS  bool        // MPLSTop already recorded
}

// Decode fills p from one frame. linkType is the LINKTYPE_* value of the
// frame's interface. p.Time and p.Interface are left as the caller set
// them; every other field is reset, then set from the frame. p.Payload
// aliases data.
//
// Decode returns nil when the frame carries an IP packet that can be
// metered, even when snaplen cut it after the fixed IP header (the
// fields that were not captured stay zero). Otherwise it returns a
// *[DecodeError] wrapping [ErrNotIP], [ErrTruncated],
// [ErrUnsupportedLink] or [ErrMalformed]. That error value belongs to d
// and is overwritten by the next call: copy the DecodeError to keep it.
// After an error, p's fields other than Time and Interface are
// unspecified.
//
// Decode never panics and allocates nothing.
func (d *Decoder) Decode(linkType uint16, data []byte, p *Packet) error {
	*p = Packet{Time: p.Time, Interface: p.Interface}
	d.linkType, d.hops, d.tags, d.sawMPLS = linkType, 0, 0, false
	switch linkType {
	case LinkEthernet:
		return d.ethernet(data, 0, p, 0)
	case LinkRaw, LinkRawBSD, LinkRawOpenBSD:
		return d.ipByVersion(data, 0, p, 0)
	case LinkIPv4:
		return d.ipv4(data, 0, p, 0)
	case LinkIPv6:
		return d.ipv6(data, 0, p, 0)
	case LinkNull, LinkLoop:
		return d.loopback(data, p)
	case LinkLinuxSLL:
		return d.sll(data, p)
	case LinkLinuxSLL2:
		if len(data) < 20 {
			return d.fail(LayerSLL2, 0, ErrTruncated, 0)
		}
		return d.etherType(data, 20, binary.BigEndian.Uint16(data), p, 0)
	case LinkPPP, LinkPPPHDLC:
		return d.ppp(data, 0, p, 0)
	case LinkPPPoE:
		return d.pppoe(data, 0, p, 0)
	case LinkCHDLC:
		if len(data) < 4 {
			return d.fail(LayerCHDLC, 0, ErrTruncated, 0)
		}
		return d.etherType(data, 4, binary.BigEndian.Uint16(data[2:]), p, 0)
	}
	return d.fail(LayerLink, 0, ErrUnsupportedLink, uint32(linkType))
}

// fail records a decode error in d and returns it.
func (d *Decoder) fail(l Layer, off int, err error, value uint32) error {
	d.err = DecodeError{Layer: l, Offset: off, LinkType: d.linkType, Value: value, Err: err}
	return &d.err
}

// Address families of the BSD loopback header. AF_INET6 differs between
// the BSDs (24 NetBSD/OpenBSD, 28 FreeBSD, 30 Darwin).
const (
	afInet       = 2
	afInet6BSD   = 24
	afInet6FreeB = 28
	afInet6Apple = 30
)

// loopback decodes LINKTYPE_NULL (family in the writer's byte order) and
// LINKTYPE_LOOP (network order).
func (d *Decoder) loopback(b []byte, p *Packet) error {
	if len(b) < 4 {
		return d.fail(LayerLoopback, 0, ErrTruncated, 0)
	}
	// The families are small numbers, so a big-endian writer leaves the
	// first two bytes zero and a little-endian one does not.
	af := binary.LittleEndian.Uint32(b)
	if d.linkType == LinkLoop || b[0] == 0 && b[1] == 0 {
		af = binary.BigEndian.Uint32(b)
	}
	switch af {
	case afInet:
		return d.ipv4(b, 4, p, 0)
	case afInet6BSD, afInet6FreeB, afInet6Apple:
		return d.ipv6(b, 4, p, 0)
	}
	return d.fail(LayerLoopback, 0, ErrNotIP, af)
}

// sll decodes the 16-byte Linux cooked header v1; its last field is the
// protocol, an EtherType for every device type that can carry IP.
func (d *Decoder) sll(b []byte, p *Packet) error {
	if len(b) < 16 {
		return d.fail(LayerSLL, 0, ErrTruncated, 0)
	}
	proto := binary.BigEndian.Uint16(b[14:])
	switch {
	case proto == 0x0004: // an 802.2 LLC frame without the 802.3 header
		return d.llc(b, 16, p, 0)
	case proto < 0x0600:
		return d.fail(LayerSLL, 14, ErrNotIP, uint32(proto))
	}
	return d.etherType(b, 16, proto, p, 0)
}
