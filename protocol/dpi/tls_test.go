package dpi

import (
	"path/filepath"
	"slices"
	"testing"
)

// testHello is the ClientHello of the TLS tests. Its JA4 was computed by
// hand from the JA4 specification: ciphers 1301,1302,c02f (GREASE 0a0a
// left out) hash to 40b44b994229; extensions 000a,000b,000d,002b (SNI
// and ALPN left out, counted) then "_0403,0804" hash to fb71836bce29.
var testHello = hello{
	sni:      "www.Example.com",
	alpn:     []string{"h2", "http/1.1"},
	versions: []uint16{0x0a0a, 0x0304, 0x0303},
	ciphers:  []uint16{0x0a0a, 0x1301, 0x1302, 0xc02f},
	sigAlgs:  []uint16{0x0403, 0x0804},
	extra:    []uint16{0x000a, 0x0a0a, 0x000b},
}

const testHelloJA4 = "t13d0306h2_40b44b994229_fb71836bce29"

func TestTLS(t *testing.T) {
	ch := records(testHello.message(), 1<<14)
	chSplit := records(testHello.message(), 40) // one handshake over many records
	big := testHello
	big.padTo = 1800
	bigCH := records(big.message(), 1<<14)
	sh := records(buildServerHello(0x0304, "h2"), 1<<14)
	sh12 := records(buildServerHello(0x0303, ""), 1<<14)
	reg := mustRegistry(t, tlsDissector())
	tests := []struct {
		name       string
		pkts       []pkt
		want       Proto
		sni        string
		alpn       []string
		version    uint16
		serverALPN string
		ja4        string
		done       bool
	}{
		{name: "client hello", pkts: []pkt{{seq: 1, data: string(ch)}},
			want: ProtoTLS, sni: "www.example.com", alpn: []string{"h2", "http/1.1"},
			version: 0x0304, ja4: testHelloJA4},
		{name: "both hellos", pkts: []pkt{{seq: 1, data: string(ch)}, {dir: 1, seq: 1, data: string(sh)}},
			want: ProtoTLS, sni: "www.example.com", alpn: []string{"h2", "http/1.1"},
			version: 0x0304, serverALPN: "h2", ja4: testHelloJA4, done: true},
		{name: "TLS 1.2 server", pkts: []pkt{{seq: 1, data: string(ch)}, {dir: 1, seq: 1, data: string(sh12)}},
			want: ProtoTLS, sni: "www.example.com", alpn: []string{"h2", "http/1.1"},
			version: 0x0303, ja4: testHelloJA4, done: true},
		{name: "handshake over many records", pkts: []pkt{{seq: 1, data: string(chSplit)}},
			want: ProtoTLS, sni: "www.example.com", alpn: []string{"h2", "http/1.1"},
			version: 0x0304, ja4: testHelloJA4},
		{name: "segments reversed", pkts: []pkt{{seq: 1001, data: string(bigCH[1000:])}, {seq: 1, data: string(bigCH[:1000])}},
			want: ProtoTLS, sni: "www.example.com", alpn: []string{"h2", "http/1.1"},
			version: 0x0304, ja4: "t13d0307h2_40b44b994229_078775ef5e04"},
		{name: "hello cut short keeps the name", pkts: []pkt{{seq: 1, data: string(bigCH[:len(bigCH)-30])}},
			want: ProtoTLS, sni: "www.example.com"},
		{name: "server hello only", pkts: []pkt{{dir: 1, seq: 1, data: string(sh)}},
			want: ProtoTLS, version: 0x0304, serverALPN: "h2", done: true},
		{name: "record header only", pkts: []pkt{{seq: 1, data: "\x16\x03\x01\x02\x00"}}, want: ProtoUnknown},
		{name: "not TLS", pkts: []pkt{{seq: 1, data: "GET / HTTP/1.1\r\n\r\n"}}, want: ProtoUnknown, done: true},
		{name: "bad record version", pkts: []pkt{{seq: 1, data: "\x16\x09\x01\x00\x10\x01\x00\x00\x0c"}},
			want: ProtoUnknown, done: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pkts := append([]pkt{{flags: FlagSYN}, {dir: 1, flags: FlagSYN}}, tc.pkts...)
			v, done := runFlow(t, reg, flowInfo(IPProtoTCP, 40000, 443), pkts)
			if v.DPI() != tc.want || done != tc.done {
				t.Fatalf("verdict %v done %v, want %v done %v", v.DPI(), done, tc.want, tc.done)
			}
			if tc.want == ProtoUnknown {
				return
			}
			m := v.Meta.TLS
			if m.ServerName != tc.sni || !slices.Equal(m.ALPN, tc.alpn) || m.Version != tc.version ||
				m.ServerALPN != tc.serverALPN || m.JA4 != tc.ja4 {
				t.Errorf("got %+v\nwant sni %q alpn %q version %#x server ALPN %q JA4 %q",
					m, tc.sni, tc.alpn, tc.version, tc.serverALPN, tc.ja4)
			}
			checkVerdict(t, v)
		})
	}
}

