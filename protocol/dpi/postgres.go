package dpi

import (
	"bytes"
	"encoding/binary"
)

// PostgreSQL's frontend speaks first (PostgreSQL protocol 3.0, "Message
// Formats"): a startup message (a 4-byte length, protocol 3.0, then
// name and value strings, "user" among them, ended by an empty one), or
// an 8-byte SSLRequest or GSSENCRequest, or a 16-byte CancelRequest,
// each a length and a fixed code.

func postgresDissector() Dissector {
	return Dissector{
		Name: "postgresql", Proto: ProtoPostgreSQL, Transports: TCP,
		TCPPorts: []uint16{5432},
		Start:    func(info *FlowInfo) State { return newEitherSide(info, postgresCheck) },
	}
}

const (
	pgProtocol3   = 3 << 16
	pgSSLRequest  = 80877103
	pgGSSENC      = 80877104
	pgCancel      = 80877102
	pgMaxStartup  = 10000
	pgMinStartup  = 8 + len("user\x00x\x00\x00")
	pgCodeLen     = 8
	pgCancelLen   = 16
	pgHeadToCheck = 8
)

func postgresCheck(in *Input, b []byte, res *Result) Status {
	if in.Dir != FromInitiator {
		return Reject // the backend does not speak first
	}
	if len(b) < pgHeadToCheck {
		return Continue
	}
	n, code := int(binary.BigEndian.Uint32(b)), binary.BigEndian.Uint32(b[4:])
	switch {
	case n == pgCodeLen && (code == pgSSLRequest || code == pgGSSENC),
		n == pgCancelLen && code == pgCancel:
	case code != pgProtocol3 || n < pgMinStartup || n > pgMaxStartup:
		return Reject
	case len(b) < n:
		if len(b) >= MaxStreamBytes {
			return Reject
		}
		return Continue
	case !pgStartup(b[8:n]):
		return Reject
	}
	res.Set(ProtoPostgreSQL)
	return Final
}

// pgStartup reports whether b is NUL-ended name and value strings, the
// last one empty, with a "user" name among them.
func pgStartup(b []byte) bool {
	if len(b) < 2 || b[len(b)-1] != 0 || b[len(b)-2] != 0 {
		return false
	}
	user := false
	for i, rest := 0, b[:len(b)-1]; len(rest) > 0; i++ {
		end := bytes.IndexByte(rest, 0)
		s := rest[:end]
		if i%2 == 0 && (len(s) == 0 || !printable(s)) {
			return false
		}
		user = user || i%2 == 0 && string(s) == "user"
		rest = rest[end+1:]
	}
	return user
}
