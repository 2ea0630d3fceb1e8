package dpi

// LDAP (RFC 4511 §4.2): every message is a BER SEQUENCE of a message id
// and one protocol operation, an application tag. The dissector checks
// the first fields each operation must have, over TCP and over UDP
// (CLDAP, which Active Directory clients use to find their domain
// controller). Either side may be read first.

func ldapDissector() Dissector {
	return Dissector{
		Name: "ldap", Proto: ProtoLDAP, Transports: TCP | UDP,
		TCPPorts: []uint16{389, 3268}, UDPPorts: []uint16{389},
		Start: func(info *FlowInfo) State { return newEitherSide(info, ldapCheck) },
	}
}

// ldapHeadLen is how much of a message ldapCheck needs to decide.
const ldapHeadLen = 6 + 6 + 6 + 8

// ldapWait bounds the bytes of an unfinished message waited on for the
// fields that settle it.
const ldapWait = 512

func ldapCheck(in *Input, b []byte, res *Result) Status {
	tag, n, hdr, ok := berTLV(b)
	switch {
	case !ok && len(b) < ldapHeadLen && (len(b) == 0 || b[0] == 0x30):
		return Continue
	case !ok || tag != 0x30:
		return Reject
	case in.Flow.IPProto == IPProtoUDP && hdr+n != len(b):
		return Reject
	}
	msg := b[hdr:min(len(b), hdr+n)]
	id, op, ok := berSmallInt(msg)
	switch {
	case !ok && len(msg) < ldapHeadLen && in.Flow.IPProto == IPProtoTCP:
		return Continue
	case !ok || id < 0:
		return Reject
	case !ldapOp(op):
		if in.Flow.IPProto == IPProtoTCP && hdr+n > len(b) && len(b) < ldapWait {
			return Continue // the operation's first fields may still be coming
		}
		return Reject
	}
	res.Set(ProtoLDAP)
	return Final
}

// ldapOp reports whether b opens a protocol operation with the fields it
// must start with.
func ldapOp(b []byte) bool {
	if len(b) < 2 {
		return false
	}
	tag, _, hdr, ok := berTLV(b)
	if !ok {
		return false
	}
	c := b[hdr:]
	switch tag {
	case 0x60: // BindRequest: version 1 to 3, then the name
		return len(c) >= 5 && c[0] == 0x02 && c[1] == 1 && c[2] >= 1 && c[2] <= 3 && c[3] == 0x04
	case 0x61, 0x65, 0x67, 0x69, 0x6b, 0x6d, 0x6f, 0x78: // LDAPResult: ENUMERATED resultCode
		return len(c) >= 3 && c[0] == 0x0a && c[1] == 1
	case 0x63: // SearchRequest: baseObject, scope 0 to 2
		_, rest, ok := berNext(c, 0x04)
		return ok && len(rest) >= 3 && rest[0] == 0x0a && rest[1] == 1 && rest[2] <= 2
	case 0x64, 0x66, 0x68, 0x6c, 0x6e: // entry, modify, add, modify DN, compare: a DN first
		return len(c) >= 2 && c[0] == 0x04
	case 0x42: // UnbindRequest: NULL
		return b[1] == 0
	case 0x77: // ExtendedRequest: requestName [0]
		return len(c) >= 2 && c[0] == 0x80
	}
	return false
}
