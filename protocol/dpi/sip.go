package dpi

import "bytes"

// SIP (RFC 3261 §7.1): a request line "METHOD sip:... SIP/2.0" or a
// status line "SIP/2.0 200 OK", over UDP or TCP, usually on port 5060.
// Either side may be read first.

func sipDissector() Dissector {
	return Dissector{
		Name: "sip", Proto: ProtoSIP, Transports: TCP | UDP,
		TCPPorts: []uint16{5060, 5061}, UDPPorts: []uint16{5060},
		Start: func(info *FlowInfo) State {
			if info.IPProto == IPProtoTCP {
				return newEitherSide(info, sipCheck)
			}
			return reuse[sipUDPState](info)
		},
	}
}

// sipMethods are the request methods of RFC 3261 and its extensions
// (RFC 3262, 3265, 3311, 3428, 3515, 3903, 6086).
var sipMethods = []string{"INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "REGISTER", "PRACK",
	"SUBSCRIBE", "NOTIFY", "PUBLISH", "INFO", "REFER", "MESSAGE", "UPDATE"}

// sipBadLimit is how many datagrams that are not SIP a UDP flow may start
// with (keepalives of a CR LF pair, a damaged message).
const sipBadLimit = 3

type sipUDPState struct{ bad uint8 }

func (s *sipUDPState) Inspect(in *Input, res *Result) Status {
	// A datagram is whole: one that leaves the start line open is not SIP.
	if st := sipCheck(in, in.Payload, res); st == Final {
		return Final
	}
	if s.bad++; s.bad < sipBadLimit {
		return Continue
	}
	return Reject
}

func sipCheck(_ *Input, b []byte, res *Result) Status {
	ln, _, ok := line(b)
	if !ok {
		if len(b) < MaxStreamBytes && sipMayStart(b) {
			return Continue
		}
		return Reject
	}
	if !sipStartLine(ln) {
		return Reject
	}
	res.Set(ProtoSIP)
	return Final
}

// sipStartLine reports whether ln is a SIP request or status line.
func sipStartLine(ln []byte) bool {
	if rest, ok := bytes.CutPrefix(ln, []byte("SIP/2.0 ")); ok {
		return len(rest) >= 3 && isDigits(rest[:3]) && (len(rest) == 3 || rest[3] == ' ')
	}
	sp := bytes.IndexByte(ln, ' ')
	if sp < 0 || !sipMethod(ln[:sp]) || !bytes.HasSuffix(ln, []byte(" SIP/2.0")) {
		return false
	}
	uri := ln[sp+1:]
	return hasPrefixFold(uri, "SIP:") || hasPrefixFold(uri, "SIPS:") || hasPrefixFold(uri, "TEL:")
}

func sipMethod(m []byte) bool {
	for _, s := range sipMethods {
		if string(m) == s {
			return true
		}
	}
	return false
}

// sipMayStart reports whether b, a line not yet ended, may still become a
// start line.
func sipMayStart(b []byte) bool {
	if prefixOfFold(b, "SIP/2.0 ") || bytes.HasPrefix(b, []byte("SIP/2.0 ")) {
		return true
	}
	sp := bytes.IndexByte(b, ' ')
	if sp < 0 {
		for _, s := range sipMethods {
			if bytes.HasPrefix([]byte(s), b) {
				return true
			}
		}
		return false
	}
	return sipMethod(b[:sp])
}

func isDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return len(b) > 0
}
