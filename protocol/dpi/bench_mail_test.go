package dpi

import "testing"

// Benchmarks of the dissectors whose tests share files with others: the
// POP3 and IMAP greetings, and FTP data announced by its control
// connection.

func BenchmarkPOP3(b *testing.B) {
	benchFlow(b, DefaultRegistry(), flowInfo(IPProtoTCP, 40000, 110), []pkt{
		{flags: FlagSYN}, {dir: 1, flags: FlagSYN},
		{dir: 1, seq: 1, data: "+OK POP3 server ready\r\n"},
		{seq: 1, data: "CAPA\r\n"},
		{dir: 1, seq: 24, data: "+OK\r\nUSER\r\nSTLS\r\n.\r\n"},
		{seq: 7, data: "STLS\r\n"},
	})
}

func BenchmarkIMAP(b *testing.B) {
	benchFlow(b, DefaultRegistry(), flowInfo(IPProtoTCP, 40000, 143), []pkt{
		{flags: FlagSYN}, {dir: 1, flags: FlagSYN},
		{dir: 1, seq: 1, data: "* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n"},
		{seq: 1, data: "a1 CAPABILITY\r\n"},
		{dir: 1, seq: 45, data: "* CAPABILITY IMAP4rev1 STARTTLS\r\na1 OK done\r\n"},
		{seq: 16, data: "a2 STARTTLS\r\n"},
	})
}

func BenchmarkFTPData(b *testing.B) {
	info := flowInfo(IPProtoTCP, 40000, 20)
	info.Expected = ProtoFTPData
	benchFlow(b, DefaultRegistry(), info, []pkt{
		{flags: FlagSYN}, {dir: 1, flags: FlagSYN},
		{dir: 1, seq: 1, data: "-rw-r--r--    1 ftp      ftp          1024 Mar 01 09:00 notes.txt\r\n"},
	})
}

// TestBenchFlowsClassify keeps the benchmarks above honest: each flow
// gets the label it is meant to measure.
func TestBenchFlowsClassify(t *testing.T) {
	ftp := flowInfo(IPProtoTCP, 40000, 20)
	ftp.Expected = ProtoFTPData
	tests := []struct {
		name string
		info FlowInfo
		pkts []pkt
		want Proto
	}{
		{name: "pop3", info: flowInfo(IPProtoTCP, 40000, 110), want: ProtoPOP3,
			pkts: []pkt{{flags: FlagSYN}, {dir: 1, flags: FlagSYN},
				{dir: 1, seq: 1, data: "+OK POP3 server ready\r\n"}, {seq: 1, data: "CAPA\r\n"}}},
		{name: "imap", info: flowInfo(IPProtoTCP, 40000, 143), want: ProtoIMAP,
			pkts: []pkt{{flags: FlagSYN}, {dir: 1, flags: FlagSYN},
				{dir: 1, seq: 1, data: "* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n"},
				{seq: 1, data: "a1 CAPABILITY\r\n"}}},
		{name: "ftp data", info: ftp, want: ProtoFTPData,
			pkts: []pkt{{flags: FlagSYN}, {dir: 1, flags: FlagSYN}, {dir: 1, seq: 1, data: "x"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := NewSession(Config{}, tc.info)
			isn := [2]uint32{1000, 90000}
			for _, p := range tc.pkts {
				s.Add(&Segment{Dir: p.dir, Seq: isn[p.dir] + p.seq, Flags: p.flags,
					Payload: []byte(p.data)})
			}
			if v := s.Verdict(); v.Proto != tc.want || v.Guess {
				t.Errorf("verdict %s (guess %v), want %s", v.Name(), v.Guess, tc.want)
			}
		})
	}
}
