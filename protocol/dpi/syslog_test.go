package dpi

import "testing"

func TestSyslog(t *testing.T) {
	udp := flowInfo(IPProtoUDP, 40000, 514)
	tests := []flowCase{
		{name: "RFC 5424", info: udp,
			pkts: []pkt{{data: "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 - msg"}},
			want: ProtoSyslog},
		{name: "RFC 3164", info: udp,
			pkts: []pkt{{data: "<34>Oct 11 22:14:15 mymachine su: 'su root' failed"}},
			want: ProtoSyslog},
		{name: "priority 0", info: udp, pkts: []pkt{{data: "<0>kernel: panic"}}, want: ProtoSyslog},
		{name: "over TCP", info: flowInfo(IPProtoTCP, 40000, 601),
			pkts: exchange(pkt{data: "<13>1 - host app - - - hello\n"}), want: ProtoSyslog},
		{name: "UTF-8 text", info: udp,
			pkts: []pkt{{data: "<14>1 - host app - - - \xc3\xa9t\xc3\xa9"}},
			want: ProtoSyslog},
		{name: "off port 514", info: flowInfo(IPProtoUDP,
			40000, 40001), pkts: []pkt{{data: "<34>Oct 11 22:14:15 x"}}},
		{name: "priority 192", info: udp, pkts: []pkt{{data: "<192>Oct 11 22:14:15 x"}}},
		{name: "leading zero", info: udp, pkts: []pkt{{data: "<034>Oct 11 22:14:15 x"}}},
		{name: "binary after the priority", info: udp,
			pkts: []pkt{{data: "<34>\x00\x01\x02\x03\x04"}}},
		{name: "no text", info: udp, pkts: []pkt{{data: "<34>"}}},
	}
	checkFlows(t, syslogDissector(), tests)
}

func FuzzSyslog(f *testing.F) {
	f.Add([]byte("<165>1 2003-10-11T22:14:15.003Z host app - - - msg"), []byte("<0>x"))
	reg := mustRegistry(f, syslogDissector())
	f.Fuzz(func(t *testing.T, a, b []byte) {
		fuzzUDPPair(t, reg, 514, a, b)
		fuzzTCP(t, reg, 514, append(a, b...), uint16(len(a)))
	})
}

func BenchmarkSyslog(b *testing.B) {
	benchFlow(b, mustRegistry(b, syslogDissector()), flowInfo(IPProtoUDP, 40000, 514),
		[]pkt{{data: "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 - msg"}})
}
