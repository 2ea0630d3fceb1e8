package dpi

import (
	"bytes"
	"net/netip"
)

// The FTP control connection (RFC 959) with AUTH TLS (RFC 4217). Once it
// is recognised, the dissector goes on reading it for the data
// connections it announces (PASV, EPSV, PORT and EPRT, RFC 959 §4.1.2
// and RFC 2428), which it reports as [Expectation]s, until the session's
// budget is spent or the client switches to TLS.

func ftpDissector() Dissector {
	return Dissector{
		Name: "ftp", Proto: ProtoFTPControl, Transports: TCP,
		TCPPorts: []uint16{21}, Announces: true,
		Start: func(info *FlowInfo) State {
			s := reuse[ftpState](info)
			s.g = ftpProto
			return s
		},
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

// ftpState recognises the control connection with the shared greeting
// dissector, then reads the lines of both sides for data connections.
type ftpState struct {
	greetState
	settled bool   // the greeting dissector is done with the flow
	scanned [2]int // bytes of each direction's stream read for announcements
}

func (s *ftpState) Inspect(in *Input, res *Result) Status {
	if !s.settled {
		switch st := s.greetState.Inspect(in, res); st {
		case Final:
			if res.meta != nil && res.meta.Mail != nil && res.meta.Mail.StartTLS {
				return Final // what follows is encrypted
			}
			s.settled = true
		case Match:
		default:
			return st
		}
	}
	for d := FromInitiator; d <= FromResponder; d++ {
		s.scan(in, d, res)
	}
	return Match
}

// scan reads the complete lines of direction d not read yet.
func (s *ftpState) scan(in *Input, d Dir, res *Result) {
	b := in.Stream[d]
	for s.scanned[d] < len(b) {
		ln, _, ok := line(b[s.scanned[d]:])
		if !ok {
			return
		}
		s.scanned[d] += len(ln) + 1
		if n := s.scanned[d]; n < len(b) && b[n-1] == '\r' {
			s.scanned[d]++ // line drops the CR of a CRLF
		}
		if e, ok := ftpAnnounced(in.Flow, d, ln); ok {
			e.Time = in.Time
			res.Expect(e)
		}
	}
}

// ftpAnnounced reads a data connection from one control line: the
// server's 227 or 229 reply, or the client's PORT or EPRT command.
func ftpAnnounced(f *FlowInfo, d Dir, ln []byte) (Expectation, bool) {
	client, server := f.Initiator.Addr(), f.Responder.Addr()
	var port uint16
	passive := d == FromResponder
	switch {
	case passive && replyCode(ln, "227"):
		port = ftpHostPort(ln[3:])
	case passive && replyCode(ln, "229"):
		port = ftpExtendedPort(ln[3:])
	case !passive && hasPrefixFold(ln, "PORT "):
		port = ftpHostPort(ln[5:])
	case !passive && hasPrefixFold(ln, "EPRT "):
		port = ftpExtendedPort(ln[5:])
	}
	if port == 0 {
		return Expectation{}, false
	}
	e := Expectation{Proto: ProtoFTPData, IPProto: IPProtoTCP, Initiator: client,
		Responder: netip.AddrPortFrom(server, port)}
	if !passive {
		e.Initiator, e.Responder = server, netip.AddrPortFrom(client, port)
	}
	return e, true
}

// ftpHostPort finds "h1,h2,h3,h4,p1,p2" in b (RFC 959 §4.1.2) and returns
// the port, 0 if there is none.
func ftpHostPort(b []byte) uint16 {
	for i := 0; i < len(b); i++ {
		if b[i] < '0' || b[i] > '9' {
			continue
		}
		var n [6]int
		j, k := i, 0
		for ; k < 6; k++ {
			v, end := ftpNumber(b, j)
			if end == j || v > 255 || k < 5 && (end >= len(b) || b[end] != ',') {
				break
			}
			n[k], j = v, end+1
		}
		if k == 6 {
			return uint16(n[4]<<8 | n[5])
		}
		i = j
	}
	return 0
}

// ftpExtendedPort reads the port of "(|||6446|)" (a 229 reply) or
// "|1|192.0.2.1|6446|" (EPRT), RFC 2428: fields are separated by the
// character that opens them, and the port follows the third.
func ftpExtendedPort(b []byte) uint16 {
	if i := bytes.IndexByte(b, '('); i >= 0 {
		b = b[i+1:]
	}
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] < 33 || b[0] > 126 {
		return 0
	}
	delim, seen, i := b[0], 0, 0
	for ; i < len(b) && seen < 3; i++ {
		if b[i] == delim {
			seen++
		}
	}
	v, end := ftpNumber(b, i)
	if seen < 3 || end == i || end >= len(b) || b[end] != delim || v == 0 || v > 65535 {
		return 0
	}
	return uint16(v)
}

// ftpNumber reads the decimal number at b[i:], at most 5 digits; end is
// where it stops (i when there is none).
func ftpNumber(b []byte, i int) (v, end int) {
	for end = i; end < len(b) && end-i < 5 && '0' <= b[end] && b[end] <= '9'; end++ {
		v = v*10 + int(b[end]-'0')
	}
	return v, end
}
