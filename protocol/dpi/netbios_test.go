package dpi

import (
	"encoding/binary"
	"testing"
)

// nbEncode returns a NetBIOS name in first-level encoding: padded with
// spaces to 15 bytes, then the suffix, each byte as two letters.
func nbEncode(name string, suffix byte) []byte {
	raw := []byte(name + "               ")[:15]
	raw = append(raw, suffix)
	out := []byte{nbEncodedLen}
	for _, c := range raw {
		out = append(out, 'A'+c>>4, 'A'+c&0xf)
	}
	return out
}

// nbQuery returns a name service query for name, with optional scope
// labels after it.
func nbQuery(name string, suffix byte, scope ...string) []byte {
	b := []byte{0x12, 0x34, 0x01, 0x10, 0, 1, 0, 0, 0, 0, 0, 0}
	b = append(b, nbEncode(name, suffix)...)
	for _, l := range scope {
		b = append(append(b, byte(len(l))), l...)
	}
	return append(b, 0, 0x00, 0x20, 0x00, 0x01)
}

// nbDgm returns a datagram service message of type typ from src to
// dst carrying data.
func nbDgm(typ byte, src, dst string, data []byte) []byte {
	b := []byte{typ, 0x02, 0x80, 0x01, 192, 168, 5, 45, 0, 138, 0, 0, 0, 0}
	body := append(append(nbEncode(src, 0), 0), append(nbEncode(dst, 0x1d), 0)...)
	body = append(body, data...)
	binary.BigEndian.PutUint16(b[10:], uint16(len(body)))
	return append(b, body...)
}

// nbSessionRequest returns a session service request from calling to
// called.
func nbSessionRequest(called, calling string) []byte {
	names := append(append(nbEncode(called, 0x20), 0), append(nbEncode(calling, 0), 0)...)
	return append([]byte{0x81, 0, 0, byte(len(names))}, names...)
}

func TestNetBIOS(t *testing.T) {
	udp := flowInfo(IPProtoUDP, 137, 137)
	dgm := flowInfo(IPProtoUDP, 138, 138)
	tcp := flowInfo(IPProtoTCP, 40000, 139)
	smb := []byte("\xffSMB\x25\x00\x00\x00\x00")
	tests := []flowCase{
		{name: "name query", info: udp, pkts: []pkt{{data: string(nbQuery("WPAD", 0))}},
			want: ProtoNetBIOS, host: "wpad"},
		{name: "query from another port, with a scope", info: flowInfo(IPProtoUDP, 59461, 137),
			pkts: []pkt{{data: string(nbQuery("ECI_DOMAIN", 0x1c, "corp"))}},
			want: ProtoNetBIOS, host: "eci_domain"},
		{name: "fifteen letters kept whole", info: udp,
			pkts: []pkt{{data: string(nbQuery("SANJI-LIFEBOOK-", 0x20))}}, want: ProtoNetBIOS,
			host: "sanji-lifebook-"},
		{name: "damaged datagram first, intact one next", info: udp,
			pkts: []pkt{{data: "\x00\x01junk"}, {data: string(nbQuery("ISATAP", 0))}},
			want: ProtoNetBIOS, host: "isatap"},
		{name: "browser announcement carries SMB", info: dgm,
			pkts: []pkt{{data: string(nbDgm(0x11, "MACBOOKAIR-E1D0", "WORKGROUP", smb))}},
			want: ProtoNetBIOS, app: ProtoSMBv1, host: "macbookair-e1d0"},
		{name: "datagram query request", info: dgm,
			pkts: []pkt{{data: "\x14\x02\x80\x01\xc0\xa8\x05\x2d\x00\x8a" + string(nbEncode("NAS", 0)) + "\x00"}},
			want: ProtoNetBIOS, host: "nas"},
		{name: "session request", info: tcp,
			pkts: exchange(pkt{data: string(nbSessionRequest("FILESERVER", "LAPTOP"))},
				pkt{dir: 1, data: "\x82\x00\x00\x00"}),
			want: ProtoNetBIOS, host: "fileserver"},
		{name: "positive response alone, on the session port", info: tcp,
			pkts: exchange(pkt{dir: 1, data: "\x82\x00\x00\x00"}), want: ProtoNetBIOS},
		{name: "positive response alone elsewhere", info: flowInfo(IPProtoTCP, 40000, 4444),
			pkts: exchange(pkt{dir: 1, data: "\x82\x00\x00\x00"})},
		{name: "a DNS query on the name service port", info: udp,
			pkts: []pkt{{data: string(dnsMsg(7, 0x0100, "wpad.example.com", 1, 0))}}},
		{name: "a letter outside A to P", info: udp,
			pkts: []pkt{{data: string(nbQuery("WPAD", 0))[:20] + "Q" + string(nbQuery("WPAD", 0))[21:]}}},
		{name: "session message with SMB is SMB's", info: tcp,
			pkts: exchange(pkt{data: "\x00\x00\x00\x09" + string(smb)})},
	}
	checkFlows(t, netbiosDissector(), tests)
}

func FuzzNetBIOS(f *testing.F) {
	f.Add(nbQuery("WPAD", 0), nbDgm(0x11, "A", "B", []byte("\xffSMB")))
	seedDatagrams(f, "ndpi_1kxun.pcap", toPort(137), 3)
	seedDatagrams(f, "ndpi_1kxun.pcap", toPort(138), 2)
	reg := mustRegistry(f, netbiosDissector())
	f.Fuzz(func(t *testing.T, a, b []byte) {
		fuzzUDPPair(t, reg, 137, a, b)
	})
}

func FuzzNetBIOSSession(f *testing.F) {
	req := nbSessionRequest("FILESERVER", "LAPTOP")
	f.Add(append(req, 0x82, 0, 0, 0), uint16(len(req)))
	reg := mustRegistry(f, netbiosDissector())
	f.Fuzz(func(t *testing.T, data []byte, split uint16) {
		fuzzTCP(t, reg, 139, data, split)
	})
}

func BenchmarkNetBIOS(b *testing.B) {
	benchFlow(b, mustRegistry(b, netbiosDissector()), flowInfo(IPProtoUDP, 137, 137),
		[]pkt{{data: string(nbQuery("WORKGROUP", 0x1d))}})
}
