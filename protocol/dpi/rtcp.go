package dpi

import "encoding/binary"

// RTCP (RFC 3550 §6): a compound packet of RTCP packets, each with
// version 2, a packet type from 192 to 223 and a length in 32-bit words
// minus one; together they fill the datagram exactly. A compound packet
// opens with a sender or receiver report (§6.1), whose length is fixed by
// its report count; reduced-size RTCP (RFC 5506) may open with another
// type, and then needs a second such datagram.

func rtcpDissector() Dissector {
	return Dissector{
		Name: "rtcp", Proto: ProtoRTCP, Transports: UDP,
		Start: func(info *FlowInfo) State { return reuse[rtcpState](info) },
	}
}

const (
	rtcpMaxPackets = 16 // RTCP packets read in one compound
	rtcpSR, rtcpRR = 200, 201
	// rtcpBadLimit is how many other datagrams may come first.
	rtcpBadLimit = 2
)

type rtcpState struct{ seen, bad uint8 }

func (s *rtcpState) Inspect(in *Input, res *Result) Status {
	report, ok := rtcpCompound(in.Payload)
	switch {
	case !ok:
		if s.bad++; s.bad > rtcpBadLimit {
			return Reject
		}
		return Continue
	case !report && s.seen == 0:
		s.seen++
		return Continue
	}
	res.Set(ProtoRTCP)
	return Final
}

// rtcpCompound reports whether b is a compound RTCP packet, and whether
// it opens with a sender or receiver report of the right length.
func rtcpCompound(b []byte) (report, ok bool) {
	for i := 0; i < rtcpMaxPackets; i++ {
		if len(b) < 4 || b[0]>>6 != 2 || b[1] < 192 || b[1] > 223 {
			return false, false
		}
		n := (int(binary.BigEndian.Uint16(b[2:])) + 1) * 4
		if n > len(b) {
			return false, false
		}
		if i == 0 {
			count := int(b[0] & 0x1f)
			switch b[1] {
			case rtcpSR:
				report = n >= 4*(7+6*count)
			case rtcpRR:
				report = n >= 4*(2+6*count)
			}
		}
		if b = b[n:]; len(b) == 0 {
			return report, true
		}
	}
	return false, false
}
