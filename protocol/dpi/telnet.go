package dpi

// Telnet (RFC 854, 855): both sides open by negotiating options, each an
// IAC byte (255), a verb (WILL, WONT, DO, DONT) and an option, or a
// subnegotiation between IAC SB and IAC SE. A side whose data opens with
// two or more such commands is Telnet; one command is enough on port 23.

func telnetDissector() Dissector {
	return Dissector{
		Name: "telnet", Proto: ProtoTelnet, Transports: TCP,
		TCPPorts: []uint16{23},
		Start:    func(info *FlowInfo) State { return newEitherSide(info, telnetCheck) },
	}
}

// Telnet command bytes (RFC 854).
const (
	telnetIAC  = 255
	telnetSB   = 250
	telnetSE   = 240
	telnetWILL = 251 // WILL, WONT, DO, DONT are 251 to 254
	// telnetMaxSB bounds a subnegotiation's bytes.
	telnetMaxSB = 256
	// telnetEnough is how many commands settle it off port 23.
	telnetEnough = 2
)

func telnetCheck(in *Input, b []byte, res *Result) Status {
	n, rest := telnetCommands(b)
	switch {
	case n >= telnetEnough, n == 1 && len(rest) == 0 && onPort(in.Flow, 23):
		res.Set(ProtoTelnet)
		return Final
	case (len(rest) == 0 || telnetPartial(rest)) && len(b) < MaxStreamBytes:
		return Continue // a command is still coming
	}
	return Reject
}

// telnetCommands counts the option commands at the start of b and returns
// what follows them.
func telnetCommands(b []byte) (n int, rest []byte) {
	for len(b) >= 3 && b[0] == telnetIAC {
		switch verb := b[1]; {
		case verb >= telnetWILL:
			b = b[3:]
		case verb == telnetSB:
			end := telnetSBEnd(b)
			if end < 0 {
				return n, b
			}
			b = b[end:]
		default:
			return n, b
		}
		n++
	}
	return n, b
}

// telnetPartial reports whether b is the start of a command cut short.
func telnetPartial(b []byte) bool {
	switch {
	case b[0] != telnetIAC:
		return false
	case len(b) < 3:
		return len(b) == 1 || b[1] >= telnetWILL || b[1] == telnetSB
	}
	return b[1] == telnetSB && len(b) < telnetMaxSB && telnetSBEnd(b) < 0
}

// telnetSBEnd returns the offset after the IAC SE that ends the
// subnegotiation at the start of b, or -1.
func telnetSBEnd(b []byte) int {
	for i := 3; i < len(b) && i < telnetMaxSB; i++ {
		if b[i-1] == telnetIAC && b[i] == telnetSE {
			return i + 1
		}
	}
	return -1
}
