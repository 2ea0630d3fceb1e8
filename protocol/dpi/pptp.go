package dpi

import "encoding/binary"

// PPTP's control connection (RFC 2637 §2): every control message opens
// with its length, the message type 1 and the magic cookie 0x1A2B3C4D.
// The tunnelled data travels in GRE, which the packet decoder opens.

func pptpDissector() Dissector {
	return Dissector{
		Name: "pptp", Proto: ProtoPPTP, Transports: TCP,
		TCPPorts: []uint16{1723},
		Start:    func(info *FlowInfo) State { return newEitherSide(info, pptpCheck) },
	}
}

const (
	pptpCookie   = 0x1a2b3c4d
	pptpMinLen   = 16 // length, type, cookie, control type, reserved
	pptpMaxLen   = 1024
	pptpHeadRead = 8
)

func pptpCheck(_ *Input, b []byte, res *Result) Status {
	if len(b) < pptpHeadRead {
		return Continue
	}
	n := int(binary.BigEndian.Uint16(b))
	if n < pptpMinLen || n > pptpMaxLen || binary.BigEndian.Uint16(b[2:]) != 1 ||
		binary.BigEndian.Uint32(b[4:]) != pptpCookie {
		return Reject
	}
	res.Set(ProtoPPTP)
	return Final
}
