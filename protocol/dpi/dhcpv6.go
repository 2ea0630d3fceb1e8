package dpi

import "encoding/binary"

// DHCPv6 (RFC 8415) between ports 546 (clients) and 547 (servers and
// relays). A message is a type and a transaction id, or for relays a hop
// count and two addresses, then options that must fill it exactly. The
// header is short, so the ports must agree too.

func dhcpv6Dissector() Dissector {
	return Dissector{
		Name: "dhcpv6", Proto: ProtoDHCPV6, Transports: UDP,
		UDPPorts: []uint16{546, 547},
		Start: func(info *FlowInfo) State {
			if !onPort(info, 546, 547) {
				return nil
			}
			return dhcpv6State
		},
	}
}

const dhcpv6MaxOptions = 64 // options read in one message

var dhcpv6State inspectFunc = func(in *Input, res *Result) Status {
	b := in.Payload
	if len(b) < 4 {
		return Reject
	}
	switch typ := b[0]; {
	case typ == 12 || typ == 13: // relay-forward, relay-reply
		if len(b) < 34 {
			return Reject
		}
		b = b[34:]
	case typ >= 1 && typ <= 11, typ >= 14 && typ <= 23: // RFC 8415, 5007, 5460, 7341, 8156
		b = b[4:]
	default:
		return Reject
	}
	if !dhcpv6Options(b) {
		return Reject
	}
	res.Set(ProtoDHCPV6)
	return Final
}

// dhcpv6Options reports whether b is one or more options that end
// exactly where b does.
func dhcpv6Options(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for range dhcpv6MaxOptions {
		if len(b) < 4 {
			return false
		}
		code, n := binary.BigEndian.Uint16(b), int(binary.BigEndian.Uint16(b[2:]))
		if code == 0 || n > len(b)-4 {
			return false
		}
		if b = b[4+n:]; len(b) == 0 {
			return true
		}
	}
	return false
}
