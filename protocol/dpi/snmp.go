package dpi

// SNMP (RFC 3416, 3412): a BER SEQUENCE that fills the datagram exactly,
// holding the version (0 for v1, 1 for v2c, 3 for v3), then for v1 and
// v2c a community string and one PDU (tags 0xA0 to 0xA8), for v3 the
// header data, the security parameters and the scoped PDU. So many nested
// lengths that must all agree make a sure signature on any port.

func snmpDissector() Dissector {
	return Dissector{
		Name: "snmp", Proto: ProtoSNMP, Transports: UDP,
		UDPPorts: []uint16{161, 162},
		Start:    func(*FlowInfo) State { return snmpState },
	}
}

var snmpState inspectFunc = func(in *Input, res *Result) Status {
	if !snmpMessage(in.Payload) {
		return Reject
	}
	res.Set(ProtoSNMP)
	return Final
}

// snmpMessage reports whether b is one SNMP message.
func snmpMessage(b []byte) bool {
	msg, rest, ok := berNext(b, 0x30)
	if !ok || len(rest) != 0 {
		return false
	}
	version, msg, ok := berSmallInt(msg)
	if !ok {
		return false
	}
	switch version {
	case 0, 1:
		if _, msg, ok = berNext(msg, 0x04); !ok { // community
			return false
		}
		tag, n, hdr, ok := berTLV(msg)
		return ok && tag >= 0xa0 && tag <= 0xa8 && hdr+n == len(msg)
	case 3:
		return snmpV3(msg)
	}
	return false
}

// snmpV3 checks what follows the version in an SNMPv3 message: msgGlobalData
// (id, max size, one byte of flags, security model), the security
// parameters, and the scoped PDU, plain or encrypted, ending the message.
func snmpV3(b []byte) bool {
	global, rest, ok := berNext(b, 0x30)
	if !ok {
		return false
	}
	for range 2 { // msgID, msgMaxSize
		if _, global, ok = berSmallInt(global); !ok {
			return false
		}
	}
	flags, global, ok := berNext(global, 0x04)
	if !ok || len(flags) != 1 {
		return false
	}
	if _, global, ok = berSmallInt(global); !ok || len(global) != 0 {
		return false
	}
	if _, rest, ok = berNext(rest, 0x04); !ok { // msgSecurityParameters
		return false
	}
	tag, n, hdr, ok := berTLV(rest)
	return ok && (tag == 0x30 || tag == 0x04) && hdr+n == len(rest)
}
