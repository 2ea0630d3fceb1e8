package dpi

// POP3 (RFC 1939) with STLS (RFC 2595).

func pop3Dissector() Dissector {
	return Dissector{
		Name: "pop3", Proto: ProtoPOP3, Transports: TCP,
		TCPPorts: []uint16{110},
		Start:    pop3Proto.start,
	}
}

var pop3Proto = &greetProto{
	proto:    ProtoPOP3,
	greeting: func(ln []byte) bool { return hasPrefixFold(ln, "+OK") },
	names:    []string{"POP"},
	settle:   []string{"CAPA", "APOP", "UIDL", "TOP"},
	neutral:  []string{"NOOP", "RSET", "LIST", "STAT", "RETR", "DELE"},
	startTLS: []string{"STLS"},
	later:    []string{"USER", "PASS", "AUTH", "QUIT"},
}
