package dpi

import "encoding/binary"

// STUN (RFC 8489, earlier RFC 5389), which ICE, TURN and WebRTC calls
// use: a 20-byte header whose two top bits are zero, a length in whole
// words and the magic cookie 0x2112A442, then attributes that fill the
// length. The older STUN of RFC 3489 has no cookie; it is taken only on
// its port, 3478, with attributes that fill the message exactly.

func stunDissector() Dissector {
	return Dissector{
		Name: "stun", Proto: ProtoSTUN, Transports: TCP | UDP,
		TCPPorts: []uint16{3478}, UDPPorts: []uint16{3478},
		Start: func(info *FlowInfo) State { return newEitherSide(info, stunCheck) },
	}
}

const (
	stunHeaderLen = 20
	stunCookie    = 0x2112a442
	stunMaxAttrs  = 64
)

func stunCheck(in *Input, b []byte, res *Result) Status {
	tcp := in.Flow.IPProto == IPProtoTCP
	if len(b) < stunHeaderLen {
		if tcp && (len(b) == 0 || b[0]&0xc0 == 0) {
			return Continue
		}
		return Reject
	}
	n := int(binary.BigEndian.Uint16(b[2:]))
	switch {
	case b[0]&0xc0 != 0 || n%4 != 0:
		return Reject
	case tcp && len(b) < stunHeaderLen+n:
		return Continue
	case !tcp && len(b) != stunHeaderLen+n:
		return Reject
	}
	attrs := b[stunHeaderLen : stunHeaderLen+n]
	switch {
	case binary.BigEndian.Uint32(b[4:]) == stunCookie && stunAttributes(attrs):
	case onPort(in.Flow, 3478) && stunClassic(binary.BigEndian.Uint16(b)) && n > 0 &&
		stunAttributes(attrs):
	default:
		return Reject
	}
	res.Set(ProtoSTUN)
	return Final
}

// stunClassic reports whether t is a message type of RFC 3489: binding or
// shared secret request, response or error response.
func stunClassic(t uint16) bool {
	switch t {
	case 0x0001, 0x0101, 0x0111, 0x0002, 0x0102, 0x0112:
		return true
	}
	return false
}

// stunAttributes reports whether b is a list of attributes, each padded
// to a whole word, that ends exactly where b does.
func stunAttributes(b []byte) bool {
	for range stunMaxAttrs {
		if len(b) == 0 {
			return true
		}
		if len(b) < 4 {
			return false
		}
		n := (int(binary.BigEndian.Uint16(b[2:])) + 3) &^ 3
		if n > len(b)-4 {
			return false
		}
		b = b[4+n:]
	}
	return len(b) == 0
}
