package dpi

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestBugcases checks the DPI values the bug cases' expected.txt files
// give, flow by flow (a flow is named by its initiator's port).
func TestBugcases(t *testing.T) {
	dir := sharedDir(t, "bugcases")
	host254 := strings.Repeat("h", 63) + "." + strings.Repeat("h", 63) + "." +
		strings.Repeat("h", 63) + "." + strings.Repeat("h", 63-13) + ".example.com"
	tests := []struct {
		name  string
		file  string
		port  uint16 // initiator port
		proto Proto
		guess bool
		check func(tb testing.TB, m *Meta)
	}{
		{name: "B01 HTTP over SLL2", file: "B01-sll2-linktype276.pcap", port: 40001,
			proto: ProtoHTTP, check: httpHost("www.example.com")},
		{name: "B01 DNS AAAA", file: "B01-sll2-linktype276.pcap", port: 40002,
			proto: ProtoDNS, check: dnsQuery("www.example.org", 28)},
		{name: "B02 HTTP", file: "B02-pcapng-mixed-linktypes.pcapng", port: 40021,
			proto: ProtoHTTP, check: httpHost("www.example.com")},
		{name: "B02 TLS", file: "B02-pcapng-mixed-linktypes.pcapng", port: 40022,
			proto: ProtoTLS, check: tlsSNI("www.example.org")},
		{name: "B02 DNS", file: "B02-pcapng-mixed-linktypes.pcapng", port: 40023,
			proto: ProtoDNS, check: dnsQuery("ns.example.com", 1)},
		{name: "B03 raw IPv4", file: "B03-rawip-linktype228-ipv4.pcap", port: 40031,
			proto: ProtoHTTP, check: httpHost("www.example.com")},
		{name: "B03 raw 101", file: "B03-rawip-linktype101.pcap", port: 40031,
			proto: ProtoHTTP, check: httpHost("www.example.com")},
		{name: "B03 raw 101 NTP", file: "B03-rawip-linktype101.pcap", port: 40032, proto: ProtoNTP},
		{name: "B03 raw 12 NTP", file: "B03-rawip-linktype12.pcap", port: 40032, proto: ProtoNTP},
		{name: "B03 raw IPv6 NTP", file: "B03-rawip-linktype229-ipv6.pcap", port: 40032, proto: ProtoNTP},
		{name: "B06 big-endian", file: "B06-pcap-big-endian.pcap", port: 40061,
			proto: ProtoHTTP, check: httpHost("www.example.com")},
		// Snaplen 54 leaves nothing to read: a marked port guess at most.
		{name: "B07 HTTP cut", file: "B07-snaplen-truncated.pcap", port: 40071,
			proto: ProtoHTTP, guess: true},
		{name: "B07 DNS cut", file: "B07-snaplen-truncated.pcap", port: 40072,
			proto: ProtoDNS, guess: true},
		{name: "B10 HTTP, not the NRB name", file: "B10-pcapng-blocks-sections.pcapng", port: 40101,
			proto: ProtoHTTP, check: httpHost("www.example.com")},
		{name: "B10 syslog", file: "B10-pcapng-blocks-sections.pcapng", port: 40102, proto: ProtoSyslog},
		{name: "B17 HTTP under MPLS", file: "B17-mpls-label-stack.pcap", port: 40171,
			proto: ProtoHTTP, check: httpHost("www.example.com")},
		{name: "B23 length prefix and query in one segment", file: "B23-dns-over-tcp.pcap", port: 40231,
			proto: ProtoDNS, check: dnsQuery("www.example.com", 1)},
		{name: "B23 length prefix alone", file: "B23-dns-over-tcp.pcap", port: 40232,
			proto: ProtoDNS, check: dnsQuery("mail.example.org", 15)},
		{name: "B23 pipelined queries keep the first", file: "B23-dns-over-tcp.pcap", port: 40233,
			proto: ProtoDNS, check: dnsQuery("a.example.com", 1)},
		{name: "B24 SNI in the second segment", file: "B24-tls-clienthello-split.pcap", port: 40241,
			proto: ProtoTLS, check: tlsSNIALPN("www.example.com")},
		{name: "B24 second segment captured first", file: "B24-tls-clienthello-split.pcap", port: 40242,
			proto: ProtoTLS, check: tlsSNIALPN("www.example.org")},
		{name: "B24 first segment one byte", file: "B24-tls-clienthello-split.pcap", port: 40243,
			proto: ProtoTLS, check: tlsSNIALPN("api.example.com")},
		{name: "B30 host of 254 bytes", file: "B30-ipfix-variable-length-strings.pcap", port: 40301,
			proto: ProtoHTTP, check: httpHost(host254)},
		{name: "B30 host of 255 bytes", file: "B30-ipfix-variable-length-strings.pcap", port: 40302,
			proto: ProtoHTTP, check: httpHostLen(255)},
		{name: "B30 host of 300 bytes", file: "B30-ipfix-variable-length-strings.pcap", port: 40303,
			proto: ProtoHTTP, check: httpHostLen(300)},
		{name: "B30 empty host", file: "B30-ipfix-variable-length-strings.pcap", port: 40304,
			proto: ProtoHTTP, check: httpHost("")},
	}
	flows := map[string][]*testFlow{}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fls, ok := flows[tc.file]
			if !ok {
				fls = readFlows(t, filepath.Join(dir, tc.file))
				flows[tc.file] = fls
			}
			i := slices.IndexFunc(fls, func(f *testFlow) bool { return f.key.src.Port() == tc.port })
			if i < 0 {
				t.Fatalf("no flow from port %d in %s", tc.port, tc.file)
			}
			v := classify(DefaultRegistry(), fls[i])
			if v.Proto != tc.proto || v.Guess != tc.guess {
				t.Fatalf("verdict %v (guess %v), want %v (guess %v)", v.Proto, v.Guess, tc.proto, tc.guess)
			}
			if tc.check == nil {
				if v.Meta != nil && v.ServerName() != "" {
					t.Errorf("metadata %+v from a capture with nothing to read", v.Meta)
				}
				return
			}
			if v.Meta == nil {
				t.Fatal("no metadata")
			}
			tc.check(t, v.Meta)
		})
	}
}

