package dpi

import "encoding/binary"

// Kerberos V5 (RFC 4120 §5): each message is an ASN.1 application tag
// (10 AS-REQ, 11 AS-REP, 12 TGS-REQ, 13 TGS-REP, 14 AP-REQ, 15 AP-REP,
// 20-22 SAFE, PRIV, CRED, 30 KRB-ERROR) around a SEQUENCE that opens
// with the protocol version, 5, and the message type again. Over TCP a
// 4-byte length comes first (§7.2.2). Either side may be read first.

func kerberosDissector() Dissector {
	return Dissector{
		Name: "kerberos", Proto: ProtoKerberos, Transports: TCP | UDP,
		TCPPorts: []uint16{88}, UDPPorts: []uint16{88},
		Start: func(info *FlowInfo) State { return newEitherSide(info, kerberosCheck) },
	}
}

// krbMaxRecord bounds the length a TCP record may claim.
const krbMaxRecord = 1 << 20

func kerberosCheck(in *Input, b []byte, res *Result) Status {
	if in.Flow.IPProto == IPProtoTCP {
		if len(b) < 4 {
			return Continue
		}
		n := binary.BigEndian.Uint32(b)
		if n < 16 || n > krbMaxRecord {
			return Reject
		}
		b = b[4:]
	}
	switch ok, short := krbMessage(b); {
	case ok:
		res.Set(ProtoKerberos)
		return Final
	case short && in.Flow.IPProto == IPProtoTCP:
		return Continue
	}
	return Reject
}

// krbHeadLen is how much of a message krbMessage needs: the application
// tag and the SEQUENCE with 4-byte lengths at most, pvno and msg-type.
const krbHeadLen = 6 + 6 + 10

// krbMessage reports whether b opens a Kerberos message; short is true
// when b is too short to tell yet.
func krbMessage(b []byte) (ok, short bool) {
	if len(b) < 2 {
		return false, true
	}
	tag := b[0]
	typ := tag & 0x1f
	switch {
	case tag&0xe0 != 0x60: // application, constructed
		return false, false
	case typ < 10 || typ > 15 && typ < 20 || typ > 22 && typ != 30:
		return false, false
	}
	_, _, hdr, ok := berTLV(b)
	if !ok {
		return false, len(b) < krbHeadLen
	}
	seq := b[hdr:]
	_, _, hdr, ok = berTLV(seq)
	if !ok || seq[0] != 0x30 {
		return false, !ok && len(b) < krbHeadLen
	}
	fields := seq[hdr:]
	if len(fields) < 10 {
		return false, true
	}
	// AS-REQ and TGS-REQ number pvno [1] and msg-type [2]; the others
	// [0] and [1].
	first := byte(0xa0)
	if typ == 10 || typ == 12 {
		first = 0xa1
	}
	want := [10]byte{first, 3, 2, 1, 5, first + 1, 3, 2, 1, typ}
	return [10]byte(fields[:10]) == want, false
}
