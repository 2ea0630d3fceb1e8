package dpi

import (
	"net/netip"
	"slices"
	"testing"
)

func TestFTPAnnouncements(t *testing.T) {
	client := netip.MustParseAddr("192.0.2.10")
	server := netip.MustParseAddr("198.51.100.20")
	passive := func(port uint16) Expectation {
		return Expectation{Proto: ProtoFTPData, IPProto: IPProtoTCP, Initiator: client, Responder: netip.AddrPortFrom(server, port)}
	}
	active := func(port uint16) Expectation {
		return Expectation{Proto: ProtoFTPData, IPProto: IPProtoTCP, Initiator: server, Responder: netip.AddrPortFrom(client, port)}
	}
	tests := []struct {
		name   string
		server string // the server's lines after its greeting
		client string // the client's lines after USER
		want   []Expectation
	}{
		{name: "PASV", client: "PASV\r\n", server: "227 Entering Passive Mode (90,130,70,73,100,85).\r\n",
			want: []Expectation{passive(100<<8 | 85)}},
		{name: "PASV reply without parentheses", server: "227 =10,0,0,1,4,1\r\n",
			want: []Expectation{passive(1025)}},
		{name: "EPSV", client: "EPSV\r\n", server: "229 Entering Extended Passive Mode (|||6446|)\r\n",
			want: []Expectation{passive(6446)}},
		{name: "PORT", client: "PORT 192,0,2,10,195,80\r\n", want: []Expectation{active(195<<8 | 80)}},
		{name: "EPRT over IPv6", client: "EPRT |2|2001:db8::1|5282|\r\n", want: []Expectation{active(5282)}},
		{name: "two transfers", server: "227 Entering Passive Mode (1,2,3,4,0,21).\r\n" +
			"227 Entering Passive Mode (1,2,3,4,0,22).\r\n",
			want: []Expectation{passive(21), passive(22)}},
		{name: "the same port twice", server: "229 (|||6446|)\r\n229 (|||6446|)\r\n",
			want: []Expectation{passive(6446)}},
		{name: "port 0 and damaged replies", server: "227 (1,2,3,4,0,0)\r\n227 (1,2,3,4,5)\r\n" +
			"229 (|||99999|)\r\n229 (|||12)\r\n227 (1,2,3,4,300,1)\r\n"},
		{name: "a client cannot announce a passive port", client: "227 (1,2,3,4,0,21)\r\n"},
		{name: "a server cannot send PORT", server: "PORT 1,2,3,4,0,21\r\n"},
	}
	reg := mustRegistry(t, ftpDissector())
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := NewSession(Config{Registry: reg}, flowInfo(IPProtoTCP, 40000, 21))
			pkts := exchange(pkt{dir: 1, data: "220 FTP server ready\r\n"}, pkt{data: "USER anonymous\r\n" + tc.client},
				pkt{dir: 1, data: tc.server})
			for i, p := range pkts {
				s.Add(&Segment{Dir: p.dir, Time: int64(i), Seq: []uint32{1000, 90000}[p.dir] + p.seq,
					Flags: p.flags, Payload: []byte(p.data)})
			}
			got := s.Expectations()
			for i := range got {
				got[i].Time = 0
			}
			if v := s.Verdict(); v.DPI() != ProtoFTPControl || !slices.Equal(got, tc.want) {
				t.Errorf("%v announced %+v, want %+v", v.DPI(), got, tc.want)
			}
		})
	}
}

func TestFTPDataExpected(t *testing.T) {
	listing := "-rw-r--r--    1 0        0        10737418240 Feb 19  2016 10GB.zip\r\n"
	tests := []struct {
		name     string
		expected Proto
		pkts     []pkt
		want     Proto
	}{
		{name: "announced", expected: ProtoFTPData, pkts: exchange(pkt{dir: 1, data: listing}), want: ProtoFTPData},
		{name: "announced, TLS inside", expected: ProtoFTPData,
			pkts: exchange(pkt{data: "\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00"}), want: ProtoFTPData},
		{name: "not announced", pkts: exchange(pkt{dir: 1, data: listing})},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			info := flowInfo(IPProtoTCP, 50695, 25685)
			info.Expected = tc.expected
			if v, _ := runFlow(t, DefaultRegistry(), info, tc.pkts); v.DPI() != tc.want {
				t.Errorf("verdict %v, want %v", v.DPI(), tc.want)
			}
		})
	}
}

// TestFTPCorpusDataFlows follows ndpi_ftp.pcap as a caller would: both
// data connections its control connection announced are FTP data.
func TestFTPCorpusDataFlows(t *testing.T) {
	flows := corpusFlows(t, "ndpi_ftp.pcap")
	if flows == nil {
		t.Skip("shared corpus not found at ../../../shared/corpus")
	}
	got := map[uint16]Proto{}
	for i, v := range classifyAll(DefaultRegistry(), flows) {
		got[flows[i].key.src.Port()] = v.DPI()
	}
	want := map[uint16]Proto{50694: ProtoFTPControl, 50695: ProtoFTPData, 50696: ProtoFTPData}
	for port, p := range want {
		if got[port] != p {
			t.Errorf("flow from port %d: %v, want %v", port, got[port], p)
		}
	}
}

func FuzzFTPAnnouncement(f *testing.F) {
	for _, s := range []string{"227 Entering Passive Mode (90,130,70,73,100,85).", "229 (|||6446|)",
		"PORT 192,0,2,10,195,80", "EPRT |2|2001:db8::1|5282|"} {
		f.Add([]byte(s))
	}
	info := flowInfo(IPProtoTCP, 40000, 21)
	f.Fuzz(func(t *testing.T, ln []byte) {
		for d := FromInitiator; d <= FromResponder; d++ {
			if e, ok := ftpAnnounced(&info, d, ln); ok && (e.Responder.Port() == 0 || e.Proto != ProtoFTPData) {
				t.Fatalf("announced %+v", e)
			}
		}
	})
}

func BenchmarkFTP(b *testing.B) {
	benchFlow(b, mustRegistry(b, ftpDissector()), flowInfo(IPProtoTCP, 50694, 21), exchange(
		pkt{dir: 1, data: "220 (vsFTPd 3.0.3)\r\n"}, pkt{data: "USER anonymous\r\n"},
		pkt{dir: 1, data: "331 Please specify the password.\r\n"}, pkt{data: "PASS x@\r\n"},
		pkt{dir: 1, data: "230 Login successful.\r\n"}, pkt{data: "PASV\r\n"},
		pkt{dir: 1, data: "227 Entering Passive Mode (90,130,70,73,100,85).\r\n"}, pkt{data: "LIST\r\n"}))
}
