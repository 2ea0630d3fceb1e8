package dpi

import "encoding/binary"

// RTP (RFC 3550 §5.1). One RTP header is too weak to go by (version 2 is
// two bits), so the dissector waits for a second packet from the same
// side with the same synchronization source, whose sequence number is a
// little ahead and whose timestamp did not go back. Payload types 72 to
// 76 are left out: with the marker bit set they are RTCP's packet types.

func rtpDissector() Dissector {
	return Dissector{
		Name: "rtp", Proto: ProtoRTP, Transports: UDP,
		Start: func(info *FlowInfo) State { return reuse[rtpState](info) },
	}
}

const (
	rtpHeaderLen = 12
	rtpMaxGap    = 64 // sequence numbers a second packet may be ahead (lost packets)
	// rtpBadLimit is how many datagrams that are not RTP may come first
	// (a STUN check or a proprietary hello before the media).
	rtpBadLimit = 4
)

// rtpSide is what was seen of one direction's last RTP packet.
type rtpSide struct {
	ssrc, ts uint32
	seq      uint16
	seen     bool
}

type rtpState struct {
	side [2]rtpSide
	bad  uint8
}

func (s *rtpState) Inspect(in *Input, res *Result) Status {
	b := in.Payload
	if !rtpHeader(b) {
		if s.bad++; s.bad > rtpBadLimit {
			return Reject
		}
		return Continue
	}
	ssrc, ts := binary.BigEndian.Uint32(b[8:]), binary.BigEndian.Uint32(b[4:])
	seq := binary.BigEndian.Uint16(b[2:])
	last := &s.side[in.Dir]
	if last.seen && last.ssrc == ssrc && seq-last.seq >= 1 && seq-last.seq <= rtpMaxGap &&
		int32(ts-last.ts) >= 0 {
		res.Set(ProtoRTP)
		return Final
	}
	*last = rtpSide{ssrc: ssrc, ts: ts, seq: seq, seen: true}
	return Continue
}

// rtpHeader reports whether b starts with an RTP header that fits in it:
// version 2, a payload type RTCP cannot be mistaken for, the CSRC list,
// the header extension and the padding all inside the packet.
func rtpHeader(b []byte) bool {
	if len(b) < rtpHeaderLen || b[0]>>6 != 2 {
		return false
	}
	if pt := b[1] & 0x7f; pt >= 72 && pt <= 76 {
		return false
	}
	n := rtpHeaderLen + 4*int(b[0]&0x0f)
	if b[0]&0x10 != 0 { // extension: 16-bit profile, 16-bit length in words
		if len(b) < n+4 {
			return false
		}
		n += 4 + 4*int(binary.BigEndian.Uint16(b[n+2:]))
	}
	if n > len(b) {
		return false
	}
	if b[0]&0x20 != 0 { // padding: its count is the last byte
		pad := int(b[len(b)-1])
		return pad > 0 && pad <= len(b)-n
	}
	return true
}
