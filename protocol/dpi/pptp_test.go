package dpi

import "testing"

// The start of a PPTP Start-Control-Connection-Request and its reply,
// from tcpdump_pptp.pcap: length 156, control message, magic cookie,
// message type 1 or 2.
const (
	pptpRequest = "009c00011a2b3c4d0001000001000000000000010000000100000870"
	pptpReply   = "009c00011a2b3c4d00020000010001000000000000000000000100016c6f63616c"
)

func TestPPTP(t *testing.T) {
	info := flowInfo(IPProtoTCP, 3025, 1723)
	tests := []flowCase{
		{name: "start control connection", info: info,
			pkts: exchange(pkt{data: string(unhex(t, pptpRequest))}, pkt{dir: 1, data: string(unhex(t, pptpReply))}),
			want: ProtoPPTP},
		{name: "reply first", info: info,
			pkts: exchange(pkt{dir: 1, data: string(unhex(t, pptpReply))}),
			want: ProtoPPTP},
		{name: "header in two segments", info: info,
			pkts: exchange(pkt{data: string(unhex(t, pptpRequest))[:3]}, pkt{data: string(unhex(t, pptpRequest))[3:]}),
			want: ProtoPPTP},
		{name: "wrong cookie", info: info,
			pkts: exchange(pkt{data: patched(t, pptpRequest, 7, 0x4e)})},
		{name: "management message type", info: info,
			pkts: exchange(pkt{data: patched(t, pptpRequest, 3, 2)})},
	}
	checkFlows(t, pptpDissector(), tests)
}

func FuzzPPTP(f *testing.F) {
	c := unhex(f, pptpRequest)
	f.Add(append(c, unhex(f, pptpReply)...), uint16(len(c)))
	seedFlows(f, "tcpdump_pptp.pcap", toPort(1723), 1)
	reg := mustRegistry(f, pptpDissector())
	f.Fuzz(func(t *testing.T, data []byte, split uint16) {
		fuzzTCP(t, reg, 1723, data, split)
	})
}

func BenchmarkPPTP(b *testing.B) {
	benchFlow(b, mustRegistry(b, pptpDissector()), flowInfo(IPProtoTCP, 3025, 1723),
		exchange(pkt{data: string(unhex(b, pptpRequest))}, pkt{dir: 1, data: string(unhex(b, pptpReply))}))
}
