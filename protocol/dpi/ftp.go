package dpi

// The FTP control connection (RFC 959) with AUTH TLS (RFC 4217).

func ftpDissector() Dissector {
	return Dissector{
		Name: "ftp", Proto: ProtoFTPControl, Transports: TCP,
		TCPPorts: []uint16{21},
		Start:    ftpProto.start,
	}
}

var ftpProto = &greetProto{
	proto:    ProtoFTPControl,
	greeting: func(ln []byte) bool { return replyCode(ln, "220") || replyCode(ln, "120") },
	names:    []string{"FTP"},
	settle: []string{"FEAT", "SYST", "OPTS", "PWD", "CWD", "TYPE", "PASV", "EPSV", "PORT",
		"EPRT", "MKD", "RMD", "STOR", "SIZE", "MDTM", "PBSZ", "PROT", "NLST", "MLSD"},
	neutral:  []string{"NOOP", "HELP", "LIST", "RETR", "DELE", "STAT", "REST", "SITE"},
	startTLS: []string{"AUTH TLS", "AUTH SSL", "AUTH TLS-C", "AUTH TLS-P"},
	later:    []string{"USER", "PASS", "ACCT", "QUIT"},
}
