package dpi

import "encoding/binary"

// BJNP, Canon's printer and scanner discovery over UDP ports 8611 to
// 8614: a 16-byte header opening with "BJNP" (requests) or "BNJB"
// (replies), a device type, a command, an error code, a sequence number,
// a session id and the length of what follows.

func bjnpDissector() Dissector {
	return Dissector{
		Name: "bjnp", Proto: ProtoBJNP, Transports: UDP,
		UDPPorts: []uint16{8611, 8612, 8613, 8614},
		Start: func(info *FlowInfo) State {
			if !onPort(info, 8611, 8612, 8613, 8614) {
				return nil
			}
			return bjnpState
		},
	}
}

const bjnpHeaderLen = 16

var bjnpState inspectFunc = func(in *Input, res *Result) Status {
	b := in.Payload
	if len(b) < bjnpHeaderLen || string(b[:4]) != "BJNP" && string(b[:4]) != "BNJB" ||
		int(binary.BigEndian.Uint32(b[12:])) != len(b)-bjnpHeaderLen {
		return Reject
	}
	res.Set(ProtoBJNP)
	return Final
}
