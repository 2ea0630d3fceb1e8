package dpi

import (
	"encoding/binary"
	"testing"
)

// rtpPacket returns an RTP packet with payload type pt, sequence number
// seq, timestamp ts and SSRC ssrc, followed by n bytes of payload.
func rtpPacket(pt byte, seq uint16, ts, ssrc uint32, n int) string {
	b := make([]byte, rtpHeaderLen+n)
	b[0], b[1] = 0x80, pt
	binary.BigEndian.PutUint16(b[2:], seq)
	binary.BigEndian.PutUint32(b[4:], ts)
	binary.BigEndian.PutUint32(b[8:], ssrc)
	return string(b)
}

func TestRTP(t *testing.T) {
	info := flowInfo(IPProtoUDP, 30000, 40392)
	const ssrc = 0x3796cb71
	tests := []flowCase{
		{name: "two PCMA packets", info: info,
			pkts: []pkt{{data: rtpPacket(8, 0x6fae, 1240, ssrc, 160)}, {data: rtpPacket(8, 0x6faf, 1400, ssrc, 160)}},
			want: ProtoRTP},
		{name: "a packet lost between", info: info,
			pkts: []pkt{{data: rtpPacket(0, 10, 0, ssrc, 160)}, {data: rtpPacket(0, 12, 320, ssrc, 160)}},
			want: ProtoRTP},
		{name: "sequence wraps", info: info,
			pkts: []pkt{{data: rtpPacket(96, 0xffff, 9000, ssrc, 40)}, {data: rtpPacket(96, 0, 9000, ssrc, 40)}},
			want: ProtoRTP},
		{name: "a hello before the media", info: info,
			pkts: []pkt{{data: "\x00\x01\x00\x46hello"}, {data: rtpPacket(111, 5, 0, ssrc, 20)},
				{data: rtpPacket(111, 6, 960, ssrc, 20)}},
			want: ProtoRTP},
		{name: "one packet is not enough", info: info,
			pkts: []pkt{{data: rtpPacket(8, 1, 0, ssrc, 160)}}},
		{name: "two sources", info: info,
			pkts: []pkt{{data: rtpPacket(8, 1, 0, ssrc, 160)}, {data: rtpPacket(8, 2, 160, ssrc+1, 160)}}},
		{name: "sequence goes back", info: info,
			pkts: []pkt{{data: rtpPacket(8, 9, 0, ssrc, 160)}, {data: rtpPacket(8, 8, 160, ssrc, 160)}}},
		{name: "timestamp goes back", info: info,
			pkts: []pkt{{data: rtpPacket(8, 1, 500, ssrc, 160)}, {data: rtpPacket(8, 2, 100, ssrc, 160)}}},
		{name: "version 1", info: info,
			pkts: []pkt{{data: "\x40" + rtpPacket(8, 1, 0, ssrc, 20)[1:]}, {data: "\x40" + rtpPacket(8, 2, 160, ssrc, 20)[1:]}}},
		{name: "CSRC list longer than the packet", info: info,
			pkts: []pkt{{data: "\x8f" + rtpPacket(8, 1, 0, ssrc, 8)[1:]}, {data: "\x8f" + rtpPacket(8, 2, 160, ssrc, 8)[1:]}}},
		{name: "both sides once", info: info,
			pkts: []pkt{{data: rtpPacket(8, 1, 0, ssrc, 160)}, {dir: 1, data: rtpPacket(8, 2, 160, ssrc, 160)}}},
	}
	checkFlows(t, rtpDissector(), tests)
}

func FuzzRTP(f *testing.F) {
	f.Add([]byte(rtpPacket(8, 1, 0, 7, 160)), []byte(rtpPacket(8, 2, 160, 7, 160)))
	seedDatagrams(f, "ndpi_sip.pcap", toPort(30000), 1)
	seedDatagrams(f, "ndpi_rtp.pcapng", toPort(6000), 1)
	reg := mustRegistry(f, rtpDissector())
	f.Fuzz(func(t *testing.T, a, b []byte) {
		fuzzUDPPair(t, reg, 40392, a, b)
		fuzzUDP(t, reg, 40392, a, b)
	})
}

func BenchmarkRTP(b *testing.B) {
	benchFlow(b, mustRegistry(b, rtpDissector()), flowInfo(IPProtoUDP, 30000, 40392), []pkt{
		{data: rtpPacket(8, 1, 0, 7, 160)}, {data: rtpPacket(8, 2, 160, 7, 160)}})
}
