package dpi

import "bytes"

// TFTP (RFC 1350, options RFC 2347): a client's first datagram to port
// 69 is a read or write request, an opcode then the file name and the
// transfer mode ("netascii", "octet" or "mail"), each ended by a zero
// byte. The transfer itself runs between two other ports.

func tftpDissector() Dissector {
	return Dissector{
		Name: "tftp", Proto: ProtoTFTP, Transports: UDP,
		UDPPorts: []uint16{69},
		Start: func(info *FlowInfo) State {
			if info.Responder.Port() != 69 {
				return nil
			}
			return tftpState
		},
	}
}

var tftpState inspectFunc = func(in *Input, res *Result) Status {
	b := in.Payload
	if in.Dir != FromInitiator || len(b) < 2+2+len("octet")+1 || b[0] != 0 ||
		b[1] != 1 && b[1] != 2 {
		return Reject
	}
	name, rest, ok := bytes.Cut(b[2:], []byte{0})
	if !ok || len(name) == 0 || !printable(name) {
		return Reject
	}
	mode, _, ok := bytes.Cut(rest, []byte{0})
	if !ok || !tftpMode(mode) {
		return Reject
	}
	res.Set(ProtoTFTP)
	return Final
}

// tftpMode reports whether m is a transfer mode, in any case.
func tftpMode(m []byte) bool {
	return bytes.EqualFold(m, []byte("octet")) || bytes.EqualFold(m, []byte("netascii")) ||
		bytes.EqualFold(m, []byte("mail"))
}
