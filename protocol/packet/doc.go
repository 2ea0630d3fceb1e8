// Package packet decodes captured frames into the few fields flow metering
// needs: addresses, ports, protocol, IP-level length, TCP flags, VLAN and
// MPLS labels, fragment information and the transport payload.
//
// [Decoder.Decode] is hand-written and allocates nothing: it reads the
// frame in place, and [Packet.Payload] aliases the frame. It follows
// Ethernet (802.1Q/802.1ad/0x9100 tags, MPLS, PPPoE, 802.3 LLC/SNAP),
// Linux cooked captures v1 and v2, raw IP, BSD loopback, PPP and Cisco
// HDLC, then IPv4 and IPv6 (with extension headers and fragments), and
// TCP, UDP, UDP-Lite, SCTP, DCCP, ICMP and ICMPv6.
//
// Tunnels (GRE, PPTP, VXLAN, Geneve, GTP-U, IP-in-IP) are decapsulated:
// when the inner packet decodes as IP it is the packet that is metered,
// and [Packet.Tunnel] says so; when it does not, the outer packet is kept,
// so a packet is never lost to a tunnel it cannot read.
//
// The package does no I/O and keeps no global mutable state. A Decoder is
// not safe for concurrent use; give each goroutine its own.
package packet
