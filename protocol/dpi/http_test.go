package dpi

import (
	"strings"
	"testing"
)

func TestHTTP(t *testing.T) {
	req := "GET /index.html?q=1 HTTP/1.1\r\nHost: WWW.Example.com:8080\r\nUser-Agent: curl/8.5.0\r\n" +
		"Accept: */*\r\n\r\n"
	resp := "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
	tests := []struct {
		name string
		pkts []pkt
		want Proto
		meta HTTPMeta
		done bool
	}{
		{name: "request and response", pkts: []pkt{{seq: 1, data: req}, {dir: 1, seq: 1, data: resp}},
			want: ProtoHTTP, done: true, meta: HTTPMeta{Method: "GET", Host: "www.example.com",
				Target: "/index.html?q=1", Version: "HTTP/1.1", UserAgent: "curl/8.5.0", Status: 404}},
		{name: "request in small pieces", pkts: []pkt{{seq: 1, data: req[:2]}, {seq: 3, data: req[2:30]},
			{seq: 31, data: req[30:]}},
			want: ProtoHTTP, meta: HTTPMeta{Method: "GET", Host: "www.example.com",
				Target: "/index.html?q=1", Version: "HTTP/1.1", UserAgent: "curl/8.5.0"}},
		{name: "response first", pkts: []pkt{{dir: 1, seq: 1, data: resp}, {seq: 1, data: req}},
			want: ProtoHTTP, done: true, meta: HTTPMeta{Method: "GET", Host: "www.example.com",
				Target: "/index.html?q=1", Version: "HTTP/1.1", UserAgent: "curl/8.5.0", Status: 404}},
		{name: "absolute target, IPv6 literal", pkts: []pkt{{seq: 1,
			data: "POST http://[2001:db8::1]:3128/x HTTP/1.0\r\n\r\n"}},
			want: ProtoHTTP, meta: HTTPMeta{Method: "POST", Host: "[2001:db8::1]",
				Target: "http://[2001:db8::1]:3128/x", Version: "HTTP/1.0"}},
		{name: "CONNECT", pkts: []pkt{{seq: 1, data: "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"}},
			want: ProtoHTTPConnect, meta: HTTPMeta{Method: "CONNECT", Host: "example.com",
				Target: "example.com:443", Version: "HTTP/1.1"}},
		{name: "HTTP/0.9", pkts: []pkt{{seq: 1, data: "GET /\r\n"}},
			want: ProtoHTTP, meta: HTTPMeta{Method: "GET", Target: "/", Version: "HTTP/0.9"}},
		{name: "RTSP is not HTTP", pkts: []pkt{{seq: 1, data: "OPTIONS rtsp://example.com/a RTSP/1.0\r\n\r\n"}},
			want: ProtoUnknown, done: true},
		{name: "lower-case method is not HTTP", pkts: []pkt{{seq: 1, data: "get / HTTP/1.1\r\n\r\n"}},
			want: ProtoUnknown, done: true},
		{name: "binary", pkts: []pkt{{seq: 1, data: "\x00\x01\x02\x03"}}, want: ProtoUnknown, done: true},
	}
	reg := mustRegistry(t, httpDissector())
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pkts := append([]pkt{{flags: FlagSYN}, {dir: 1, flags: FlagSYN}}, tc.pkts...)
			v, done := runFlow(t, reg, flowInfo(IPProtoTCP, 40000, 80), pkts)
			if v.DPI() != tc.want || done != tc.done {
				t.Fatalf("verdict %v done %v, want %v done %v", v.DPI(), done, tc.want, tc.done)
			}
			if tc.want == ProtoUnknown {
				return
			}
			if orZero(v.Meta.HTTP) != tc.meta {
				t.Errorf("got %+v\nwant %+v", orZero(v.Meta.HTTP), tc.meta)
			}
		})
	}
}

func TestHTTPLongHeaders(t *testing.T) {
	// A request head longer than the stream cap: what came is read, and
	// the session ends when nothing more can.
	req := "GET / HTTP/1.1\r\nHost: a.example\r\nCookie: " + strings.Repeat("c", 5000) + "\r\n\r\n"
	v, _ := runFlow(t, mustRegistry(t, httpDissector()), flowInfo(IPProtoTCP, 40000, 80),
		[]pkt{{flags: FlagSYN}, {seq: 1, data: req[:1400]}, {seq: 1401, data: req[1400:2800]},
			{seq: 2801, data: req[2800:4200]}, {seq: 4201, data: req[4200:]}})
	if v.Proto != ProtoHTTP || v.Meta.HTTP.Host != "a.example" {
		t.Fatalf("verdict %v meta %+v", v.Proto, v.Meta)
	}
}

func TestHostOnly(t *testing.T) {
	tests := []struct{ in, want string }{
		{"example.com", "example.com"}, {"example.com:8080", "example.com"},
		{"[2001:db8::1]:80", "[2001:db8::1]"}, {"[2001:db8::1]", "[2001:db8::1]"},
		{"2001:db8::1", "2001:db8::1"}, {"host:port", "host:port"}, {"", ""},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := string(hostOnly([]byte(tc.in))); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func FuzzHTTP(f *testing.F) {
	req := "GET / HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: x\r\n\r\n"
	f.Add([]byte(req+"HTTP/1.1 200 OK\r\n\r\n"), uint16(len(req)))
	seedFlows(f, "zeek_http_get.pcap", func(fl *testFlow) bool { return fl.key.dst.Port() == 80 }, 2)
	seedFlows(f, "ndpi_http_ipv6.pcap", func(fl *testFlow) bool { return fl.key.dst.Port() == 80 }, 2)
	reg := mustRegistry(f, httpDissector())
	f.Fuzz(func(t *testing.T, data []byte, split uint16) {
		fuzzTCP(t, reg, 80, data, split)
	})
}

func BenchmarkHTTP(b *testing.B) {
	req := "GET /index.html HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64)\r\n" +
		"Accept: text/html\r\nAccept-Language: en\r\nConnection: keep-alive\r\n\r\n"
	benchFlow(b, mustRegistry(b, httpDissector()), flowInfo(IPProtoTCP, 40000, 80), []pkt{
		{flags: FlagSYN}, {dir: 1, flags: FlagSYN},
		{seq: 1, data: req}, {dir: 1, seq: 1, data: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"},
	})
}
