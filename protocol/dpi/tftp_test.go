package dpi

import "testing"

func TestTFTP(t *testing.T) {
	info := flowInfo(IPProtoUDP, 40000, 69)
	tests := []flowCase{
		{name: "read request", info: info,
			pkts: []pkt{{data: "\x00\x01pxelinux.0\x00octet\x00"}}, want: ProtoTFTP},
		{name: "write request with options", info: info,
			pkts: []pkt{{data: "\x00\x02backup.cfg\x00NETASCII\x00blksize\x001428\x00"}}, want: ProtoTFTP},
		{name: "to another port", info: flowInfo(IPProtoUDP, 40000, 40001),
			pkts: []pkt{{data: "\x00\x01pxelinux.0\x00octet\x00"}}},
		{name: "unknown mode", info: info, pkts: []pkt{{data: "\x00\x01pxelinux.0\x00binary\x00"}}},
		{name: "data opcode", info: info, pkts: []pkt{{data: "\x00\x03\x00\x01hello, world"}}},
		{name: "empty file name", info: info, pkts: []pkt{{data: "\x00\x01\x00octet\x00"}}},
	}
	checkFlows(t, tftpDissector(), tests)
}

func FuzzTFTP(f *testing.F) {
	f.Add([]byte("\x00\x01pxelinux.0\x00octet\x00"), []byte("\x00\x03\x00\x01data"))
	reg := mustRegistry(f, tftpDissector())
	f.Fuzz(func(t *testing.T, a, b []byte) {
		fuzzUDPPair(t, reg, 69, a, b)
	})
}

func BenchmarkTFTP(b *testing.B) {
	benchFlow(b, mustRegistry(b, tftpDissector()), flowInfo(IPProtoUDP, 40000, 69),
		[]pkt{{data: "\x00\x01pxelinux.0\x00octet\x00"}})
}
