package dpi

import "testing"

const (
	// The start of an AS-REQ over TCP (ndpi_kerberos.pcap): record mark,
	// [APPLICATION 10], SEQUENCE, pvno 5, msg-type 10, padata...
	krbASReqTCP = "000000e7 6a81e4 3081e1 a103020105 a20302010a a31530133011a10402020080a209040730" +
		"05a0030101ff a481bd3081ba a00703050040810010"
	// The start of a KRB-ERROR over TCP: [APPLICATION 30], SEQUENCE,
	// pvno 5, msg-type 30, stime...
	krbErrorTCP = "00000112 7e82010e 3082010a a003020105 a10302011e a411180f3230313930323035303333" +
		"3834385a"
)

func TestKerberos(t *testing.T) {
	tcp := flowInfo(IPProtoTCP, 49187, 88)
	udp := flowInfo(IPProtoUDP, 49187, 88)
	asReq := string(unhex(t, krbASReqTCP))
	krbErr := string(unhex(t, krbErrorTCP))
	tests := []flowCase{
		{name: "AS-REQ over TCP", info: tcp, pkts: exchange(pkt{data: asReq}), want: ProtoKerberos},
		{name: "record mark alone first", info: tcp,
			pkts: exchange(pkt{data: asReq[:4]}, pkt{data: asReq[4:]}), want: ProtoKerberos},
		{name: "KRB-ERROR after client junk", info: tcp,
			pkts: exchange(pkt{data: "\x0e\x48\x41\x50\x50\x59\x43\x52"}, pkt{dir: 1, data: krbErr}),
			want: ProtoKerberos},
		{name: "AS-REQ over UDP", info: udp, pkts: []pkt{{data: asReq[4:]}}, want: ProtoKerberos},
		{name: "off port 88", info: flowInfo(IPProtoTCP,
			40000, 50000), pkts: exchange(pkt{data: asReq}),
			want: ProtoKerberos},
		{name: "pvno 4", info: tcp, pkts: exchange(pkt{data: patched(t, krbASReqTCP, 14, 4)})},
		{name: "msg-type that is not the tag's", info: tcp,
			pkts: exchange(pkt{data: patched(t, krbASReqTCP, 19, 11)})},
		{name: "application tag 9", info: udp, pkts: []pkt{{data: "\x69" + asReq[5:]}}},
		{name: "record mark of 3 bytes", info: tcp,
			pkts: exchange(pkt{data: "\x00\x00\x00\x03" + asReq[4:]})},
		{name: "an SNMP message", info: udp, pkts: datagrams(t, snmpV1Request)},
	}
	checkFlows(t, kerberosDissector(), tests)
}

func FuzzKerberos(f *testing.F) {
	c := unhex(f, krbASReqTCP)
	f.Add(append(c, unhex(f, krbErrorTCP)...), uint16(len(c)))
	seedFlows(f, "ndpi_kerberos.pcap", toPort(88), 3)
	reg := mustRegistry(f, kerberosDissector())
	f.Fuzz(func(t *testing.T, data []byte, split uint16) {
		fuzzTCP(t, reg, 88, data, split)
		fuzzUDP(t, reg, 88, data)
	})
}

func BenchmarkKerberos(b *testing.B) {
	benchFlow(b, mustRegistry(b, kerberosDissector()), flowInfo(IPProtoTCP, 49187, 88),
		exchange(pkt{data: string(unhex(b, krbASReqTCP))}))
}
