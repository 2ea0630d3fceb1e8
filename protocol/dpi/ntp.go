package dpi

// NTP (RFC 5905, and the control and private modes of RFC 1305 and
// ntpd). Its header has no magic, so the dissector reads only flows with
// port 123 at one end, and checks the version, mode and length (48 bytes
// for modes 1 to 5, plus extension fields and a MAC in whole words), and
// that stratum, poll and precision are in their ranges.

func ntpDissector() Dissector {
	return Dissector{
		Name: "ntp", Proto: ProtoNTP, Transports: UDP,
		UDPPorts: []uint16{123},
		Start: func(info *FlowInfo) State {
			if !onPort(info, 123) {
				return nil
			}
			return ntpState
		},
	}
}

const (
	ntpHeaderLen     = 48
	ntpControlHeader = 12 // mode 6 (RFC 1305 appendix B)
	ntpMaxLen        = 1500
)

var ntpState inspectFunc = func(in *Input, res *Result) Status {
	if !ntpPacket(in.Payload) {
		return Reject
	}
	res.Set(ProtoNTP)
	return Final
}

// ntpPacket reports whether b reads as an NTP packet.
func ntpPacket(b []byte) bool {
	if len(b) < 8 || len(b) > ntpMaxLen {
		return false
	}
	version, mode := b[0]>>3&7, b[0]&7
	if version < 1 || version > 4 {
		return false
	}
	switch {
	case mode >= 1 && mode <= 5: // symmetric, client, server, broadcast
		// Stratum 0 to 16, poll exponent up to 17 (RFC 5905 §7.3), the
		// clock precision a power of two from 2^-32 s to 1 s.
		stratum, poll, precision := b[1], b[2], int8(b[3])
		return len(b) >= ntpHeaderLen && (len(b)-ntpHeaderLen)%4 == 0 && stratum <= 16 &&
			poll <= 17 && precision >= -32 && precision <= 0
	case mode == 6: // control: the count says how much data follows
		if len(b) < ntpControlHeader {
			return false
		}
		count := int(b[10])<<8 | int(b[11])
		return b[1]&0x1f != 0 && count <= len(b)-ntpControlHeader
	case mode == 7: // ntpd's private mode: implementation 0, 2 or 3
		impl := b[2]
		return impl == 0 || impl == 2 || impl == 3
	}
	return false
}
