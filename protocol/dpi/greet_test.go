package dpi

import "testing"

// TestGreetings covers SMTP, POP3, IMAP and FTP, which share one
// dissector shape and must tell each other apart.
func TestGreetings(t *testing.T) {
	tests := []struct {
		name   string
		port   uint16
		server string // the server's lines, sent first
		client string
		want   Proto
		banner string
		domain string
		tls    bool
		done   bool
	}{
		{name: "SMTP STARTTLS", port: 25, server: "220 mx.Example.com ESMTP ready\r\n",
			client: "EHLO client.example\r\nSTARTTLS\r\n", want: ProtoSMTP,
			banner: "220 mx.Example.com ESMTP ready", domain: "mx.example.com", tls: true, done: true},
		{name: "SMTP without a name in the greeting", port: 2525, server: "220 Welcome\r\n",
			client: "HELO me\r\nMAIL FROM:<a@example.com>\r\n", want: ProtoSMTP,
			banner: "220 Welcome", done: true},
		{name: "SMTP greeting alone", port: 25, server: "220-mail.example.org ESMTP\r\n",
			want: ProtoSMTP, banner: "220-mail.example.org ESMTP", domain: "mail.example.org"},
		{name: "FTP AUTH TLS", port: 21, server: "220 (vsFTPd 3.0.3)\r\n", client: "AUTH TLS\r\n",
			want: ProtoFTPControl, banner: "220 (vsFTPd 3.0.3)", tls: true, done: true},
		// FTP is not done at USER: it goes on reading for data connections.
		{name: "FTP told from SMTP by the client", port: 2121, server: "220 Service ready\r\n",
			client: "FEAT\r\nUSER anonymous\r\n", want: ProtoFTPControl, banner: "220 Service ready"},
		{name: "POP3 STLS", port: 110, server: "+OK ready\r\n", client: "CAPA\r\nSTLS\r\n",
			want: ProtoPOP3, banner: "+OK ready", tls: true, done: true},
		{name: "POP3 login", port: 110, server: "+OK POP3 server ready\r\n", client: "USER bob\r\n",
			want: ProtoPOP3, banner: "+OK POP3 server ready", done: true},
		{name: "IMAP STARTTLS", port: 143, server: "* OK [CAPABILITY IMAP4rev1] ready\r\n",
			client: "a1 CAPABILITY\r\na2 STARTTLS\r\n", want: ProtoIMAP,
			banner: "* OK [CAPABILITY IMAP4rev1] ready", tls: true, done: true},
		{name: "IMAP login", port: 143, server: "* OK ready\r\n", client: "C1 LOGIN a b\r\n",
			want: ProtoIMAP, banner: "* OK ready", done: true},
		{name: "a shared command alone settles nothing", port: 2000, client: "USER x\r\n",
			want: ProtoUnknown},
		{name: "not a greeting", port: 25, server: "hello there\r\n", client: "EHLO x\r\n",
			want: ProtoUnknown, done: true},
	}
	reg := mustRegistry(t, smtpDissector(), pop3Dissector(), imapDissector(), ftpDissector())
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pkts := []pkt{{flags: FlagSYN}, {dir: 1, flags: FlagSYN}}
			if tc.server != "" {
				pkts = append(pkts, pkt{dir: 1, seq: 1, data: tc.server})
			}
			if tc.client != "" {
				pkts = append(pkts, pkt{seq: 1, data: tc.client})
			}
			v, done := runFlow(t, reg, flowInfo(IPProtoTCP, 40000, tc.port), pkts)
			if v.DPI() != tc.want || done != tc.done {
				t.Fatalf("verdict %v done %v, want %v done %v", v.DPI(), done, tc.want, tc.done)
			}
			if tc.want == ProtoUnknown {
				return
			}
			want := MailMeta{Banner: tc.banner, Domain: tc.domain, StartTLS: tc.tls}
			if orZero(v.Meta.Mail) != want {
				t.Errorf("got %+v, want %+v", orZero(v.Meta.Mail), want)
			}
		})
	}
}

func FuzzGreetings(f *testing.F) {
	c := "EHLO x\r\nSTARTTLS\r\n"
	f.Add([]byte(c+"220 mx.example.com ESMTP\r\n"), uint16(len(c)))
	for _, file := range []string{"ndpi_smtp.pcap", "ndpi_pop3.pcap", "ndpi_imap.pcap", "ndpi_ftp.pcap"} {
		seedFlows(f, file, func(fl *testFlow) bool { return fl.key.proto == IPProtoTCP }, 1)
	}
	reg := mustRegistry(f, smtpDissector(), pop3Dissector(), imapDissector(), ftpDissector())
	f.Fuzz(func(t *testing.T, data []byte, split uint16) {
		fuzzTCP(t, reg, 25, data, split)
	})
}

func BenchmarkSMTP(b *testing.B) {
	benchFlow(b, DefaultRegistry(), flowInfo(IPProtoTCP, 40000, 25), []pkt{
		{flags: FlagSYN}, {dir: 1, flags: FlagSYN},
		{dir: 1, seq: 1, data: "220 mx.example.com ESMTP Postfix\r\n"},
		{seq: 1, data: "EHLO client.example.org\r\n"},
		{dir: 1, seq: 35, data: "250-mx.example.com\r\n250-STARTTLS\r\n250 8BITMIME\r\n"},
		{seq: 26, data: "STARTTLS\r\n"},
	})
}
