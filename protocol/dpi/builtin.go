package dpi

// Builtins returns the built-in dissectors in the order a Registry tries
// them. Protocols that can be told apart early and surely come first.
func Builtins() []Dissector {
	return []Dissector{
		tlsDissector(),
		httpDissector(),
		quicDissector(),
		gquicDissector(),
		dnsDissector(),
		llmnrDissector(),
		mdnsDissector(),
		sshDissector(),
		smtpDissector(),
		pop3Dissector(),
		imapDissector(),
		ftpDissector(),
	}
}
