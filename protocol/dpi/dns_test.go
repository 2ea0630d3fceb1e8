package dpi

import (
	"encoding/binary"
	"strings"
	"testing"
)

// dnsMsg builds a DNS message with one question (or none when name is
// "-") and, for responses, one answer pointing back at the question.
func dnsMsg(id uint16, flags uint16, name string, qtype uint16, answers int) []byte {
	b := binary.BigEndian.AppendUint16(nil, id)
	b = binary.BigEndian.AppendUint16(b, flags)
	qd := uint16(1)
	if name == "-" {
		qd = 0
	}
	b = binary.BigEndian.AppendUint16(b, qd)
	b = binary.BigEndian.AppendUint16(b, uint16(answers))
	b = append(b, 0, 0, 0, 0)
	if qd == 1 {
		b = appendDNSName(b, name)
		b = binary.BigEndian.AppendUint16(b, qtype)
		b = binary.BigEndian.AppendUint16(b, 1)
	}
	for i := 0; i < answers; i++ {
		if qd == 1 {
			b = append(b, 0xc0, 12) // the question's name
		} else {
			b = appendDNSName(b, "printer._ipp._tcp.local")
		}
		b = binary.BigEndian.AppendUint16(b, qtype)
		b = append(b, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 80)
	}
	return b
}

func appendDNSName(b []byte, name string) []byte {
	for _, l := range strings.Split(name, ".") {
		if l != "" {
			b = append(b, byte(len(l)))
			b = append(b, l...)
		}
	}
	return append(b, 0)
}

func tcpDNS(msg []byte) string {
	return string(binary.BigEndian.AppendUint16(nil, uint16(len(msg)))) + string(msg)
}

func TestDNS(t *testing.T) {
	query := dnsMsg(0x0101, 0x0100, "WWW.Example.com", 1, 0)
	response := dnsMsg(0x0101, 0x8183, "www.example.com", 1, 1) // NXDOMAIN
	other := dnsMsg(0x0202, 0x8180, "other.example", 1, 1)
	loop := append(dnsMsg(7, 0x0100, "-", 1, 0)[:4], 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1)
	tests := []struct {
		name     string
		ipProto  uint8
		port     uint16
		pkts     []pkt
		want     Proto
		qname    string
		qtype    uint16
		rcode    uint8
		response bool
		done     bool
	}{
		{name: "query and response", ipProto: IPProtoUDP, port: 53,
			pkts: []pkt{{data: string(query)}, {dir: 1, data: string(response)}},
			want: ProtoDNS, qname: "www.example.com", qtype: 1, rcode: 3, response: true, done: true},
		{name: "query only", ipProto: IPProtoUDP, port: 53, pkts: []pkt{{data: string(query)}},
			want: ProtoDNS, qname: "www.example.com", qtype: 1},
		{name: "answer to another query ignored", ipProto: IPProtoUDP, port: 53,
			pkts: []pkt{{data: string(query)}, {dir: 1, data: string(other)}},
			want: ProtoDNS, qname: "www.example.com", qtype: 1},
		{name: "response first", ipProto: IPProtoUDP, port: 53, pkts: []pkt{{dir: 1, data: string(other)}},
			want: ProtoDNS, qname: "other.example", qtype: 1, response: true, done: true},
		{name: "LLMNR", ipProto: IPProtoUDP, port: 5355,
			pkts: []pkt{{data: string(dnsMsg(9, 0, "wpad", 1, 0))}}, want: ProtoLLMNR, qname: "wpad", qtype: 1},
		{name: "mDNS announcement without question", ipProto: IPProtoUDP, port: 5353,
			pkts: []pkt{{data: string(dnsMsg(0, 0x8400, "-", 33, 1))}},
			want: ProtoMDNS, qname: "printer._ipp._tcp.local", qtype: 33, response: true, done: true},
		{name: "TCP with its length prefix", ipProto: IPProtoTCP, port: 53,
			pkts: []pkt{{flags: FlagSYN}, {dir: 1, flags: FlagSYN}, {seq: 1, data: tcpDNS(query)},
				{dir: 1, seq: 1, data: tcpDNS(response)}},
			want: ProtoDNS, qname: "www.example.com", qtype: 1, rcode: 3, response: true, done: true},
		{name: "TCP prefix alone first", ipProto: IPProtoTCP, port: 53,
			pkts: []pkt{{flags: FlagSYN}, {seq: 1, data: tcpDNS(query)[:2]}, {seq: 3, data: string(query)}},
			want: ProtoDNS, qname: "www.example.com", qtype: 1},
		{name: "damaged name still DNS on port 53", ipProto: IPProtoUDP, port: 53,
			pkts: []pkt{{data: string(query[:12]) + "\x7f" + string(query[13:])}}, want: ProtoDNS},
		{name: "damaged copy then intact retransmission", ipProto: IPProtoUDP, port: 53,
			pkts: []pkt{{data: string(query[:12]) + "\x7f" + string(query[13:])}, {data: string(query)}},
			want: ProtoDNS, qname: "www.example.com", qtype: 1},
		{name: "compression loop", ipProto: IPProtoUDP, port: 53, pkts: []pkt{{data: string(loop)}},
			want: ProtoDNS},
		{name: "header alone proves nothing", ipProto: IPProtoUDP, port: 53,
			pkts: []pkt{{data: string(query[:12])}}, want: ProtoUnknown},
		{name: "not on a DNS port", ipProto: IPProtoUDP, port: 5000, pkts: []pkt{{data: string(query)}},
			want: ProtoUnknown, done: true},
		{name: "text on port 53", ipProto: IPProtoUDP, port: 53,
			pkts: []pkt{{data: "hello world, no dns here"}, {data: "x"}, {data: "y"}},
			want: ProtoUnknown, done: true},
	}
	reg := mustRegistry(t, dnsDissector(), llmnrDissector(), mdnsDissector())
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, done := runFlow(t, reg, flowInfo(tc.ipProto, 40000, tc.port), tc.pkts)
			if v.DPI() != tc.want || done != tc.done {
				t.Fatalf("verdict %v done %v, want %v done %v", v.DPI(), done, tc.want, tc.done)
			}
			if tc.want == ProtoUnknown {
				return
			}
			got := DNSMeta{}
			if v.Meta != nil {
				got = orZero(v.Meta.DNS)
			}
			want := DNSMeta{Name: tc.qname, Type: tc.qtype, RCode: tc.rcode, Response: tc.response}
			if got != want {
				t.Errorf("got %+v, want %+v", got, want)
			}
		})
	}
}

