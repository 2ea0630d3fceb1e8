package dpi

import "testing"

const (
	// A bind_ack (type 12) as ndpi_kerberos.pcap shows it: little endian,
	// fragment length 284.
	dcerpcBindAck = "05000c0710000000 1c01 0000 02000000 d016d0168722000006003439313535000300"
	// A bind (type 11) to the endpoint mapper, big endian.
	dcerpcBindBE = "05000b0300000000 0048 0000 00000001 16d016d000000000"
)

func TestDCERPC(t *testing.T) {
	info := flowInfo(IPProtoTCP, 49165, 49155)
	tests := []flowCase{
		{name: "bind ack after client junk", info: info,
			pkts: exchange(pkt{data: "\x38\x9b\x2b\x26\x50\xcd\xb6\xbe\xc7\xe2\x57\x27\x7a\xbf\xb8\x61\xaf"},
				pkt{dir: 1, data: string(unhex(t, dcerpcBindAck))}), want: ProtoDCERPC},
		{name: "big-endian bind", info: flowInfo(IPProtoTCP, 50000, 135),
			pkts: exchange(pkt{data: string(unhex(t, dcerpcBindBE))}), want: ProtoDCERPC},
		{name: "version 4", info: info, pkts: exchange(pkt{data: patched(t, dcerpcBindAck, 0, 4)})},
		{name: "type 20", info: info, pkts: exchange(pkt{data: patched(t, dcerpcBindAck, 2, 20)})},
		{name: "fragment shorter than the header", info: info,
			pkts: exchange(pkt{data: string(unhex(t, "05000c0710000000 0800 0000 02000000"))})},
		{name: "auth longer than the fragment", info: info,
			pkts: exchange(pkt{data: patched(t, dcerpcBindAck, 11, 2)})},
	}
	checkFlows(t, dcerpcDissector(), tests)
}

func FuzzDCERPC(f *testing.F) {
	c := unhex(f, dcerpcBindBE)
	f.Add(append(c, unhex(f, dcerpcBindAck)...), uint16(len(c)))
	seedFlows(f, "ndpi_kerberos.pcap", toPort(49155), 1)
	reg := mustRegistry(f, dcerpcDissector())
	f.Fuzz(func(t *testing.T, data []byte, split uint16) {
		fuzzTCP(t, reg, 135, data, split)
	})
}

func BenchmarkDCERPC(b *testing.B) {
	benchFlow(b, mustRegistry(b, dcerpcDissector()), flowInfo(IPProtoTCP, 50000, 135),
		exchange(pkt{data: string(unhex(b, dcerpcBindBE))}, pkt{dir: 1, data: string(unhex(b, dcerpcBindAck))}))
}