func httpHost(want string) func(testing.TB, *Meta) {
	return func(tb testing.TB, m *Meta) {
		tb.Helper()
		if m.HTTP.Host != want {
			tb.Errorf("HTTP host %q (%d bytes), want %q", m.HTTP.Host, len(m.HTTP.Host), want)
		}
	}
}

func httpHostLen(n int) func(testing.TB, *Meta) {
	return func(tb testing.TB, m *Meta) {
		tb.Helper()
		if len(m.HTTP.Host) != n || !strings.HasSuffix(m.HTTP.Host, ".example.com") {
			tb.Errorf("HTTP host of %d bytes ending %q, want %d bytes", len(m.HTTP.Host),
				m.HTTP.Host[max(0, len(m.HTTP.Host)-12):], n)
		}
	}
}

func dnsQuery(name string, qtype uint16) func(testing.TB, *Meta) {
	return func(tb testing.TB, m *Meta) {
		tb.Helper()
		if m.DNS.Name != name || m.DNS.Type != qtype {
			tb.Errorf("DNS %q type %d, want %q type %d", m.DNS.Name, m.DNS.Type, name, qtype)
		}
	}
}

func tlsSNI(name string) func(testing.TB, *Meta) {
	return func(tb testing.TB, m *Meta) {
		tb.Helper()
		if m.TLS.ServerName != name {
			tb.Errorf("SNI %q, want %q", m.TLS.ServerName, name)
		}
	}
}

func tlsSNIALPN(name string) func(testing.TB, *Meta) {
	return func(tb testing.TB, m *Meta) {
		tb.Helper()
		tlsSNI(name)(tb, m)
		if !slices.Equal(m.TLS.ALPN, []string{"h2", "http/1.1"}) {
			tb.Errorf("ALPN %q, want [h2 http/1.1]", m.TLS.ALPN)
		}
	}
}
