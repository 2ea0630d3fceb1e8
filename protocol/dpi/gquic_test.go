package dpi

import (
	"encoding/binary"
	"testing"
)

// chlo builds a gQUIC client packet of version v (Q043 style public
// header, 8-byte connection id) carrying a CHLO with the given tags.
func chlo(v string, tags [][2]string) []byte {
	b := []byte{0x09}
	b = append(b, 1, 2, 3, 4, 5, 6, 7, 8)
	b = append(b, v...)
	b = append(b, 1)                      // packet number
	b = append(b, make([]byte, 12)...)    // message authentication hash
	b = append(b, 0xa0, 0x01, 0x00, 0x04) // STREAM frame, stream 1
	b = append(b, "CHLO"...)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(tags)))
	b = append(b, 0, 0)
	end := 0
	for _, t := range tags {
		end += len(t[1])
		b = append(b, t[0]...)
		b = binary.LittleEndian.AppendUint32(b, uint32(end))
	}
	for _, t := range tags {
		b = append(b, t[1]...)
	}
	return b
}

func TestGQUIC(t *testing.T) {
	full := chlo("Q043", [][2]string{{"PAD\x00", "----"}, {"SNI\x00", "www.YouTube.com"},
		{"VER\x00", "Q043"}, {"UAID", "Chrome/70.0 Linux"}})
	tests := []struct {
		name    string
		pkts    []pkt
		want    Proto
		sni, ua string
		version uint32
		done    bool
	}{
		{name: "CHLO", pkts: []pkt{{data: string(full)}}, want: ProtoQUIC,
			sni: "www.youtube.com", ua: "Chrome/70.0 Linux", version: 0x51303433, done: true},
		// The values before the cut are kept; the flow stays open for the rest.
		{name: "CHLO cut short", pkts: []pkt{{data: string(full[:len(full)-10])}}, want: ProtoQUIC,
			sni: "www.youtube.com", version: 0x51303433},
		{name: "version without CHLO", pkts: []pkt{{data: "\x0d\x01\x02\x03\x04\x05\x06\x07\x08Q050\x01encrypted"}},
			want: ProtoQUIC, version: 0x51303530},
		{name: "long header Q046", pkts: []pkt{{data: "\xc3Q046\x50\x01\x02\x03\x04\x05\x06\x07\x08\x01"}},
			want: ProtoQUIC, version: 0x51303436},
		{name: "not a version", pkts: []pkt{{data: "\x09\x01\x02\x03\x04\x05\x06\x07\x08QXYZ\x01"},
			{data: "\x09\x01\x02\x03\x04\x05\x06\x07\x08QXYZ\x01"}}, want: ProtoUnknown, done: true},
	}
	reg := mustRegistry(t, gquicDissector())
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, done := runFlow(t, reg, flowInfo(IPProtoUDP, 40000, 443), tc.pkts)
			if v.DPI() != tc.want || done != tc.done {
				t.Fatalf("verdict %v done %v, want %v done %v", v.DPI(), done, tc.want, tc.done)
			}
			if tc.want == ProtoUnknown {
				return
			}
			tl, q := orZero(v.Meta.TLS), orZero(v.Meta.QUIC)
			if tl.ServerName != tc.sni || q.UserAgent != tc.ua || q.Version != tc.version {
				t.Errorf("TLS %+v QUIC %+v", tl, q)
			}
		})
	}
}

func FuzzGQUIC(f *testing.F) {
	f.Add(chlo("Q039", [][2]string{{"SNI\x00", "www.google.com"}, {"UAID", "x"}}), []byte(nil))
	n := 0
	for _, fl := range corpusFlows(f, "ndpi_quic.pcap") {
		if fl.key.proto == IPProtoUDP && len(fl.segs) >= 2 && n < 4 {
			f.Add(fl.segs[0].Payload, fl.segs[1].Payload)
			n++
		}
	}
	reg := mustRegistry(f, gquicDissector())
	f.Fuzz(func(t *testing.T, a, b []byte) {
		fuzzUDP(t, reg, 443, a, b)
	})
}

func BenchmarkGQUIC(b *testing.B) {
	p := chlo("Q043", [][2]string{{"PAD\x00", string(make([]byte, 900))}, {"SNI\x00", "www.youtube.com"},
		{"VER\x00", "Q043"}, {"UAID", "Chrome/70.0 Linux"}})
	benchFlow(b, mustRegistry(b, gquicDissector()), flowInfo(IPProtoUDP, 40000, 443), []pkt{{data: string(p)}})
}
