package dpi

// Syslog (RFC 5424, RFC 3164): each message opens with its priority in
// angle brackets, "<PRI>" with PRI from 0 to 191 written without leading
// zeros, then text. That is short, so it is taken only on the syslog
// ports, 514 (UDP, and TCP as many senders use it) and 601 (TCP, RFC
// 6587), with printable text after it.

func syslogDissector() Dissector {
	return Dissector{
		Name: "syslog", Proto: ProtoSyslog, Transports: TCP | UDP,
		TCPPorts: []uint16{601}, UDPPorts: []uint16{514},
		Start: func(info *FlowInfo) State {
			if !onPort(info, 514, 601) {
				return nil
			}
			return newEitherSide(info, syslogCheck)
		},
	}
}

const (
	syslogMaxPRI   = 191
	syslogMinText  = 4  // bytes of text after the priority
	syslogTextRead = 32 // bytes of text checked to be printable
)

func syslogCheck(in *Input, b []byte, res *Result) Status {
	i, pri := 1, 0
	for ; i < len(b) && i <= 4 && '0' <= b[i] && b[i] <= '9'; i++ {
		pri = pri*10 + int(b[i]-'0')
	}
	switch {
	case in.Flow.IPProto == IPProtoTCP && len(b) < 1+4+syslogMinText &&
		(len(b) == 0 || b[0] == '<'):
		return Continue
	case len(b) == 0 || b[0] != '<' || i == 1 || i > 4 || pri > syslogMaxPRI:
		return Reject
	case b[1] == '0' && i > 2: // a leading zero
		return Reject
	case i >= len(b) || b[i] != '>' || len(b)-i-1 < syslogMinText:
		return Reject
	}
	text := b[i+1 : min(len(b), i+1+syslogTextRead)]
	if !printableUTF8(text) {
		return Reject
	}
	res.Set(ProtoSyslog)
	return Final
}

// printableUTF8 reports whether b has no control characters but tabs and
// line ends, allowing any byte from 0x80 (UTF-8, possibly cut short).
func printableUTF8(b []byte) bool {
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f {
			return false
		}
	}
	return true
}
