package dpi

import "encoding/binary"

// Microsoft SQL Server's TDS (MS-TDS §2.2.3, §2.2.6.5): the client opens
// with a PRELOGIN packet (type 0x12) and the server answers with one in a
// response packet (type 0x04). A packet header gives its type, status,
// length, and packet id 1 for the first; PRELOGIN's body is a table of
// options (token, offset, length) ended by 0xFF whose data lies inside
// the body. It is taken on the SQL Server port.

func mssqlDissector() Dissector {
	return Dissector{
		Name: "mssql", Proto: ProtoMsSQLTDS, Transports: TCP,
		TCPPorts: []uint16{1433},
		Start: func(info *FlowInfo) State {
			if !onPort(info, 1433) {
				return nil
			}
			return newEitherSide(info, mssqlCheck)
		},
	}
}

const (
	tdsHeaderLen  = 8
	tdsPrelogin   = 0x12
	tdsResponse   = 0x04
	tdsMaxPacket  = 32768
	tdsMaxOptions = 16
)

func mssqlCheck(_ *Input, b []byte, res *Result) Status {
	if len(b) < tdsHeaderLen {
		return Continue
	}
	n := int(binary.BigEndian.Uint16(b[2:]))
	switch {
	case b[0] != tdsPrelogin && b[0] != tdsResponse || b[1] != 1 || b[6] != 1 && b[6] != 0:
		return Reject
	case n <= tdsHeaderLen || n > tdsMaxPacket:
		return Reject
	case len(b) < n:
		if len(b) >= MaxStreamBytes {
			return Reject
		}
		return Continue
	case !tdsPreloginOptions(b[tdsHeaderLen:n]):
		return Reject
	}
	res.Set(ProtoMsSQLTDS)
	return Final
}

// tdsPreloginOptions reports whether b is a PRELOGIN option table, ended
// by 0xFF, whose options' data lies within b.
func tdsPreloginOptions(b []byte) bool {
	for i := 0; i < tdsMaxOptions; i++ {
		at := 5 * i
		if at >= len(b) {
			return false
		}
		if b[at] == 0xff {
			return i > 0
		}
		if at+5 > len(b) || b[at] > 8 {
			return false
		}
		off, l := int(binary.BigEndian.Uint16(b[at+1:])), int(binary.BigEndian.Uint16(b[at+3:]))
		if off+l > len(b) {
			return false
		}
	}
	return false
}
