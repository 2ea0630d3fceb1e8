package dpi

import "testing"

// Messages of ndpi_snmp.pcap.
const (
	// v1 GetNextRequest, community "public", for sysDescr.
	snmpV1Request = "302902010004067075626c6963a11c02044b781a6e020100020100300e300c06082b060102010105000500"
	// v2c GetResponse to it.
	snmpV2Reply = "303702010104067075626c6963a22a02044b781a6e020100020100301c301a06082b06010201010600" +
		"040e476c6f626f6d616e746963734851"
	// v3 discovery GetRequest (no user, no PDU bindings).
	snmpV3Discovery = "303e020103301102046c9af56e020300ffe30401040201030410300e0400020100020100040004000400" +
		"301404000400a00e0204750558880201000201003000"
)

func TestSNMP(t *testing.T) {
	info := flowInfo(IPProtoUDP, 43015, 161)
	tests := []flowCase{
		{name: "v1 request", info: info, pkts: datagrams(t, snmpV1Request), want: ProtoSNMP},
		{name: "v2c response first", info: info,
			pkts: datagrams(t, "<"+snmpV2Reply), want: ProtoSNMP},
		{name: "v3 discovery", info: info, pkts: datagrams(t, snmpV3Discovery), want: ProtoSNMP},
		{name: "trap to an unusual port", info: flowInfo(IPProtoUDP, 54318, 10162),
			pkts: datagrams(t, "30"+"1a"+"020101"+"0406"+"7075626c6963"+"a7"+"0d"+"020117020100020100"+"3002"+"3000"),
			want: ProtoSNMP},
		{name: "trailing byte", info: info, pkts: datagrams(t, snmpV1Request+"00")},
		{name: "cut short", info: info, pkts: datagrams(t, snmpV1Request[:len(snmpV1Request)-2])},
		{name: "version 2", info: info,
			pkts: datagrams(t, snmpV1Request[:8]+"02"+snmpV1Request[10:])},
		{name: "PDU tag 0xa9", info: info,
			pkts: datagrams(t, snmpV1Request[:26]+"a9"+snmpV1Request[28:])},
		{name: "LDAP message", info: info, pkts: datagrams(t, "300c020101600702010304008000")},
	}
	checkFlows(t, snmpDissector(), tests)
}

func FuzzSNMP(f *testing.F) {
	f.Add(unhex(f, snmpV1Request), unhex(f, snmpV3Discovery))
	seedDatagrams(f, "ndpi_snmp.pcap", func(*testFlow) bool { return true }, 6)
	reg := mustRegistry(f, snmpDissector())
	f.Fuzz(func(t *testing.T, a, b []byte) {
		fuzzUDPPair(t, reg, 161, a, b)
	})
}

func BenchmarkSNMP(b *testing.B) {
	benchFlow(b, mustRegistry(b, snmpDissector()), flowInfo(IPProtoUDP, 43015, 161),
		datagrams(b, snmpV1Request, "<"+snmpV2Reply))
}
