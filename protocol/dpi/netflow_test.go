package dpi

import (
	"fmt"
	"strings"
	"testing"
)

// Messages checked with tshark (text2pcap, then the cflow dissector): a
// template for source and destination IPv4 addresses and one record.
const (
	ipfixMsg = "000a 002c 65543200 00000001 00000000" + "0002 0010 0100 0002 0008 0004 000c 0004" +
		"0100 000c c0000201 c6336414"
	netflow9Msg = "0009 0002 00001234 65543200 00000001 00000000" + "0000 0010 0100 0002 0008 0004 000c 0004" +
		"0100 000c c0000201 c6336414"
)

// netflow5Msg returns a NetFlow v5 datagram of count zeroed records.
func netflow5Msg(count int) string {
	return fmt.Sprintf("0005%04x", count) + strings.Repeat("00", nf5Header-4+nf5Record*count)
}

func TestNetFlow(t *testing.T) {
	info := flowInfo(IPProtoUDP, 40000, 4739)
	tests := []flowCase{
		{name: "IPFIX", info: info, pkts: datagrams(t, ipfixMsg), want: ProtoNetFlow},
		{name: "NetFlow 9", info: flowInfo(IPProtoUDP, 40000, 2055), pkts: datagrams(t, netflow9Msg),
			want: ProtoNetFlow},
		{name: "NetFlow 5", info: flowInfo(IPProtoUDP, 40000, 9995), pkts: datagrams(t, netflow5Msg(2)),
			want: ProtoNetFlow},
		{name: "IPFIX length one short", info: info, pkts: []pkt{{data: patched(t, ipfixMsg, 3, 0x2b)}}},
		{name: "IPFIX set past the end", info: info, pkts: []pkt{{data: patched(t, ipfixMsg, 35, 0x0d)}}},
		{name: "IPFIX set id 4", info: info, pkts: []pkt{{data: patched(t, ipfixMsg, 17, 4)}}},
		{name: "NetFlow 5 with a record missing", info: info, pkts: datagrams(t, netflow5Msg(2)[:len(netflow5Msg(2))-2])},
		{name: "NetFlow 5 count 0", info: info, pkts: datagrams(t, netflow5Msg(0))},
	}
	checkFlows(t, netflowDissector(), tests)
}

func FuzzNetFlow(f *testing.F) {
	f.Add(unhex(f, ipfixMsg), unhex(f, netflow9Msg))
	reg := mustRegistry(f, netflowDissector())
	f.Fuzz(func(t *testing.T, a, b []byte) {
		fuzzUDPPair(t, reg, 4739, a, b)
	})
}

func BenchmarkNetFlow(b *testing.B) {
	benchFlow(b, mustRegistry(b, netflowDissector()), flowInfo(IPProtoUDP, 40000, 4739), datagrams(b, ipfixMsg))
}
