package packet

import (
	"encoding/binary"
	"net/netip"
)

// Frame builders for the table tests. Each returns fresh bytes; cat joins
// them, so a frame reads as its header stack.

func cat(parts ...[]byte) []byte {
	var out []byte
	for _, b := range parts {
		out = append(out, b...)
	}
	return out
}

func be16(v uint16) []byte { return binary.BigEndian.AppendUint16(nil, v) }
func be32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }

var (
	macDst = []byte{0x02, 0, 0, 0, 0, 0x01}
	macSrc = []byte{0x02, 0, 0, 0, 0, 0x02}
)

// eth is an Ethernet II header.
func eth(et uint16) []byte { return cat(macDst, macSrc, be16(et)) }

// tag is a VLAN tag: TPID, then PCP 0 and vid, then the next EtherType.
func tag(tpid, vid, next uint16) []byte { return cat(be16(tpid), be16(vid), be16(next)) }

// label is an MPLS label stack entry with TTL 64.
func label(l uint32, bottom bool) []byte {
	e := l<<12 | 64
	if bottom {
		e |= 0x100
	}
	return be32(e)
}

// ip4 describes an IPv4 header.
type ip4 struct {
	src, dst string
	proto    uint8
	tos, ttl uint8
	id       uint16
	frag     uint16 // flags and fragment offset, as on the wire
	options  []byte // a multiple of 4 bytes
	total    int    // total length; 0: header plus payload
}

func (h ip4) with(payload []byte) []byte {
	ihl := 20 + len(h.options)
	total := h.total
	if total == 0 {
		total = ihl + len(payload)
	}
	b := make([]byte, 20, ihl+len(payload))
	b[0] = 0x40 | byte(ihl/4)
	b[1] = h.tos
	binary.BigEndian.PutUint16(b[2:], uint16(total))
	binary.BigEndian.PutUint16(b[4:], h.id)
	binary.BigEndian.PutUint16(b[6:], h.frag)
	b[8] = h.ttl
	b[9] = h.proto
	s, d := netip.MustParseAddr(h.src).As4(), netip.MustParseAddr(h.dst).As4()
	copy(b[12:], s[:])
	copy(b[16:], d[:])
	return cat(b, h.options, payload)
}

// ip6 describes an IPv6 header.
type ip6 struct {
	src, dst string
	next     uint8
	tclass   uint8
	hops     uint8
	plen     int // payload length; -1: from the payload
}

func (h ip6) with(payload []byte) []byte {
	b := make([]byte, 40)
	binary.BigEndian.PutUint32(b, 6<<28|uint32(h.tclass)<<20|0x12345)
	plen := h.plen
	if plen < 0 {
		plen = len(payload)
	}
	binary.BigEndian.PutUint16(b[4:], uint16(plen))
	b[6] = h.next
	b[7] = h.hops
	s, d := netip.MustParseAddr(h.src).As16(), netip.MustParseAddr(h.dst).As16()
	copy(b[8:], s[:])
	copy(b[24:], d[:])
	return cat(b, payload)
}

// ext6 is a generic IPv6 extension header padded to size bytes (a
// multiple of 8, at least 8).
func ext6(next uint8, size int) []byte {
	b := make([]byte, size)
	b[0] = next
	b[1] = byte(size/8 - 1)
	return b
}

// frag6 is an IPv6 fragment header; offset in 8-byte units.
func frag6(next uint8, offset uint16, more bool, id uint32) []byte {
	fo := offset << 3
	if more {
		fo |= 1
	}
	return cat([]byte{next, 0}, be16(fo), be32(id))
}

// tcpSeqNo is the sequence number of every TCP header the tests build.
const tcpSeqNo = 0x8a3b1c07

// tcp is a TCP header with flags (9 bits), optional options, and payload.
func tcp(sport, dport uint16, flags uint16, options []byte, payload []byte) []byte {
	hl := 20 + len(options)
	b := make([]byte, 20)
	binary.BigEndian.PutUint16(b, sport)
	binary.BigEndian.PutUint16(b[2:], dport)
	binary.BigEndian.PutUint32(b[4:], tcpSeqNo)
	b[12] = byte(hl/4)<<4 | byte(flags>>8&1)
	b[13] = byte(flags)
	binary.BigEndian.PutUint16(b[14:], 65535)
	return cat(b, options, payload)
}

// udp is a UDP header and payload; length 0 means 8 + len(payload).
func udp(sport, dport uint16, length int, payload []byte) []byte {
	if length == 0 {
		length = 8 + len(payload)
	}
	return cat(be16(sport), be16(dport), be16(uint16(length)), be16(0), payload)
}

// icmp is an ICMP or ICMPv6 header with rest as the body after 4 bytes.
func icmp(typ, code uint8, rest []byte) []byte {
	return cat([]byte{typ, code, 0, 0}, rest)
}

// pad extends an Ethernet frame to the 60-byte minimum with non-zero
// bytes, so a decoder that reads padding is caught.
func pad(frame []byte) []byte {
	for len(frame) < 60 {
		frame = append(frame, 0xee)
	}
	return frame
}

// Common addresses and packets of the tests.
const (
	a4 = "192.0.2.10"
	b4 = "198.51.100.20"
	a6 = "2001:db8::10"
	b6 = "2001:db8::20"
)

var (
	payload  = []byte("GET / HTTP/1.1\r\n\r\n")
	tcpSeg   = tcp(40001, 80, 0x018, nil, payload)
	tcp4     = ip4{src: a4, dst: b4, proto: 6, ttl: 64, tos: 0x10, id: 7}.with(tcpSeg)
	udpDgram = udp(40002, 53, 0, []byte("query"))
	udp6     = ip6{src: a6, dst: b6, next: 17, hops: 61, tclass: 0xb8, plen: -1}.with(udpDgram)
	udp4     = ip4{src: a4, dst: b4, proto: 17, ttl: 64}.with(udpDgram)
)

// Expected packets for the common ones.
func tcp4Want() Packet {
	return Packet{Src: addr(a4), Dst: addr(b4), SrcPort: 40001, DstPort: 80, Proto: 6,
		IPVersion: 4, TOS: 0x10, TTL: 64, TCPFlags: 0x018, TCPSeq: tcpSeqNo, Octets: uint32(len(tcp4)),
		Payload: payload}
}

func udp4Want() Packet {
	return Packet{Src: addr(a4), Dst: addr(b4), SrcPort: 40002, DstPort: 53, Proto: 17,
		IPVersion: 4, TTL: 64, Octets: uint32(len(udp4)), Payload: []byte("query")}
}

func udp6Want() Packet {
	return Packet{Src: addr(a6), Dst: addr(b6), SrcPort: 40002, DstPort: 53, Proto: 17,
		IPVersion: 6, TOS: 0xb8, TTL: 61, Octets: uint32(len(udp6)), Payload: []byte("query")}
}

func addr(s string) netip.Addr { return netip.MustParseAddr(s) }

// with returns p changed by f, for tables that vary one field.
func with(p Packet, f func(*Packet)) Packet {
	f(&p)
	return p
}
