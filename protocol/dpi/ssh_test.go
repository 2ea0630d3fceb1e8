package dpi

import "testing"

func TestSSH(t *testing.T) {
	client := "SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13\r\n"
	server := "SSH-2.0-dropbear_2022.83\r\n"
	tests := []struct {
		name           string
		pkts           []pkt
		want           Proto
		client, server string
		done           bool
	}{
		{name: "both sides", pkts: []pkt{{dir: 1, seq: 1, data: server}, {seq: 1, data: client}},
			want: ProtoSSH, client: "SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13",
			server: "SSH-2.0-dropbear_2022.83", done: true},
		{name: "line in pieces", pkts: []pkt{{seq: 1, data: "SS"}, {seq: 3, data: client[2:]}},
			want: ProtoSSH, client: "SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13"},
		{name: "protocol 1.99 with LF only", pkts: []pkt{{dir: 1, seq: 1, data: "SSH-1.99-Cisco-1.25\n"}},
			want: ProtoSSH, server: "SSH-1.99-Cisco-1.25"},
		{name: "no software version", pkts: []pkt{{seq: 1, data: "SSH-2.0-\r\n"}}, want: ProtoUnknown, done: true},
		{name: "not SSH", pkts: []pkt{{seq: 1, data: "SSL-2.0-x\r\n"}}, want: ProtoUnknown, done: true},
	}
	reg := mustRegistry(t, sshDissector())
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pkts := append([]pkt{{flags: FlagSYN}, {dir: 1, flags: FlagSYN}}, tc.pkts...)
			v, done := runFlow(t, reg, flowInfo(IPProtoTCP, 40000, 22), pkts)
			if v.DPI() != tc.want || done != tc.done {
				t.Fatalf("verdict %v done %v, want %v done %v", v.DPI(), done, tc.want, tc.done)
			}
			if tc.want == ProtoUnknown {
				return
			}
			if orZero(v.Meta.SSH) != (SSHMeta{Client: tc.client, Server: tc.server}) {
				t.Errorf("got %+v", orZero(v.Meta.SSH))
			}
		})
	}
}

func FuzzSSH(f *testing.F) {
	c := "SSH-2.0-OpenSSH_9.6\r\n"
	f.Add([]byte(c+"SSH-2.0-OpenSSH_8.0\r\n"), uint16(len(c)))
	seedFlows(f, "ndpi_ssh.pcap", func(fl *testFlow) bool { return fl.key.proto == IPProtoTCP }, 2)
	reg := mustRegistry(f, sshDissector())
	f.Fuzz(func(t *testing.T, data []byte, split uint16) {
		fuzzTCP(t, reg, 22, data, split)
	})
}

func BenchmarkSSH(b *testing.B) {
	benchFlow(b, mustRegistry(b, sshDissector()), flowInfo(IPProtoTCP, 40000, 22), []pkt{
		{flags: FlagSYN}, {dir: 1, flags: FlagSYN},
		{dir: 1, seq: 1, data: "SSH-2.0-OpenSSH_8.2p1 Ubuntu-4ubuntu0.11\r\n"},
		{seq: 1, data: "SSH-2.0-OpenSSH_9.6\r\n"},
	})
}
