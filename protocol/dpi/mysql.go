package dpi

import (
	"bytes"
	"encoding/binary"
)

// MySQL (and MariaDB): the server speaks first, with a handshake packet
// (protocol version 10): a 3-byte length and sequence number 0, the
// version 10, the server version as a NUL-ended string, a connection id,
// 8 bytes of scramble and a zero filler. A server that refuses the client
// sends an error packet instead (0xFF, an error code, a message).

func mysqlDissector() Dissector {
	return Dissector{
		Name: "mysql", Proto: ProtoMySQL, Transports: TCP,
		TCPPorts: []uint16{3306},
		Start:    func(info *FlowInfo) State { return newEitherSide(info, mysqlCheck) },
	}
}

const (
	mysqlMinGreeting = 1 + 2 + 4 + 8 + 1 // version byte, shortest version, id, scramble, filler
	mysqlMaxPacket   = 1024
	mysqlMaxVersion  = 64
)

func mysqlCheck(in *Input, b []byte, res *Result) Status {
	if in.Dir != FromResponder {
		return Reject // the client does not speak first
	}
	if len(b) < 5 {
		return Continue
	}
	n := int(b[0]) | int(b[1])<<8 | int(b[2])<<16
	switch {
	case b[3] != 0 || n < mysqlMinGreeting && b[4] != 0xff || n > mysqlMaxPacket:
		return Reject
	case len(b) < 4+n:
		return Continue
	case !mysqlGreeting(b[4:4+n]) && !mysqlRefusal(b[4:4+n]):
		return Reject
	}
	res.Set(ProtoMySQL)
	return Final
}

// mysqlGreeting reports whether p is a protocol 10 handshake.
func mysqlGreeting(p []byte) bool {
	if p[0] != 10 {
		return false
	}
	end := bytes.IndexByte(p[1:min(len(p), 1+mysqlMaxVersion)], 0)
	if end < 1 || p[1] < '0' || p[1] > '9' || !printable(p[1:1+end]) {
		return false
	}
	filler := 1 + end + 1 + 4 + 8
	return filler < len(p) && p[filler] == 0
}

// mysqlRefusal reports whether p is an error packet: 0xFF, an error code
// in the server's range, and a printable message.
func mysqlRefusal(p []byte) bool {
	if len(p) < 4 || p[0] != 0xff {
		return false
	}
	code := binary.LittleEndian.Uint16(p[1:])
	return code >= 1000 && code < 5000 && printable(p[3:])
}
