package dpi

// SMTP (RFC 5321) with STARTTLS (RFC 3207).

func smtpDissector() Dissector {
	return Dissector{
		Name: "smtp", Proto: ProtoSMTP, Transports: TCP,
		TCPPorts: []uint16{25, 587},
		Start:    smtpProto.start,
	}
}

var smtpProto = &greetProto{
	proto:    ProtoSMTP,
	greeting: func(ln []byte) bool { return replyCode(ln, "220") || replyCode(ln, "554") },
	names:    []string{"SMTP"},
	settle:   []string{"EHLO", "HELO", "LHLO"},
	neutral:  []string{"NOOP", "RSET", "HELP", "VRFY", "EXPN"},
	startTLS: []string{"STARTTLS"},
	later:    []string{"MAIL", "RCPT", "DATA", "AUTH", "QUIT", "BDAT"},
	domain:   true,
}
