package dpi

import "encoding/binary"

// GTP (3GPP TS 29.060, 29.274, 29.281, 32.295): GTP-U on port 2152,
// GTP-C on 2123 and GTP' on 3386. User data (G-PDU) is decapsulated by
// the packet decoder, so what reaches this dissector are the signalling
// messages and packets it could not open. The header is short, so the
// port must agree with a header whose version, type and length do.
// nDPI names the master protocol GTP and the application after the port.

func gtpDissector() Dissector {
	return Dissector{
		Name: "gtp", Proto: ProtoGTP, Transports: UDP,
		UDPPorts: []uint16{2152, 2123, 3386},
		Start: func(info *FlowInfo) State {
			if !onPort(info, gtpUPort, gtpCPort, gtpPrimePort) {
				return nil
			}
			return gtpState
		},
	}
}

const (
	gtpUPort     = 2152
	gtpCPort     = 2123
	gtpPrimePort = 3386
)

var gtpState inspectFunc = func(in *Input, res *Result) Status {
	b := in.Payload
	var app Proto
	switch {
	case onPort(in.Flow, gtpUPort) && gtpV1(b, true):
		app = ProtoGTPU
	case onPort(in.Flow, gtpCPort) && (gtpV1(b, true) || gtpV2(b)):
		app = ProtoGTPC
	case onPort(in.Flow, gtpPrimePort) && gtpPrime(b):
		app = ProtoGTPPrime
	default:
		return Reject
	}
	res.Set(ProtoGTP)
	res.SetApp(app)
	return Final
}

// gtpV1 reads a GTPv1 header: version 1, the protocol type bit (1 for GTP,
// 0 for GTP'), a message type and a length counting what follows the
// first 8 bytes.
func gtpV1(b []byte, gtp bool) bool {
	if len(b) < 8 || b[0]>>5 != 1 || (b[0]&0x10 != 0) != gtp || b[1] == 0 {
		return false
	}
	return int(binary.BigEndian.Uint16(b[2:])) == len(b)-8
}

// gtpV2 reads a GTPv2-C header: version 2, no piggybacked spare bits
// set, and a length counting what follows the first 4 bytes.
func gtpV2(b []byte) bool {
	if len(b) < 8 || b[0]>>5 != 2 || b[0]&0x07 != 0 || b[1] == 0 {
		return false
	}
	n := int(binary.BigEndian.Uint16(b[2:]))
	return n == len(b)-4 && (b[0]&0x08 == 0 || n >= 8) // with a TEID, 8 bytes at least
}

// gtpPrime reads a GTP' header (TS 32.295 §6.1): versions 0 to 2 with the
// protocol type bit clear, and a 6-byte header for version 0 (the length
// counts what follows it) or GTPv1's 8 bytes otherwise.
func gtpPrime(b []byte) bool {
	if len(b) < 6 || b[0]&0x10 != 0 || b[1] == 0 {
		return false
	}
	switch b[0] >> 5 {
	case 0:
		return int(binary.BigEndian.Uint16(b[2:])) == len(b)-6
	case 1, 2:
		return int(binary.BigEndian.Uint16(b[2:])) == len(b)-6 || gtpV1(b, false)
	}
	return false
}
