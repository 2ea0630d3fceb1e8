package dpi

import "encoding/binary"

// RADIUS (RFC 2865, 2866, 5176): a code, an identifier, a length that
// covers the 20-byte header and the attributes (type, length) that fill
// it exactly. Bytes after the length are padding (RFC 2865 §3). It is
// taken on the RADIUS ports only.

func radiusDissector() Dissector {
	return Dissector{
		Name: "radius", Proto: ProtoRadius, Transports: UDP,
		UDPPorts: []uint16{1812, 1813, 1645, 1646, 3799},
		Start: func(info *FlowInfo) State {
			if !onPort(info, 1812, 1813, 1645, 1646, 3799) {
				return nil
			}
			return radiusState
		},
	}
}

const (
	radiusHeaderLen = 20
	radiusMaxLen    = 4096
	radiusMaxAttrs  = 255
)

var radiusState inspectFunc = func(in *Input, res *Result) Status {
	b := in.Payload
	if len(b) < radiusHeaderLen || !radiusCode(b[0]) {
		return Reject
	}
	n := int(binary.BigEndian.Uint16(b[2:]))
	if n < radiusHeaderLen || n > radiusMaxLen || n > len(b) ||
		!radiusAttributes(b[radiusHeaderLen:n]) {
		return Reject
	}
	res.Set(ProtoRadius)
	return Final
}

// radiusCode reports whether c is an assigned packet code: access,
// accounting, challenge, status, disconnect and CoA messages.
func radiusCode(c byte) bool {
	return c >= 1 && c <= 5 || c >= 11 && c <= 13 || c >= 40 && c <= 45
}

// radiusAttributes reports whether b is attributes, each at least 2
// bytes long, that end exactly where b does.
func radiusAttributes(b []byte) bool {
	for range radiusMaxAttrs {
		if len(b) == 0 {
			return true
		}
		if len(b) < 2 || b[1] < 2 || int(b[1]) > len(b) {
			return false
		}
		b = b[b[1]:]
	}
	return len(b) == 0
}
