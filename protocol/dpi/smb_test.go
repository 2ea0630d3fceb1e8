package dpi

import "testing"

// smbMsg returns an SMB message of the given protocol id ("\xffSMB",
// "\xfeSMB", ...) behind its 4-byte session header, with a header of n
// zero bytes after the id.
func smbMsg(id string, n int) string {
	body := id + string(make([]byte, n))
	l := len(body)
	return string([]byte{0, byte(l >> 16), byte(l >> 8), byte(l)}) + body
}

func TestSMB(t *testing.T) {
	info := flowInfo(IPProtoTCP, 40000, 445)
	tests := []flowCase{
		{name: "SMB1 negotiate", info: info,
			pkts: exchange(pkt{data: smbMsg("\xffSMB", 60)}), want: ProtoSMBv1},
		{name: "SMB2 negotiate", info: info,
			pkts: exchange(pkt{data: smbMsg("\xfeSMB", 100)}), want: ProtoSMBv23},
		{name: "SMB3 encrypted", info: info,
			pkts: exchange(pkt{data: smbMsg("\xfdSMB", 60)}), want: ProtoSMBv23},
		{name: "over the NetBIOS session port", info: flowInfo(IPProtoTCP, 40000, 139),
			pkts: exchange(pkt{data: smbMsg("\xffSMB", 60)}), want: ProtoSMBv1},
		{name: "header in two segments", info: info,
			pkts: exchange(pkt{data: smbMsg("\xfeSMB", 100)[:6]}, pkt{data: smbMsg("\xfeSMB", 100)[6:]}),
			want: ProtoSMBv23},
		// A capture that begins in the middle of the client's message:
		// the server's reply still tells.
		{name: "server reply after client junk", info: info,
			pkts: exchange(pkt{data: "\xb4\x46\x82\xa6\x85\x0d\x31\x01\x1c\x46"},
				pkt{dir: 1, data: smbMsg("\xfeSMB", 100)}), want: ProtoSMBv23},
		{name: "length too short for a header", info: info,
			pkts: exchange(pkt{data: smbMsg("\xfeSMB", 4)})},
		{name: "unknown protocol id", info: info, pkts: exchange(pkt{data: smbMsg("\xfaSMB", 60)})},
		{name: "HTTP", info: info, pkts: exchange(pkt{data: "GET / HTTP/1.1\r\nHost: x\r\n\r\n"})},
	}
	checkFlows(t, smbDissector(), tests)
}

func FuzzSMB(f *testing.F) {
	c := smbMsg("\xfeSMB", 100)
	f.Add([]byte(c+smbMsg("\xfeSMB", 120)), uint16(len(c)))
	seedFlows(f, "ndpi_kerberos.pcap", toPort(445), 2)
	reg := mustRegistry(f, smbDissector())
	f.Fuzz(func(t *testing.T, data []byte, split uint16) {
		fuzzTCP(t, reg, 445, data, split)
	})
}

func BenchmarkSMB(b *testing.B) {
	benchFlow(b, mustRegistry(b, smbDissector()), flowInfo(IPProtoTCP, 40000, 445),
		exchange(pkt{data: smbMsg("\xfeSMB", 100)}, pkt{dir: 1, data: smbMsg("\xfeSMB", 120)}))
}
