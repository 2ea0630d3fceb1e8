package dpi

import "encoding/binary"

// RDP opens with an X.224 connection request (client) or confirm
// (server) inside a TPKT (RFC 1006 §6, ITU-T X.224 §13.3, MS-RDPBCGR
// §2.2.1.1): TPKT version 3, the packet's length, then the X.224 length
// indicator, which counts the rest, and the CR (0xE0) or CC (0xD0) code
// with a zero destination reference.

func rdpDissector() Dissector {
	return Dissector{
		Name: "rdp", Proto: ProtoRDP, Transports: TCP,
		TCPPorts: []uint16{3389},
		Start:    func(info *FlowInfo) State { return newEitherSide(info, rdpCheck) },
	}
}

const (
	rdpMinLen = 11 // TPKT 4, X.224 CR/CC 7
	rdpMaxLen = 1024
)

func rdpCheck(_ *Input, b []byte, res *Result) Status {
	if len(b) < rdpMinLen {
		if len(b) > 0 && b[0] != 3 || len(b) > 1 && b[1] != 0 {
			return Reject
		}
		return Continue
	}
	n := int(binary.BigEndian.Uint16(b[2:]))
	code := b[5] & 0xf0
	switch {
	case b[0] != 3 || b[1] != 0 || n < rdpMinLen || n > rdpMaxLen:
		return Reject
	case int(b[4]) != n-5 || code != 0xe0 && code != 0xd0 || b[6] != 0 || b[7] != 0:
		return Reject
	}
	res.Set(ProtoRDP)
	return Final
}
