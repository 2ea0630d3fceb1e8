package dpi

import (
	"bytes"
	"encoding/binary"
)

// Google QUIC (versions Q0xx before the IETF design): the version is in
// clear in the client's packets, and up to Q046 the client hello (a CHLO
// message of tag/value pairs) travels unencrypted on stream 1, with the
// server name in its SNI tag, the user agent in UAID and the version in
// VER. nDPI 4.2 names these flows QUIC, as it does IETF QUIC.

func gquicDissector() Dissector {
	return Dissector{
		Name: "gquic", Proto: ProtoQUIC, Transports: UDP,
		Start: func(info *FlowInfo) State { return reuse[gquicState](info) },
	}
}

const (
	gquicMaxTags  = 64  // tag/value pairs read from one CHLO
	gquicCHLOScan = 128 // bytes after the version searched for the CHLO
)

// gquicState waits for the CHLO of a gQUIC flow.
type gquicState struct {
	matched bool
	seen    uint8 // client packets looked at
}

func (s *gquicState) Inspect(in *Input, res *Result) Status {
	if in.Dir != FromInitiator {
		return s.wait()
	}
	version, rest, ok := gquicVersion(in.Payload)
	if !ok {
		if s.seen++; s.matched || s.seen < 2 {
			return s.wait()
		}
		return Reject
	}
	if !s.matched {
		s.matched = true
		res.Set(ProtoQUIC)
		res.Meta().quic().Version = version
	}
	i := bytes.Index(rest[:min(len(rest), gquicCHLOScan)], []byte("CHLO"))
	if i < 0 {
		return Match // an encrypted version (Q050 on), or not the hello yet
	}
	if !readCHLO(rest[i+4:], res) {
		return Match
	}
	return Final
}

func (s *gquicState) wait() Status {
	if s.matched {
		return Match
	}
	return Continue
}

// gquicVersion finds the version of a client packet: in the public
// header of Q043 and before (flags, connection id, version), or in a long
// header from Q046 on. It returns the version as a number ("Q046" is
// 0x51303436) and the bytes after it.
func gquicVersion(b []byte) (uint32, []byte, bool) {
	if len(b) < 13 {
		return 0, nil, false
	}
	var offs []int
	switch f := b[0]; {
	case f&0x80 != 0: // long header (Q046 and later)
		offs = []int{1}
	case f&0x01 == 0 || f&0x02 != 0: // no version, or a public reset
		return 0, nil, false
	case f&0x0c == 0: // no connection id
		offs = []int{1}
	case f&0x0c == 0x08: // 8 bytes from Q0xx on where this is a flag; 4 before
		offs = []int{9, 5}
	default:
		offs = []int{9}
	}
	for _, off := range offs {
		if v := b[off : off+4]; gquicTag(v) {
			return binary.BigEndian.Uint32(v), b[off+4:], true
		}
	}
	return 0, nil, false
}

// gquicTag reports whether v reads as a gQUIC version: "Q" or "T" and
// three digits.
func gquicTag(v []byte) bool {
	return (v[0] == 'Q' || v[0] == 'T') && digit(v[1]) && digit(v[2]) && digit(v[3])
}

func digit(c byte) bool { return '0' <= c && c <= '9' }

// readCHLO reads the tag/value table after a CHLO tag: a 16-bit count,
// 16 bits of padding, count pairs of tag and 32-bit end offset (little
// endian), then the values. It reports whether the table was whole.
func readCHLO(b []byte, res *Result) bool {
	if len(b) < 4 {
		return false
	}
	n := int(binary.LittleEndian.Uint16(b))
	if n == 0 || n > gquicMaxTags || len(b) < 4+8*n {
		return false
	}
	table, values := b[4:4+8*n], b[4+8*n:]
	meta := res.Meta()
	start := 0
	for i := 0; i < n; i++ {
		tag := table[8*i : 8*i+4]
		end := int(binary.LittleEndian.Uint32(table[8*i+4:]))
		if end < start || end > len(values) {
			return false // cut short (the hello spans packets) or damaged
		}
		v := values[start:end]
		switch string(tag) {
		case "SNI\x00":
			meta.tls().ServerName = Name(v)
		case "UAID":
			meta.quic().UserAgent = Text(v, MaxAgent)
		case "VER\x00":
			if len(v) == 4 {
				meta.quic().Version = binary.BigEndian.Uint32(v)
			}
		}
		start = end
	}
	return true
}