// TestJA4Corpus checks JA4 on ClientHellos of the corpus against values
// computed by hand from the JA4 specification, from the fields tshark
// shows (tls.handshake.ciphersuite, .extension.type, .sig_hash_alg,
// .extensions.supported_version, .extensions_alpn_str): GREASE dropped,
// lists sorted as the specification says, SHA-256 cut to 12 digits.
func TestJA4Corpus(t *testing.T) {
	dir := sharedDir(t, "corpus")
	tests := []struct {
		name, file string
		port       uint16 // the client's port
		ja4        string
	}{
		// curl, TLS 1.2 only: 67 ciphers, 7 extensions, no supported_versions.
		{name: "curl TLS 1.2", file: "ndpi_443-curl.pcap", port: 55523,
			ja4: "t12d6707h2_2955a3196ffa_c83f907a73d3"},
		// Chrome with an X25519Kyber768 share: 15 ciphers (the spec's own
		// example list, 8daaf6152771), 16 extensions, the hello over two
		// segments.
		{name: "Chrome post-quantum", file: "zeek_tls_chrome-1250-tls-x25519-kyber.pcap", port: 13783,
			ja4: "t13d1516h2_8daaf6152771_02713d6af862"},
		// A QUIC ClientHello: 3 ciphers, 11 extensions, ALPN h3.
		{name: "QUIC", file: "tcpdump_quic_handshake.pcap", port: 50606,
			ja4: "q13d0311h3_55b375c5d22e_0e9637bee5d3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fls := readFlows(t, filepath.Join(dir, "pcap", tc.file))
			i := slices.IndexFunc(fls, func(f *testFlow) bool { return f.key.src.Port() == tc.port })
			if i < 0 {
				t.Fatalf("no flow from port %d", tc.port)
			}
			v := classify(DefaultRegistry(), fls[i])
			if v.Meta == nil || v.Meta.TLS.JA4 != tc.ja4 {
				t.Fatalf("verdict %v meta %+v, want JA4 %s", v.Proto, v.Meta, tc.ja4)
			}
		})
	}
}

func TestJA4ALPN(t *testing.T) {
	tests := []struct {
		name  string
		first []byte
		want  string
	}{
		{name: "h2", first: []byte("h2"), want: "h2"},
		{name: "http/1.1", first: []byte("http/1.1"), want: "h1"},
		{name: "one character", first: []byte("x"), want: "xx"},
		{name: "non-alphanumeric byte", first: []byte{0xab}, want: "ab"},
		{name: "two bytes", first: []byte{0xab, 0xcd}, want: "ad"},
		{name: "last not alphanumeric", first: []byte{0x30, 0xab}, want: "3b"},
		{name: "ends alphanumeric", first: []byte{0x30, 0xab, 0xcd, 0x31}, want: "01"},
		{name: "empty", first: []byte{}, want: "00"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			list := append([]byte{byte(len(tc.first))}, tc.first...)
			if got := string(ja4ALPN(list)); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func FuzzTLS(f *testing.F) {
	ch := records(testHello.message(), 100)
	f.Add(append(ch, records(buildServerHello(0x0304, "h2"), 1<<14)...), uint16(len(ch)))
	seedFlows(f, "ndpi_443-curl.pcap", func(*testFlow) bool { return true }, 1)
	seedFlows(f, "zeek_tls_chrome-1250-tls-x25519-kyber.pcap", func(*testFlow) bool { return true }, 1)
	reg := mustRegistry(f, tlsDissector())
	f.Fuzz(func(t *testing.T, data []byte, split uint16) {
		fuzzTCP(t, reg, 443, data, split)
	})
}

func BenchmarkTLS(b *testing.B) {
	big := testHello
	big.padTo = 1800 // a post-quantum sized hello, over two segments
	ch := records(big.message(), 1<<14)
	sh := records(buildServerHello(0x0304, "h2"), 1<<14)
	benchFlow(b, mustRegistry(b, tlsDissector()), flowInfo(IPProtoTCP, 40000, 443), []pkt{
		{flags: FlagSYN}, {dir: 1, flags: FlagSYN},
		{seq: 1, data: string(ch[:1200])}, {seq: 1201, data: string(ch[1200:])},
		{dir: 1, seq: 1, data: string(sh)},
	})
}