func FuzzDNS(f *testing.F) {
	f.Add(dnsMsg(1, 0x0100, "www.example.com", 28, 0), dnsMsg(1, 0x8180, "www.example.com", 28, 2))
	for _, file := range []string{"tcpdump_dns_udp.pcap", "zeek_dns-edns-ecs.pcap", "ndpi_1kxun.pcap"} {
		n := 0
		for _, fl := range corpusFlows(f, file) {
			if fl.key.proto != IPProtoUDP || fl.key.dst.Port() != 53 && fl.key.dst.Port() != 5355 ||
				len(fl.segs) < 2 || n >= 4 {
				continue
			}
			f.Add(fl.segs[0].Payload, fl.segs[1].Payload)
			n++
		}
	}
	reg := mustRegistry(f, dnsDissector())
	f.Fuzz(func(t *testing.T, q, r []byte) {
		fuzzUDP(t, reg, 53, q, r)
		var buf [dnsMaxName]byte
		if m, err := parseDNS(q, buf[:0]); err == nil && len(m.name) > dnsMaxName {
			t.Fatalf("name of %d bytes", len(m.name))
		}
	})
}

func FuzzDNSTCP(f *testing.F) {
	q := tcpDNS(dnsMsg(1, 0x0100, "mail.example.org", 15, 0))
	f.Add([]byte(q+tcpDNS(dnsMsg(1, 0x8180, "mail.example.org", 15, 1))), uint16(len(q)))
	seedFlows(f, "tcpdump_dns_tcp.pcap", func(fl *testFlow) bool { return fl.key.proto == IPProtoTCP }, 2)
	reg := mustRegistry(f, dnsDissector())
	f.Fuzz(func(t *testing.T, data []byte, split uint16) {
		fuzzTCP(t, reg, 53, data, split)
	})
}

func BenchmarkDNS(b *testing.B) {
	benchFlow(b, mustRegistry(b, dnsDissector()), flowInfo(IPProtoUDP, 40000, 53), []pkt{
		{data: string(dnsMsg(1, 0x0100, "www.example.com", 1, 0))},
		{dir: 1, data: string(dnsMsg(1, 0x8180, "www.example.com", 1, 2))},
	})
}
