package dpi

import (
	"encoding/binary"
)

// WireGuard (the protocol paper, §5.4): four message types, each a type
// byte and three zero bytes, with fixed lengths for the handshake (148
// initiation, 92 response, 64 cookie reply) and a length of 16 bytes of
// header plus a multiple of 16 for transport data. The dissector wants
// two messages that agree: a response naming the initiation's sender
// index, two initiations from one side (retries), or two data messages
// of one side to the same receiver index with a counter a little ahead.

func wireguardDissector() Dissector {
	return Dissector{
		Name: "wireguard", Proto: ProtoWireGuard, Transports: UDP,
		UDPPorts: []uint16{51820},
		Start:    func(info *FlowInfo) State { return reuse[wireguardState](info) },
	}
}

// WireGuard message types and lengths.
const (
	wgInitiation    = 1
	wgResponse      = 2
	wgCookie        = 3
	wgData          = 4
	wgInitiationLen = 148
	wgResponseLen   = 92
	wgCookieLen     = 64
	wgDataMin       = 32
	wgMaxGap        = 256 // counters a second data message may be ahead
)

// wgSide is what was seen of one direction's last message.
type wgSide struct {
	typ     uint8
	index   uint32 // sender index of an initiation, receiver index of data
	counter uint64
}

type wireguardState struct {
	side [2]wgSide
}

func (s *wireguardState) Inspect(in *Input, res *Result) Status {
	b := in.Payload
	typ, ok := wgMessage(b)
	if !ok {
		return Reject
	}
	var cur wgSide
	cur.typ = typ
	switch typ {
	case wgInitiation:
		cur.index = binary.LittleEndian.Uint32(b[4:])
	case wgData:
		cur.index = binary.LittleEndian.Uint32(b[4:])
		cur.counter = binary.LittleEndian.Uint64(b[8:])
	}
	mine, theirs := &s.side[in.Dir], &s.side[in.Dir^1]
	sure := false
	switch typ {
	case wgInitiation:
		sure = mine.typ == wgInitiation
	case wgResponse:
		sure = theirs.typ == wgInitiation && binary.LittleEndian.Uint32(b[8:]) == theirs.index
	case wgData:
		sure = mine.typ == wgData && mine.index == cur.index &&
			cur.counter > mine.counter && cur.counter-mine.counter <= wgMaxGap
	}
	if sure {
		res.Set(ProtoWireGuard)
		return Final
	}
	*mine = cur
	return Continue
}

// wgMessage reports the type of b if it has a WireGuard message's shape.
func wgMessage(b []byte) (typ uint8, ok bool) {
	if len(b) < 4 || b[1] != 0 || b[2] != 0 || b[3] != 0 {
		return 0, false
	}
	switch typ = b[0]; typ {
	case wgInitiation:
		return typ, len(b) == wgInitiationLen
	case wgResponse:
		return typ, len(b) == wgResponseLen
	case wgCookie:
		return typ, len(b) == wgCookieLen
	case wgData:
		return typ, len(b) >= wgDataMin && (len(b)-16)%16 == 0
	}
	return 0, false
}
