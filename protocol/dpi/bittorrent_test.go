package dpi

import "testing"

// btHello returns a peer wire handshake: reserved bytes, info hash, peer id.
func btHello(peer string) string {
	return btHandshake + "\x00\x00\x00\x00\x00\x10\x00\x05" + "\xdc\xfc\xdc\xcf\xb9\xe6\x70\xcc\xc3\xdd" +
		"\x40\xc7\x8c\x16\x1f\x2b\xea\x24\x31\x26" + (peer + "--------------------")[:20]
}

func TestBitTorrent(t *testing.T) {
	tcp := flowInfo(IPProtoTCP, 52887, 53137)
	udp := flowInfo(IPProtoUDP, 6881, 51413)
	dhtPing := "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe"
	dhtReply := "d1:rd2:id20:mnopqrstuvwxyz123456e1:t2:aa1:y1:re"
	utp := "\x01\x00\x41\x63\x4b\x32\xd2\x11\x00\x00\x00\x00\x00\x10\x00\x00\x00\x01\x00\x00"
	tests := []flowCase{
		{name: "handshake", info: tcp, pkts: exchange(pkt{data: btHello("-UM1860-")},
			pkt{dir: 1, data: btHello("-UT3450-")}), want: ProtoBitTorrent},
		{name: "handshake split after the length byte", info: tcp,
			pkts: exchange(pkt{data: btHello("-UM1860-")[:1]}, pkt{data: btHello("-UM1860-")[1:]}),
			want: ProtoBitTorrent},
		{name: "DHT ping and reply", info: udp,
			pkts: []pkt{{data: dhtPing}, {dir: 1, data: dhtReply}},
			want: ProtoBitTorrent},
		{name: "handshake in uTP", info: udp, pkts: []pkt{{data: utp + btHello("-qB4250-")}},
			want: ProtoBitTorrent},
		{name: "tracker connect", info: flowInfo(IPProtoUDP, 40000, 6969),
			pkts: []pkt{{data: "\x00\x00\x04\x17\x27\x10\x19\x80\x00\x00\x00\x00\x12\x34\x56\x78"}},
			want: ProtoBitTorrent},
		{name: "another protocol name", info: tcp,
			pkts: exchange(pkt{data: "\x13BitTorrent protocoX"})},
		{name: "bencoded dictionary without a message type", info: udp,
			pkts: []pkt{{data: "d1:ai1ee"}}},
		{name: "tracker magic with action 1", info: udp,
			pkts: []pkt{{data: "\x00\x00\x04\x17\x27\x10\x19\x80\x00\x00\x00\x01\x12\x34\x56\x78"}}},
	}
	checkFlows(t, bittorrentDissector(), tests)
}

func FuzzBitTorrent(f *testing.F) {
	c := btHello("-UM1860-")
	f.Add([]byte(c+btHello("-UT3450-")), uint16(len(c)))
	seedFlows(f, "ndpi_bittorrent.pcap", func(*testFlow) bool { return true }, 2)
	reg := mustRegistry(f, bittorrentDissector())
	f.Fuzz(func(t *testing.T, data []byte, split uint16) {
		fuzzTCP(t, reg, 6881, data, split)
		fuzzUDP(t, reg, 6881, data)
	})
}

func BenchmarkBitTorrent(b *testing.B) {
	benchFlow(b, mustRegistry(b, bittorrentDissector()), flowInfo(IPProtoTCP, 52887, 53137),
		exchange(pkt{data: btHello("-UM1860-")}, pkt{dir: 1, data: btHello("-UT3450-")}))
}
