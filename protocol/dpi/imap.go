package dpi

// IMAP (RFC 9051, RFC 3501) with STARTTLS.

func imapDissector() Dissector {
	return Dissector{
		Name: "imap", Proto: ProtoIMAP, Transports: TCP,
		TCPPorts: []uint16{143},
		Start:    imapProto.start,
	}
}

var imapProto = &greetProto{
	proto: ProtoIMAP,
	greeting: func(ln []byte) bool {
		return hasPrefixFold(ln, "* OK") || hasPrefixFold(ln, "* PREAUTH") || hasPrefixFold(ln, "* BYE")
	},
	names:    []string{"IMAP"},
	tagged:   true,
	settle:   []string{"CAPABILITY", "ID", "NOOP", "SELECT", "EXAMINE", "LIST", "LSUB"},
	startTLS: []string{"STARTTLS"},
	later:    []string{"LOGIN", "AUTHENTICATE", "LOGOUT"},
}
