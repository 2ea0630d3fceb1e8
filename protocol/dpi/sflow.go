package dpi

import "encoding/binary"

// sFlow version 5 (sflow.org, "sFlow Version 5", §5.4): a datagram header
// with the agent's address (type 1 IPv4 or 2 IPv6), sub-agent id,
// sequence number, uptime and sample count, then that many samples, each
// a format and a length, that fill the datagram exactly.

func sflowDissector() Dissector {
	return Dissector{
		Name: "sflow", Proto: ProtoSFlow, Transports: UDP,
		UDPPorts: []uint16{6343},
		Start:    func(*FlowInfo) State { return sflowState },
	}
}

const (
	sflowVersion    = 5
	sflowMaxSamples = 64
)

var sflowState inspectFunc = func(in *Input, res *Result) Status {
	if !sflowDatagram(in.Payload) {
		return Reject
	}
	res.Set(ProtoSFlow)
	return Final
}

// sflowDatagram reports whether b is an sFlow version 5 datagram.
func sflowDatagram(b []byte) bool {
	if len(b) < 8 || binary.BigEndian.Uint32(b) != sflowVersion {
		return false
	}
	var addr int
	switch binary.BigEndian.Uint32(b[4:]) {
	case 1:
		addr = 4
	case 2:
		addr = 16
	default:
		return false
	}
	head := 8 + addr + 4*4 // address, sub-agent, sequence, uptime, count
	if len(b) < head {
		return false
	}
	count := int(binary.BigEndian.Uint32(b[head-4:]))
	if count < 1 || count > sflowMaxSamples {
		return false
	}
	b = b[head:]
	for range count {
		if len(b) < 8 {
			return false
		}
		n := int(binary.BigEndian.Uint32(b[4:]))
		if n > len(b)-8 || n%4 != 0 {
			return false
		}
		b = b[8+n:]
	}
	return len(b) == 0
}
