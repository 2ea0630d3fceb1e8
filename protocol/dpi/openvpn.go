package dpi

import (
	"bytes"
	"encoding/binary"
)

// OpenVPN's control channel. A session opens with a hard reset packet:
// an opcode byte (opcode << 3 | key id), the sender's 8-byte session id,
// then, depending on tls-auth or tls-crypt, an HMAC and packet id, then
// an ack list and a packet id. Over TCP each packet has a 2-byte length
// in front. One opcode byte is weak, so the dissector wants the session
// id confirmed: the same side using it again in its next control packet,
// or the other side acknowledging it (a peer's reply lists the session
// id it acknowledges).

func openvpnDissector() Dissector {
	return Dissector{
		Name: "openvpn", Proto: ProtoOpenVPN, Transports: TCP | UDP,
		TCPPorts: []uint16{1194}, UDPPorts: []uint16{1194},
		Start: func(info *FlowInfo) State { return reuse[openvpnState](info) },
	}
}

// OpenVPN opcodes (ssl_pkt.h of OpenVPN 2.x).
const (
	ovpnResetClientV1 = 1
	ovpnResetServerV1 = 2
	ovpnSoftReset     = 3
	ovpnControl       = 4
	ovpnAck           = 5
	ovpnResetClientV2 = 7
	ovpnResetServerV2 = 8
	ovpnResetClientV3 = 10
	ovpnControlWKC    = 11
)

const (
	ovpnSessionAt  = 1
	ovpnMinReset   = 1 + 8 + 1 + 4 // opcode, session id, empty ack list, packet id
	ovpnMaxPacket  = 2048          // a control packet longer than this is not one
	ovpnAckScan    = 160           // bytes of a reply searched for the acknowledged session id
	ovpnMaxPackets = 6             // packets looked at before giving up
)

type openvpnState struct {
	session [8]byte
	dir     Dir
	started bool
	packets uint8
	next    [2]int // TCP: offset of each direction's next packet
}

func (s *openvpnState) Inspect(in *Input, res *Result) Status {
	if in.Flow.IPProto == IPProtoUDP {
		return s.read(in.Dir, in.Payload, res)
	}
	for {
		p, ok := s.packet(in)
		if !ok {
			break
		}
		if st := s.read(in.Dir, p, res); st != Continue {
			return st
		}
	}
	if s.next[in.Dir] < 0 {
		return Reject // a side that does not frame packets as OpenVPN does
	}
	return Continue
}

// read looks at one packet of direction dir.
func (s *openvpnState) read(dir Dir, p []byte, res *Result) Status {
	if len(p) == 0 {
		return Reject
	}
	if s.packets++; s.packets > ovpnMaxPackets {
		return Reject
	}
	op := p[0] >> 3
	switch {
	case !s.started:
		if !ovpnReset(op) || p[0]&7 != 0 || len(p) < ovpnMinReset {
			return Reject
		}
		copy(s.session[:], p[ovpnSessionAt:])
		s.dir, s.started = dir, true
	case !ovpnControlOp(op) || len(p) < 1+8:
	case dir == s.dir && bytes.Equal(p[ovpnSessionAt:ovpnSessionAt+8], s.session[:]),
		dir != s.dir && bytes.Contains(p[1+8:min(len(p), ovpnAckScan)], s.session[:]):
		res.Set(ProtoOpenVPN)
		return Final
	}
	return Continue
}

// packet returns the next whole packet of the direction's TCP stream.
// ok is false when there is none, yet (next >= 0) or ever (next < 0).
func (s *openvpnState) packet(in *Input) ([]byte, bool) {
	b, at := in.Stream[in.Dir], s.next[in.Dir]
	if at < 0 || len(b) < at+2 {
		return nil, false
	}
	n := int(binary.BigEndian.Uint16(b[at:]))
	if n == 0 || n > ovpnMaxPacket {
		s.next[in.Dir] = -1 // not a length: nothing more to read on this side
		return nil, false
	}
	if len(b) < at+2+n {
		return nil, false
	}
	s.next[in.Dir] = at + 2 + n
	return b[at+2 : at+2+n], true
}

func ovpnReset(op byte) bool {
	switch op {
	case ovpnResetClientV1, ovpnResetServerV1, ovpnResetClientV2, ovpnResetServerV2,
		ovpnResetClientV3:
		return true
	}
	return false
}

func ovpnControlOp(op byte) bool {
	return ovpnReset(op) || op == ovpnSoftReset || op == ovpnControl || op == ovpnAck ||
		op == ovpnControlWKC
}
