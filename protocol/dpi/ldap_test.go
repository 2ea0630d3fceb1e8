package dpi

import "testing"

const (
	// A simple bind of "cn=admin" (version 3) and its success.
	ldapBind     = "3018 020101 6013 020103 0408636e3d61646d696e 8004736563 72"
	ldapBindDone = "300c 020101 6107 0a0100 0400 0400"
	// An Active Directory ping over CLDAP: a search of the root DSE for
	// NetLogon, scope base.
	ldapSearch = "3025 020102 6320 0400 0a0100 0a0100 020100 020100 010100 a00b a3090403" +
		"446e73 0402 6463 3000"
	// A bind response with 4-byte lengths, as Active Directory sends them.
	ldapLongForm = "3084000000100201036184000000070a010004000400"
)

func TestLDAP(t *testing.T) {
	tcp := flowInfo(IPProtoTCP, 49172, 389)
	udp := flowInfo(IPProtoUDP, 49172, 389)
	tests := []flowCase{
		{name: "bind", info: tcp, pkts: exchange(pkt{data: string(unhex(t, ldapBind))},
			pkt{dir: 1, data: string(unhex(t, ldapBindDone))}), want: ProtoLDAP},
		{name: "bind in two segments", info: tcp,
			pkts: exchange(pkt{data: string(unhex(t, ldapBind))[:5]},
				pkt{data: string(unhex(t, ldapBind))[5:]}), want: ProtoLDAP},
		{name: "long-form lengths after client junk", info: tcp,
			pkts: exchange(pkt{data: "\xf1\x36\x5c\xd0\xb0"}, pkt{dir: 1, data: string(unhex(t, ldapLongForm))}),
			want: ProtoLDAP},
		{name: "CLDAP search", info: udp, pkts: datagrams(t, ldapSearch), want: ProtoLDAP},
		{name: "unbind", info: tcp,
			pkts: exchange(pkt{data: "\x30\x05\x02\x01\x03\x42\x00"}), want: ProtoLDAP},
		{name: "CLDAP with a trailing byte", info: udp, pkts: datagrams(t, ldapSearch+"00")},
		{name: "bind version 4", info: tcp, pkts: exchange(pkt{data: patched(t, ldapBind, 9, 4)})},
		{name: "search scope 3", info: udp, pkts: []pkt{{data: patched(t, ldapSearch, 11, 3)}}},
		{name: "an SNMP message", info: udp, pkts: datagrams(t, snmpV1Request)},
		{name: "a Kerberos AS-REQ", info: udp,
			pkts: []pkt{{data: string(unhex(t, krbASReqTCP))[4:]}}},
	}
	checkFlows(t, ldapDissector(), tests)
}

func FuzzLDAP(f *testing.F) {
	c := unhex(f, ldapBind)
	f.Add(append(c, unhex(f, ldapBindDone)...), uint16(len(c)))
	f.Add(unhex(f, ldapSearch), uint16(0))
	seedFlows(f, "ndpi_kerberos.pcap", toPort(389), 2)
	reg := mustRegistry(f, ldapDissector())
	f.Fuzz(func(t *testing.T, data []byte, split uint16) {
		fuzzTCP(t, reg, 389, data, split)
		fuzzUDP(t, reg, 389, data)
	})
}

func BenchmarkLDAP(b *testing.B) {
	benchFlow(b, mustRegistry(b, ldapDissector()), flowInfo(IPProtoTCP, 49172, 389),
		exchange(pkt{data: string(unhex(b, ldapBind))}, pkt{dir: 1, data: string(unhex(b, ldapBindDone))}))
}
