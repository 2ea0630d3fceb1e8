package packet

import "net/netip"

// Packet is what flow metering needs from one captured frame. A Packet is
// filled by [Decoder.Decode]; its Payload aliases the frame's bytes, so a
// caller that keeps the Packet past the next read must copy Payload.
type Packet struct {
	// Time is the capture timestamp in nanoseconds since the Unix epoch.
	// It may be negative (captures stamped before 1970).
	Time int64
	// Interface is the capture interface (pcapng interface id, 0 for pcap).
	Interface uint32

	Src, Dst         netip.Addr // IPv4 or IPv6 source and destination
	SrcPort, DstPort uint16     // ICMP: 0 and type*256+code
	// Proto is the IP protocol after the IPv6 extension headers (ESP 50
	// and no-next-header 59 end the walk). When snaplen cut the chain, it
	// is the last next-header value that could be read.
	Proto     uint8
	IPVersion uint8  // 4 or 6
	TOS       uint8  // IPv4 TOS or IPv6 traffic class
	TTL       uint8  // IPv4 TTL or IPv6 hop limit
	TCPFlags  uint16 // the 9 TCP flag bits (NS..FIN)
	TCPSeq    uint32 // the TCP sequence number, for stream reassembly
	// Octets is the IP-level length: IPv4 total length, or 40 plus the IPv6
	// payload length. It does not depend on how much of the frame was
	// captured. Only when the header says 0 (a packet captured before
	// segmentation offload cut it, or an IPv6 jumbogram) is it the
	// captured length from the IP header on.
	Octets uint32

	VLAN      uint16 // outer 802.1Q/802.1ad VLAN id, 0 when untagged
	InnerVLAN uint16 // second (customer) VLAN id, 0 when absent
	MPLSTop   uint32 // top label stack entry (label<<4 | tc<<1 | s), 0 if none

	// Fragment fields. Fragmented is true for every fragment of a
	// fragmented datagram (first included). Non-first fragments have no
	// ports; the meter joins them to their datagram by FragID.
	Fragmented bool
	FirstFrag  bool   // offset zero (carries the transport header)
	MoreFrags  bool   // the MF bit (IPv4) or M flag (IPv6)
	FragID     uint32 // IPv4 identification or IPv6 fragment identification

	// Tunnel names the outermost tunnel that was removed to reach this
	// packet, TunnelNone when the packet was not decapsulated. When it is
	// set, every field above except the link-layer ones (VLAN, InnerVLAN,
	// MPLSTop, which always describe the captured frame) belongs to the
	// inner packet.
	Tunnel Tunnel
	// TunnelID is the identifier carried by that tunnel: the VXLAN or
	// Geneve VNI, the GTP-U TEID, the GRE key (when present) or the PPTP
	// call id; 0 otherwise.
	TunnelID uint32

	// Payload is the transport payload that was captured (may be shorter
	// than the datagram says when the capture was cut by snaplen). It ends
	// where the IP datagram ends, never in link-layer padding. It is nil
	// for non-first fragments and when the transport header itself was
	// not captured in full. For protocols without ports (GRE kept as it
	// is, ESP, OSPF, ...) it is the whole IP payload.
	Payload []byte
}
