package dpi

import "encoding/binary"

// DCE/RPC over TCP (C706 §12.6, MS-RPCE), which Windows uses for the
// endpoint mapper and AD services: each PDU opens with version 5, minor
// version 0 or 1, a PDU type up to 19, flags, a data representation whose
// first byte says the byte order and character set, the fragment length
// in that byte order and an authentication length within it.

func dcerpcDissector() Dissector {
	return Dissector{
		Name: "dcerpc", Proto: ProtoDCERPC, Transports: TCP,
		TCPPorts: []uint16{135},
		Start:    func(info *FlowInfo) State { return newEitherSide(info, dcerpcCheck) },
	}
}

const (
	dcerpcHeaderLen = 16
	dcerpcMaxType   = 19
)

func dcerpcCheck(_ *Input, b []byte, res *Result) Status {
	if len(b) < dcerpcHeaderLen {
		if len(b) > 0 && b[0] != 5 || len(b) > 1 && b[1] > 1 {
			return Reject
		}
		return Continue
	}
	rep := b[4]
	if b[0] != 5 || b[1] > 1 || b[2] > dcerpcMaxType || rep&0xee != 0 || b[5] > 3 ||
		b[6] != 0 || b[7] != 0 {
		return Reject
	}
	var order binary.ByteOrder = binary.BigEndian
	if rep&0x10 != 0 {
		order = binary.LittleEndian
	}
	frag, auth := int(order.Uint16(b[8:])), int(order.Uint16(b[10:]))
	if frag < dcerpcHeaderLen || auth > frag-dcerpcHeaderLen {
		return Reject
	}
	res.Set(ProtoDCERPC)
	return Final
}
